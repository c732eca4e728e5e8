import { once } from 'node:events';
import { constants as fsConstants, createWriteStream, openSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { ErrorCode, MongoBackupRuntimeError } from '../../errors.js';
import { ZLIB_BUFFER_SIZE } from '../constants.js';
import { createGzipStage } from '../gzip/compressor.js';
import type { ResolvedGzip } from '../gzip/member-options.js';

/** Permissions of every file this library writes into a dump: readable and writable by the owner only. */
export const DUMP_FILE_MODE = 0o600;

/** Permissions of every folder this library creates for a dump. */
export const DUMP_FOLDER_MODE = 0o700;

/**
 * How dump files are opened: created new (`O_EXCL`: fails if anything, a stale file or a planted link, holds the
 * name) and never through a link (`O_NOFOLLOW`, where the platform has it).
 */
export const EXCLUSIVE_WRITE_FLAGS =
  fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

/**
 * A file being written, optionally through gzip, that respects backpressure: {@link FileSink.write} resolves once
 * the data may be handed over, waiting for `drain` when the stream's buffer is full.
 *
 * @internal
 */
export class FileSink {
  /** Bytes handed to {@link FileSink.write}, before compression. */
  bytes = 0;
  private readonly input: Writable;
  private readonly done: Promise<void>;
  private failure: unknown;

  /**
   * Creates the file, which must not exist yet, with mode {@link DUMP_FILE_MODE} ({@link EXCLUSIVE_WRITE_FLAGS}).
   *
   * @param gzip - how to compress; `undefined` writes the bytes as they are.
   */
  constructor(
    readonly path: string,
    gzip: ResolvedGzip | undefined,
  ) {
    let fd: number;
    try {
      fd = openSync(path, EXCLUSIVE_WRITE_FLAGS, DUMP_FILE_MODE);
    } catch (error) {
      throw this.writeError(error);
    }
    const file = createWriteStream(path, { fd });
    const closed = once(file, 'close').then(() => undefined);
    if (gzip === undefined) {
      this.input = file;
      this.done = closed;
    } else {
      const compressor = createGzipStage(gzip, ZLIB_BUFFER_SIZE);
      this.input = compressor;
      this.done = Promise.all([pipeline(compressor, file), closed]).then(() => undefined);
    }
    this.done.catch((error: unknown) => {
      this.failure = error;
    });
  }

  /**
   * Hands `data` to the file, waiting while the stream's buffer is full.
   *
   * @throws {@link MongoBackupRuntimeError} `DUMP_FAILED` when the file cannot be written.
   */
  async write(data: Uint8Array): Promise<void> {
    this.throwIfFailed();
    this.bytes += data.length;
    if (this.input.write(data)) return;
    const stop = new AbortController();
    try {
      await Promise.race([once(this.input, 'drain', { signal: stop.signal }), this.done]);
    } catch (error) {
      throw this.writeError(this.failure ?? error);
    } finally {
      stop.abort();
    }
  }

  /**
   * Flushes and closes the file.
   *
   * @throws {@link MongoBackupRuntimeError} `DUMP_FAILED` when the file cannot be written.
   */
  async end(): Promise<void> {
    this.throwIfFailed();
    this.input.end();
    try {
      await this.done;
    } catch (error) {
      throw this.writeError(error);
    }
  }

  /** Stops writing and closes the file, leaving what was written so far. */
  destroy(): void {
    this.input.destroy();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.writeError(this.failure);
  }

  private writeError(cause: unknown): MongoBackupRuntimeError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new MongoBackupRuntimeError(ErrorCode.DUMP_FAILED, `Cannot write ${this.path}: ${reason}`, {
      cause,
    });
  }
}
