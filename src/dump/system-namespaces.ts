/**
 * Which databases and collections a dump leaves out, as mongodump does.
 *
 * @packageDocumentation
 */

/** The `config` collections a dump of everything keeps: the sharding metadata (mongodump's list). */
export const CONFIG_COLLECTIONS_TO_KEEP: ReadonlySet<string> = new Set([
  'chunks',
  'collections',
  'databases',
  'settings',
  'shards',
  'tags',
  'version',
]);

/** Databases of the server's own that no dump includes. */
const INTERNAL_DATABASE_PREFIX = '__mdb_internal';

/**
 * Whether a dump of every database includes this one: not `local` (dumped only when named) and not the server's
 * internal `__mdb_internal*` databases.
 */
export function isDumpedWhenAll(db: string): boolean {
  return db !== 'local' && !db.startsWith(INTERNAL_DATABASE_PREFIX);
}

/**
 * Whether a collection is dumped: in `admin` everything but `system.keys`; in `config` only the sharding metadata
 * unless `config` was named; elsewhere no `system.*` but `system.js`; never a name holding `$` (index namespaces of
 * old servers). Timeseries buckets are read through their timeseries collection, so `system.buckets.*` is left out.
 *
 * @example
 * ```ts
 * isDumpedCollection('admin', 'system.users', false); // true
 * isDumpedCollection('config', 'transactions', false); // false
 * isDumpedCollection('shop', 'system.profile', false); // false
 * ```
 */
export function isDumpedCollection(db: string, collection: string, configNamed: boolean): boolean {
  if (collection.includes('$') && !collection.includes('.oplog.$')) return false;
  switch (db) {
    case 'admin':
      return collection !== 'system.keys' && !collection.startsWith('system.buckets.');
    case 'config':
      return configNamed || CONFIG_COLLECTIONS_TO_KEEP.has(collection);
    default:
      return collection === 'system.js' || !collection.startsWith('system.');
  }
}
