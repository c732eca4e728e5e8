import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDumpFileName } from '../archive/directory/file-names.js';
import { looksLikeTarGz } from '../archive/directory/tar-sniff.js';
import { ErrorCode, MongoBackupRuntimeError, MongoBackupUsageError } from '../errors.js';

/** What a backup path holds. */
export type BackupPathKind = 'directory' | 'bson' | 'tar.gz' | 'archive';

/**
 * Tells what the backup at `file` is: a directory dump, one collection file of one (`<coll>.bson[.gz]`), a
 * `.tar.gz` of a directory dump (by its name or its content), or else an archive (gzip or not). Restore and
 * `inspect` both decide this way.
 *
 * @throws {@link MongoBackupUsageError} `BACKUP_NOT_FOUND` (with `notFound` as its message) when nothing is there;
 *   {@link MongoBackupRuntimeError} `STORAGE_FAILED` when it cannot be read (permissions).
 */
export async function backupPathKind(file: string, notFound: string): Promise<BackupPathKind> {
  const info = await stat(file).catch((error: unknown) => {
    throw new MongoBackupUsageError(ErrorCode.BACKUP_NOT_FOUND, notFound, { cause: error });
  });
  const mode = info.isDirectory() ? fsConstants.R_OK | fsConstants.X_OK : fsConstants.R_OK;
  await access(file, mode).catch((error: unknown) => {
    throw new MongoBackupRuntimeError(
      ErrorCode.STORAGE_FAILED,
      `Cannot read the backup ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  });
  if (info.isDirectory()) return 'directory';
  if (parseDumpFileName(path.basename(file))?.kind === 'bson') return 'bson';
  if (/\.(tar\.gz|tgz)$/i.test(file) || (await looksLikeTarGz(file))) return 'tar.gz';
  return 'archive';
}
