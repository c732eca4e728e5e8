import {
  BSON,
  Binary,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  BSONRegExp,
} from 'bson';
import { describe, expect, it } from 'vitest';

import { bsonStructureError, MAX_BSON_DEPTH } from '../../../src/archive/bson-validate.js';
import { seededRandom } from '../../support/random.js';

const EVERY_TYPE = BSON.serialize(
  {
    _id: new ObjectId('64b7f0c2a1b2c3d4e5f60718'),
    d: new Double(1.5),
    s: 'text ✓',
    o: { nested: { deeper: [1, 'two', { three: 3 }] } },
    a: [new Int32(1), Long.fromNumber(2), new Decimal128('3.5')],
    bin: new Binary(Buffer.from('bytes'), 4),
    old: new Binary(Buffer.from('old'), 2),
    u: undefined,
    t: true,
    f: false,
    date: new Date(1_700_000_000_000),
    n: null,
    re: new BSONRegExp('^a.*', 'i'),
    code: new Code('function () {}'),
    scope: new Code('function () { return x; }', { x: 1 }),
    i: new Int32(-7),
    ts: new Timestamp({ t: 1, i: 2 }),
    l: Long.fromString('9007199254740993'),
    dec: new Decimal128('1.000000000000000000000000000000001'),
    min: new MinKey(),
    max: new MaxKey(),
  },
  { ignoreUndefined: false },
);

describe('bsonStructureError', () => {
  it('accepts well-formed documents of every type', () => {
    expect(bsonStructureError(EVERY_TYPE)).toBeUndefined();
    expect(bsonStructureError(BSON.serialize({}))).toBeUndefined();
  });

  it('names what is wrong in hand-made damage', () => {
    const unknownType = Buffer.from(BSON.serialize({ a: 1 }));
    unknownType[4] = 0x42;
    expect(bsonStructureError(unknownType)).toMatch(/known BSON type, found 0x42/);
    const badBool = Buffer.from(BSON.serialize({ t: true }));
    badBool[badBool.length - 2] = 2;
    expect(bsonStructureError(badBool)).toMatch(/boolean/);
    const longString = Buffer.from(BSON.serialize({ s: 'abc' }));
    longString.writeInt32LE(1000, 7);
    expect(bsonStructureError(longString)).toMatch(/string length/);
    const badPrefix = Buffer.from(BSON.serialize({ a: 1 }));
    badPrefix.writeInt32LE(99, 0);
    expect(bsonStructureError(badPrefix)).toMatch(/length prefix/);
  });

  it(`refuses nesting deeper than ${MAX_BSON_DEPTH} levels without overflowing the stack`, () => {
    // 100,000 levels built by hand (the serializer itself would overflow): { a: { a: ... {} } }
    const depth = 100_000;
    const size = 5 + depth * 8;
    const buf = Buffer.alloc(size);
    for (let level = 0; level < depth; level += 1) {
      const at = level * 7;
      buf.writeInt32LE(size - level * 8, at);
      buf[at + 4] = 0x03;
      buf[at + 5] = 0x61;
      buf[at + 6] = 0x00;
    }
    buf.writeInt32LE(5, depth * 7);
    expect(bsonStructureError(buf)).toMatch(/levels of nesting/);
  });

  it('3,000 seeded bit flips: never throws; whatever it accepts the bson library can decode', () => {
    const next = seededRandom(0x5eed);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i += 1) {
      const damaged = Buffer.from(EVERY_TYPE);
      const flips = 1 + Math.floor(next() * 3);
      for (let f = 0; f < flips; f += 1) {
        const at = Math.floor(next() * damaged.length);
        damaged[at] = (damaged[at] as number) ^ (1 << Math.floor(next() * 8));
      }
      const problem = bsonStructureError(damaged);
      if (problem === undefined) {
        accepted += 1;
        expect(() => BSON.deserialize(damaged, { validation: { utf8: false } })).not.toThrow();
      } else {
        refused += 1;
      }
    }
    expect(accepted + refused).toBe(3000);
    expect(refused).toBeGreaterThan(0);
  });
});
