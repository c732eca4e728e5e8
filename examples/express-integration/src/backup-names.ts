/**
 * Turning the `:name` of a URL into a backup of the service's store (its folder or its bucket), without ever
 * leaving it.
 *
 * The same two steps as the library's `removeBackup`: first confine the name (a plain file name, nothing that can
 * climb out), then accept only a backup that `service.listBackups()` reports (real backup names; in a folder,
 * regular files or folders, never a symbolic link). Express has already percent-decoded the name, so
 * `..%2F..%2Fetc` arrives as `../../etc`.
 */
import path from 'node:path';

import {
  ErrorCode,
  MongoBackupUsageError,
  type BackupInfo,
  type MongoBackupService,
} from 'mongo-backup-service';

/**
 * Throws `PATH_OUTSIDE_ROOT` (a 400) unless `name` is a single file name inside `root`: no NUL byte, not absolute
 * (POSIX or Windows), no `/` or `\`, not `.` or `..`.
 */
export function assertPlainName(root: string, name: string): void {
  const reject = (why: string): never => {
    throw new MongoBackupUsageError(
      ErrorCode.PATH_OUTSIDE_ROOT,
      `Expected the name of a backup in the backup folder, got ${JSON.stringify(name)}: ${why}`,
    );
  };
  if (name.includes('\0')) reject('it contains a NUL byte');
  if (path.isAbsolute(name) || path.win32.isAbsolute(name)) reject('it is an absolute path');
  if (/[/\\]/.test(name)) reject('it contains a path separator');
  if (name === '' || name === '.' || name === '..') reject('it names a folder, not a backup');
  // Belt and braces: the resolved path must be exactly `root/name`.
  const absoluteRoot = path.resolve(root);
  if (path.relative(absoluteRoot, path.resolve(absoluteRoot, name)) !== name) reject('it leaves the folder');
}

/**
 * The backup called `name` in the service's store (`config.backupDir`: a folder or an `s3://` bucket), as
 * `service.listBackups()` describes it.
 *
 * @throws `PATH_OUTSIDE_ROOT` for a name that could leave the store, `BACKUP_NOT_FOUND` when there is no such
 *   backup.
 */
export async function findBackup(
  service: Pick<MongoBackupService, 'config' | 'listBackups'>,
  name: string,
): Promise<BackupInfo> {
  assertPlainName(service.config.backupDir, name);
  const backup = (await service.listBackups()).find((candidate) => candidate.name === name);
  if (backup === undefined) {
    throw new MongoBackupUsageError(
      ErrorCode.BACKUP_NOT_FOUND,
      `No backup named ${JSON.stringify(name)} (GET /admin/backups lists the available names)`,
    );
  }
  return backup;
}
