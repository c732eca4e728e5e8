/**
 * The writer's output: a byte Readable (gzipped on request) that whole segments are pushed into, with a drain
 * signal for backpressure.
 *
 * @internal
 * @packageDocumentation
 */

import { Readable, pipeline } from 'node:stream';
import { ArchiveError, ErrorCode } from '../errors.js';
import { ZLIB_BUFFER_SIZE } from './constants.js';
import { createGzipStage } from './gzip/compressor.js';
import type { ResolvedGzip } from './gzip/member-options.js';
import { SegmentPool } from './gzip/segment-pool.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Pushes buffers into the archive stream. Each {@link OutputChannel.push} is atomic, so blocks of different
 * namespaces never mix. When the stream's buffer is above its high-water mark, {@link OutputChannel.drained} gives a
 * promise that resolves once the consumer asks for more.
 */
export class OutputChannel {
  /** The stream handed to the user: the raw bytes, or their gzip. */
  readonly stream: Readable;
  /** Bytes pushed so far (before compression). */
  bytes = 0;
  private readonly raw: Readable;
  private blocked = false;
  private waiters: Waiter[] = [];
  private failure: unknown;
  private ended = false;
  /** Segments come back here once the parallel gzip stage has copied them; `undefined` when nothing recycles. */
  private readonly pool: SegmentPool | undefined;

  constructor(highWaterMark: number, gzip: ResolvedGzip | undefined) {
    this.raw = new Readable({
      highWaterMark,
      read: () => this.resume(),
      destroy: (error, callback) => {
        if (!this.ended || error !== null) {
          this.fail(
            error ??
              new ArchiveError(
                ErrorCode.OUTPUT_FAILED,
                'The archive stream was destroyed before the writer finished',
              ),
          );
        }
        callback(error);
      },
    });
    if (gzip === undefined) {
      this.stream = this.raw;
    } else {
      const pool = gzip.parallel ? new SegmentPool() : undefined;
      this.pool = pool;
      const compressor = createGzipStage(gzip, ZLIB_BUFFER_SIZE, pool && ((chunk) => pool.release(chunk)));
      pipeline(this.raw, compressor, (error) => {
        if (error) this.fail(error);
      });
      this.stream = compressor;
    }
    // Errors also reach the user through write(), end() and finish(); without a listener an abort() nobody reads
    // would crash the process.
    this.stream.on('error', () => undefined);
  }

  /**
   * A buffer for a segment of `size` bytes, recycled when the output is parallel gzip (whose stage hands each pushed
   * buffer back once copied); a new one otherwise (the bytes are then the reader's or zlib's to keep).
   */
  allocate(size: number): Buffer {
    return this.pool?.allocate(size) ?? Buffer.allocUnsafe(size);
  }

  /** Appends bytes to the archive. Throws when the stream has failed. */
  push(bytes: Buffer): void {
    if (this.failure !== undefined) throw this.failureError();
    this.bytes += bytes.length;
    if (!this.raw.push(bytes)) this.blocked = true;
  }

  /**
   * `undefined` when the stream wants more data now, else a promise that resolves once it does (and rejects if the
   * stream fails first).
   */
  drained(): Promise<void> | undefined {
    if (this.failure !== undefined) return Promise.reject(this.failureError());
    if (!this.blocked) return undefined;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Ends the stream after everything pushed so far. */
  end(): void {
    if (this.failure !== undefined) throw this.failureError();
    this.ended = true;
    this.raw.push(null);
  }

  /** Destroys the stream with `error`; pending and later operations reject. */
  destroy(error: unknown): void {
    this.fail(error);
    this.raw.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  /** The error operations reject with once the stream has failed, or `undefined`. */
  get error(): ArchiveError | undefined {
    return this.failure === undefined ? undefined : this.failureError();
  }

  private failureError(): ArchiveError {
    const cause = this.failure;
    return cause instanceof ArchiveError
      ? cause
      : // Not a misuse of the writer: the stream under it failed (a full disk, a closed pipe).
        new ArchiveError(
          ErrorCode.OUTPUT_FAILED,
          `The archive output failed: ${(cause as Error)?.message ?? String(cause)}`,
          {
            cause,
          },
        );
  }

  private resume(): void {
    this.blocked = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(this.failureError());
  }
}
