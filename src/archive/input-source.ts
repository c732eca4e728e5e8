/**
 * Turns what the user gives the reader (a Readable or any async iterable of bytes, gzipped or not) into decompressed
 * Buffers, pulled one at a time.
 *
 * @internal
 * @packageDocumentation
 */

import { Readable } from 'node:stream';
import { ArchiveError, ErrorCode, MongoBackupUsageError } from '../errors.js';
import { gunzipMembers } from './gzip/member-reader.js';
import { defaultGzipConcurrency } from './gzip/member-options.js';
import { gunzipStream } from './gzip/stream-gunzip.js';

/**
 * Bytes of an archive: a Node Readable (e.g. `fs.createReadStream`), any async or sync iterable of byte chunks, or
 * the whole archive as one buffer.
 */
export type ArchiveSource = Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

/**
 * Yields the decompressed bytes of `source`. `position()` tells how many decompressed bytes the caller has consumed,
 * to place gzip errors. With `parallelGunzip`, length-marked gzip members are inflated several at once.
 */
export async function* decompressedChunks(
  source: ArchiveSource,
  gzip: boolean | 'auto',
  position: () => number,
  parallelGunzip = true,
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
    const rest = exhausted ? undefined : buffers(iterator, position);
    yield* parallelGunzip
      ? gunzipMembers(head, rest, position, defaultGzipConcurrency())
      : gunzipStream(head, rest, position);
  } finally {
    // Stop the source. A Readable is destroyed directly: its iterator's return() would wait for a pending read.
    if (source instanceof Readable) source.destroy();
    else await iterator.return?.();
  }
}

/** The chunks of `iterator` as Buffers. */
async function* buffers(
  iterator: AsyncIterator<unknown>,
  position: () => number,
): AsyncGenerator<Buffer, void> {
  for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
    yield toBuffer(next.value, position());
  }
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
