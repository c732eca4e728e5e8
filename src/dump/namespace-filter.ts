import type { Document } from 'bson';
import { ErrorCode, MongoBackupUsageError } from '../errors.js';
import type { PlannedNamespace } from './catalog.js';

/**
 * The filter a dump sends for one namespace. Timeseries collections are read as their buckets, so, as mongodump
 * does, a filter may only name the metadata field, which buckets store as `meta`: `{ sensor: 'a' }` becomes
 * `{ meta: 'a' }` and `{ 'sensor.site': 'x' }` becomes `{ 'meta.site': 'x' }`.
 *
 * @throws {@link MongoBackupUsageError} for a timeseries filter on anything but its metadata field.
 */
export function filterForNamespace(namespace: PlannedNamespace, filter: Document): Document {
  if (namespace.type !== 'timeseries' || Object.keys(filter).length === 0) return filter;
  const timeseries = namespace.metadata?.options['timeseries'] as Document | undefined;
  const metaField = timeseries?.['metaField'];
  const name = `${namespace.db}.${namespace.collection}`;
  const rewritten: Document = {};
  for (const [key, value] of Object.entries(filter)) {
    const [head, rest] = splitOnce(key);
    if (typeof metaField !== 'string' || head !== metaField) {
      throw new MongoBackupUsageError(
        ErrorCode.INVALID_OPTIONS,
        `query on timeseries collection ${name}: only its metadata field ` +
          `${typeof metaField === 'string' ? `"${metaField}"` : '(it has none)'} can be filtered on, found "${key}"`,
      );
    }
    rewritten[rest === undefined ? 'meta' : `meta.${rest}`] = value;
  }
  return rewritten;
}

function splitOnce(key: string): [string, string | undefined] {
  const dot = key.indexOf('.');
  return dot === -1 ? [key, undefined] : [key.slice(0, dot), key.slice(dot + 1)];
}
