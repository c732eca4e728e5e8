/**
 * How the parallel gzip writer cuts and compresses its members, and the defaults.
 *
 * @packageDocumentation
 */

import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Bytes of input per gzip member unless told otherwise: 1 MiB. */
export const DEFAULT_GZIP_MEMBER_SIZE = 1024 * 1024;

/** The largest `memberSize` accepted: 16 MiB, so that a member always stays under the reader's trusted length. */
export const MAX_GZIP_MEMBER_SIZE = 16 * 1024 * 1024;

/**
 * How gzip output is compressed: as independent gzip members compressed in parallel (the default), or as one
 * single deflate stream as `mongodump --gzip` writes it. Both are one valid gzip file for every reader.
 */
export interface GzipParallelOptions {
  /**
   * `true` (default): cut the input into members of {@link GzipParallelOptions.memberSize} bytes, compress several at
   * once on libuv's thread pool, each member marked with its length (see docs/archive-format.md, "Parallel gzip
   * members"), so that this library's reader can inflate several at once too. `false`: one deflate stream, as
   * mongodump writes.
   */
  readonly parallel?: boolean | undefined;
  /** Bytes of input per member. Defaults to {@link DEFAULT_GZIP_MEMBER_SIZE} (1 MiB); at most 16 MiB. Below about 64 KiB
   * the members cost compression. */
  readonly memberSize?: number | undefined;
  /**
   * How many members may be in flight (being compressed or waiting to be written); this bounds the memory used.
   * Defaults to {@link defaultGzipConcurrency}.
   */
  readonly concurrency?: number | undefined;
}

/**
 * The default number of members in flight: the cores libuv's thread pool can use (the smaller of
 * `UV_THREADPOOL_SIZE`, default 4, and the machine's available parallelism), plus two, so that every pool thread
 * has a member queued while the main thread fills one and another waits to be written (on two quiet cores, four in
 * flight gave 1.86-1.94x plain zlib against 1.68-1.82x with three; see docs/benchmarks.md).
 */
export function defaultGzipConcurrency(): number {
  const pool = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  const threads = Number.isInteger(pool) && pool > 0 ? pool : 4;
  return Math.min(threads, availableParallelism()) + 2;
}

/** Gzip settings with every default applied. */
export interface ResolvedGzip {
  /** zlib level, -1 to 9. */
  readonly level: number;
  /** As {@link GzipParallelOptions.parallel}, defaulted. */
  readonly parallel: boolean;
  /** As {@link GzipParallelOptions.memberSize}, defaulted. */
  readonly memberSize: number;
  /** As {@link GzipParallelOptions.concurrency}, defaulted. */
  readonly concurrency: number;
}

/** The zod shape of {@link GzipParallelOptions}, to extend an options schema with. */
export const gzipParallelShape = {
  parallel: z.boolean().optional(),
  memberSize: z.number().int().min(1).max(MAX_GZIP_MEMBER_SIZE).optional(),
  concurrency: z.number().int().min(1).max(256).optional(),
};

/** Applies the defaults to validated {@link GzipParallelOptions}. */
export function resolveGzip(level: number, options: GzipParallelOptions = {}): ResolvedGzip {
  return {
    level,
    parallel: options.parallel ?? true,
    memberSize: options.memberSize ?? DEFAULT_GZIP_MEMBER_SIZE,
    concurrency: options.concurrency ?? defaultGzipConcurrency(),
  };
}
