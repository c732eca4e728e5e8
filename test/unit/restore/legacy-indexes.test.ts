import { Decimal128, Double, Int32, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { convertLegacyIndex, convertLegacyIndexes } from '../../../src/restore/legacy-indexes.js';
import { ordered, plainOf } from '../../support/ordered.js';

describe('convertLegacyIndex (mongorestore --convertLegacyIndexes)', () => {
  it.each([
    ['int32 zero', new Int32(0), new Int32(1)],
    ['int64 zero', Long.fromNumber(0), new Int32(1)],
    ['double zero', new Double(0), new Int32(1)],
    ['tiny negative double', new Double(-1e-12), new Int32(-1)],
    ['decimal zero', Decimal128.fromString('0'), new Int32(1)],
    ['decimal 0.00', Decimal128.fromString('0.00'), new Int32(1)],
    ['empty string', '', new Int32(1)],
    ['true', true, new Int32(1)],
    ['null', null, new Int32(1)],
    ['object', { a: 1 }, new Int32(1)],
  ])('%s becomes ±1', (_name, value, expected) => {
    expect(plainOf(convertLegacyIndex(ordered({ key: { f: value }, name: 'f' })).get('key'))).toEqual({
      f: expected,
    });
  });

  it.each([
    ['int32 -1', new Int32(-1)],
    ['double 1.5', new Double(1.5)],
    ['long 1', Long.fromNumber(1)],
    ['decimal 2', Decimal128.fromString('2')],
    ['2dsphere', '2dsphere'],
    ['text', 'text'],
    ['hashed', 'hashed'],
  ])('%s is kept', (_name, value) => {
    expect(plainOf(convertLegacyIndex(ordered({ key: { f: value }, name: 'f' })).get('key'))).toEqual({
      f: value,
    });
  });

  it('keeps key order and known options, drops unknown ones', () => {
    const converted = convertLegacyIndex(
      ordered({
        v: new Int32(1),
        key: new Map<string, unknown>([
          ['z', new Double(1)],
          ['5', true],
          ['c', Decimal128.fromString('0')],
          ['d', ''],
        ]),
        name: 'z_1_5_true',
        ns: 'indextest.test_collection',
        safe: true,
        unique: true,
      }),
    );
    expect([...converted.keys()]).toEqual(['v', 'key', 'name', 'ns', 'unique']);
    const key = converted.get('key') as Map<string, unknown>;
    expect([...key.keys()]).toEqual(['z', '5', 'c', 'd']);
    expect([...key.values()]).toEqual([new Double(1), new Int32(1), new Int32(1), new Int32(1)]);
  });

  it('leaves out an index whose converted key duplicates an earlier one, as mongorestore does', () => {
    const specs = [
      ordered({ v: 1, key: { a: new Int32(1) }, name: 'a_1' }),
      ordered({ v: 1, key: { a: new Int32(0) }, name: 'a_0' }),
      ordered({ v: 1, key: { a: new Double(1), b: '' }, name: 'a_1_b_' }),
      ordered({ v: 1, key: { a: Long.fromNumber(1), b: new Int32(1) }, name: 'a_1_b_1' }),
      ordered({ v: 1, key: { a: 'hashed' }, name: 'a_hashed' }),
      ordered({ v: 1, key: { b: new Int32(1), a: new Int32(1) }, name: 'b_1_a_1' }),
    ];
    const { kept, duplicates } = convertLegacyIndexes(specs);
    expect(kept.map((spec) => spec.get('name'))).toEqual(['a_1', 'a_1_b_', 'a_hashed', 'b_1_a_1']);
    expect(duplicates).toEqual(['a_0', 'a_1_b_1']);
  });
});
