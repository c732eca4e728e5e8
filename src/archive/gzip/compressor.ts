/**
 * The one place that builds a gzip stage for output: parallel length-marked members, or a single zlib stream.
 *
 * @internal
 * @packageDocumentation
 */

import type { Transform, TransformOptions } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';
import { DEFAULT_ZLIB_CHUNK_SIZE } from '../constants.js';
import { createMemberGzip } from './member-writer.js';
import type { ResolvedGzip } from './member-options.js';

/**
 * A Transform that gzips its input as `gzip` says, with buffers of `highWaterMark` bytes on each side. With parallel
 * members, `consumed` is called with each input chunk once copied (zlib's single stream gives no such signal).
 */
export function createGzipStage(
  gzip: ResolvedGzip,
  highWaterMark: number,
  consumed?: (chunk: Buffer) => void,
): Transform {
  if (gzip.parallel) {
    return createMemberGzip({
      level: gzip.level,
      memberSize: gzip.memberSize,
      concurrency: gzip.concurrency,
      highWaterMark,
      consumed,
    });
  }
  const options: ZlibOptions & TransformOptions = {
    level: gzip.level,
    chunkSize: DEFAULT_ZLIB_CHUNK_SIZE,
    readableHighWaterMark: highWaterMark,
    writableHighWaterMark: highWaterMark,
  };
  return createGzip(options);
}
