/**
 * Where a prelude entry's documents live in the body, which depends on the source server's version for timeseries
 * collections.
 *
 * @packageDocumentation
 */

import type { NamespaceType } from './types.js';

/** A server version reduced to what the format cares about. */
export interface ServerVersion {
  /** X of `X.Y.Z`. */
  readonly major: number;
  /** Y of `X.Y.Z`. */
  readonly minor: number;
}

/** The first server version whose timeseries collections are dumped under their own name instead of `system.buckets.*`. */
export const VIEWLESS_TIMESERIES_VERSION: ServerVersion = Object.freeze({ major: 8, minor: 3 });

/** The prefix of the collection holding a timeseries collection's buckets on servers before 8.3. */
export const BUCKETS_PREFIX = 'system.buckets.';

const VERSION_PATTERN = /^(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/;

/**
 * Parses an `X.Y[.Z][-suffix]` server version as found in an archive header. Returns `undefined` for anything else
 * ("", "unknown", ...), which current mongorestore rejects.
 *
 * @example
 * ```ts
 * parseServerVersion('5.0.0-rc0'); // { major: 5, minor: 0 }
 * parseServerVersion('unknown');   // undefined
 * ```
 */
export function parseServerVersion(version: string): ServerVersion | undefined {
  const match = VERSION_PATTERN.exec(version);
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/**
 * Whether an archive from a server of this version stores timeseries data under `<db>.system.buckets.<coll>`
 * (servers before 8.3) rather than under `<db>.<coll>` itself.
 */
export function usesBucketsNamespace(version: ServerVersion): boolean {
  const min = VIEWLESS_TIMESERIES_VERSION;
  return version.major < min.major || (version.major === min.major && version.minor < min.minor);
}

/**
 * The collection name under which an announced namespace's documents appear in the body.
 *
 * @example
 * ```ts
 * bodyCollection({ collection: 'weather', type: 'timeseries' }, { major: 7, minor: 0 }); // 'system.buckets.weather'
 * bodyCollection({ collection: 'weather', type: 'timeseries' }, { major: 8, minor: 3 }); // 'weather'
 * ```
 */
export function bodyCollection(
  entry: { readonly collection: string; readonly type: NamespaceType },
  version: ServerVersion,
): string {
  return entry.type === 'timeseries' && usesBucketsNamespace(version)
    ? BUCKETS_PREFIX + entry.collection
    : entry.collection;
}

/** `db + "." + collection`, the namespace string of the format (the oplog is `.oplog`). */
export function namespaceString(db: string, collection: string): string {
  return `${db}.${collection}`;
}

/** Which auth collection: users, roles, or the auth schema version. */
export type AuthKind = 'users' | 'roles' | 'version';

/**
 * The collections under which a one-database dump with users and roles (`mongodump --dumpDbUsersAndRoles`) holds
 * that database's users, roles and the auth schema version: `<db>.$admin.system.users` and so on. Directory dumps
 * name their files the same, unescaped.
 */
export const DATABASE_AUTH_COLLECTIONS: Readonly<Record<AuthKind, string>> = Object.freeze({
  users: '$admin.system.users',
  roles: '$admin.system.roles',
  version: '$admin.system.version',
});

/**
 * Which of {@link DATABASE_AUTH_COLLECTIONS} a collection name is, or `undefined`.
 *
 * @example
 * ```ts
 * databaseAuthKind('$admin.system.roles'); // 'roles'
 * databaseAuthKind('system.roles');        // undefined
 * ```
 */
export function databaseAuthKind(collection: string): AuthKind | undefined {
  return (Object.keys(DATABASE_AUTH_COLLECTIONS) as AuthKind[]).find(
    (kind) => DATABASE_AUTH_COLLECTIONS[kind] === collection,
  );
}

/** Whether `db.collection` is the oplog of an `--oplog` dump. */
export function isOplog(db: string, collection: string): boolean {
  return db === '' && collection === 'oplog';
}
