/**
 * The backups in a folder: listing, retention and removal. Only names written by {@link backupFileName} count;
 * `.partial` files, symbolic links and unrelated entries are never listed, counted or touched.
 *
 * @packageDocumentation
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

import { ErrorCode, MongoBackupRuntimeError, MongoBackupUsageError } from '../errors.js';
import { parseBackupName } from './naming.js';
import type { BackupKind } from './naming.js';
import { assertRetentionCount, backupsBeyondRetention } from './retention.js';
import { resolveInside } from './safe-path.js';

/** One backup found in the backup folder. */
export interface BackupInfo {
  /** The entry's name in the folder, e.g. `shop_dump_2026-11-21T23-10-54-123Z.gz`. */
  readonly name: string;
  /** The absolute path. */
  readonly path: string;
  /** How the backup is stored, from its extension (and, for `directory`, its being a folder). */
  readonly kind: BackupKind;
  /** Size in bytes; for a `directory`, the sum of the regular files inside it (links not followed). */
  readonly sizeBytes: number;
  /** When the backup was taken, from the timestamp in its name (not the file system's clock). */
  readonly createdAt: Date;
  /** The database backed up; absent for a backup of every database (`all_dump_...`). */
  readonly database?: string;
  /** Present (`true`) for a backup encrypted client-side (its name ends with `.enc`). */
  readonly encrypted?: true;
}

/**
 * Lists the backups in `dir`, newest first (by the timestamp in their names; ties by name, descending).
 * A missing folder has no backups.
 *
 * @throws {@link MongoBackupRuntimeError} (`STORAGE_FAILED`) when the folder exists but cannot be read.
 *
 * @example
 * ```ts
 * import { listBackups } from 'mongo-backup-service';
 * const [latest] = await listBackups('./backups');
 * if (latest) console.log(`${latest.name}: ${latest.sizeBytes} bytes, ${latest.createdAt.toISOString()}`);
 * ```
 */
export async function listBackups(dir: string): Promise<BackupInfo[]> {
  const root = path.resolve(dir);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw storageFailure(`Could not read the backup folder ${root}`, error);
  }
  const found = await Promise.all(names.map((name) => describeBackup(root, name)));
  return found
    .filter((backup): backup is BackupInfo => backup !== undefined)
    .sort(
      (a, b) =>
        b.createdAt.getTime() - a.createdAt.getTime() || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0),
    );
}

async function describeBackup(root: string, name: string): Promise<BackupInfo | undefined> {
  const parsed = parseBackupName(name);
  if (parsed === undefined) return undefined;
  const fullPath = path.join(root, name);
  const stats = await lstat(fullPath).catch(() => undefined);
  if (stats === undefined) return undefined;
  const isDirectory = parsed.kind === 'directory';
  if (isDirectory ? !stats.isDirectory() : !stats.isFile()) return undefined;
  const info = {
    name,
    path: fullPath,
    kind: parsed.kind,
    sizeBytes: isDirectory ? await directorySize(fullPath) : stats.size,
    createdAt: parsed.createdAt,
    ...(parsed.encrypted === true ? { encrypted: true as const } : {}),
  };
  return parsed.database === undefined ? info : { ...info, database: parsed.database };
}

async function directorySize(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const sizes = await Promise.all(
    entries.map(async (entry) => {
      const entryPath = path.join(dir, entry.name);
      if (entry.isDirectory()) return directorySize(entryPath);
      if (!entry.isFile()) return 0;
      return (await lstat(entryPath).catch(() => undefined))?.size ?? 0;
    }),
  );
  return sizes.reduce((total, size) => total + size, 0);
}

/**
 * Deletes all but the `keep` newest backups of each database (backups of every database, `all_dump_...`, form
 * their own group), and returns what was deleted, oldest first. Per database, so that a database backed up more
 * often than another can never push the other's backups out. Unrelated files, `.partial` files and symbolic links
 * are never touched.
 *
 * @param dir - The backup folder.
 * @param keep - How many backups to keep per database: an integer of at least 1.
 * @throws {@link MongoBackupConfigError} (`INVALID_OPTIONS`) when `keep` is not an integer of at least 1.
 * @throws {@link MongoBackupRuntimeError} (`STORAGE_FAILED`) when the folder cannot be read or a backup deleted;
 *   the backups deleted before the failure stay deleted.
 *
 * @example
 * ```ts
 * import { applyRetention } from 'mongo-backup-service';
 * const deleted = await applyRetention('./backups', 7);
 * ```
 */
export async function applyRetention(dir: string, keep: number): Promise<BackupInfo[]> {
  assertRetentionCount(keep);
  const doomed = backupsBeyondRetention(await listBackups(dir), keep);
  const deleted: BackupInfo[] = [];
  for (const backup of doomed) {
    await deleteEntry(backup);
    deleted.push(backup);
  }
  return deleted;
}

/**
 * Deletes one backup by name and returns what it was.
 *
 * @throws {@link MongoBackupUsageError} `PATH_OUTSIDE_ROOT` when the name would leave `dir`, or `BACKUP_NOT_FOUND`
 *   when no backup of that name is in `dir` (unrelated files and symbolic links are not backups).
 *
 * @example
 * ```ts
 * import { removeBackup } from 'mongo-backup-service';
 * await removeBackup('./backups', 'shop_dump_2026-11-21T23-10-54-123Z.gz');
 * ```
 */
export async function removeBackup(dir: string, name: string): Promise<BackupInfo> {
  await resolveInside(dir, name);
  const backup = path.basename(name) === name ? await describeBackup(path.resolve(dir), name) : undefined;
  if (backup === undefined) {
    throw new MongoBackupUsageError(
      ErrorCode.BACKUP_NOT_FOUND,
      `Expected the name of a backup in ${JSON.stringify(dir)}, got ${JSON.stringify(name)}: ` +
        'no backup of that name (see listBackups() for the available names)',
    );
  }
  await deleteEntry(backup);
  return backup;
}

async function deleteEntry(backup: BackupInfo): Promise<void> {
  try {
    // rm never follows symbolic links: a link inside a directory backup is removed, not its target.
    await rm(backup.path, { recursive: backup.kind === 'directory', force: true });
  } catch (error) {
    throw storageFailure(`Could not delete the backup ${backup.path}`, error);
  }
}

function storageFailure(what: string, error: unknown): MongoBackupRuntimeError {
  const reason = error instanceof Error ? error.message : String(error);
  return new MongoBackupRuntimeError(ErrorCode.STORAGE_FAILED, `${what}: ${reason}`, { cause: error });
}
