/**
 * The gzip member framing of this library's parallel gzip: every member of the stream carries its own total length
 * in a gzip extra field (RFC 1952 `FEXTRA`), as BGZF does, so that a reader can find the next member without
 * inflating this one.
 *
 * A marked member's header is 20 bytes:
 *
 * | bytes | value |
 * | --- | --- |
 * | `1f 8b 08` | gzip magic, deflate |
 * | `04` | FLG: `FEXTRA` only |
 * | `00 00 00 00` | MTIME: none |
 * | `00` `03` | XFL, OS (Unix), as zlib writes them |
 * | `08 00` | XLEN: 8 bytes of extra field |
 * | `4d 42` | subfield id `'M' 'B'` (mongo-backup) |
 * | `04 00` | subfield length: 4 |
 * | 4 bytes | the member's total length in bytes (header, deflate data and trailer), little-endian |
 *
 * followed by the raw deflate data and the usual trailer (CRC-32 and length of the member's input). Readers that do
 * not know the subfield skip it, as RFC 1952 requires: `gunzip`, zlib, Go's `compress/gzip` (mongorestore), Python.
 *
 * @internal
 * @packageDocumentation
 */

/** First subfield id byte: `'M'`. */
export const MEMBER_SUBFIELD_ID1 = 0x4d;
/** Second subfield id byte: `'B'`. */
export const MEMBER_SUBFIELD_ID2 = 0x42;
/** Size of a marked member's header. */
export const MEMBER_HEADER_SIZE = 20;
/** Size of every member's trailer (CRC-32, ISIZE). */
export const MEMBER_TRAILER_SIZE = 8;
/**
 * The largest member length a reader trusts (17 MiB: a member of the writer's largest input, 16 MiB, stays under it
 * even stored uncompressed): a larger value is treated as not marked, so that a damaged length never makes the
 * reader buffer more than this.
 */
export const MAX_MEMBER_LENGTH = 17 * 1024 * 1024;

/** The most bytes one marked member may inflate to (the writer's largest input); more falls back to streaming. */
export const MAX_MEMBER_OUTPUT = 16 * 1024 * 1024;

const FLAG_FEXTRA = 0x04;
/** The 10-byte header zlib's `gzip` writes: no flags, no time, OS Unix. */
const PLAIN_HEADER_SIZE = 10;

/**
 * Turns one gzip member as zlib writes it (10-byte header without flags), given as one or more views, into a marked
 * member: a new {@link MEMBER_HEADER_SIZE}-byte header with the length subfield, followed by views of zlib's deflate
 * data and trailer (nothing is copied).
 */
export function markMember(member: readonly Buffer[]): Buffer[] {
  let length = 0;
  for (const part of member) length += part.length;
  const first = member[0];
  const head =
    first !== undefined && first.length >= PLAIN_HEADER_SIZE
      ? first
      : Buffer.concat(member as readonly Uint8Array[], length);
  if (length < PLAIN_HEADER_SIZE + MEMBER_TRAILER_SIZE || head[3] !== 0) {
    throw new Error('zlib produced a gzip member with an unexpected header');
  }
  const header = Buffer.allocUnsafe(MEMBER_HEADER_SIZE);
  header[0] = 0x1f;
  header[1] = 0x8b;
  header[2] = 0x08;
  header[3] = FLAG_FEXTRA;
  header.writeUInt32LE(0, 4);
  header[8] = head[8] as number;
  header[9] = head[9] as number;
  header.writeUInt16LE(8, 10);
  header[12] = MEMBER_SUBFIELD_ID1;
  header[13] = MEMBER_SUBFIELD_ID2;
  header.writeUInt16LE(4, 14);
  header.writeUInt32LE(length - PLAIN_HEADER_SIZE + MEMBER_HEADER_SIZE, 16);
  const marked: Buffer[] = [header];
  let skip = PLAIN_HEADER_SIZE;
  for (const part of member) {
    if (skip >= part.length) {
      skip -= part.length;
      continue;
    }
    marked.push(skip === 0 ? part : part.subarray(skip));
    skip = 0;
  }
  return marked;
}

/**
 * The total length a marked member's header announces, given at least {@link MEMBER_HEADER_SIZE} bytes from its
 * start; `undefined` when the bytes are not a marked member's header (another gzip header, damaged data, trailing
 * bytes...), which the reader then leaves to a plain gunzip.
 */
export function markedMemberLength(head: Buffer): number | undefined {
  if (head.length < MEMBER_HEADER_SIZE) return undefined;
  if (head[0] !== 0x1f || head[1] !== 0x8b || head[2] !== 0x08 || head[3] !== FLAG_FEXTRA) return undefined;
  if (head.readUInt16LE(10) !== 8 || head[12] !== MEMBER_SUBFIELD_ID1 || head[13] !== MEMBER_SUBFIELD_ID2) {
    return undefined;
  }
  if (head.readUInt16LE(14) !== 4) return undefined;
  const length = head.readUInt32LE(16);
  if (length < MEMBER_HEADER_SIZE + MEMBER_TRAILER_SIZE + 2 || length > MAX_MEMBER_LENGTH) return undefined;
  return length;
}
