/**
 * Staging paths that are new and exclusively ours: unpredictable names next to the target, created with calls that
 * fail when anything already exists there (so a stale leftover is never reused and a planted link is never
 * followed), checked for type and owner after creation.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { ErrorCode, MongoBackupRuntimeError, MongoBackupUsageError } from '../errors.js';

/** The marker in every staging name: `.<target name>.partial-<random>`. */
export const STAGING_MARKER = '.partial';

/** Mode of a staging folder: the owner only. */
const STAGING_DIR_MODE = 0o700;

/** The name a staging entry for `targetName` gets: hidden, marked, and unpredictable (64 random bits). */
export function stagingName(targetName: string): string {
  return `.${targetName}${STAGING_MARKER}-${randomBytes(8).toString('hex')}`;
}

/**
 * Whether `name` is a staging entry (ours, current) or a partial output of an older release (`<name>.partial`):
 * what a killed run leaves behind, and what `clean` may remove.
 */
export function isStagingName(name: string): boolean {
  return /^\..+\.partial-[0-9a-f]{16}$/.test(name) || name.endsWith(STAGING_MARKER);
}

/**
 * Creates an empty staging folder `<parent>/.<name>.partial-<random>` for `target` with mode `0o700`, creating the
 * parent folder when missing. The `mkdir` of the staging folder itself is not recursive: it fails if anything
 * (a stale folder, a link) already holds the name. Afterwards the folder is checked to be a real folder owned by
 * this process's user.
 *
 * @returns the absolute path of the staging folder.
 * @throws {@link MongoBackupRuntimeError} (`DUMP_FAILED`) when it cannot be created.
 */
export async function createStagingDir(target: string): Promise<string> {
  const finalPath = path.resolve(target);
  const parent = path.dirname(finalPath);
  const staging = path.join(parent, stagingName(path.basename(finalPath)));
  try {
    await mkdir(parent, { recursive: true, mode: STAGING_DIR_MODE });
    await mkdir(staging, { mode: STAGING_DIR_MODE });
    assertOwnFolder(staging, await lstat(staging));
  } catch (error) {
    throw stagingError(`Could not create the staging folder ${staging}`, error);
  }
  return staging;
}

/**
 * Publishes a finished staging folder as `target`. When `target` does not exist, the staging folder is renamed
 * to it (atomic). When it is an existing folder (a nightly `--out=/backup/latest`), this follows mongodump: the
 * files of this dump replace the files of the same names, other files are kept; every file is moved in by a
 * `rename` (which replaces a link rather than writing through it), into sub-folders that must be real folders owned
 * by this user. The staging folder is removed afterwards.
 *
 * @throws {@link MongoBackupRuntimeError} (`DUMP_FAILED`) when `target` is not a folder, is a link, belongs to
 *   another user, or a move fails. The staging folder is then left for the caller to remove.
 */
export async function publishStagingDir(staging: string, target: string): Promise<void> {
  const finalPath = path.resolve(target);
  const existing = await lstat(finalPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw stagingError(`Could not inspect ${finalPath}`, error);
  });
  try {
    if (existing === undefined) {
      await rename(staging, finalPath);
      return;
    }
    assertOwnFolder(finalPath, existing);
    await mergeInto(staging, finalPath);
    await rm(staging, { recursive: true, force: true });
  } catch (error) {
    if (error instanceof MongoBackupRuntimeError) throw error;
    throw stagingError(`Could not move the dump into ${finalPath}`, error);
  }
}

/** Moves every entry of `from` into the existing folder `into`, replacing files, descending into folders. */
async function mergeInto(from: string, into: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const destination = path.join(into, entry.name);
    const existing = await lstat(destination).catch(() => undefined);
    if (entry.isDirectory() && existing !== undefined) {
      assertOwnFolder(destination, existing);
      await mergeInto(source, destination);
    } else if (existing?.isDirectory() === true) {
      throw stagingError(
        `Could not replace ${destination}`,
        new Error('a folder holds the name of a dump file'),
      );
    } else {
      await rename(source, destination);
    }
  }
}

/** A staging entry left by a run that was killed (or is still running: see {@link listPartialLeftovers}). */
export interface PartialLeftover {
  /** The absolute path. */
  readonly path: string;
  /** Bytes it holds (every file under it, for a folder). */
  readonly sizeBytes: number;
  /** When anything under it last changed. */
  readonly modifiedAt: Date;
}

/** How long a staging entry must have been left untouched before `clean --partial` takes it for a leftover. */
export const PARTIAL_LEFTOVER_MIN_AGE_MS = 10 * 60 * 1000;

/**
 * Lists the staging entries (`.<name>.partial-<random>`, and `<name>.partial` of older releases) directly in
 * `dir` that belong to this user, are not links, and have not changed for `minAgeMs` (so that a dump still running
 * is left alone). Nothing is removed.
 */
export async function listPartialLeftovers(
  dir: string,
  minAgeMs = PARTIAL_LEFTOVER_MIN_AGE_MS,
  now = Date.now(),
): Promise<PartialLeftover[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const uid = process.getuid?.();
  const found: PartialLeftover[] = [];
  for (const entry of entries) {
    if (!isStagingName(entry.name) || entry.isSymbolicLink()) continue;
    const full = path.join(dir, entry.name);
    const info = await lstat(full).catch(() => undefined);
    if (info === undefined || (uid !== undefined && info.uid !== uid)) continue;
    let sizeBytes = info.isFile() ? info.size : 0;
    let modified = info.mtimeMs;
    if (info.isDirectory()) {
      for (const inner of await readdir(full, { withFileTypes: true, recursive: true }).catch(() => [])) {
        const innerInfo = await stat(path.join(inner.parentPath, inner.name)).catch(() => undefined);
        if (innerInfo === undefined) continue;
        if (innerInfo.isFile()) sizeBytes += innerInfo.size;
        modified = Math.max(modified, innerInfo.mtimeMs);
      }
    }
    if (now - modified >= minAgeMs) found.push({ path: full, sizeBytes, modifiedAt: new Date(modified) });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Removes what {@link listPartialLeftovers} found. */
export async function removePartialLeftovers(leftovers: readonly PartialLeftover[]): Promise<void> {
  for (const leftover of leftovers) await rm(leftover.path, { recursive: true, force: true });
}

/** First bytes of what a dump file may replace: a mongodump archive (magic 0x8199e26d, little-endian) or gzip. */
const REPLACEABLE_HEADS = [Buffer.from([0x6d, 0xe2, 0x99, 0x81]), Buffer.from([0x1f, 0x8b])];

/**
 * Checks that writing a dump file to `target` destroys nothing unrelated: nothing is there, or an empty file, or an
 * earlier archive or gzip file (an archive, a `.gz`, a `.tar.gz`) that is a regular file owned by this user.
 * mongodump replaces any file; this refuses a file that is not a backup, a link, a folder or another user's file.
 *
 * @throws {@link MongoBackupUsageError} (`INVALID_OPTIONS`) naming the file and why.
 */
export async function assertReplaceableFile(target: string): Promise<void> {
  const finalPath = path.resolve(target);
  const stats = await lstat(finalPath).catch(() => undefined);
  if (stats === undefined) return;
  const refuse = (why: string): never => {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `Refusing to replace ${finalPath}: ${why}. Remove it or choose another output name`,
    );
  };
  if (stats.isSymbolicLink()) refuse('it is a symbolic link');
  if (!stats.isFile()) refuse('it is not a file');
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) refuse(`it belongs to user ${stats.uid}`);
  if (stats.size === 0) return;
  const head = Buffer.alloc(4);
  const handle = await open(finalPath, 'r').catch(() => refuse('it cannot be read'));
  try {
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const start = head.subarray(0, bytesRead);
    if (!REPLACEABLE_HEADS.some((magic) => start.subarray(0, magic.length).equals(magic))) {
      refuse('it is neither an archive nor a gzip file, so not an earlier backup');
    }
  } finally {
    await handle.close();
  }
}

/** Refuses anything but a real folder (not a link) owned by this process's user (where the platform has users). */
function assertOwnFolder(folder: string, stats: Stats): void {
  if (stats.isSymbolicLink() || !stats.isDirectory()) {
    throw stagingError(
      `Refusing to write into ${folder}`,
      new Error(stats.isSymbolicLink() ? 'it is a symbolic link' : 'it is not a folder'),
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw stagingError(
      `Refusing to write into ${folder}`,
      new Error(`it belongs to user ${stats.uid}, not to this process's user ${uid}`),
    );
  }
}

function stagingError(what: string, error: unknown): MongoBackupRuntimeError {
  if (error instanceof MongoBackupRuntimeError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new MongoBackupRuntimeError(ErrorCode.DUMP_FAILED, `${what}: ${reason}`, { cause: error });
}
