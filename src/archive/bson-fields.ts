/**
 * Typed access to the fields of the small BSON documents of the format (header, prelude entries, block headers).
 * Values are decoded without promotion so that an int32, an int64 and a double stay distinguishable.
 *
 * @internal
 * @packageDocumentation
 */

import { BSON, Int32, Long } from 'bson';
import { ArchiveError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** A decoded format document, fields in stored order. */
export type RawFields = Readonly<Record<string, unknown>>;

/** Where a document came from, to build errors. */
export interface FieldContext {
  /** Error code for anything wrong with this document. */
  readonly code: ErrorCode;
  /** What the document is, for messages ("archive header", "prelude entry 2"...). */
  readonly what: string;
  /** Byte offset of the document in the decompressed stream. */
  readonly offset: number;
  /** Namespace concerned, when known. */
  readonly namespace?: string;
}

/** Builds the error for a malformed format document. */
export function fieldError(context: FieldContext, message: string, cause?: unknown): ArchiveError {
  return new ArchiveError(context.code, `${context.what} at byte ${context.offset}: ${message}`, {
    offset: context.offset,
    ...(context.namespace === undefined ? {} : { namespace: context.namespace }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Decodes one complete BSON document, turning any decoding failure into an {@link ArchiveError}. */
export function decodeFields(doc: Uint8Array, context: FieldContext): RawFields {
  try {
    return BSON.deserialize(doc, { promoteValues: false, validation: { utf8: true } }) as RawFields;
  } catch (error) {
    throw fieldError(context, `it is not a valid BSON document (${(error as Error).message})`, error);
  }
}

/** The BSON type of a decoded value, for messages. */
export function bsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    const tag = (value as { _bsontype?: unknown })._bsontype;
    return typeof tag === 'string' ? tag.toLowerCase() : 'document';
  }
  return typeof value;
}

/** A string field; `fallback` when absent. */
export function stringField(fields: RawFields, key: string, fallback: string, context: FieldContext): string {
  const value = fields[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string') {
    throw fieldError(context, `"${key}" must be a string, found ${bsonTypeName(value)}`);
  }
  return value;
}

/** An int32 or int64 field that fits in a safe integer; `fallback` when absent. */
export function integerField(
  fields: RawFields,
  key: string,
  fallback: number,
  context: FieldContext,
): number {
  const value = fields[key];
  if (value === undefined) return fallback;
  if (value instanceof Int32) return value.value;
  if (value instanceof Long) {
    const big = value.toBigInt();
    if (big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(big);
    throw fieldError(context, `"${key}" is out of range (${big})`);
  }
  throw fieldError(context, `"${key}" must be an int32 or int64, found ${bsonTypeName(value)}`);
}
