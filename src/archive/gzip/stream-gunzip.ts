/**
 * The single-stream gunzip: compressed chunks through one zlib inflate stream (any gzip: one member, several, marked
 * or not), failing as mongorestore does on bytes after the last member.
 *
 * @internal
 * @packageDocumentation
 */

import { Readable, pipeline } from 'node:stream';
import type { TransformOptions } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';
import { ArchiveError, ErrorCode } from '../../errors.js';
import { DEFAULT_ZLIB_CHUNK_SIZE, ZLIB_BUFFER_SIZE } from '../constants.js';
import { TRUNCATION_HINT, badMagicHint, withHint } from '../hints.js';

/**
 * Yields the gunzip of `head` followed by what `rest` yields. `position()` tells how many decompressed bytes the
 * caller has consumed, to place errors. Errors of `rest` itself pass through unchanged.
 *
 * Bytes after the last gzip member that do not start another member are refused with `ARCHIVE_CORRUPT`: zlib (and
 * so Node) ignores trailing zero bytes, but Go's gzip reader in mongorestore reads them as the next member's header
 * and fails with "gzip: invalid header" (or "unexpected EOF"), so such an archive does not restore there.
 */
export async function* gunzipStream(
  head: readonly Buffer[],
  rest: AsyncIterator<Buffer> | undefined,
  position: () => number,
): AsyncGenerator<Buffer, void, undefined> {
  let sourceError: unknown;
  let sample: Buffer | undefined;
  let fed = 0;
  async function* compressed(): AsyncGenerator<Buffer, void, undefined> {
    for (const chunk of head) {
      sample ??= chunk.subarray(0, 64);
      fed += chunk.length;
      yield chunk;
    }
    if (rest === undefined) return;
    try {
      for (let next = await rest.next(); next.done !== true; next = await rest.next()) {
        sample ??= next.value.subarray(0, 64);
        fed += next.value.length;
        yield next.value;
      }
    } catch (error) {
      sourceError = error;
      throw error;
    }
  }
  const input = Readable.from(compressed(), { objectMode: false });
  const gunzipOptions: ZlibOptions & TransformOptions = {
    chunkSize: DEFAULT_ZLIB_CHUNK_SIZE,
    readableHighWaterMark: ZLIB_BUFFER_SIZE,
    writableHighWaterMark: ZLIB_BUFFER_SIZE,
  };
  const gunzip = createGunzip(gunzipOptions);
  pipeline(input, gunzip, () => undefined);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    if (error === sourceError || error instanceof ArchiveError) throw error;
    throw gzipError(error, position(), sample);
  } finally {
    gunzip.destroy();
    input.destroy();
  }
  if (gunzip.bytesWritten < fed) throw trailingBytesError(position());
}

/**
 * The error for bytes after the last gzip member that are not another member (zero padding, garbage): mongorestore
 * fails on them, so this library refuses them too.
 */
export function trailingBytesError(offset: number): ArchiveError {
  return new ArchiveError(
    ErrorCode.ARCHIVE_CORRUPT,
    'The gzip data is followed by bytes that are not a gzip member (zero padding?); mongorestore rejects such an ' +
      'archive ("gzip: invalid header"): remove the trailing bytes',
    { offset },
  );
}

/**
 * Describes a gunzip failure as an archive error; `sample` is the start of the compressed input, to recognise input
 * that is not gzip at all.
 */
export function gzipError(error: unknown, offset: number, sample: Buffer | undefined): ArchiveError {
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message;
  if (offset === 0 && sample !== undefined && !(sample[0] === 0x1f && sample[1] === 0x8b)) {
    return new ArchiveError(
      ErrorCode.ARCHIVE_BAD_MAGIC,
      withHint('gzip was requested but the input is not gzip data', badMagicHint(sample)),
      { offset, cause: error },
    );
  }
  if (code === 'Z_BUF_ERROR') {
    return new ArchiveError(
      ErrorCode.ARCHIVE_TRUNCATED,
      withHint(`The gzip stream ends early (${message})`, TRUNCATION_HINT),
      {
        offset,
        cause: error,
      },
    );
  }
  return new ArchiveError(
    ErrorCode.ARCHIVE_CORRUPT,
    `The gzip data is corrupt near decompressed byte ${offset}: ${message}`,
    {
      offset,
      cause: error,
    },
  );
}
