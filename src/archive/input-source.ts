/**
 * Turns what the user gives the reader (a Readable or any async iterable of bytes, gzipped or not) into decompressed
 * Buffers, pulled one at a time.
 *
 * @internal
 * @packageDocumentation
 */

import { Readable, pipeline } from 'node:stream';
import type { TransformOptions } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';
import { ArchiveError, ErrorCode, MongoBackupUsageError } from '../errors.js';
import { DEFAULT_ZLIB_CHUNK_SIZE, ZLIB_BUFFER_SIZE } from './constants.js';
import { TRUNCATION_HINT, badMagicHint, withHint } from './hints.js';

/**
 * Bytes of an archive: a Node Readable (e.g. `fs.createReadStream`), any async or sync iterable of byte chunks, or
 * the whole archive as one buffer.
 */
export type ArchiveSource = Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

/**
 * Yields the decompressed bytes of `source`. `position()` tells how many decompressed bytes the caller has consumed,
 * to place gzip errors.
 */
export async function* decompressedChunks(
  source: ArchiveSource,
  gzip: boolean | 'auto',
  position: () => number,
): AsyncGenerator<Buffer, void, undefined> {
  const iterator = iterate(source);
  const head: Buffer[] = [];
  let exhausted = false;
  try {
    if (gzip === 'auto') {
      let headBytes = 0;
      while (headBytes < 2) {
        const next = await iterator.next();
        if (next.done === true) {
          exhausted = true;
          break;
        }
        const chunk = toBuffer(next.value, 0);
        head.push(chunk);
        headBytes += chunk.length;
      }
    }
    const first = Buffer.concat(head.slice(0, 2));
    if (gzip === false || (gzip === 'auto' && !(first[0] === 0x1f && first[1] === 0x8b))) {
      yield* head;
      if (!exhausted) {
        for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
          yield toBuffer(next.value, position());
      }
      return;
    }
    yield* gunzipped(head, exhausted ? undefined : iterator, position);
  } finally {
    // Stop the source. A Readable is destroyed directly: its iterator's return() would wait for a pending read.
    if (source instanceof Readable) source.destroy();
    else await iterator.return?.();
  }
}

async function* gunzipped(
  head: readonly Buffer[],
  rest: AsyncIterator<unknown> | undefined,
  position: () => number,
): AsyncGenerator<Buffer, void, undefined> {
  let sourceError: unknown;
  let sample: Buffer | undefined;
  async function* compressed(): AsyncGenerator<Buffer, void, undefined> {
    for (const chunk of head) {
      sample ??= chunk.subarray(0, 64);
      yield chunk;
    }
    if (rest === undefined) return;
    try {
      for (let next = await rest.next(); next.done !== true; next = await rest.next()) {
        const chunk = toBuffer(next.value, position());
        sample ??= chunk.subarray(0, 64);
        yield chunk;
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
}

/** Describes a gunzip failure as an archive error. */
function gzipError(error: unknown, offset: number, sample: Buffer | undefined): ArchiveError {
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

function toBuffer(chunk: unknown, offset: number): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new ArchiveError(
    ErrorCode.ARCHIVE_CORRUPT,
    `The source yielded ${typeof chunk === 'string' ? 'text' : typeof chunk} instead of bytes: read the archive as binary, without an encoding`,
    { offset },
  );
}

function iterate(source: ArchiveSource): AsyncIterator<unknown> {
  if (typeof (source as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function') {
    return (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  }
  const chunks: Iterable<unknown> | undefined =
    source instanceof Uint8Array
      ? [source]
      : typeof (source as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function'
        ? (source as Iterable<unknown>)
        : undefined;
  if (chunks === undefined) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `An archive source must be a Readable, an iterable of Uint8Array chunks or a Uint8Array, got ${typeof source}`,
    );
  }
  return (async function* () {
    yield* chunks;
  })();
}
