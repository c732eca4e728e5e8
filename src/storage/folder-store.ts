/**
 * The local backup folder as a {@link BackupStore}: today's behaviour (names, `.partial` files renamed on success,
 * owner-only modes, confinement to the folder), through the existing naming, catalog and atomic-file code.
 *
 * @packageDocumentation
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

import { ErrorCode, MongoBackupUsageError } from '../errors.js';
import { createAtomicFile } from './atomic-file.js';
import type { BackupStore, BackupUpload, ByteRange } from './backup-store.js';
import { applyRetention, listBackups, removeBackup, type BackupInfo } from './catalog.js';
import { resolveInside } from './safe-path.js';

/**
 * A {@link BackupStore} over a local folder (created with mode `0o700` on first write).
 *
 * @example
 * ```ts
 * import { createFolderStore } from 'mongo-backup-service';
 * const store = createFolderStore('./backups');
 * console.log((await store.list()).map((backup) => backup.name));
 * ```
 */
export function createFolderStore(dir: string): BackupStore {
  const root = path.resolve(dir);
  return {
    kind: 'folder',
    location: root,
    async createUpload(name): Promise<BackupUpload> {
      return createAtomicFile(root, name);
    },
    list: () => listBackups(root),
    async stat(name): Promise<BackupInfo | undefined> {
      return (await listBackups(root)).find((backup) => backup.name === name);
    },
    openRead(name, range): Readable {
      return Readable.from(readFile(root, name, range), { objectMode: false });
    },
    remove: (name) => removeBackup(root, name),
    applyRetention: (keep) => applyRetention(root, keep),
  };
}

async function* readFile(root: string, name: string, range: ByteRange | undefined): AsyncGenerator<Buffer> {
  const file = await resolveInside(root, name);
  const stream = createReadStream(file, range === undefined ? {} : { start: range.start, end: range.end });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new MongoBackupUsageError(ErrorCode.BACKUP_NOT_FOUND, `No backup at ${file}`, { cause: error });
  }
}
