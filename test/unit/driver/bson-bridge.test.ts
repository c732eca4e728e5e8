import { BSON, Binary, Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { MongoClient as MongoClient7 } from 'mongodb';
import { MongoClient as MongoClient6 } from 'mongodb6';
import { describe, expect, it } from 'vitest';
import { driverModuleOf, fromDriverValues, toDriverValues } from '../../../src/driver/index.js';

const VERSION = Symbol.for('@@mdb.bson.version');
const versionOf = (value: unknown): unknown => (value as Record<symbol, unknown>)[VERSION];

describe('BSON values across driver majors (no server: clients are never connected)', () => {
  const client6 = new MongoClient6('mongodb://127.0.0.1:1');
  const client7 = new MongoClient7('mongodb://127.0.0.1:1');

  it('finds the package each client belongs to: its BSON major and its document sequences', () => {
    expect(driverModuleOf(client6).bsonMajor).toBe(6);
    expect(driverModuleOf(client7).bsonMajor).toBe(7);
    expect(driverModuleOf(client6).documentSequence).toBeTypeOf('function');
    expect(driverModuleOf(client6).documentSequence).not.toBe(driverModuleOf(client7).documentSequence);
  });

  it('carries every value to a 6.x driver in its own classes, exact types, containers and key order kept', () => {
    const command = {
      insert: 'c',
      n: new Int32(5),
      d: new Double(1),
      big: Long.fromString('9007199254740993'),
      dec: Decimal128.fromString('1.10'),
      id: new ObjectId('65f1c0ffee0123456789abcd'),
      uuid: new Binary(Buffer.alloc(16, 1), Binary.SUBTYPE_UUID),
      when: new Date(0),
      raw: Buffer.from([1, 2]),
      ordered: new Map<string, unknown>([
        ['b', 1],
        ['10', new Int32(1)],
        ['2', [new Long(7)]],
      ]),
    };
    const sent = toDriverValues(client6, command);
    for (const key of ['n', 'd', 'big', 'dec', 'id', 'uuid'] as const)
      expect(versionOf(sent[key]), key).toBe(6);
    expect(sent.when).toBe(command.when);
    expect(sent.raw).toBe(command.raw);
    expect(sent.ordered).toBeInstanceOf(Map);
    expect([...sent.ordered.keys()]).toEqual(['b', '10', '2']);
    expect(versionOf((sent.ordered.get('2') as unknown[])[0])).toBe(6);
    // The 6.x driver's own serializer takes it, and the bytes are those of the original.
    const bson6 = driverModuleOf(client6).bson;
    expect(Buffer.from(bson6.serialize(sent)).equals(Buffer.from(BSON.serialize(command)))).toBe(true);

    const back = fromDriverValues(client6, sent);
    expect(versionOf(back.big)).toBe(7);
    expect(Buffer.from(BSON.serialize(back)).equals(Buffer.from(BSON.serialize(command)))).toBe(true);
  });

  it('leaves values as they are for a driver of the same major', () => {
    const command = { n: new Int32(1) };
    expect(toDriverValues(client7, command)).toBe(command);
    expect(fromDriverValues(client7, command)).toBe(command);
  });
});
