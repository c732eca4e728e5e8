/**
 * Fixed numbers of the mongodump archive format, and the defaults of this codec.
 *
 * @packageDocumentation
 */

/**
 * The magic number every archive starts with, stored little-endian (bytes `6d e2 99 81`).
 *
 * @example
 * ```ts
 * import { ARCHIVE_MAGIC } from 'mongo-backup-service/archive';
 * const looksLikeArchive = (head: Buffer) => head.readUInt32LE(0) === ARCHIVE_MAGIC;
 * ```
 */
export const ARCHIVE_MAGIC = 0x8199e26d;

/** The 4-byte value that ends the prelude and every block (bytes `ff ff ff ff`). */
export const ARCHIVE_TERMINATOR = 0xffffffff;

/** The format version written in the header's `version` field. Readers never check it. */
export const ARCHIVE_FORMAT_VERSION = '0.1';

/** The largest document (or header) a length prefix may announce: 16 MiB, the server's BSON limit. */
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

/** The smallest BSON document: an int32 length and the trailing 0x00 of an empty document. */
export const MIN_BSON_SIZE = 5;

/** The version string this library writes as `tool_version` unless told otherwise. */
export const DEFAULT_TOOL_VERSION = 'mongo-backup-service 0.1.0';

/** How many namespaces the header says may be interleaved (`concurrent_collections`), as mongodump's default `-j`. */
export const DEFAULT_CONCURRENT_COLLECTIONS = 4;

/**
 * How many bytes of documents the writer gathers per namespace before writing a data segment.
 *
 * mongodump flushes a namespace every 16 MiB. Every open namespace holds one segment buffer, so with four or more
 * namespaces dumped in parallel 16 MiB segments would cost 64 MiB or more of buffers; 1 MiB keeps the writer's memory
 * small while keeping the per-segment header (about 60 bytes) negligible. Any size is valid for mongorestore: a
 * namespace may have any number of segments.
 */
export const DEFAULT_SEGMENT_SIZE = 1024 * 1024;

/**
 * Size of the chunks the gzip and gunzip streams of this codec produce. Larger than zlib's 16 KiB default so that
 * per-chunk overhead stays small next to the compression work.
 */
export const DEFAULT_ZLIB_CHUNK_SIZE = 64 * 1024;

/**
 * How many bytes the codec's gzip and gunzip streams may hold on each side (input waiting, output not yet taken).
 * zlib works on the libuv thread pool: with room on both sides it keeps (de)compressing while the main thread frames,
 * parses and checksums, instead of waiting for each 16 KiB (Node's default) to be taken.
 */
export const ZLIB_BUFFER_SIZE = 1024 * 1024;

/**
 * The reader hands out documents in batches of at most this many bytes (a single larger document still makes its
 * own batch), so that an event never holds an unbounded amount of data.
 */
export const DEFAULT_BATCH_BYTES = 1024 * 1024;
