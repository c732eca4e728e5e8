/**
 * Extracting a `.tar.gz` of a directory dump, refusing anything that would land outside the destination.
 *
 * @packageDocumentation
 */

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { AbortError, ArchiveError, ErrorCode, MongoBackupRuntimeError } from '../../errors.js';
import { parseOptions } from '../../util/parse-options.js';
import { DEFAULT_ZLIB_CHUNK_SIZE } from '../constants.js';
import { fileError } from './dump-file.js';
import { DUMP_FILE_MODE, DUMP_FOLDER_MODE } from './file-sink.js';
import type { PackSummary } from './tar-pack.js';

/** Options of {@link extractTarGz}. */
export interface ExtractTarGzOptions {
  /** Stops extracting with an {@link AbortError}. Defaults to none. */
  readonly signal?: AbortSignal;
  /**
   * The most bytes of file content extracted (the sum of the entries' sizes, counted before each file is written),
   * so that a small tarball cannot fill the disk (a "tarball bomb"). Defaults to the space available to this user
   * on `destDir`'s file system, less {@link EXTRACT_FREE_SPACE_MARGIN}.
   */
  readonly maxBytes?: number;
}

/** Space left free on the destination's file system when {@link ExtractTarGzOptions.maxBytes} is not given. */
export const EXTRACT_FREE_SPACE_MARGIN = 256 * 1024 * 1024;

const optionsSchema = z.strictObject({
  signal: z.instanceof(AbortSignal).optional(),
  maxBytes: z.number().int().nonnegative().optional(),
});

/**
 * Extracts a gzip-compressed tar (such as {@link packDirectoryToTarGz} writes) into `destDir`, streaming each file.
 *
 * Only plain files and folders are accepted. An entry with an absolute path, a drive letter, a `..` segment, or of
 * any other type (symbolic link, hard link, device, fifo) is refused with an error, so nothing is ever written
 * outside `destDir`. Files are created with mode 0o600 and never overwrite an existing file; folders get 0o700.
 * What is extracted is counted and capped ({@link ExtractTarGzOptions.maxBytes}); running out of space is a
 * runtime error about the destination (`STORAGE_FAILED`), never a verdict on the tarball.
 * On error, `destDir` may hold part of the content: extract into a fresh folder and discard it on failure.
 *
 * @example
 * ```ts
 * import { extractTarGz, readDirectoryDump } from 'mongo-backup-service/archive';
 * await extractTarGz('dump.tar.gz', '/tmp/restore-1');
 * for await (const event of readDirectoryDump('/tmp/restore-1')) handle(event);
 * ```
 * @throws {@link MongoBackupConfigError} at once for malformed options; {@link ArchiveError} `PATH_OUTSIDE_ROOT`
 *   for an entry escaping `destDir`, `DIRECTORY_DUMP_INVALID` for a link or special entry or a file that already
 *   exists, `ARCHIVE_CORRUPT` / `ARCHIVE_TRUNCATED` for a damaged or cut gzip or tar stream;
 *   {@link MongoBackupRuntimeError} `STORAGE_FAILED` when the content exceeds `maxBytes` or the destination is full
 *   or not writable; {@link AbortError}.
 */
export async function extractTarGz(
  source: string | Readable,
  destDir: string,
  options: ExtractTarGzOptions = {},
): Promise<PackSummary> {
  const parsed = parseOptions(optionsSchema, options, 'tar.gz extract options');
  const label = typeof source === 'string' ? source : 'the tar.gz stream';
  const root = path.resolve(destDir);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(new AbortError('Extracting the tar.gz was aborted'));
  parsed.signal?.addEventListener('abort', onAbort, { once: true });
  if (parsed.signal?.aborted === true) onAbort();

  let files = 0;
  let bytes = 0;
  let failure: unknown;
  try {
    await mkdir(root, { recursive: true, mode: DUMP_FOLDER_MODE });
    const maxBytes = parsed.maxBytes ?? (await availableBytes(root));
    const input = typeof source === 'string' ? createReadStream(source) : source;
    // Loaded on first use: most restores never read a tar.
    const { default: tar } = await import('tar-stream');
    const extract = tar.extract();
    // Listen before any byte flows: the extractor only queues entries (and errors) for an iterator that exists.
    const iterator = extract[Symbol.asyncIterator]();
    const reading = pipeline(input, createGunzip({ chunkSize: DEFAULT_ZLIB_CHUNK_SIZE }), extract, {
      signal: stop.signal,
    });
    // A failing input also stops the file being written, which would otherwise wait for the rest of its entry.
    reading.catch((error: unknown) => {
      failure ??= error;
      stop.abort(error);
    });
    for await (const entry of { [Symbol.asyncIterator]: () => iterator }) {
      stop.signal.throwIfAborted();
      const { header } = entry;
      const target = entryTarget(root, header.name, label);
      if (header.type === 'directory') {
        entry.resume();
        if (target !== root) await mkdir(target, { recursive: true, mode: DUMP_FOLDER_MODE });
      } else if (header.type === 'file' || header.type === 'contiguous-file') {
        if (target === root) throw outside(label, header.name);
        if (bytes + (header.size ?? 0) > maxBytes) {
          throw new MongoBackupRuntimeError(
            ErrorCode.STORAGE_FAILED,
            `${label}: extracting it would write more than ${maxBytes} bytes into ${root} (entry ` +
              `${JSON.stringify(header.name)} of ${header.size ?? 0} bytes after ${bytes}); refused before writing ` +
              'it, so that it cannot fill the disk. Free space (or give a larger maxBytes) if the tarball is trusted',
          );
        }
        await mkdir(path.dirname(target), { recursive: true, mode: DUMP_FOLDER_MODE });
        await pipeline(entry, createWriteStream(target, { flags: 'wx', mode: DUMP_FILE_MODE }), {
          signal: stop.signal,
        });
        files += 1;
        bytes += header.size ?? 0;
      } else {
        throw new ArchiveError(
          ErrorCode.DIRECTORY_DUMP_INVALID,
          `${label}: entry ${JSON.stringify(header.name)} is a ${header.type ?? 'untyped'} entry; ` +
            'expected only files and folders (links and special files are refused)',
        );
      }
    }
    await reading;
  } catch (error) {
    stop.abort(error);
    throw extractError(label, failure ?? error);
  } finally {
    parsed.signal?.removeEventListener('abort', onAbort);
  }
  return { files, bytes };
}

/** The absolute path an entry name designates inside `root`, or an error when it would leave `root`. */
function entryTarget(root: string, name: string, label: string): string {
  if (name.includes('\0') || /^([/\\]|[A-Za-z]:)/.test(name)) throw outside(label, name);
  const segments = name.split(/[/\\]+/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw outside(label, name);
  const target = path.resolve(root, ...segments);
  const relative = path.relative(root, target);
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw outside(label, name);
  return target;
}

function outside(label: string, name: string): ArchiveError {
  return new ArchiveError(
    ErrorCode.PATH_OUTSIDE_ROOT,
    `${label}: entry ${JSON.stringify(name)} would be written outside the destination folder; expected a relative ` +
      'path without ".." segments (the tarball is damaged or malicious)',
  );
}

/** Bytes this user may still write on `dir`'s file system, less the margin; unlimited where unknown. */
async function availableBytes(dir: string): Promise<number> {
  const stats = await statfs(dir).catch(() => undefined);
  if (stats === undefined) return Number.MAX_SAFE_INTEGER;
  return Math.max(0, stats.bavail * stats.bsize - EXTRACT_FREE_SPACE_MARGIN);
}

/** File system errors about the destination: a fact about this machine, not about the tarball. */
const DESTINATION_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE']);

function extractError(label: string, error: unknown): Error {
  if (
    error instanceof ArchiveError ||
    error instanceof AbortError ||
    error instanceof MongoBackupRuntimeError
  )
    return error;
  if (error instanceof Error && error.name === 'AbortError' && error.cause !== undefined) {
    return extractError(label, error.cause);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DESTINATION_ERRORS.has(code)) {
    return new MongoBackupRuntimeError(
      ErrorCode.STORAGE_FAILED,
      `${label} could not be extracted: ${(error as Error).message} (a file system refused: the destination is ` +
        'full or not writable, or the tarball is unreadable; this is no verdict on its content)',
      { cause: error },
    );
  }
  if (code === 'EEXIST') {
    return new ArchiveError(
      ErrorCode.DIRECTORY_DUMP_INVALID,
      `${label}: ${(error as Error).message}; expected an empty destination folder (files are never overwritten)`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/unexpected end of data/i.test(message)) {
    return new ArchiveError(ErrorCode.ARCHIVE_TRUNCATED, `${label} is truncated: ${message}`, {
      cause: error,
    });
  }
  if (/invalid (tar )?header|header exceeds/i.test(message)) {
    return new ArchiveError(ErrorCode.ARCHIVE_CORRUPT, `${label} is not a valid tar stream: ${message}`, {
      cause: error,
    });
  }
  return fileError(label, error);
}
