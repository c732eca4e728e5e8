/**
 * Write-then-rename files, so that a failed or aborted dump never leaves a file that looks complete.
 *
 * @packageDocumentation
 */
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { constants as fsConstants, type WriteStream } from 'node:fs';

import { ErrorCode, MongoBackupRuntimeError } from '../errors.js';
import { resolveInside } from './safe-path.js';
import { STAGING_MARKER, stagingName } from './staging.js';

/**
 * The marker of a file being written (`.<name>.partial-<random>`); such files are never listed as backups, and
 * `clean --partial` removes those left by a killed run.
 */
export const PARTIAL_SUFFIX = STAGING_MARKER;

/** Mode of backup files: read and write for the owner only (they hold all the data of a database). */
export const DEFAULT_FILE_MODE = 0o600;

/** Mode of a backup folder created by this library. */
export const DEFAULT_DIR_MODE = 0o700;

/** A file being written under a temporary `.partial` name; see {@link createAtomicFile}. */
export interface AtomicFile {
  /** The absolute final path, which exists only after a successful {@link AtomicFile.commit}. */
  readonly path: string;
  /** The absolute path of the file being written: `.<name>.partial-<random>` in the same folder. */
  readonly partialPath: string;
  /** Where to write the content. Pipe into it (`pipeline(source, file.stream)`) or write and `end()` it. */
  readonly stream: WriteStream;
  /**
   * Ends the stream if needed, waits for it to finish, flushes the data to disk (`fsync`), closes the file,
   * renames it to its final name and flushes the folder, so that the rename survives a crash.
   * On any failure the partial file is removed and a {@link MongoBackupRuntimeError} (`DUMP_FAILED`) is thrown.
   */
  commit(): Promise<void>;
  /**
   * Closes and removes the partial file. Does nothing after a successful commit, so it can sit in a `finally`.
   * Never throws.
   */
  discard(): Promise<void>;
  /** Same as {@link AtomicFile.discard}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Opens `<dir>/.<name>.partial-<random>` for writing (mode `0o600`, `O_EXCL` and `O_NOFOLLOW`: a new file, never a
 * link, never a stale partial file of a killed run), creating `dir` with mode `0o700` when missing. The name is
 * unpredictable, so another local user cannot plant anything in its place. The name is confined to `dir` through
 * {@link resolveInside}.
 *
 * @throws {@link MongoBackupUsageError} (`PATH_OUTSIDE_ROOT`) when `name` would leave `dir`.
 * @throws {@link MongoBackupRuntimeError} (`DUMP_FAILED`) when the folder or the file cannot be created.
 *
 * @example
 * ```ts
 * import { pipeline } from 'node:stream/promises';
 * import { backupFileName, createAtomicFile } from 'mongo-backup-service';
 * const file = await createAtomicFile('./backups', backupFileName({ database: 'shop' }));
 * try {
 *   await pipeline(archiveStream, file.stream);
 *   await file.commit();
 * } finally {
 *   await file.discard(); // no-op once committed
 * }
 * ```
 */
export async function createAtomicFile(dir: string, name: string): Promise<AtomicFile> {
  const finalPath = await resolveInside(dir, name);
  const partialPath = path.join(path.dirname(finalPath), stagingName(path.basename(finalPath)));
  let handle: FileHandle;
  try {
    await mkdir(path.resolve(dir), { recursive: true, mode: DEFAULT_DIR_MODE });
    await mkdir(path.dirname(finalPath), { recursive: true, mode: DEFAULT_DIR_MODE });
    handle = await open(partialPath, EXCLUSIVE_FLAGS, DEFAULT_FILE_MODE);
  } catch (error) {
    throw failure(`Could not create ${partialPath}`, error);
  }
  try {
    await handle.chmod(DEFAULT_FILE_MODE);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(partialPath).catch(() => undefined);
    throw failure(`Could not set the mode of ${partialPath}`, error);
  }
  return new PartialFile(finalPath, partialPath, handle);
}

const EXCLUSIVE_FLAGS =
  fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

function failure(what: string, error: unknown): MongoBackupRuntimeError {
  const reason = error instanceof Error ? error.message : String(error);
  return new MongoBackupRuntimeError(ErrorCode.DUMP_FAILED, `${what}: ${reason}`, { cause: error });
}

class PartialFile implements AtomicFile {
  readonly path: string;
  readonly partialPath: string;
  readonly stream: WriteStream;
  readonly #handle: FileHandle;
  #state: 'open' | 'committing' | 'committed' | 'discarded' = 'open';
  #discarding: Promise<void> | undefined;

  constructor(finalPath: string, partialPath: string, handle: FileHandle) {
    this.path = finalPath;
    this.partialPath = partialPath;
    this.#handle = handle;
    // The handle stays open after the stream finishes (no autoClose, hence no 'close' event to wait for), so that
    // commit() can fsync it before closing it.
    this.stream = handle.createWriteStream({ autoClose: false, emitClose: false });
    // Errors surface through commit(); this listener only keeps an early error from crashing the process.
    this.stream.on('error', () => undefined);
  }

  async commit(): Promise<void> {
    if (this.#state !== 'open') {
      throw new MongoBackupRuntimeError(
        ErrorCode.DUMP_FAILED,
        `Cannot commit ${this.partialPath}: it is already ${this.#state}`,
      );
    }
    this.#state = 'committing';
    try {
      if (!this.stream.writableEnded) this.stream.end();
      // Not finished(): it also waits for 'close', which a stream over a kept-open FileHandle never emits.
      await writableFinished(this.stream);
      await this.#handle.sync();
      this.stream.destroy(); // releases the stream's hold on the handle, which close() would otherwise wait for
      await this.#handle.close();
      await rename(this.partialPath, this.path);
      await syncDirectory(path.dirname(this.path));
      this.#state = 'committed';
    } catch (error) {
      this.#state = 'open';
      await this.discard();
      throw failure(`Could not finish writing ${this.path}`, error);
    }
  }

  discard(): Promise<void> {
    if (this.#state === 'committed' || this.#state === 'committing') return Promise.resolve();
    this.#discarding ??= this.#remove();
    return this.#discarding;
  }

  async #remove(): Promise<void> {
    this.#state = 'discarded';
    this.stream.destroy();
    await this.#handle.close().catch(() => undefined);
    await unlink(this.partialPath).catch(() => undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.discard();
  }
}

/** Flushes a folder's entries to disk; ignored where folders cannot be opened or synced (Windows). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Resolves once every byte written to `stream` has been handed to the file (its `finish` event). */
function writableFinished(stream: WriteStream): Promise<void> {
  if (stream.writableFinished) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
}
