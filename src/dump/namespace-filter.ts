import { isOrderedDocument, type OrderedDocument } from '../archive/ordered-document.js';
import { ErrorCode, MongoBackupUsageError } from '../errors.js';
import type { PlannedNamespace } from './catalog.js';

/**
 * The filter a dump sends for one namespace. Timeseries collections are read as their buckets, so, as mongodump
 * does, a filter may only name the metadata field, which buckets store as `meta`: `{ sensor: 'a' }` becomes
 * `{ meta: 'a' }` and `{ 'sensor.site': 'x' }` becomes `{ 'meta.site': 'x' }`.
 *
 * @throws {@link MongoBackupUsageError} for a timeseries filter on anything but its metadata field.
 */
export function filterForNamespace(namespace: PlannedNamespace, filter: OrderedDocument): OrderedDocument {
  if (namespace.type !== 'timeseries' || filter.size === 0) return filter;
  const timeseries = namespace.metadata?.options.get('timeseries');
  const metaField = isOrderedDocument(timeseries) ? timeseries.get('metaField') : undefined;
  const name = `${namespace.db}.${namespace.collection}`;
  const rewritten = new Map<string, unknown>();
  for (const [key, value] of filter) {
    const [head, rest] = splitOnce(key);
    if (typeof metaField !== 'string' || head !== metaField) {
      throw new MongoBackupUsageError(
        ErrorCode.INVALID_OPTIONS,
        `query on timeseries collection ${name}: only its metadata field ` +
          `${typeof metaField === 'string' ? `"${metaField}"` : '(it has none)'} can be filtered on, found "${key}"`,
      );
    }
    rewritten.set(rest === undefined ? 'meta' : `meta.${rest}`, value);
  }
  return rewritten;
}

function splitOnce(key: string): [string, string | undefined] {
  const dot = key.indexOf('.');
  return dot === -1 ? [key, undefined] : [key.slice(0, dot), key.slice(dot + 1)];
}
