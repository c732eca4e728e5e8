/**
 * The block-header codec: the document that opens every data segment and every EOF block of the body.
 *
 * @packageDocumentation
 */

import { BSON, Long } from 'bson';
import { ErrorCode } from '../errors.js';
import { bsonTypeName, decodeFields, fieldError, stringField } from './bson-fields.js';
import type { FieldContext } from './bson-fields.js';
import { crc64FromInt64, crc64ToInt64 } from './crc64.js';
import { namespaceString } from './namespace-layout.js';

/** A decoded namespace (block) header. */
export interface BlockHeader {
  /** Database name; "" only for the oplog. */
  readonly db: string;
  /** Collection name of the BODY namespace (`system.buckets.<coll>` for timeseries below 8.3). */
  readonly collection: string;
  /** `true` for the EOF block that closes the namespace. */
  readonly eof: boolean;
  /** The namespace's CRC-64/XZ as an unsigned value; 0 in data segments. */
  readonly crc: bigint;
}

const HEADER_KEYS: ReadonlySet<string> = new Set(['db', 'collection', 'EOF', 'CRC']);

/**
 * Encodes a block header exactly as mongodump does: `db`, `collection` (strings), `EOF` (bool), `CRC` (int64 with
 * the CRC's 64 bits), in this order.
 *
 * @example
 * ```ts
 * encodeBlockHeader({ db: 'test', collection: 'c', eof: true, crc: 0x995dc9bbdf1939fan });
 * ```
 */
export function encodeBlockHeader(header: BlockHeader): Buffer {
  return Buffer.from(
    BSON.serialize({
      db: header.db,
      collection: header.collection,
      EOF: header.eof,
      CRC: Long.fromBigInt(crc64ToInt64(header.crc)),
    }),
  );
}

/**
 * Decodes a block header with current mongorestore's rules: the four keys may come in any order and may be missing
 * (then "", "", false, 0), but an unknown key or a wrong type (an int32 or double CRC, for instance) is rejected.
 *
 * @param offset - byte offset of `doc` in the decompressed stream, for errors.
 * @throws {@link ArchiveError} with code `ARCHIVE_BAD_BLOCK`.
 */
export function decodeBlockHeader(doc: Uint8Array, offset = 0): BlockHeader {
  const context: FieldContext = { code: ErrorCode.ARCHIVE_BAD_BLOCK, what: 'namespace header', offset };
  const fields = decodeFields(doc, context);
  const db = stringField(fields, 'db', '', context);
  const collection = stringField(fields, 'collection', '', context);
  const namespace = namespaceString(db, collection);
  const named: FieldContext = { ...context, what: `namespace header of ${namespace}`, namespace };
  for (const key of Object.keys(fields)) {
    if (!HEADER_KEYS.has(key)) {
      throw fieldError(named, `unexpected key "${key}" (only db, collection, EOF and CRC are allowed)`);
    }
  }
  if (collection === '') throw fieldError(named, 'the collection name is empty');
  const eof = fields['EOF'] ?? false;
  if (typeof eof !== 'boolean') throw fieldError(named, `"EOF" must be a bool, found ${bsonTypeName(eof)}`);
  const crc = fields['CRC'] ?? Long.ZERO;
  if (!(crc instanceof Long)) throw fieldError(named, `"CRC" must be an int64, found ${bsonTypeName(crc)}`);
  return { db, collection, eof, crc: crc64FromInt64(crc.toBigInt()) };
}
