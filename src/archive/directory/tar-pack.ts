/**
 * Packing a directory dump into one `.tar.gz` file, streaming every file.
 *
 * @packageDocumentation
 */

import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pack } from 'tar-stream';
import { z } from 'zod';
import { AbortError, ArchiveError, ErrorCode, MongoBackupRuntimeError } from '../../errors.js';
import { parseOptions } from '../../util/parse-options.js';
import { ZLIB_BUFFER_SIZE } from '../constants.js';
import { createGzipStage } from '../gzip/compressor.js';
import { gzipParallelShape, resolveGzip } from '../gzip/member-options.js';
import type { GzipParallelOptions } from '../gzip/member-options.js';
import { DEFAULT_DIRECTORY_GZIP_LEVEL } from './directory-writer.js';
import { DUMP_FILE_MODE, DUMP_FOLDER_MODE } from './file-sink.js';

/** Options of {@link packDirectoryToTarGz}; the tarball is written as parallel gzip members unless `parallel: false`. */
export interface PackDirectoryOptions extends GzipParallelOptions {
  /** zlib level (-1 to 9). Defaults to `DEFAULT_DIRECTORY_GZIP_LEVEL` (zlib's default, 6). */
  readonly level?: number;
  /** Stops packing with an {@link AbortError}. Defaults to none. */
  readonly signal?: AbortSignal;
}

/** What {@link packDirectoryToTarGz} packed. */
export interface PackSummary {
  /** Regular files packed. */
  readonly files: number;
  /** Bytes of file content packed, before compression. */
  readonly bytes: number;
}

/** A tar entry to write: a folder, or a file with its size. */
interface PackItem {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mtime: Date;
  readonly folder: boolean;
}

const optionsSchema = z.strictObject({
  level: z.number().int().min(-1).max(9).optional(),
  ...gzipParallelShape,
  signal: z.instanceof(AbortSignal).optional(),
});

/**
 * Packs every file and folder under `dir` into a gzip-compressed tar, with paths relative to `dir` (`db/coll.bson`,
 * `prelude.json`...), in sorted order, entries with mode 0o600 (files) and 0o700 (folders). Each file is streamed
 * with its size from `stat`; memory use does not grow with the dump. Extract with {@link extractTarGz}.
 *
 * When `destination` is a path, the file is created with mode 0o600; a `Writable` is ended when done.
 *
 * @example
 * ```ts
 * import { packDirectoryToTarGz } from 'mongo-backup-service/archive';
 * await packDirectoryToTarGz('dump', 'dump.tar.gz');
 * ```
 * @throws {@link MongoBackupConfigError} at once for malformed options; {@link ArchiveError} `DIRECTORY_DUMP_INVALID`
 *   when `dir` holds something other than files and folders (symbolic links included);
 *   {@link MongoBackupRuntimeError} `DUMP_FAILED` on I/O errors; {@link AbortError}.
 */
export async function packDirectoryToTarGz(
  dir: string,
  destination: string | Writable,
  options: PackDirectoryOptions = {},
): Promise<PackSummary> {
  const parsed = parseOptions(optionsSchema, options, 'tar.gz pack options');
  const items = await collect(dir, '');
  const output =
    typeof destination === 'string' ? createWriteStream(destination, { mode: DUMP_FILE_MODE }) : destination;
  // Loaded on first use: most dumps never pack a tar.
  const { default: tar } = await import('tar-stream');
  const pack = tar.pack();
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(new AbortError('Packing the directory dump was aborted'));
  parsed.signal?.addEventListener('abort', onAbort, { once: true });
  if (parsed.signal?.aborted === true) onAbort();
  const gzip = createGzipStage(
    resolveGzip(parsed.level ?? DEFAULT_DIRECTORY_GZIP_LEVEL, parsed),
    ZLIB_BUFFER_SIZE,
  );
  const writing = pipeline(pack, gzip, output, { signal: stop.signal });
  // A failing output stops the feeding too, so that no file stays open.
  writing.catch((error: unknown) => stop.abort(error));
  let bytes = 0;
  try {
    for (const item of items) {
      stop.signal.throwIfAborted();
      const header = { name: item.name, mtime: item.mtime };
      if (item.folder) {
        await addEntry(
          pack,
          { ...header, type: 'directory', mode: DUMP_FOLDER_MODE },
          undefined,
          stop.signal,
        );
      } else {
        await addEntry(
          pack,
          { ...header, type: 'file', mode: DUMP_FILE_MODE, size: item.size },
          item.path,
          stop.signal,
        );
        bytes += item.size;
      }
    }
    pack.finalize();
    await writing;
  } catch (error) {
    stop.abort(error);
    throw packError(typeof destination === 'string' ? destination : 'the tar.gz output', error);
  } finally {
    parsed.signal?.removeEventListener('abort', onAbort);
  }
  return { files: items.filter((item) => !item.folder).length, bytes };
}

/** Lists `folder` recursively, folders before their content, names sorted. */
async function collect(folder: string, prefix: string): Promise<PackItem[]> {
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch (error) {
    throw packError(folder, error);
  }
  const items: PackItem[] = [];
  for (const name of names) {
    const file = path.join(folder, name);
    const entryName = prefix + name;
    const info = await lstat(file).catch((error: unknown) => {
      throw packError(file, error);
    });
    if (info.isDirectory()) {
      items.push({ name: `${entryName}/`, path: file, size: 0, mtime: info.mtime, folder: true });
      items.push(...(await collect(file, `${entryName}/`)));
    } else if (info.isFile()) {
      items.push({ name: entryName, path: file, size: info.size, mtime: info.mtime, folder: false });
    } else {
      throw new ArchiveError(
        ErrorCode.DIRECTORY_DUMP_INVALID,
        `${file} is neither a file nor a folder (a symbolic link or a special file); a dump folder holds only files ` +
          'and folders',
      );
    }
  }
  return items;
}

/** Adds one entry and resolves once tar-stream has taken all of it; file content is piped with backpressure. */
async function addEntry(
  pack: Pack,
  header: Parameters<Pack['entry']>[0],
  file: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry(header, (error) => (error ? reject(error) : resolve()));
    if (file === undefined) return;
    pipeline(createReadStream(file), entry, { signal }).catch(reject);
  });
}

function packError(target: string, error: unknown): Error {
  if (error instanceof ArchiveError || error instanceof AbortError) return error;
  if (error instanceof Error && error.name === 'AbortError' && error.cause instanceof Error) {
    return packError(target, error.cause);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new MongoBackupRuntimeError(ErrorCode.DUMP_FAILED, `Cannot pack ${target}: ${reason}`, {
    cause: error,
  });
}
