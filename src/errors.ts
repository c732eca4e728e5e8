import type { RestoreReport } from './restore/types.js';

/**
 * Every error this library throws is a {@link MongoBackupError} carrying a stable `code`.
 *
 * Errors are split by blame:
 * - {@link MongoBackupUsageError}: the caller asked for something invalid (bad options, bad pattern, a path outside
 *   the backup folder). Thrown at once, before any work starts.
 * - {@link MongoBackupRuntimeError}: something in the world went wrong (a corrupt archive, an unreachable server,
 *   an aborted run). Subclasses add context such as the byte offset or the namespace.
 *
 * @packageDocumentation
 */

/**
 * Stable machine-readable error codes. Compare against these rather than against messages.
 *
 * @example
 * ```ts
 * import { ErrorCode, MongoBackupError } from 'mongo-backup-service';
 * try { await service.restore({ archive: 'x.gz' }); }
 * catch (e) { if (e instanceof MongoBackupError && e.code === ErrorCode.ARCHIVE_CRC_MISMATCH) retry(); }
 * ```
 */
export const ErrorCode = Object.freeze({
  /** Options failed validation. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** Configuration (options merged with environment) failed validation. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** A namespace pattern (nsInclude, nsExclude, nsFrom, nsTo) is malformed. */
  INVALID_NAMESPACE_PATTERN: 'INVALID_NAMESPACE_PATTERN',
  /** A path resolves outside the folder it must stay in. */
  PATH_OUTSIDE_ROOT: 'PATH_OUTSIDE_ROOT',
  /** The named backup does not exist. */
  BACKUP_NOT_FOUND: 'BACKUP_NOT_FOUND',

  /** The stream does not start with the archive magic number. */
  ARCHIVE_BAD_MAGIC: 'ARCHIVE_BAD_MAGIC',
  /** The archive header or a prelude document is malformed. */
  ARCHIVE_BAD_PRELUDE: 'ARCHIVE_BAD_PRELUDE',
  /** A collection's metadata JSON cannot be parsed. */
  ARCHIVE_BAD_METADATA: 'ARCHIVE_BAD_METADATA',
  /** A namespace block header is malformed or out of place. */
  ARCHIVE_BAD_BLOCK: 'ARCHIVE_BAD_BLOCK',
  /** A length prefix, terminator or document is corrupt. */
  ARCHIVE_CORRUPT: 'ARCHIVE_CORRUPT',
  /** The stream ended in the middle of a document, or with namespaces still open. */
  ARCHIVE_TRUNCATED: 'ARCHIVE_TRUNCATED',
  /** A namespace's CRC-64 does not match its documents. */
  ARCHIVE_CRC_MISMATCH: 'ARCHIVE_CRC_MISMATCH',
  /** A document exceeds the 16 MiB BSON limit. */
  DOCUMENT_TOO_LARGE: 'DOCUMENT_TOO_LARGE',
  /** The writer was used out of order (document after end, namespace not announced...). */
  ARCHIVE_WRITER_STATE: 'ARCHIVE_WRITER_STATE',
  /** A directory dump is malformed (missing metadata, unreadable file). */
  DIRECTORY_DUMP_INVALID: 'DIRECTORY_DUMP_INVALID',

  /** The server could not be reached or refused the credentials. */
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  /** The backup folder could not be read, or a backup in it could not be deleted. */
  STORAGE_FAILED: 'STORAGE_FAILED',
  /** An output could not be written whole: a full disk, a closed pipe (`dump --archive | head`), a lost stream. */
  OUTPUT_FAILED: 'OUTPUT_FAILED',
  /** A dump failed; no complete-looking output was left behind. */
  DUMP_FAILED: 'DUMP_FAILED',
  /** A restore failed; the report says what was and was not restored. */
  RESTORE_FAILED: 'RESTORE_FAILED',
  /** The operation was aborted through its AbortSignal. */
  ABORTED: 'ABORTED',
  /** A scheduled run was skipped because the previous one is still running. */
  SCHEDULE_OVERLAP: 'SCHEDULE_OVERLAP',

  /** An encrypted backup's header is malformed or of an unknown version or algorithm. */
  ENCRYPTION_BAD_HEADER: 'ENCRYPTION_BAD_HEADER',
  /** No key is configured for an encrypted backup's key id (or no key at all). */
  ENCRYPTION_KEY_MISSING: 'ENCRYPTION_KEY_MISSING',
  /** The key given is not the one the backup was encrypted with. */
  ENCRYPTION_WRONG_KEY: 'ENCRYPTION_WRONG_KEY',
  /** A chunk failed authentication: the backup was altered (or cut inside a chunk). */
  ENCRYPTION_CORRUPT: 'ENCRYPTION_CORRUPT',
  /** The encrypted backup ends before its final chunk. */
  ENCRYPTION_TRUNCATED: 'ENCRYPTION_TRUNCATED',
} as const);

/** One of the values of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options accepted by every error constructor of this library. */
export interface MongoBackupErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
}

/** Base class of every error thrown by this library. */
export class MongoBackupError extends Error {
  /** Stable machine-readable code; see {@link ErrorCode}. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: MongoBackupErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** The caller asked for something invalid. Thrown before any work starts. */
export class MongoBackupUsageError extends MongoBackupError {}

/** Options or configuration failed validation; `issues` lists every problem found. */
export class MongoBackupConfigError extends MongoBackupUsageError {
  /** One line per problem, each naming the offending field. */
  readonly issues: readonly string[];

  constructor(
    message: string,
    issues: readonly string[],
    options: MongoBackupErrorOptions & { code?: ErrorCode } = {},
  ) {
    super(options.code ?? ErrorCode.INVALID_OPTIONS, message, options);
    this.issues = issues;
  }
}

/** Something outside the caller's control went wrong while working. */
export class MongoBackupRuntimeError extends MongoBackupError {}

/** Context attached to an {@link ArchiveError}. */
export interface ArchiveErrorOptions extends MongoBackupErrorOptions {
  /** Byte offset in the (decompressed) archive stream where the problem was found. */
  offset?: number;
  /** The namespace (`db.collection`) being read or written, when known. */
  namespace?: string;
}

/** The archive or directory dump is malformed, corrupt or truncated, or the writer was misused. */
export class ArchiveError extends MongoBackupRuntimeError {
  /** Byte offset in the decompressed stream where the problem was found, when known. */
  readonly offset: number | undefined;
  /** The namespace concerned, when known. */
  readonly namespace: string | undefined;

  constructor(code: ErrorCode, message: string, options: ArchiveErrorOptions = {}) {
    super(code, message, options);
    this.offset = options.offset;
    this.namespace = options.namespace;
  }
}

/** A server could not be reached, or refused to work with us. Messages never contain credentials. */
export class ConnectionError extends MongoBackupRuntimeError {
  constructor(message: string, options: MongoBackupErrorOptions = {}) {
    super(ErrorCode.CONNECTION_FAILED, message, options);
  }
}

/** The operation was aborted through its `AbortSignal`. */
export class AbortError extends MongoBackupRuntimeError {
  constructor(message = 'The operation was aborted', options: MongoBackupErrorOptions = {}) {
    super(ErrorCode.ABORTED, message, options);
  }
}

/**
 * A restore stopped before the end. `report` says exactly which namespaces were restored, which failed and why,
 * and which were not reached; nothing is left unaccounted for.
 */
export class RestoreError extends MongoBackupRuntimeError {
  /** What was and was not restored. */
  readonly report: RestoreReport;

  constructor(message: string, report: RestoreReport, options: MongoBackupErrorOptions = {}) {
    super(ErrorCode.RESTORE_FAILED, message, options);
    this.report = report;
  }
}

/**
 * An encrypted backup cannot be decrypted: wrong or missing key, altered or truncated data, unknown format. Raised
 * before any plaintext of the failing chunk is released.
 */
export class EncryptionError extends MongoBackupRuntimeError {
  /** Byte offset in the encrypted stream where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(code: ErrorCode, message: string, options: MongoBackupErrorOptions & { offset?: number } = {}) {
    super(code, message, options);
    this.offset = options.offset;
  }
}
