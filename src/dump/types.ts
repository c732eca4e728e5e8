import type { Document } from 'bson';
import type { ReadPreferenceMode } from 'mongodb';
import type { Writable } from 'node:stream';
import type { NamespaceType } from '../archive/types.js';

/** How a dump lays out its output. */
export type DumpFormat = 'archive' | 'directory';

/**
 * What to dump and where. Every field is optional; flags of `mongodump` with the same meaning are named in brackets.
 *
 * @example
 * ```ts
 * await service.dump({ databases: ['shop'], nsExclude: ['shop.sessions'], gzipLevel: 9 });
 * ```
 */
export interface DumpOptions {
  /**
   * Databases to dump [`--db`]. Defaults to every database but `local` and the server's internal ones, with only the
   * sharding metadata of `config` (`chunks`, `collections`, `databases`, `settings`, `shards`, `tags`, `version`),
   * as mongodump does.
   */
  readonly databases?: readonly string[];
  /** The one collection to dump [`--collection`]; needs exactly one database. */
  readonly collection?: string;
  /** Namespace patterns to include [`--nsInclude`]. Defaults to `*`. */
  readonly nsInclude?: readonly string[];
  /** Namespace patterns to exclude [`--nsExclude`]; exclusion wins. */
  readonly nsExclude?: readonly string[];
  /**
   * Collection names to leave out in every database [`--excludeCollection`], compared whole (`logs` leaves out
   * `shop.logs`, not `shop.app.logs`). Cannot be combined with {@link DumpOptions.collection}.
   */
  readonly excludeCollections?: readonly string[];
  /**
   * Leave out the collections whose name starts with one of these, in every database
   * [`--excludeCollectionsWithPrefix`]. Cannot be combined with {@link DumpOptions.collection}.
   */
  readonly excludeCollectionPrefixes?: readonly string[];
  /**
   * A filter applied to every collection [`--query`]: Extended JSON text or a document. Views are unaffected.
   * (mongodump accepts it only with one collection; here it may apply to all.) Text keeps every key in its order
   * (`{"b": {"9": 1, "a": 2}}` is sent as written); a JavaScript object has its integer-like keys first, as
   * JavaScript orders them, so give text or a `Map` when such keys matter.
   */
  readonly query?: string | Document;
  /**
   * Filters per collection, keyed by `db.collection`, each Extended JSON text or a document (key order as for
   * {@link DumpOptions.query}); they replace {@link DumpOptions.query} for their collection. A key naming a namespace the dump does not write is an error.
   *
   * @example
   * ```ts
   * await service.dump({ databases: ['shop'], queries: { 'shop.events': '{"at": {"$gte": {"$date": "2026-01-01T00:00:00Z"}}}' } });
   * ```
   */
  readonly queries?: Readonly<Record<string, string | Document>>;
  /** Read preference for the data cursors [`--readPreference`]. Defaults to `primary`. */
  readonly readPreference?: ReadPreferenceMode;
  /** Collections dumped at once [`--numParallelCollections`]. Defaults to {@link DEFAULT_PARALLEL_COLLECTIONS}. */
  readonly parallelCollections?: number;
  /** Compress the output [`--gzip`]. Defaults to `true`. */
  readonly gzip?: boolean;
  /** zlib level 0..9 when compressing. Defaults to {@link DEFAULT_GZIP_LEVEL}. */
  readonly gzipLevel?: number;
  /**
   * Compress as parallel gzip members (several cores, each member marked with its length; see docs/gzip-members.md),
   * still read as one gzip file by mongorestore. `false` writes one deflate stream, as mongodump does. Defaults to
   * `true`.
   */
  readonly parallelGzip?: boolean;
  /** `archive` (one stream, [`--archive`]) or `directory` ([`--out`]). Defaults to `archive`. */
  readonly format?: DumpFormat;
  /** With `format: 'directory'`, pack the directory into one `.tar.gz` file. Defaults to `false`. */
  readonly tarball?: boolean;
  /**
   * Where to write: a file path (archive or tarball), a directory path (directory format), or any Writable
   * (archive format only). Defaults to a new, timestamped name in the service's backup folder.
   */
  readonly output?: string | Writable;
  /**
   * Documents per server reply (cursor batch). By default each reply after the first holds about 512 KiB of
   * documents, a count worked out from the average size read so far (mongodump leaves it to the server: up to
   * 16 MiB per reply from mongod): bounded memory with large documents, few round trips with small ones.
   */
  readonly batchSize?: number;
  /**
   * Also dump the users and roles defined on the one database in {@link DumpOptions.databases}, and the auth
   * schema version, as `<db>.$admin.system.users`/`roles`/`version` [`--dumpDbUsersAndRoles`]; needs read access
   * to `admin.system.users` and `admin.system.roles`. A dump of `admin` or of every database holds them already.
   * Defaults to `false`.
   */
  readonly usersAndRoles?: boolean;
  /** Stops the dump; the partial output is removed and the promise rejects with an `AbortError`. */
  readonly signal?: AbortSignal;
  /** Called as the dump advances; see {@link DumpProgress}. */
  readonly onProgress?: (progress: DumpProgress) => void;
  /**
   * Called with the bytes the store has acknowledged so far, as they are (for S3: as each part is uploaded).
   * Only for dumps to the service's store (no `output`).
   */
  readonly onBytesStored?: (bytes: number) => void;
}

/** Progress of one namespace, reported when it starts, every few thousand documents, and when it ends. */
export interface DumpProgress {
  readonly phase: 'start' | 'progress' | 'end';
  /** `db.collection` as announced in the archive. */
  readonly namespace: string;
  readonly documents: number;
  /** BSON bytes of the documents so far. */
  readonly bytes: number;
  /** The server's estimate of the collection's document count at the start (0 for views and when unknown). */
  readonly estimatedTotal: number;
}

/** What one namespace contributed to a dump. */
export interface DumpedNamespace {
  readonly namespace: string;
  readonly type: NamespaceType;
  readonly documents: number;
  /** BSON bytes of its documents. */
  readonly bytes: number;
}

/** What every dump report says, whatever it was written to. */
export interface DumpReportFields {
  readonly format: DumpFormat;
  readonly gzip: boolean;
  readonly tarball: boolean;
  /** Bytes of the output as stored (compressed when gzip is on). */
  readonly sizeBytes: number;
  /** Bytes of the uncompressed archive stream (archive format) or of the files before compression (directory). */
  readonly uncompressedBytes: number;
  /** Documents per namespace, in dump order. */
  readonly namespaces: readonly DumpedNamespace[];
  readonly totalDocuments: number;
  /** Collections, views and timeseries collections written. */
  readonly collectionCount: number;
  readonly serverVersion: string;
  /**
   * What was probably not meant, though mongodump does it silently: a named database with no collection
   * (misspelled?), or a dump that found no collection at all. Empty when there is none.
   */
  readonly warnings: readonly string[];
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly durationMs: number;
}

/** The report of a dump written to a path (the default, or a path in {@link DumpOptions.output}). */
export interface PathDumpReport extends DumpReportFields {
  readonly outputKind: 'path';
  /** The archive file, directory or `.tar.gz` written. */
  readonly path: string;
}

/** The report of a dump written to a stream given in {@link DumpOptions.output}. */
export interface StreamDumpReport extends DumpReportFields {
  readonly outputKind: 'stream';
  /** Always absent: the output was a stream. */
  readonly path?: undefined;
}

/**
 * The result of a successful dump: `outputKind` says whether it went to a path (and `path` is then a string) or to a
 * stream. `MongoBackupService.dump()` returns the precise one when the output is known from its options.
 */
export type DumpReport = PathDumpReport | StreamDumpReport;

/** Collections dumped at once unless told otherwise (mongodump's default too). */
export const DEFAULT_PARALLEL_COLLECTIONS = 4;

/** zlib level used unless told otherwise (gzip's and mongodump's default). */
export const DEFAULT_GZIP_LEVEL = 6;
