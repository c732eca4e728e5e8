/**
 * Reading the files of a directory dump, gzip-compressed or not, with errors that name the file.
 *
 * @packageDocumentation
 */

import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ArchiveError, ErrorCode } from '../../errors.js';
import { defaultGzipConcurrency } from '../gzip/member-options.js';
import { gunzipMembers } from '../gzip/member-reader.js';

/**
 * How a file is compressed: known from its `.gz` suffix, or (`detect`) from its first bytes, for `oplog.bson`,
 * which mongodump `--gzip` compresses without renaming.
 */
export type FileCompression = 'gzip' | 'none' | 'detect';

/** A file of a directory dump and how to decompress it. */
export interface DumpFile {
  /** Absolute or relative path of the file. */
  readonly path: string;
  /** How the file is compressed. */
  readonly compression: FileCompression;
}

/** The first bytes of every gzip member: ID1, ID2 and the deflate method. */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

/** Chunk size used to read files from disk. */
const READ_CHUNK_SIZE = 64 * 1024;

const gunzipAsync = promisify(gunzip);

/** Files of a backup are opened read-only and never through a symbolic link (`O_NOFOLLOW`). */
const READ_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW;

/** Opens a file of a backup for reading, refusing a link. */
function openNoFollow(file: string): ReturnType<typeof open> {
  return open(file, READ_FLAGS);
}

/**
 * Streams the decompressed content of a dump file, one chunk at a time; at most a few chunks are held in memory.
 *
 * @throws {@link ArchiveError} `DIRECTORY_DUMP_INVALID` when the file cannot be read, `ARCHIVE_CORRUPT` when it is
 *   not valid gzip, `ARCHIVE_TRUNCATED` when the gzip stream ends early.
 * @internal
 */
export async function* readFileChunks(file: DumpFile): AsyncGenerator<Buffer, void, undefined> {
  const gzip = await isGzip(file);
  let handle;
  try {
    handle = await openNoFollow(file.path);
  } catch (error) {
    throw fileError(file.path, error);
  }
  const source = handle.createReadStream({ highWaterMark: READ_CHUNK_SIZE });
  let position = 0;
  // Parallel gzip members are inflated several at once; bytes after the last member are refused, as mongorestore does.
  const chunks = gzip
    ? gunzipMembers(
        [],
        source[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
        () => position,
        defaultGzipConcurrency(),
      )
    : (source as AsyncIterable<Buffer>);
  try {
    for await (const chunk of chunks) {
      position += chunk.length;
      yield chunk;
    }
  } catch (error) {
    throw fileError(file.path, gzip ? gunzipFailure(file.path, error) : error);
  } finally {
    source.destroy();
  }
}

/** A gzip error of the member reader, told with the file's name: by its zlib cause when it has one. */
function gunzipFailure(path: string, error: unknown): unknown {
  if (!(error instanceof ArchiveError)) return error;
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) return cause;
  return new ArchiveError(error.code, `${path}: ${error.message}`, { cause: error });
}

/**
 * Reads a small dump file (metadata, prelude) whole, decompressed.
 *
 * @throws {@link ArchiveError} as {@link readFileChunks} does.
 * @internal
 */
export async function readWholeFile(file: DumpFile): Promise<Buffer> {
  try {
    const handle = await openNoFollow(file.path);
    let content: Buffer;
    try {
      content = await handle.readFile();
    } finally {
      await handle.close();
    }
    const gzip = file.compression === 'detect' ? hasGzipMagic(content) : file.compression === 'gzip';
    return gzip ? await gunzipAsync(content) : content;
  } catch (error) {
    throw fileError(file.path, error);
  }
}

async function isGzip(file: DumpFile): Promise<boolean> {
  if (file.compression !== 'detect') return file.compression === 'gzip';
  try {
    const handle = await openNoFollow(file.path);
    try {
      const head = Buffer.alloc(GZIP_MAGIC.length);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return hasGzipMagic(head.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileError(file.path, error);
  }
}

function hasGzipMagic(head: Buffer): boolean {
  return head.length >= GZIP_MAGIC.length && head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC);
}

/**
 * Turns a failure while reading a dump file into an {@link ArchiveError} naming the file.
 *
 * @internal
 */
export function fileError(path: string, error: unknown): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'Z_BUF_ERROR') {
    return new ArchiveError(
      ErrorCode.ARCHIVE_TRUNCATED,
      `${path} is truncated: its gzip stream ends early (${message})`,
      {
        cause: error,
      },
    );
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new ArchiveError(
      ErrorCode.ARCHIVE_CORRUPT,
      `${path} is not valid gzip (${message}); was a plain file given a .gz name, or is it damaged?`,
      { cause: error },
    );
  }
  return new ArchiveError(ErrorCode.DIRECTORY_DUMP_INVALID, `Cannot read ${path}: ${message}`, {
    cause: error,
  });
}
