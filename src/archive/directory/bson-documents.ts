/**
 * Cutting a stream of bytes (a `.bson` file) into BSON documents, checking each one's framing.
 *
 * @packageDocumentation
 */

import { ArchiveError, ErrorCode } from '../../errors.js';
import { MAX_BSON_SIZE, MIN_BSON_SIZE } from '../constants.js';

/** Where the bytes come from, for error messages. */
export interface BsonSourceContext {
  /** The file being read. */
  readonly file: string;
  /** The namespace the documents belong to. */
  readonly namespace: string;
}

/**
 * Yields the documents of a stream of `.bson` bytes, in order, as arrays (the documents completed by one input
 * chunk). Each document is a fresh buffer the consumer owns. Memory stays bounded: only the incomplete document at
 * the end of the input read so far is held, at most 16 MiB.
 *
 * Each document's int32 length must lie in 5..16,777,216 and its last byte must be 0x00.
 *
 * @throws {@link ArchiveError} `ARCHIVE_CORRUPT` for a bad length or a missing trailing 0x00, `ARCHIVE_TRUNCATED`
 *   when the input ends inside a document; both carry the byte offset in the (decompressed) file.
 * @internal
 */
export async function* readBsonDocuments(
  chunks: AsyncIterable<Buffer>,
  context: BsonSourceContext,
): AsyncGenerator<Buffer[], void, undefined> {
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let offset = 0;
  /** Length of the document at the head of `pending`, once its prefix has been read. */
  let needed = 0;

  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    pending.push(chunk);
    pendingBytes += chunk.length;
    const documents: Buffer[] = [];
    for (;;) {
      if (needed === 0) {
        if (pendingBytes < 4) break;
        needed = readLength(pending);
        if (needed < MIN_BSON_SIZE || needed > MAX_BSON_SIZE) {
          throw corrupt(
            context,
            offset,
            `expected a BSON document length between ${MIN_BSON_SIZE} and ${MAX_BSON_SIZE}, found ${needed}`,
          );
        }
      }
      if (pendingBytes < needed) break;
      const document = take(pending, needed);
      pendingBytes -= needed;
      if (document[needed - 1] !== 0) {
        throw corrupt(
          context,
          offset,
          `expected the ${needed}-byte document to end with 0x00, found 0x${hex(document[needed - 1])}`,
        );
      }
      documents.push(document);
      offset += needed;
      needed = 0;
    }
    if (documents.length > 0) yield documents;
  }

  if (pendingBytes > 0) {
    const what =
      needed === 0
        ? `${pendingBytes} stray byte(s) where a 4-byte document length was expected`
        : `${pendingBytes} of the ${needed} bytes of its last document`;
    throw new ArchiveError(
      ErrorCode.ARCHIVE_TRUNCATED,
      `${context.file} (${context.namespace}) is truncated at byte ${offset + pendingBytes}: it holds only ${what}`,
      { offset, namespace: context.namespace },
    );
  }
}

/** Reads the little-endian int32 at the head of the pending chunks (which hold at least 4 bytes). */
function readLength(pending: Buffer[]): number {
  const first = pending[0];
  if (first !== undefined && first.length >= 4) return first.readInt32LE(0);
  const head = Buffer.concat(pending, 4);
  return head.readInt32LE(0);
}

/** Removes the first `length` bytes from the pending chunks and returns them as a new buffer. */
function take(pending: Buffer[], length: number): Buffer {
  const document = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const chunk = pending[0];
    if (chunk === undefined) break;
    const used = Math.min(chunk.length, length - filled);
    chunk.copy(document, filled, 0, used);
    filled += used;
    if (used === chunk.length) pending.shift();
    else pending[0] = chunk.subarray(used);
  }
  return document;
}

function corrupt(context: BsonSourceContext, offset: number, expected: string): ArchiveError {
  return new ArchiveError(
    ErrorCode.ARCHIVE_CORRUPT,
    `${context.file} (${context.namespace}) is corrupt at byte ${offset}: ${expected}`,
    { offset, namespace: context.namespace },
  );
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}
