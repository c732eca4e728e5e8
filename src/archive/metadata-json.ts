import { EJSON } from 'bson';
import { ArchiveError, ErrorCode } from '../errors.js';
import type { CollectionMetadata, NamespaceType } from './types.js';

const NAMESPACE_TYPES: ReadonlySet<string> = new Set(['collection', 'view', 'timeseries', '']);

/**
 * Formats collection metadata as mongodump writes `<coll>.metadata.json`: canonical Extended JSON v2, fields in the
 * order `options` (omitted when empty), `indexes`, `uuid` (omitted when absent), `collectionName`, `type`.
 *
 * Values should carry their BSON types (`Int32`, `Double`, `Long`...) so that the text records them exactly; decode
 * server answers with `promoteValues: false` to keep them.
 */
export function formatMetadataJson(metadata: CollectionMetadata): string {
  const ordered: Record<string, unknown> = {};
  if (Object.keys(metadata.options).length > 0) ordered['options'] = metadata.options;
  ordered['indexes'] = metadata.indexes;
  if (metadata.uuid !== undefined) ordered['uuid'] = metadata.uuid;
  if (metadata.collectionName !== undefined) ordered['collectionName'] = metadata.collectionName;
  if (metadata.type !== undefined) ordered['type'] = metadata.type;
  return EJSON.stringify(ordered, { relaxed: false });
}

/**
 * Parses a `metadata.json` text written by any mongodump version: canonical Extended JSON (current tools), or the
 * relaxed form with `"options":{}` and `ns` inside index specs (tools r3.x/r4.0). Numbers keep their BSON types
 * (`Int32`, `Double`, `Long`), so options and index keys restore exactly as they were dumped.
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
    parsed = EJSON.parse(text, { relaxed: false });
  } catch (error) {
    return fail(`it is not Extended JSON (${(error as Error).message})`, error);
  }
  if (!isPlainObject(parsed)) return fail('expected a JSON object');

  const options = parsed['options'] ?? {};
  if (!isPlainObject(options)) return fail('"options" must be an object');
  const indexes = parsed['indexes'] ?? [];
  if (!Array.isArray(indexes) || !indexes.every(isPlainObject))
    return fail('"indexes" must be an array of objects');

  const result: { -readonly [K in keyof CollectionMetadata]: CollectionMetadata[K] } = { options, indexes };
  const uuid = parsed['uuid'];
  if (uuid !== undefined) {
    if (typeof uuid !== 'string' || !/^[0-9a-fA-F]{32}$/.test(uuid))
      return fail('"uuid" must be 32 hex characters');
    result.uuid = uuid.toLowerCase();
  }
  const collectionName = parsed['collectionName'];
  if (collectionName !== undefined) {
    if (typeof collectionName !== 'string') return fail('"collectionName" must be a string');
    result.collectionName = collectionName;
  }
  const type = parsed['type'];
  if (type !== undefined) {
    if (typeof type !== 'string' || !NAMESPACE_TYPES.has(type))
      return fail(`unknown "type" ${JSON.stringify(type)}`);
    result.type = type as NamespaceType;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
