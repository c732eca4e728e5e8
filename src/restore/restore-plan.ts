import { bodyCollection, parseServerVersion, BUCKETS_PREFIX } from '../archive/namespace-layout.js';
import type { ArchiveHeader, CollectionMetadata, NamespaceEntry, NamespaceType } from '../archive/types.js';
import { splitNamespace, type NamespaceRenamer, type NamespaceSelector } from '../namespaces/index.js';

/** One prelude entry and what the restore will do with it. */
export interface PlannedRestore {
  readonly source: string;
  readonly target: string;
  readonly targetDb: string;
  readonly targetCollection: string;
  /** `db.collection` under which the entry's documents arrive in the backup. */
  readonly sourceBody: string;
  /** The collection the documents are inserted into (`system.buckets.<coll>` for timeseries buckets). */
  readonly targetBodyCollection: string;
  readonly type: NamespaceType;
  readonly metadata: CollectionMetadata | undefined;
  /** Why the entry is left out; `undefined` when it is restored. */
  readonly skipReason: string | undefined;
}

/**
 * Decides, for every prelude entry, whether it is restored and under which name: selection applies to the source
 * namespace, renaming to the selected ones. The oplog, users and roles, and system collections other than
 * `system.js` are listed as skipped with their reason.
 */
export function planRestore(
  header: ArchiveHeader,
  entries: readonly NamespaceEntry[],
  select: NamespaceSelector,
  rename: NamespaceRenamer,
): PlannedRestore[] {
  const version = parseServerVersion(header.serverVersion);
  return entries.map((entry) => {
    const source = `${entry.db}.${entry.collection}`;
    const body = version ? bodyCollection(entry, version) : entry.collection;
    const skipReason =
      unsupportedReason(entry) ?? (select(source) ? undefined : 'excluded by nsInclude/nsExclude');
    const target = skipReason === undefined ? rename(source) : source;
    const { db: targetDb, collection: targetCollection } = splitNamespace(target);
    return {
      source,
      target,
      targetDb,
      targetCollection,
      sourceBody: `${entry.db}.${body}`,
      targetBodyCollection: body === entry.collection ? targetCollection : BUCKETS_PREFIX + targetCollection,
      type: entry.type,
      metadata: entry.metadata,
      skipReason,
    };
  });
}

function unsupportedReason(entry: NamespaceEntry): string | undefined {
  if (entry.db === '') return 'oplog replay is not supported';
  if (entry.collection.startsWith('$admin.')) return 'users and roles are not restored';
  if (entry.db === 'admin' && ['system.users', 'system.roles', 'system.version'].includes(entry.collection)) {
    return 'users and roles are not restored';
  }
  if (entry.collection.startsWith('system.') && entry.collection !== 'system.js') return 'system collection';
  return undefined;
}
