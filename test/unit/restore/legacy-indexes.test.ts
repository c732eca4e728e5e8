import { Decimal128, Double, Int32, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { convertLegacyIndex } from '../../../src/restore/legacy-indexes.js';

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
    expect(convertLegacyIndex({ key: { f: value }, name: 'f' })['key']).toEqual({ f: expected });
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
    expect(convertLegacyIndex({ key: { f: value }, name: 'f' })['key']).toEqual({ f: value });
  });

  it('keeps key order and known options, drops unknown ones', () => {
    const converted = convertLegacyIndex({
      v: new Int32(1),
      key: { a: new Double(1), b: true, c: Decimal128.fromString('0'), d: '' },
      name: 'a_1_b_true',
      ns: 'indextest.test_collection',
      safe: true,
      unique: true,
    });
    expect(Object.keys(converted)).toEqual(['v', 'key', 'name', 'ns', 'unique']);
    expect(Object.keys(converted['key'] as object)).toEqual(['a', 'b', 'c', 'd']);
    expect(converted['key']).toEqual({ a: new Double(1), b: new Int32(1), c: new Int32(1), d: new Int32(1) });
  });
});
