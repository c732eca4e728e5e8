/**
 * Backup names: `<db>_dump_<timestamp><extension>`, for example `shop_dump_2026-11-21T23-10-54-123Z.gz`.
 *
 * @packageDocumentation
 */
import { MongoBackupUsageError, ErrorCode } from '../errors.js';

/**
 * How a backup is stored:
 * - `archive-gzip`: a gzipped mongodump archive, `.gz` (what `mongodump --archive --gzip` writes);
 * - `archive`: an uncompressed mongodump archive, `.archive`;
 * - `directory`: a mongodump directory (`<db>/<coll>.bson` + `.metadata.json`), no extension;
 * - `tar.gz`: such a directory packed into a gzipped tarball, `.tar.gz`.
 */
export type BackupKind = 'archive' | 'archive-gzip' | 'directory' | 'tar.gz';

/** The file name extension of each {@link BackupKind}. */
export const BACKUP_EXTENSIONS: Readonly<Record<BackupKind, string>> = Object.freeze({
  'archive-gzip': '.gz',
  archive: '.archive',
  directory: '',
  'tar.gz': '.tar.gz',
});

/** The database part of the name of a backup of every database. */
export const ALL_DATABASES_NAME = 'all';

/** What a backup name is made of. */
export interface BackupNameParts {
  /** The database backed up; `undefined` (written as `all`) for a backup of every database. */
  readonly database?: string | undefined;
  /** When the backup was taken, to the millisecond. Defaults to now. */
  readonly date?: Date;
  /** How the backup is stored. Defaults to `archive-gzip`. */
  readonly kind?: BackupKind;
  /** Whether the backup is encrypted client-side (an archive or tarball only): adds {@link ENCRYPTED_SUFFIX}. */
  readonly encrypted?: boolean;
}

/** The suffix of an encrypted backup's name, after its kind's extension (`.gz.enc`, `.tar.gz.enc`). */
export const ENCRYPTED_SUFFIX = '.enc';

/** A backup name taken apart by {@link parseBackupName}. */
export interface ParsedBackupName {
  /** The database, or `undefined` when the name says `all` (every database). */
  readonly database: string | undefined;
  /** When the backup was taken, from the timestamp in the name. */
  readonly createdAt: Date;
  /** The kind the extension stands for. A name without extension is a `directory`. */
  readonly kind: BackupKind;
  /** Present (`true`) when the name ends with {@link ENCRYPTED_SUFFIX}. */
  readonly encrypted?: true;
}

/** Characters MongoDB forbids in database names (all platforms), which also keeps names safe as file names. */
const FORBIDDEN_IN_DATABASE = /[/\\. "$*<>:|?\0]/;
const MAX_DATABASE_NAME_BYTES = 63;
const NAME_PATTERN =
  /^(.+)_dump_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)(\.tar\.gz|\.gz|\.archive)?(\.enc)?$/;
const TIMESTAMP_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3}Z)$/;

/**
 * Why `name` is not a valid MongoDB database name, or `undefined` when it is.
 *
 * @internal
 */
export function databaseNameProblem(name: string): string | undefined {
  if (name === '') return 'must not be empty';
  if (FORBIDDEN_IN_DATABASE.test(name)) return 'must not contain any of / \\ . " $ * < > : | ? space or NUL';
  if (Buffer.byteLength(name, 'utf8') > MAX_DATABASE_NAME_BYTES) {
    return `must be at most ${MAX_DATABASE_NAME_BYTES} bytes`;
  }
  return undefined;
}

/**
 * Formats a date as used in backup names: ISO 8601 in UTC with `-` in place of `:` and `.`, so that the name is
 * valid on every file system and sorts chronologically.
 *
 * @example
 * ```ts
 * formatBackupTimestamp(new Date('2026-11-21T23:10:54.123Z')); // '2026-11-21T23-10-54-123Z'
 * ```
 */
export function formatBackupTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/**
 * The default name of a backup: `<db>_dump_<timestamp><extension>`, with `all` as `<db>` for every database.
 *
 * @throws {@link MongoBackupUsageError} (`INVALID_OPTIONS`) when the database name is not a valid MongoDB database
 *   name (which also guarantees it cannot escape the backup folder).
 *
 * @example
 * ```ts
 * import { backupFileName } from 'mongo-backup-service';
 * backupFileName({ database: 'shop', date: new Date('2026-11-21T23:10:54.123Z') });
 * // 'shop_dump_2026-11-21T23-10-54-123Z.gz'
 * backupFileName({ kind: 'tar.gz' }); // 'all_dump_<now>.tar.gz'
 * ```
 */
export function backupFileName(parts: BackupNameParts = {}): string {
  const database = parts.database ?? ALL_DATABASES_NAME;
  const problem = databaseNameProblem(database);
  if (problem !== undefined) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `Expected a valid database name for the backup file name, got ${JSON.stringify(database)}: it ${problem}`,
    );
  }
  const date = parts.date ?? new Date();
  if (Number.isNaN(date.getTime())) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      'Expected a valid date for the backup file name',
    );
  }
  const kind = parts.kind ?? 'archive-gzip';
  if (parts.encrypted === true && kind === 'directory') {
    throw new MongoBackupUsageError(ErrorCode.INVALID_OPTIONS, 'A directory backup cannot be encrypted');
  }
  const suffix = parts.encrypted === true ? ENCRYPTED_SUFFIX : '';
  return `${database}_dump_${formatBackupTimestamp(date)}${BACKUP_EXTENSIONS[kind]}${suffix}`;
}

/**
 * Recognises a name written by {@link backupFileName}; returns `undefined` for any other name (including
 * `.partial` files and names whose timestamp is not a real date).
 *
 * @example
 * ```ts
 * import { parseBackupName } from 'mongo-backup-service';
 * parseBackupName('shop_dump_2026-11-21T23-10-54-123Z.gz');
 * // { database: 'shop', createdAt: 2026-11-21T23:10:54.123Z, kind: 'archive-gzip' }
 * ```
 */
export function parseBackupName(name: string): ParsedBackupName | undefined {
  const match = NAME_PATTERN.exec(name);
  const [, database, timestamp, extension = '', encrypted] = match ?? [];
  if (database === undefined || timestamp === undefined || databaseNameProblem(database) !== undefined) {
    return undefined;
  }
  const createdAt = parseBackupTimestamp(timestamp);
  if (createdAt === undefined) return undefined;
  const kind = (Object.keys(BACKUP_EXTENSIONS) as BackupKind[]).find(
    (k) => BACKUP_EXTENSIONS[k] === extension,
  );
  if (kind === undefined || (encrypted !== undefined && kind === 'directory')) return undefined;
  const parsed = { database: database === ALL_DATABASES_NAME ? undefined : database, createdAt, kind };
  return encrypted === undefined ? parsed : { ...parsed, encrypted: true };
}

function parseBackupTimestamp(timestamp: string): Date | undefined {
  const match = TIMESTAMP_PATTERN.exec(timestamp);
  if (match === null) return undefined;
  const date = new Date(`${match[1]}:${match[2]}:${match[3]}.${match[4]}`);
  // Rejects dates that Date would silently roll over (2026-02-30) by requiring an exact round trip.
  return !Number.isNaN(date.getTime()) && formatBackupTimestamp(date) === timestamp ? date : undefined;
}
