/**
 * The prelude codec: the archive header and the collection-metadata documents that follow it. Bytes in, bytes out,
 * no I/O.
 *
 * @packageDocumentation
 */

import { BSON, Int32 } from 'bson';
import { ArchiveError, ErrorCode } from '../errors.js';
import { decodeFields, fieldError, integerField, stringField } from './bson-fields.js';
import type { FieldContext } from './bson-fields.js';
import { parseMetadataJson } from './metadata-json.js';
import { namespaceString, parseServerVersion } from './namespace-layout.js';
import type { ArchiveHeader, NamespaceEntry, NamespaceType } from './types.js';

const NAMESPACE_TYPES: ReadonlySet<string> = new Set<NamespaceType>(['collection', 'view', 'timeseries', '']);

/**
 * Encodes the archive header with mongodump's field order and types: `concurrent_collections` (int32), `version`,
 * `server_version`, `tool_version` (strings).
 *
 * @example
 * ```ts
 * const bytes = encodeArchiveHeader({
 *   concurrentCollections: 4, version: '0.1', serverVersion: '7.0.14', toolVersion: 'mongo-backup-service 0.1.0',
 * });
 * ```
 */
export function encodeArchiveHeader(header: ArchiveHeader): Buffer {
  return Buffer.from(
    BSON.serialize({
      concurrent_collections: new Int32(header.concurrentCollections),
      version: header.version,
      server_version: header.serverVersion,
      tool_version: header.toolVersion,
    }),
  );
}

/**
 * Decodes the archive header. Accepts `concurrent_collections` as int32 or int64 and ignores unknown keys; rejects a
 * `server_version` that is not an `X.Y[.Z][-suffix]` string, as current mongorestore does.
 *
 * @param offset - byte offset of `doc` in the decompressed stream, for errors.
 * @throws {@link ArchiveError} with code `ARCHIVE_BAD_PRELUDE`.
 */
export function decodeArchiveHeader(doc: Uint8Array, offset = 0): ArchiveHeader {
  const context: FieldContext = { code: ErrorCode.ARCHIVE_BAD_PRELUDE, what: 'archive header', offset };
  const fields = decodeFields(doc, context);
  const serverVersion = stringField(fields, 'server_version', '', context);
  if (parseServerVersion(serverVersion) === undefined) {
    throw fieldError(
      context,
      `invalid server_version ${JSON.stringify(serverVersion)}: expected X.Y.Z, as current mongorestore requires`,
    );
  }
  return {
    concurrentCollections: integerField(fields, 'concurrent_collections', 0, context),
    version: stringField(fields, 'version', '', context),
    serverVersion,
    toolVersion: stringField(fields, 'tool_version', '', context),
  };
}

/** What {@link encodeNamespaceEntry} needs: a {@link NamespaceEntry} without the parsed metadata. */
export type NamespaceEntryFields = Pick<
  NamespaceEntry,
  'db' | 'collection' | 'metadataJson' | 'size' | 'type'
>;

/**
 * Encodes a collection-metadata document with mongodump's field order and types: `db`, `collection`, `metadata`
 * (strings), `size` (int32), `type` (string).
 *
 * @example
 * ```ts
 * encodeNamespaceEntry({ db: 'test', collection: 'c', metadataJson: '', size: 0, type: 'collection' });
 * ```
 */
export function encodeNamespaceEntry(entry: NamespaceEntryFields): Buffer {
  return Buffer.from(
    BSON.serialize({
      db: entry.db,
      collection: entry.collection,
      metadata: entry.metadataJson,
      size: new Int32(entry.size),
      type: entry.type,
    }),
  );
}

/**
 * Decodes a collection-metadata document and parses its metadata JSON. Accepts what any mongodump wrote: `size` as
 * int32 or int64, a missing `type` (then "collection"), a missing `metadata` (then ""), unknown keys.
 *
 * @param index - position of the entry in the prelude, for messages.
 * @param offset - byte offset of `doc` in the decompressed stream, for errors.
 * @throws {@link ArchiveError} with code `ARCHIVE_BAD_PRELUDE`, or `ARCHIVE_BAD_METADATA` for unparseable metadata.
 */
export function decodeNamespaceEntry(doc: Uint8Array, index: number, offset = 0): NamespaceEntry {
  const context: FieldContext = {
    code: ErrorCode.ARCHIVE_BAD_PRELUDE,
    what: `prelude entry ${index}`,
    offset,
  };
  const fields = decodeFields(doc, context);
  const db = stringField(fields, 'db', '', context);
  const collection = stringField(fields, 'collection', '', context);
  const namespace = namespaceString(db, collection);
  const named: FieldContext = { ...context, what: `prelude entry ${index} (${namespace})`, namespace };
  if (collection === '') throw fieldError(named, 'the collection name is empty');
  const type = stringField(fields, 'type', 'collection', named);
  if (!NAMESPACE_TYPES.has(type)) throw fieldError(named, `unknown type ${JSON.stringify(type)}`);
  const metadataJson = stringField(fields, 'metadata', '', named);
  let metadata;
  try {
    metadata = metadataJson === '' ? undefined : parseMetadataJson(metadataJson, namespace);
  } catch (error) {
    const code = error instanceof ArchiveError ? error.code : ErrorCode.ARCHIVE_BAD_METADATA;
    throw fieldError({ ...named, code }, (error as Error).message, error);
  }
  return {
    db,
    collection,
    metadataJson,
    metadata,
    size: integerField(fields, 'size', 0, named),
    type: type as NamespaceType,
  };
}
