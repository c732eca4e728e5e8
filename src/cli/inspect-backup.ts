/**
 * What `inspect` reads: an archive (gzip or not, a file or standard input), a directory dump, a `.tar.gz` of one
 * (extracted to a private temporary folder, removed afterwards), or one collection file (`<coll>.bson[.gz]`). Each gives the same picture: header, prelude
 * entries, per namespace documents, bytes and CRC, and a verdict.
 *
 * @packageDocumentation
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

import { extractTarGz, readBsonFile, readDirectoryDump } from '../archive/directory/index.js';
import { inspectArchive, inspectEvents, type InspectedNamespace } from '../archive/inspect.js';
import type { ArchiveHeader, NamespaceEntry } from '../archive/types.js';
import { checkDumpManifest } from '../archive/directory/manifest.js';
import { ArchiveError } from '../errors.js';
import { backupPathKind } from '../restore/backup-kind.js';
import { isS3Url } from '../storage/s3-location.js';
import type { BackupBytesAccess } from './backup-bytes.js';

/** The kinds of backup `inspect` understands; `bson` is one collection file of a directory dump. */
export type InspectedKind = 'archive' | 'directory' | 'tar.gz' | 'bson';

/** What `inspect` found. */
export interface BackupInspection {
  /** The absolute path, or `-` for standard input. */
  readonly path: string;
  readonly kind: InspectedKind;
  /** Whether the archive stream (or the tarball) is gzip-compressed; `false` for a directory. */
  readonly gzip: boolean;
  /** The archive header (for a directory: from `prelude.json` when present). */
  readonly header: ArchiveHeader | undefined;
  /** The prelude entries, when the whole prelude could be read. */
  readonly entries: readonly NamespaceEntry[];
  /** The namespaces read completely with a matching CRC (a directory's CRC is computed from its files). */
  readonly namespaces: readonly InspectedNamespace[];
  readonly valid: boolean;
  /** What is valid but would trouble mongorestore (an archive interleaving beyond its concurrent_collections). */
  readonly warnings: readonly string[];
  /**
   * For a directory dump or a `.tar.gz`: `verified` when every file matched its checksum manifest
   * (`mongo-backup-manifest.json`), `absent` when it has none (damage inside a value then goes unseen).
   */
  readonly manifest?: 'verified' | 'absent';
  /** The first problem found, when not valid. */
  readonly error?: ArchiveError;
}

/**
 * Inspects the backup at `target` (`-` reads `stdin`). Never throws for a damaged backup (the verdict says why);
 * throws a `MongoBackupUsageError` `BACKUP_NOT_FOUND` when nothing is at `target`.
 */
export async function inspectBackup(
  target: string,
  stdin: Readable,
  access?: BackupBytesAccess,
): Promise<BackupInspection> {
  const plain = (input: Readable, label: string): Readable => access?.plain(input, label) ?? input;
  if (target === '-') return inspectArchiveStream('-', plain(stdin, 'standard input'));
  if (isS3Url(target) && access !== undefined) {
    return inspectArchiveStream(target, plain(access.openStored(target), target));
  }
  const file = path.resolve(target);
  switch (await backupPathKind(file, `No file or folder at ${file}`)) {
    case 'directory':
      return { path: file, kind: 'directory', gzip: false, ...(await inspectDirectory(file)) };
    case 'bson': {
      // One collection file: its folder names the database, as in a dump (`DIR/<db>/<coll>.bson`).
      const db = path.basename(path.dirname(file));
      const gzip = file.endsWith('.gz');
      return { path: file, kind: 'bson', gzip, ...(await inspectEvents(readBsonFile(file, { db }))) };
    }
    case 'tar.gz':
      return inspectTarGz(file);
    case 'archive':
      return inspectArchiveStream(file, plain(createReadStream(file), file));
  }
}

async function inspectArchiveStream(label: string, input: Readable): Promise<BackupInspection> {
  let head: Buffer | undefined;
  async function* tapped(): AsyncGenerator<Buffer, void, undefined> {
    for await (const chunk of input) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      if (head === undefined || head.length < 2) head = Buffer.concat([head ?? Buffer.alloc(0), bytes]);
      yield bytes;
    }
  }
  try {
    const result = await inspectArchive(tapped());
    const gzip = head !== undefined && head[0] === 0x1f && head[1] === 0x8b;
    return { path: label, kind: 'archive', gzip, ...result };
  } finally {
    input.destroy();
  }
}

type Findings = Omit<BackupInspection, 'path' | 'kind' | 'gzip'>;

async function inspectDirectory(dir: string): Promise<Findings> {
  let manifest: 'verified' | 'absent';
  try {
    manifest = (await checkDumpManifest(dir)).present ? 'verified' : 'absent';
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    return { header: undefined, entries: [], namespaces: [], warnings: [], valid: false, error };
  }
  return { ...(await inspectEvents(readDirectoryDump(dir))), manifest };
}

async function inspectTarGz(file: string): Promise<BackupInspection> {
  const unpacked = await mkdtemp(path.join(os.tmpdir(), 'mongo-backup-inspect-'));
  try {
    try {
      await extractTarGz(file, unpacked);
    } catch (error) {
      if (!(error instanceof ArchiveError)) throw error;
      return {
        path: file,
        kind: 'tar.gz',
        gzip: true,
        header: undefined,
        entries: [],
        namespaces: [],
        valid: false,
        warnings: [],
        error,
      };
    }
    return { path: file, kind: 'tar.gz', gzip: true, ...(await inspectDirectory(unpacked)) };
  } finally {
    await rm(unpacked, { recursive: true, force: true });
  }
}
