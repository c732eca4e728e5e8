import { BSON, Int32 } from 'bson';
import { BSON_VERSION, driverModuleOf, type BsonCodec } from './driver-module.js';

/** The major version of the `bson` library this library parses and writes backups with. */
const OWN_MAJOR = (new Int32(0) as unknown as Record<symbol, unknown>)[BSON_VERSION] as number;
const KEEP_TYPES = { promoteValues: false, promoteBuffers: false, bsonRegExp: true } as const;

/**
 * A value (command, filter, options, index spec) built with this library's BSON classes, in the BSON classes of
 * the client's driver, which refuses values of another major. Containers keep their kind and key order (a `Map`
 * stays a `Map`); every BSON value keeps its exact type. The value itself when both majors agree.
 */
export function toDriverValues<T>(client: object, value: T): T {
  const driver = driverModuleOf(client);
  if (driver.bsonMajor === OWN_MAJOR) return value;
  return convert(value, driver.bsonMajor, BSON, driver.bson) as T;
}

/**
 * A value the client's driver returned, in this library's BSON classes, so that its Extended JSON and BSON writers
 * accept it. The value itself when both majors agree.
 */
export function fromDriverValues<T>(client: object, value: T): T {
  const driver = driverModuleOf(client);
  if (driver.bsonMajor === OWN_MAJOR) return value;
  return convert(value, OWN_MAJOR, driver.bson, BSON) as T;
}

function convert(value: unknown, major: number, from: BsonCodec, to: BsonCodec): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { _bsontype?: unknown })._bsontype === 'string') {
    if ((value as Record<symbol, unknown>)[BSON_VERSION] === major) return value;
    // Through its bytes: the exact type (Int32, Double, Long, Binary subtype...) survives.
    return to.deserialize(from.serialize({ v: value }), KEEP_TYPES)['v'];
  }
  if (Array.isArray(value)) return value.map((item) => convert(item, major, from, to));
  if (value instanceof Map) {
    return new Map([...value].map(([key, item]) => [key, convert(item, major, from, to)] as const));
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, convert(item, major, from, to)] as const),
  );
}
