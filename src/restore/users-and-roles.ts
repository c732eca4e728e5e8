/**
 * Users and roles in a backup, restored as mongorestore does: staged in the temporary collections `admin.tempusers`
 * and `admin.temproles`, then merged into `admin.system.users`/`admin.system.roles` by the server's
 * `_mergeAuthzCollections` command, after every collection; the temporary collections are always dropped.
 *
 * A backup holds them in two forms: `<db>.$admin.system.users`/`roles`/`version` (a one-database dump with users
 * and roles; only that database's users are merged), or `admin.system.users`/`roles`/`version` (a dump of `admin`
 * or of everything; every database's users are merged). The auth schema versions of the backup and of the target
 * are compared first, with mongorestore's table.
 *
 * @packageDocumentation
 */

import { BSON, type Document } from 'bson';
import type { MongoClient } from 'mongodb';
import { databaseAuthKind, type AuthKind, type ServerVersion } from '../archive/namespace-layout.js';

/** The temporary collections of `admin` the users and roles are staged in (mongorestore's defaults). */
export const TEMP_AUTH_COLLECTIONS: Readonly<Record<Exclude<AuthKind, 'version'>, string>> = {
  users: 'tempusers',
  roles: 'temproles',
};

/** How a full dump (of `admin`) holds them. */
const ADMIN_AUTH_COLLECTIONS: ReadonlyMap<string, AuthKind> = new Map([
  ['system.users', 'users'],
  ['system.roles', 'roles'],
  ['system.version', 'version'],
]);
const COMMAND_NOT_FOUND = 59;

/**
 * Recognises a users, roles or auth-version namespace of a backup; `undefined` for anything else.
 *
 * @example
 * ```ts
 * authKindOf('shop', '$admin.system.users'); // 'users'
 * authKindOf('admin', 'system.roles');       // 'roles'
 * authKindOf('shop', 'system.users');        // undefined
 * ```
 */
export function authKindOf(db: string, collection: string): AuthKind | undefined {
  return (
    databaseAuthKind(collection) ?? (db === 'admin' ? ADMIN_AUTH_COLLECTIONS.get(collection) : undefined)
  );
}

/**
 * The database whose users and roles a merge replaces or extends: the dumped database for `<db>.$admin.*`, or ""
 * (every database) for `admin.system.*`, as `_mergeAuthzCollections` expects.
 */
export function mergeScope(db: string, collection: string): string {
  return databaseAuthKind(collection) !== undefined && db !== 'admin' ? db : '';
}

/**
 * The auth schema version the backup's users were written with: 5 for servers from 8.1 (which no longer store it),
 * else the `currentVersion` of the `authSchema` document of the backup's auth-version namespace; without that
 * namespace, 3 for a one-database dump and 1 for a full dump, as mongorestore assumes.
 */
export function backupAuthVersion(
  serverVersion: ServerVersion | undefined,
  versionDocuments: readonly Buffer[] | undefined,
  scope: string,
): number | string {
  if (
    serverVersion !== undefined &&
    (serverVersion.major > 8 || (serverVersion.major === 8 && serverVersion.minor >= 1))
  )
    return 5;
  if (versionDocuments === undefined) return scope === '' ? 1 : 3;
  for (const raw of versionDocuments) {
    const document = BSON.deserialize(raw, { promoteLongs: true, promoteValues: true });
    if (document['_id'] === 'authSchema') {
      const current: unknown = document['currentVersion'];
      return typeof current === 'number' && Number.isInteger(current)
        ? current
        : `a non-integer currentVersion (${String(current)})`;
    }
  }
  return 'no authSchema document in the backup';
}

/**
 * Why users of auth schema `backup` cannot go into a server of auth schema `server` (mongorestore's rules), or
 * `undefined` when they can.
 */
export function authVersionConflict(backup: number | string, server: number): string | undefined {
  if (typeof backup === 'string') return `cannot read the backup's auth schema version: ${backup}`;
  if (backup === 2 || backup === 4)
    return `the backup's users have auth schema version ${backup} (an unfinished upgrade)`;
  if (server === 2 || server === 4)
    return `the target has auth schema version ${server} (an unfinished upgrade)`;
  const allowed = new Set(['3>5', '5>5', '3>3', '1>1', '1>3']);
  if (allowed.has(`${backup}>${server}`)) return undefined;
  return `users of auth schema version ${backup} cannot be restored into a server of auth schema version ${server}`;
}

/** The target's auth schema version; 1 for servers so old that they do not know the parameter. */
async function serverAuthVersion(client: MongoClient): Promise<number> {
  try {
    const reply = await client.db('admin').command({ getParameter: 1, authSchemaVersion: 1 });
    return Number(reply['authSchemaVersion']);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message === 'no option found to get' || message.includes('no such cmd')) return 1;
    throw error;
  }
}

/** What was staged, and what decides whether it may be merged. */
export interface StagedUsersAndRoles {
  /** The kinds staged (`users`, `roles`). */
  readonly kinds: readonly AuthKind[];
  /** The database whose users/roles they are, "" for all. */
  readonly scope: string;
  /** The version of the server the backup was made from. */
  readonly backupServerVersion: ServerVersion | undefined;
  /** The backup's auth-version documents, when it has them. */
  readonly versionDocuments: readonly Buffer[] | undefined;
  /** Replace the scope's users and roles instead of adding to them (the restore's `drop`). */
  readonly drop: boolean;
  readonly writeConcern: Document | undefined;
}

/**
 * Merges what was staged, once the backup's auth schema version is known to fit the target's.
 *
 * @throws an Error saying why, when the versions do not fit or the server cannot merge.
 */
export async function mergeStagedUsersAndRoles(
  client: MongoClient,
  staged: StagedUsersAndRoles,
): Promise<void> {
  const conflict = authVersionConflict(
    backupAuthVersion(staged.backupServerVersion, staged.versionDocuments, staged.scope),
    await serverAuthVersion(client),
  );
  if (conflict !== undefined) throw new Error(conflict);
  await mergeUsersAndRoles(client, {
    users: staged.kinds.includes('users'),
    roles: staged.kinds.includes('roles'),
    scope: staged.scope,
    drop: staged.drop,
    writeConcern: staged.writeConcern,
  });
}

/** What to merge: the staged temporary collections and the database they belong to. */
interface MergeRequest {
  readonly users: boolean;
  readonly roles: boolean;
  /** The database whose users/roles are merged, "" for all. */
  readonly scope: string;
  /** Replace the scope's users and roles instead of adding to them (the restore's `drop`). */
  readonly drop: boolean;
  readonly writeConcern: Document | undefined;
}

/** Merges the staged users and roles into the server's; explains a server that cannot. */
async function mergeUsersAndRoles(client: MongoClient, request: MergeRequest): Promise<void> {
  try {
    await client.db('admin').command({
      _mergeAuthzCollections: 1,
      ...(request.users ? { tempUsersCollection: `admin.${TEMP_AUTH_COLLECTIONS.users}` } : {}),
      ...(request.roles ? { tempRolesCollection: `admin.${TEMP_AUTH_COLLECTIONS.roles}` } : {}),
      drop: request.drop,
      db: request.scope,
      ...(request.writeConcern ? { writeConcern: request.writeConcern } : {}),
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === COMMAND_NOT_FOUND) {
      throw new Error(
        'the target server has no _mergeAuthzCollections command, which restoring users and roles needs ' +
          '(a MongoDB mongod or mongos; compatible servers may lack it)',
        { cause: error },
      );
    }
    throw error;
  }
}

/** Drops the temporary collections; a missing one is fine, and a failure is not worth more than the restore's. */
export async function dropTempAuthCollections(client: MongoClient): Promise<void> {
  const admin = client.db('admin');
  for (const name of Object.values(TEMP_AUTH_COLLECTIONS)) {
    await admin.command({ drop: name }).catch(() => undefined);
  }
}
