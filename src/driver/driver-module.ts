import { createRequire } from 'node:module';
import path from 'node:path';

/** The two functions of a `bson` library the bridge needs. */
export interface BsonCodec {
  serialize(document: object): Uint8Array;
  deserialize(bytes: Uint8Array, options?: object): Record<string, unknown>;
}

/** The driver's OP_MSG document sequence: sends already serialized documents as they are. */
export interface DocumentSequenceLike {
  push(document: unknown, buffer: Uint8Array): number;
}

/** What the library needs from the `mongodb` package a client belongs to. */
export interface DriverModule {
  /** The BSON library that driver serializes commands with. */
  readonly bson: BsonCodec;
  /** Its major version: values of another major are refused by that driver ("Unsupported BSON version"). */
  readonly bsonMajor: number;
  /**
   * The driver's document-sequence class, not part of its public API: looked up and checked, `undefined` when this
   * driver has none (documents are then re-encoded).
   */
  readonly documentSequence: (new (field: string) => DocumentSequenceLike) | undefined;
}

/** The symbol every BSON value carries, whose value is its library's major version. */
export const BSON_VERSION = Symbol.for('@@mdb.bson.version');

interface DriverExports {
  readonly MongoClient?: unknown;
  readonly BSON?: BsonCodec & { readonly Int32?: new (value: number) => object };
}

const localRequire = createRequire(import.meta.url);
const byClass = new WeakMap<object, DriverModule>();
let peer: DriverModule | undefined;

/**
 * The `mongodb` package a client was created from. An application may hold a different copy (another major) than
 * the one this library resolves, so the package is found from the client's class among the loaded modules; when it
 * cannot be (a bundled application), the `mongodb` this library resolves is used.
 */
export function driverModuleOf(client: object): DriverModule {
  const constructor = (client as { constructor?: unknown }).constructor;
  if (typeof constructor !== 'function') return peerModule();
  const known = byClass.get(constructor);
  if (known) return known;
  const found = findLoadedDriver(client) ?? peerModule();
  byClass.set(constructor, found);
  return found;
}

function peerModule(): DriverModule {
  peer ??= describe(localRequire('mongodb') as DriverExports, localRequire.resolve('mongodb'));
  return peer;
}

function findLoadedDriver(client: object): DriverModule | undefined {
  const classes = new Set<unknown>();
  for (
    let proto = Object.getPrototypeOf(client) as object | null;
    proto;
    proto = Object.getPrototypeOf(proto)
  ) {
    classes.add((proto as { constructor?: unknown }).constructor);
  }
  for (const loaded of Object.values(localRequire.cache)) {
    const exports = loaded?.exports as DriverExports | undefined;
    if (exports?.BSON !== undefined && classes.has(exports.MongoClient) && loaded) {
      return describe(exports, loaded.filename);
    }
  }
  return undefined;
}

function describe(exports: DriverExports, indexFile: string): DriverModule {
  const bson = exports.BSON as NonNullable<DriverExports['BSON']>;
  const probe = bson.Int32 ? (new bson.Int32(0) as Record<symbol, unknown>)[BSON_VERSION] : undefined;
  return {
    bson,
    bsonMajor: typeof probe === 'number' ? probe : 0,
    documentSequence: documentSequenceNextTo(indexFile),
  };
}

function documentSequenceNextTo(indexFile: string): DriverModule['documentSequence'] {
  try {
    const commands = createRequire(indexFile)(path.join(path.dirname(indexFile), 'cmap', 'commands.js')) as {
      DocumentSequence?: unknown;
    };
    const candidate = commands.DocumentSequence;
    if (typeof candidate !== 'function') return undefined;
    if (typeof (candidate.prototype as { push?: unknown } | undefined)?.push !== 'function') return undefined;
    return candidate as unknown as DriverModule['documentSequence'];
  } catch {
    return undefined;
  }
}
