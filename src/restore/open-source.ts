import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { plainBytes } from '../crypto/plain-bytes.js';
import type { EncryptionKeyring } from '../crypto/keys.js';
import type { BackupStore } from '../storage/backup-store.js';
import { parseBackupName } from '../storage/naming.js';
import { isS3Url } from '../storage/s3-location.js';
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

/** How a restore reaches backups beyond local paths and streams. */
export interface SourceAccess {
  /** The store and name of an `s3://` URL (or `undefined` when it names no store this service can reach). */
  readonly resolveStored?: (
    url: string,
  ) => { readonly store: BackupStore; readonly name: string } | undefined;
  /** Keys for encrypted backups. */
  readonly encryption?: EncryptionKeyring | undefined;
}

/**
 * Opens a backup: an object in a store (`s3://...`, archives and `.tar.gz`), a directory dump, a `.tar.gz` of one (unpacked to a private temporary folder), one collection
 * file of a directory dump (`<coll>.bson[.gz]`, restored as `db.collection`), an archive file (gzip or not), or a
 * stream of an archive.
 */
export async function openRestoreSource(
  source: RestoreSource,
  options: { readonly db?: string; readonly collection?: string } = {},
  access: SourceAccess = {},
): Promise<OpenedSource> {
  const keys = access.encryption;
  if (typeof source !== 'string') {
    return {
      path: undefined,
      rereadable: false,
      events: () => readArchive(plainBytes(source as Readable, keys, 'The backup stream')),
      close: async () => {
        (source as Readable).destroy();
      },
    };
  }
  if (isS3Url(source)) return openStored(source, access);
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
    events: () => readArchive(plainBytes(createReadStream(file), keys, file)),
    close: async () => {},
  };
}

/** A backup in a store: an archive read by ranged GETs, or a `.tar.gz` fetched to a private folder and unpacked. */
async function openStored(url: string, access: SourceAccess): Promise<OpenedSource> {
  const found = access.resolveStored?.(url);
  if (found === undefined) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `Cannot read ${url}: configure an s3:// backupDir (and its s3 settings) to reach object storage`,
    );
  }
  const { store, name } = found;
  const keys = access.encryption;
  if (parseBackupName(name)?.kind !== 'tar.gz') {
    // A missing object is BACKUP_NOT_FOUND from the first read (the verification pass, before any write).
    return {
      path: url,
      rereadable: true,
      events: () => readArchive(plainBytes(store.openRead(name), keys, url)),
      close: async () => {},
    };
  }
  const unpacked = await mkdtemp(path.join(os.tmpdir(), 'mongo-restore-'));
  try {
    const packed = path.join(unpacked, 'backup.tar.gz');
    await pipeline(
      Readable.from(plainBytes(store.openRead(name), keys, url)),
      createWriteStream(packed, { flags: 'wx', mode: 0o600 }),
    );
    await extractTarGz(packed, path.join(unpacked, 'dump'));
    await rm(packed);
  } catch (error) {
    await rm(unpacked, { recursive: true, force: true });
    throw error;
  }
  return {
    path: url,
    rereadable: true,
    events: (signal) => readDirectoryDump(path.join(unpacked, 'dump'), signal ? { signal } : {}),
    close: () => rm(unpacked, { recursive: true, force: true }),
  };
}

/** Whether a folder directly holds collection files (other than the oplog). */
async function holdsCollectionFiles(dir: string): Promise<boolean> {
  const names = await readdir(dir);
  return names.some((name) => /\.(bson|metadata\.json)(\.gz)?$/.test(name) && !name.startsWith('oplog.bson'));
}
