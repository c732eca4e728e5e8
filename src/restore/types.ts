import type { Readable } from 'node:stream';
import type { NamespaceType } from '../archive/types.js';

/**
 * Where a restore reads from. A string is a path: a directory dump, a `.tar.gz` of one, one collection file of a
 * directory dump (`<coll>.bson` or `.bson.gz`, restored as {@link RestoreOptions.db}.{@link RestoreOptions.collection},
 * the collection defaulting to the file's name, as `mongorestore --db X --collection Y FILE`), or an archive file
 * (gzip detected from its first bytes).
 */
export type RestoreSource = string | Readable;

/**
 * What to restore and how. Every field is optional; flags of `mongorestore` with the same meaning are named in
 * brackets, and the defaults are mongorestore's.
 *
 * @example
 * ```ts
 * await service.restore({ from: 'backups/shop_dump_2026-11-21T23-10-54-123Z.gz', nsFrom: ['shop.*'], nsTo: ['shop_copy.*'], drop: true });
 * ```
 */
export interface RestoreOptions {
  /** The backup to read; required by `MongoBackupService.restore`, which also takes `'latest'`. */
  readonly from?: RestoreSource;
  /** Namespace patterns to restore [`--nsInclude`]. Defaults to `*`. */
  readonly nsInclude?: readonly string[];
  /** Namespace patterns to leave out [`--nsExclude`]; exclusion wins. */
  readonly nsExclude?: readonly string[];
  /** Rename sources [`--nsFrom`], pairwise with {@link RestoreOptions.nsTo}; the last matching pair wins. */
  readonly nsFrom?: readonly string[];
  /** Rename targets [`--nsTo`]. */
  readonly nsTo?: readonly string[];
  /** Only this database [`--db`]. */
  readonly db?: string;
  /** Only this collection of {@link RestoreOptions.db} [`--collection`]. */
  readonly collection?: string;
  /** Drop each target collection just before restoring it [`--drop`]. Defaults to `false`. */
  readonly drop?: boolean;
  /** Read and check everything, write nothing [`--dryRun`]. Defaults to `false`. */
  readonly dryRun?: boolean;
  /** Do not build indexes [`--noIndexRestore`]. Defaults to `false`. */
  readonly noIndexRestore?: boolean;
  /** Create collections without their dumped options [`--noOptionsRestore`]. Defaults to `false`. */
  readonly noOptionsRestore?: boolean;
  /**
   * Rewrite index specs of servers before 3.4 that current servers reject (zero, empty-string or non-numeric key
   * values become 1; unknown options are removed) [`--convertLegacyIndexes`]. Defaults to `false`.
   */
  readonly convertLegacyIndexes?: boolean;
  /** Stop at the first write error, duplicate keys included [`--stopOnError`]. Defaults to `false`. */
  readonly stopOnError?: boolean;
  /**
   * Insert in dump order with ordered inserts [`--maintainInsertionOrder`]; as in mongorestore this implies
   * `stopOnError` and one insertion worker, so a duplicate key stops the restore instead of losing the rest of its
   * batch. Defaults to `false`.
   */
  readonly maintainInsertionOrder?: boolean;
  /** Collections restored at once [`--numParallelCollections`]. Defaults to 4. */
  readonly parallelCollections?: number;
  /**
   * Insert batches in flight per collection [`--numInsertionWorkersPerCollection`]; with 1, batches are sent one
   * after the other, so natural order (capped collections) survives. Defaults to 1.
   */
  readonly insertionWorkersPerCollection?: number;
  /** Documents per insert batch [`--batchSize`]. Defaults to 1000. */
  readonly batchSize?: number;
  /** Bytes per insert batch at most. Defaults to 16 MiB. */
  readonly batchBytes?: number;
  /** Write concern of the inserts, e.g. `{ w: 'majority' }` [`--writeConcern`]. Defaults to the client's. */
  readonly writeConcern?: {
    readonly w?: number | 'majority';
    readonly j?: boolean;
    readonly wtimeoutMS?: number;
  };
  /** Skip document validation of the target [`--bypassDocumentValidation`]. Defaults to `false`. */
  readonly bypassDocumentValidation?: boolean;
  /** Keep the dumped collection UUIDs [`--preserveUUID`]; requires {@link RestoreOptions.drop}. Defaults to `false`. */
  readonly preserveUUID?: boolean;
  /**
   * Restore the users and roles the backup holds [`--restoreDbUsersAndRoles`]: those of a one-database dump made
   * with `usersAndRoles` (`<db>.$admin.system.*`), or, from a dump of `admin` or of everything, every database's
   * (`admin.system.users`/`roles`). They are staged in `admin.tempusers`/`admin.temproles` and merged by the server's
   * `_mergeAuthzCollections` after every collection (with {@link RestoreOptions.drop}, replacing the existing ones),
   * as mongorestore does; users keep their database (nsFrom/nsTo do not rename them). The backup must hold users or
   * roles. Defaults to `false`: they are then reported as skipped.
   */
  readonly usersAndRoles?: boolean;
  /**
   * When to check the archive's structure and CRCs: `before` reads the whole backup once before writing anything
   * (a corrupt or truncated backup then changes nothing), `during` checks while restoring (one pass; a problem stops
   * the restore and the report says what was restored). Defaults to `before` for paths and `during` for streams,
   * which cannot be read twice.
   */
  readonly verify?: 'before' | 'during';
  /** Stops the restore between batches; the promise rejects with an `AbortError`. */
  readonly signal?: AbortSignal;
  /** Called as the restore advances. */
  readonly onProgress?: (progress: RestoreProgress) => void;
  /**
   * Called once the backup's namespaces are planned, before anything is written (no drop, create or insert has
   * happened yet): what the restore will write, to show or to check. Not called on a dry run.
   */
  readonly onPlan?: (plan: RestorePlanSummary) => void;
}

/** What a restore is about to write (see {@link RestoreOptions.onPlan}). */
export interface RestorePlanSummary {
  /** Target databases, sorted, without repeats. */
  readonly databases: readonly string[];
  /** Target namespaces (`db.collection`), in backup order. */
  readonly namespaces: readonly string[];
}

/** Progress of one target namespace. */
export interface RestoreProgress {
  readonly phase: 'start' | 'progress' | 'end';
  readonly source: string;
  readonly target: string;
  readonly documents: number;
}

/** How one namespace ended. */
export type NamespaceRestoreStatus =
  /** Every document was inserted (duplicates aside) and the indexes were built. */
  | 'restored'
  /** Dry run: read and checked, nothing written. */
  | 'checked'
  /** Left out by nsInclude/nsExclude, users and roles without `usersAndRoles`, or the oplog (not replayed). */
  | 'skipped'
  /** Something failed; see `error`. */
  | 'failed'
  /** The restore stopped before reaching it. */
  | 'not-restored';

/** The outcome for one namespace. */
export interface NamespaceRestoreReport {
  /** `db.collection` in the backup. */
  readonly source: string;
  /** `db.collection` in the target, after renaming. */
  readonly target: string;
  readonly type: NamespaceType;
  readonly status: NamespaceRestoreStatus;
  /** Documents read from the backup. */
  readonly documentsRead: number;
  readonly documentsInserted: number;
  /** Documents rejected as duplicate keys (error 11000). */
  readonly duplicates: number;
  /** Documents rejected for any other reason. */
  readonly failures: number;
  readonly indexesBuilt: number;
  /** Why it was skipped or failed. */
  readonly reason?: string;
}

/** The result of a restore. */
export interface RestoreReport {
  /** The path read, or `undefined` for a stream. */
  readonly source: string | undefined;
  /**
   * The hosts written to (`host:port` list, or the SRV name; never credentials), and which cluster of the service
   * they are. Set by {@link MongoBackupService.restore}.
   */
  readonly destination?: { readonly hosts: string; readonly cluster: 'source' | 'target' };
  readonly dryRun: boolean;
  /** Every namespace of the backup, in backup order. */
  readonly namespaces: readonly NamespaceRestoreReport[];
  readonly documentsInserted: number;
  readonly duplicates: number;
  readonly failures: number;
  /**
   * `raw`: documents were sent to the server as the exact bytes of the backup. `reencoded`: this driver version
   * gave no way to send raw bytes, so documents were decoded (types kept) and encoded again.
   */
  readonly fidelity: 'raw' | 'reencoded';
  /**
   * What the report must say beyond each namespace's line: users and roles of the backup not restored because
   * `usersAndRoles` was not set (mongorestore restores them on a full restore), indexes left out as duplicates after
   * `convertLegacyIndexes`, an `nsInclude`, `nsExclude` or `nsFrom` pattern that matched no namespace of the backup
   * (mongorestore accepts it silently). Empty when there is nothing to say.
   */
  readonly warnings: readonly string[];
  /**
   * For a directory dump (or `.tar.gz`) checked before restoring: `verified` when its checksum manifest
   * (`mongo-backup-manifest.json`, written by this library's dumps) matched every listed file; `absent` when it has
   * none (mongodump's dumps, older releases), so only the BSON structure was checked and damage inside a value
   * could not be seen. `undefined` for archives (they carry CRC-64s) and when nothing was checked before.
   */
  readonly manifest?: 'verified' | 'absent';
  /** Files of a directory dump that its manifest does not list (kept from older dumps in a reused folder). */
  readonly unlistedFiles?: readonly string[];
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly durationMs: number;
}

/** Documents per insert batch unless told otherwise (mongorestore's default). */
export const DEFAULT_RESTORE_BATCH_SIZE = 1000;
/** Bytes per insert batch at most unless told otherwise. */
export const DEFAULT_RESTORE_BATCH_BYTES = 16 * 1024 * 1024;
/** Collections restored at once unless told otherwise (mongorestore's default). */
export const DEFAULT_RESTORE_PARALLEL_COLLECTIONS = 4;
