import {
  bodyCollection,
  parseServerVersion,
  usesBucketsNamespace,
  BUCKETS_PREFIX,
  type AuthKind,
  type ServerVersion,
} from '../archive/namespace-layout.js';
import type { ArchiveHeader, CollectionMetadata, NamespaceEntry, NamespaceType } from '../archive/types.js';
import { ErrorCode, MongoBackupUsageError } from '../errors.js';
import { splitNamespace, type NamespaceRenamer, type NamespaceSelector } from '../namespaces/index.js';
import { authKindOf, mergeScope, TEMP_AUTH_COLLECTIONS } from './users-and-roles.js';

/** One prelude entry and what the restore will do with it. */
export interface PlannedRestore {
  readonly source: string;
  readonly target: string;
  readonly targetDb: string;
  readonly targetCollection: string;
  /** `db.collection` under which the entry's documents arrive in the backup. */
  readonly sourceBody: string;
  /**
   * The collection the documents are inserted into: `system.buckets.<coll>` for timeseries buckets on targets
   * before 8.3; the timeseries collection itself, with `rawData`, from 8.3.
   */
  readonly targetBodyCollection: string;
  /** Insert through `rawData` (timeseries buckets into an 8.3+ target). */
  readonly rawData: boolean;
  readonly type: NamespaceType;
  readonly metadata: CollectionMetadata | undefined;
  /** Why the entry is left out; `undefined` when it is restored. */
  readonly skipReason: string | undefined;
  /**
   * For users, roles and the auth version: which one, and the database whose users they are ("" for all). Users
   * and roles are staged in `admin.tempusers`/`admin.temproles` (their `targetBodyCollection`) and merged at the
   * end; the auth version is only read.
   */
  readonly auth?: { readonly kind: AuthKind; readonly scope: string };
}

/** How entries are planned beyond selection and renaming. */
export interface PlanOptions {
  /** Restore the users and roles the backup holds (`usersAndRoles`). */
  readonly usersAndRoles: boolean;
  /** The target's version, which decides where timeseries buckets go; unknown (dry run): as before 8.3. */
  readonly targetVersion?: ServerVersion | undefined;
}

/** Archives too old to record a parseable server version predate viewless timeseries. */
const OLDEST: ServerVersion = { major: 0, minor: 0 };

/**
 * Decides, for every prelude entry, whether it is restored and under which name: selection applies to the source
 * namespace, renaming to the selected ones. The oplog and system collections other than `system.js` are listed as
 * skipped with their reason; users and roles too, unless `usersAndRoles` is asked for.
 */
export function planRestore(
  header: ArchiveHeader,
  entries: readonly NamespaceEntry[],
  select: NamespaceSelector,
  rename: NamespaceRenamer,
  options: PlanOptions = { usersAndRoles: false },
): PlannedRestore[] {
  const version = parseServerVersion(header.serverVersion);
  return entries.map((entry) => {
    const source = `${entry.db}.${entry.collection}`;
    const kind = authKindOf(entry.db, entry.collection);
    if (kind !== undefined) return planAuth(entry, kind, select(source), options);
    const body = bodyCollection(entry, version ?? OLDEST);
    const skipReason =
      unsupportedReason(entry) ?? (select(source) ? undefined : 'excluded by nsInclude/nsExclude');
    const target = skipReason === undefined ? rename(source) : source;
    const { db: targetDb, collection: targetCollection } = splitNamespace(target);
    const timeseries = entry.type === 'timeseries';
    const rawData = timeseries && !usesBucketsNamespace(options.targetVersion ?? OLDEST);
    return {
      source,
      target,
      targetDb,
      targetCollection,
      sourceBody: `${entry.db}.${body}`,
      targetBodyCollection: timeseries && !rawData ? BUCKETS_PREFIX + targetCollection : targetCollection,
      rawData,
      type: entry.type,
      metadata: entry.metadata,
      skipReason,
    };
  });
}

/**
 * Users and roles keep their database (they are not renamed) and go to the temporary collections; the auth version
 * is skipped (its documents are still read, for the schema version check).
 */
/** The skip reason of users and roles a restore was not asked to restore. */
const USERS_AND_ROLES_OPT_IN = 'users and roles are restored only with usersAndRoles';

/**
 * The warning a restore report carries when the backup holds users or roles that were not restored for want of
 * `usersAndRoles`: mongorestore restores `admin.system.users`/`roles` on a full restore by default, we do only when
 * asked (see docs/differences.md), so this must never pass unnoticed. `undefined` when there is nothing to say.
 */
export function usersAndRolesWarning(plans: readonly PlannedRestore[]): string | undefined {
  const left = plans.filter(
    (plan) =>
      plan.auth !== undefined && plan.auth.kind !== 'version' && plan.skipReason === USERS_AND_ROLES_OPT_IN,
  );
  if (left.length === 0) return undefined;
  return (
    `users and roles NOT restored: ${left.map((plan) => plan.source).join(', ')} ` +
    '(mongorestore restores them by default on a full restore; pass usersAndRoles: true / --restoreDbUsersAndRoles)'
  );
}

function planAuth(
  entry: NamespaceEntry,
  kind: AuthKind,
  selected: boolean,
  options: PlanOptions,
): PlannedRestore {
  const source = `${entry.db}.${entry.collection}`;
  const skipReason = !options.usersAndRoles
    ? USERS_AND_ROLES_OPT_IN
    : !selected
      ? 'excluded by nsInclude/nsExclude'
      : kind === 'version'
        ? 'auth schema version: read to check the users fit the target, not restored'
        : undefined;
  const targetCollection = kind === 'version' ? 'system.version' : TEMP_AUTH_COLLECTIONS[kind];
  return {
    source,
    target: skipReason === undefined ? `admin.system.${kind}` : source,
    targetDb: 'admin',
    targetCollection,
    sourceBody: source,
    targetBodyCollection: targetCollection,
    rawData: false,
    type: entry.type,
    metadata: undefined,
    skipReason,
    auth: { kind, scope: mergeScope(entry.db, entry.collection) },
  };
}

function unsupportedReason(entry: NamespaceEntry): string | undefined {
  if (entry.db === '') return 'oplog replay is not supported';
  if (entry.collection.startsWith('system.') && entry.collection !== 'system.js') return 'system collection';
  return undefined;
}

/**
 * The targets that more than one restored source would be written to (`nsFrom`/`nsTo` pairs mapping two sources
 * onto one name), with those sources, as mongorestore's "destination conflict" check finds them.
 *
 * @example
 * ```ts
 * destinationConflicts(plans); // [{ target: 'c.x', sources: ['a.x', 'b.x'] }]
 * ```
 */
export function destinationConflicts(
  plans: readonly PlannedRestore[],
): { readonly target: string; readonly sources: readonly string[] }[] {
  const byTarget = new Map<string, string[]>();
  for (const plan of plans) {
    if (plan.skipReason !== undefined || plan.auth !== undefined) continue;
    byTarget.set(plan.target, [...(byTarget.get(plan.target) ?? []), plan.source]);
  }
  return [...byTarget]
    .filter(([, sources]) => sources.length > 1)
    .map(([target, sources]) => ({ target, sources }));
}

/**
 * Refuses, before anything is written, a plan mongorestore would refuse: several sources renamed onto one target
 * (they would mix and, with `drop`, drop each other); with `usersAndRoles`, a backup without users or roles, or with
 * users and roles of different databases.
 *
 * @throws {@link MongoBackupUsageError} `INVALID_OPTIONS`, naming the namespaces.
 */
export function assertRestorable(plans: readonly PlannedRestore[], usersAndRoles: boolean): void {
  const conflicts = destinationConflicts(plans);
  if (conflicts.length > 0) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `nsFrom/nsTo map several namespaces onto one: ${conflicts
        .map(({ target, sources }) => `${sources.join(' and ')} -> ${target}`)
        .join('; ')}`,
    );
  }
  if (!usersAndRoles) return;
  const staged = plans.filter((plan) => plan.skipReason === undefined && plan.auth !== undefined);
  if (staged.length === 0) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      'usersAndRoles: the backup holds no users or roles (dump one database with usersAndRoles, or dump admin)',
    );
  }
  if (new Set(staged.map((plan) => plan.auth?.scope)).size > 1) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `usersAndRoles: the backup holds users and roles of different databases ` +
        `(${staged.map((plan) => plan.source).join(', ')}); select one set with nsInclude/nsExclude`,
    );
  }
}
