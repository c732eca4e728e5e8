import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { readBsonFile, readDirectoryDump } from '../archive/directory/directory-reader.js';
import { checkDumpManifest, type ManifestCheck } from '../archive/directory/manifest.js';
import { extractTarGz } from '../archive/directory/tar-extract.js';
import { readArchive } from '../archive/reader.js';
import type { ArchiveEvent } from '../archive/types.js';
import { ErrorCode, MongoBackupUsageError } from '../errors.js';
import { backupPathKind } from './backup-kind.js';
import type { RestoreSource } from './types.js';

/** A backup opened for reading. */
export interface OpenedSource {
  /** The path read, or `undefined` for a stream. */
  readonly path: string | undefined;
  /** Whether {@link OpenedSource.events} may be called more than once (paths yes, streams no). */
  readonly rereadable: boolean;
  /** Checks a directory dump against its checksum manifest; absent for archives, streams and single files. */
  integrity?(): Promise<ManifestCheck>;
  /** A fresh pass over the backup's events. */
  events(signal?: AbortSignal): AsyncIterable<ArchiveEvent>;
  /** Removes anything unpacked for reading. Never throws. */
  close(): Promise<void>;
}

/**
 * Opens a backup: a directory dump, a `.tar.gz` of one (unpacked to a private temporary folder), one collection
 * file of a directory dump (`<coll>.bson[.gz]`, restored as `db.collection`), an archive file (gzip or not), or a
 * stream of an archive.
 */
export async function openRestoreSource(
  source: RestoreSource,
  options: { readonly db?: string; readonly collection?: string } = {},
): Promise<OpenedSource> {
  if (typeof source !== 'string') {
    return {
      path: undefined,
      rereadable: false,
      events: () => readArchive(source as Readable),
      close: async () => {
        (source as Readable).destroy();
      },
    };
  }
  const file = path.resolve(source);
  const kind = await backupPathKind(file, `No backup at ${file}`);
  if (kind === 'directory') {
    // `mongorestore --db X DIR/X`: a folder of .bson files (no database folders) is read as database X.
    const single = options.db !== undefined && (await holdsCollectionFiles(file)) ? { db: options.db } : {};
    return {
      path: file,
      rereadable: true,
      integrity: () => checkDumpManifest(file),
      events: (signal) => readDirectoryDump(file, { ...single, ...(signal ? { signal } : {}) }),
      close: async () => {},
    };
  }
  if (kind === 'bson') {
    const { db, collection } = options;
    if (db === undefined) {
      throw new MongoBackupUsageError(
        ErrorCode.INVALID_OPTIONS,
        `${file} is one collection's documents: give "db" (and "collection", else the file name is used)`,
      );
    }
    return {
      path: file,
      rereadable: true,
      events: (signal) =>
        readBsonFile(file, {
          db,
          ...(collection === undefined ? {} : { collection }),
          ...(signal ? { signal } : {}),
        }),
      close: async () => {},
    };
  }
  if (kind === 'tar.gz') {
    const unpacked = await mkdtemp(path.join(os.tmpdir(), 'mongo-restore-'));
    try {
      await extractTarGz(file, unpacked);
    } catch (error) {
      await rm(unpacked, { recursive: true, force: true });
      throw error;
    }
    return {
      path: file,
      rereadable: true,
      integrity: () => checkDumpManifest(unpacked),
      events: (signal) => readDirectoryDump(unpacked, signal ? { signal } : {}),
      close: () => rm(unpacked, { recursive: true, force: true }),
    };
  }
  return {
    path: file,
    rereadable: true,
    events: () => readArchive(createReadStream(file)),
    close: async () => {},
  };
}

/** Whether a folder directly holds collection files (other than the oplog). */
async function holdsCollectionFiles(dir: string): Promise<boolean> {
  const names = await readdir(dir);
  return names.some((name) => /\.(bson|metadata\.json)(\.gz)?$/.test(name) && !name.startsWith('oplog.bson'));
}
