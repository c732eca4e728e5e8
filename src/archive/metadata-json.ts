import { ArchiveError, ErrorCode } from '../errors.js';
import { isOrderedDocument, type OrderedDocument } from './ordered-document.js';
import { parseOrderedExtendedJson, stringifyOrderedExtendedJson } from './ordered-ejson.js';
import type { CollectionMetadata, NamespaceType } from './types.js';

const NAMESPACE_TYPES: ReadonlySet<string> = new Set(['collection', 'view', 'timeseries', '']);

/**
 * Formats collection metadata as mongodump writes `<coll>.metadata.json`: canonical Extended JSON v2, fields in the
 * order `options` (omitted when empty), `indexes`, `uuid` (omitted when absent), `collectionName`, `type`.
 *
 * Options and index specs are written in their `Map` order, nested documents too (see {@link OrderedDocument}).
 * Values should carry their BSON types (`Int32`, `Double`, `Long`...) so that the text records them exactly; decode
 * server answers with {@link decodeOrderedDocument} to keep them.
 *
 * @example
 * ```ts
 * import { Int32 } from 'bson';
 * import { formatMetadataJson } from 'mongo-backup-service/archive';
 *
 * const key = new Map([['z', new Int32(1)], ['5', new Int32(1)]]);
 * formatMetadataJson({ options: new Map(), indexes: [new Map<string, unknown>([['key', key], ['name', 'z_1_5_1']])] });
 * // {"indexes":[{"key":{"z":{"$numberInt":"1"},"5":{"$numberInt":"1"}},"name":"z_1_5_1"}]}
 * ```
 */
export function formatMetadataJson(metadata: CollectionMetadata): string {
  const ordered = new Map<string, unknown>();
  if (metadata.options.size > 0) ordered.set('options', metadata.options);
  ordered.set('indexes', metadata.indexes);
  if (metadata.uuid !== undefined) ordered.set('uuid', metadata.uuid);
  if (metadata.collectionName !== undefined) ordered.set('collectionName', metadata.collectionName);
  if (metadata.type !== undefined) ordered.set('type', metadata.type);
  return stringifyOrderedExtendedJson(ordered);
}

/**
 * Parses a `metadata.json` text written by any mongodump version: canonical Extended JSON (current tools), or the
 * relaxed form with `"options":{}` and `ns` inside index specs (tools r3.x/r4.0). Numbers keep their BSON types
 * (`Int32`, `Double`, `Long`) and every document keeps its key order ({@link OrderedDocument}), so options and index
 * keys restore exactly as they were dumped.
 *
 * @throws {@link ArchiveError} with code `ARCHIVE_BAD_METADATA` when the text is not a metadata document.
 */
export function parseMetadataJson(text: string, namespace?: string): CollectionMetadata {
  const fail = (why: string, cause?: unknown): never => {
    throw new ArchiveError(
      ErrorCode.ARCHIVE_BAD_METADATA,
      `Metadata${namespace === undefined ? '' : ` of ${namespace}`} is not valid: ${why}`,
      { cause, ...(namespace === undefined ? {} : { namespace }) },
    );
  };
  let parsed: unknown;
  try {
    parsed = parseOrderedExtendedJson(text);
  } catch (error) {
    return fail(`it is not Extended JSON (${(error as Error).message})`, error);
  }
  if (!isOrderedDocument(parsed)) return fail('expected a JSON object');

  const options = parsed.get('options') ?? new Map<string, unknown>();
  if (!isOrderedDocument(options)) return fail('"options" must be an object');
  const indexes = parsed.get('indexes') ?? [];
  if (!Array.isArray(indexes) || !indexes.every(isOrderedDocument))
    return fail('"indexes" must be an array of objects');

  const result: { -readonly [K in keyof CollectionMetadata]: CollectionMetadata[K] } = {
    options,
    indexes: indexes as OrderedDocument[],
  };
  const uuid = parsed.get('uuid');
  if (uuid !== undefined) {
    if (typeof uuid !== 'string' || !/^[0-9a-fA-F]{32}$/.test(uuid))
      return fail('"uuid" must be 32 hex characters');
    result.uuid = uuid.toLowerCase();
  }
  const collectionName = parsed.get('collectionName');
  if (collectionName !== undefined) {
    if (typeof collectionName !== 'string') return fail('"collectionName" must be a string');
    result.collectionName = collectionName;
  }
  const type = parsed.get('type');
  if (type !== undefined) {
    if (typeof type !== 'string' || !NAMESPACE_TYPES.has(type))
      return fail(`unknown "type" ${JSON.stringify(type)}`);
    result.type = type as NamespaceType;
  }
  return result;
}
