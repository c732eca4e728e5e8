/**
 * Documents whose keys stay in stored order. A plain JS object enumerates integer-like keys (`"5"`, `"10"`) first
 * whatever the order they were written in, so `{ z: 1, "5": 1 }` would silently become `{ "5": 1, z: 1 }`: a
 * different index key, a filter that matches nothing. Everything that carries user-defined keys (queries, index
 * keys, collection options, validators, pipelines) is therefore held as a `Map`, nested documents too, and the
 * `bson` serializer writes a `Map` in its own order.
 *
 * @packageDocumentation
 */

import { BSON, Code, type Document } from 'bson';

/**
 * A BSON document with its keys in stored order: a `Map` whose nested documents are `Map`s too, arrays are arrays and
 * other values are `bson` values (`Int32`, `Double`, `Long`, `ObjectId`...), strings, booleans, `null` or `Date`s.
 */
export type OrderedDocument = ReadonlyMap<string, unknown>;

const DOCUMENT = 0x03;
const ARRAY = 0x04;
const CODE_WITH_SCOPE = 0x0f;

/** Fixed value sizes of BSON element types (those not listed have a length prefix or a terminator). */
const FIXED_SIZES: Readonly<Record<number, number>> = {
  0x01: 8,
  0x06: 0,
  0x07: 12,
  0x08: 1,
  0x09: 8,
  0x0a: 0,
  0x10: 4,
  0x11: 8,
  0x12: 8,
  0x13: 16,
  0x7f: 0,
  0xff: 0,
};

/** Whether a value is a document of the ordered representation. */
export function isOrderedDocument(value: unknown): value is OrderedDocument {
  return value instanceof Map;
}

/**
 * Decodes BSON bytes into an {@link OrderedDocument}, nested documents included, keys in stored order. Values keep
 * their BSON types (no promotion: an Int32 stays an `Int32`, a Double a `Double`).
 *
 * @throws when the bytes are not a BSON document.
 */
export function decodeOrderedDocument(bytes: Uint8Array): OrderedDocument {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The whole document is checked once by the `bson` parser, so that the walk below may trust the lengths.
  BSON.deserialize(buffer, { promoteValues: false, validation: { utf8: true } });
  const document = new Map<string, unknown>();
  walk(buffer, 0, (key, value) => document.set(key, value));
  return document;
}

/** Encodes an {@link OrderedDocument} (or any document) as BSON, keys in their order. */
export function encodeOrderedDocument(document: OrderedDocument | Document): Buffer {
  return Buffer.from(BSON.serialize(document as Document));
}

/**
 * Turns a document given as a plain object (or already a `Map`) into an {@link OrderedDocument}, nested documents
 * included. A plain object's own order is kept as JavaScript enumerates it (integer-like keys first): pass Extended
 * JSON text or a `Map` to keep any other order.
 */
export function toOrderedDocument(value: Document | OrderedDocument): OrderedDocument {
  const entries = value instanceof Map ? [...(value as OrderedDocument)] : Object.entries(value);
  return new Map(entries.map(([key, item]) => [key, toOrderedValue(item)]));
}

function toOrderedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toOrderedValue);
  if (value instanceof Map) return toOrderedDocument(value as OrderedDocument);
  if (isPlainDocument(value)) return toOrderedDocument(value);
  return value;
}

/** A plain JS object that is a document (not a `bson` value, a `Date`, a `Buffer`...). */
export function isPlainDocument(value: unknown): value is Document {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !('_bsontype' in value);
}

/** Calls `visit` with every element of the document at `start`, decoding nested documents and arrays in order. */
function walk(buffer: Buffer, start: number, visit: (key: string, value: unknown) => void): void {
  const end = start + buffer.readInt32LE(start) - 1;
  let at = start + 4;
  while (at < end) {
    const type = buffer[at] as number;
    const keyEnd = buffer.indexOf(0, at + 1);
    const key = buffer.toString('utf8', at + 1, keyEnd);
    const valueAt = keyEnd + 1;
    const valueEnd = valueAt + valueSize(buffer, type, valueAt);
    if (type === DOCUMENT) {
      const nested = new Map<string, unknown>();
      walk(buffer, valueAt, (k, v) => nested.set(k, v));
      visit(key, nested);
    } else if (type === ARRAY) {
      const items: unknown[] = [];
      walk(buffer, valueAt, (_, v) => items.push(v));
      visit(key, items);
    } else if (type === CODE_WITH_SCOPE) {
      // Total length, the code as a string, then the scope: a document whose keys keep their order too.
      const codeLength = buffer.readInt32LE(valueAt + 4);
      const code = buffer.toString('utf8', valueAt + 8, valueAt + 8 + codeLength - 1);
      const scope = new Map<string, unknown>();
      walk(buffer, valueAt + 8 + codeLength, (k, v) => scope.set(k, v));
      visit(key, new Code(code, scope as unknown as Document));
    } else {
      visit(key, decodeElement(type, buffer.subarray(valueAt, valueEnd)));
    }
    at = valueEnd;
  }
}

/** Decodes one non-document value by wrapping it, under the key "v", into a document of its own. */
function decodeElement(type: number, value: Buffer): unknown {
  const wrapped = Buffer.alloc(4 + 3 + value.length + 1);
  wrapped.writeInt32LE(wrapped.length, 0);
  wrapped[4] = type;
  wrapped[5] = 0x76; // "v"
  value.copy(wrapped, 7);
  const decoded = BSON.deserialize(wrapped, {
    promoteValues: false,
    promoteBuffers: false,
    bsonRegExp: true,
  }) as { v?: unknown };
  return decoded.v;
}

function valueSize(buffer: Buffer, type: number, at: number): number {
  const fixed = FIXED_SIZES[type];
  if (fixed !== undefined) return fixed;
  switch (type) {
    case 0x02: // string
    case 0x0d: // JavaScript code
    case 0x0e: // symbol
      return 4 + buffer.readInt32LE(at);
    case 0x0c: // DBPointer: string then ObjectId
      return 4 + buffer.readInt32LE(at) + 12;
    case 0x05: // binary: length, subtype, bytes
      return 5 + buffer.readInt32LE(at);
    case DOCUMENT:
    case ARRAY:
    case 0x0f: // code with scope: total length
      return buffer.readInt32LE(at);
    case 0x0b: {
      // regular expression: two C strings
      const patternEnd = buffer.indexOf(0, at);
      return buffer.indexOf(0, patternEnd + 1) + 1 - at;
    }
    default:
      throw new Error(`unknown BSON type 0x${type.toString(16)}`);
  }
}
