/**
 * Writing a mongodump directory dump (`mongodump --out DIR` layout) that the real mongorestore reads.
 *
 * @packageDocumentation
 */

import { lstat, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { constants as zlibConstants, gzip as gzipCallback } from 'node:zlib';
import { z } from 'zod';
import { ArchiveError, ErrorCode, MongoBackupRuntimeError } from '../../errors.js';
import { parseOptions } from '../../util/parse-options.js';
import { DEFAULT_TOOL_VERSION, MAX_BSON_SIZE, MIN_BSON_SIZE } from '../constants.js';
import { gzipParallelShape, resolveGzip } from '../gzip/member-options.js';
import type { GzipParallelOptions } from '../gzip/member-options.js';
import { parseMetadataJson } from '../metadata-json.js';
import { BUCKETS_PREFIX, isOplog, namespaceString, parseServerVersion } from '../namespace-layout.js';
import { OPLOG_FILE_NAME } from './directory-layout.js';
import { collectionFileStem, dumpFileName, isHashedFileStem } from './file-names.js';
import { DUMP_FILE_MODE, DUMP_FOLDER_MODE, EXCLUSIVE_WRITE_FLAGS, FileSink } from './file-sink.js';
import { PRELUDE_FILE_NAME, formatPreludeJson } from './prelude-json.js';

/** The gzip level used when `gzip` is `true`: zlib's default (6). */
export const DEFAULT_DIRECTORY_GZIP_LEVEL = zlibConstants.Z_DEFAULT_COMPRESSION;

/** Options of {@link createDirectoryWriter}. */
export interface DirectoryWriterOptions {
  /**
   * The dump folder (`mongodump --out`). Created (mode 0o700) if missing. Every file and database folder inside is
   * created new: the writer refuses to overwrite an existing file or to follow a link (write into a fresh folder;
   * `dump` stages into one and moves the files into place).
   */
  readonly dir: string;
  /**
   * Compress every file as `mongodump --gzip` does: `.bson.gz`, `.metadata.json.gz`, `prelude.json.gz`, and
   * `oplog.bson` compressed under its own name. `true` uses {@link DEFAULT_DIRECTORY_GZIP_LEVEL}; `{ level }` picks
   * a zlib level (-1 to 9). The `.bson` files are written as parallel gzip members unless `{ parallel: false }`
   * ({@link GzipParallelOptions}). Defaults to `false`.
   */
  readonly gzip?: boolean | ({ readonly level?: number } & GzipParallelOptions);
  /**
   * The source server's version, `X.Y.Z[-suffix]`, written to `prelude.json`; "unknown" is accepted too (mongodump
   * writes it when it cannot tell), anything else is refused because mongorestore refuses it. Required.
   */
  readonly serverVersion: string;
  /** The tool version written to `prelude.json`. Defaults to `DEFAULT_TOOL_VERSION`. */
  readonly toolVersion?: string;
}

/** What was written for one namespace. */
export interface DirectoryNamespaceSummary {
  /** Documents written. */
  readonly documents: number;
  /** Bytes of documents written, before compression. */
  readonly bytes: number;
}

/** What {@link DirectoryWriter.close} reports. */
export interface DirectoryWriteSummary extends DirectoryNamespaceSummary {
  /** Namespaces written (data files and metadata-only namespaces). */
  readonly namespaces: number;
  /** Bytes of every file before compression: documents, metadata files and `prelude.json`. */
  readonly fileBytes: number;
}

/** Receives the documents of one namespace. */
export interface DirectoryNamespaceWriter {
  /**
   * Appends one raw BSON document to the `.bson` file; resolves once the file can take more (backpressure).
   *
   * @throws {@link ArchiveError} `DOCUMENT_TOO_LARGE` or `ARCHIVE_CORRUPT` for a buffer that is not one BSON
   *   document, `ARCHIVE_WRITER_STATE` after `end()`; {@link MongoBackupRuntimeError} `DUMP_FAILED` on I/O errors.
   */
  write(document: Uint8Array): Promise<void>;
  /** Flushes and closes the file. */
  end(): Promise<DirectoryNamespaceSummary>;
}

/** Writes a directory dump, one namespace at a time or several in parallel. */
export interface DirectoryWriter {
  /**
   * Starts a namespace: writes `<db>/<escaped coll>.metadata.json` when `metadataJson` is given, and opens
   * `<db>/<escaped coll>.bson` for its documents. Names longer than the file system allows are shortened as
   * mongodump does. `namespace('', 'oplog', undefined)` opens `DIR/oplog.bson`.
   * For a timeseries collection below 8.3, give the documents as `system.buckets.<coll>` without metadata and the
   * metadata through {@link DirectoryWriter.writeMetadataOnly} under `<coll>`.
   */
  namespace(
    db: string,
    collection: string,
    metadataJson: string | undefined,
  ): Promise<DirectoryNamespaceWriter>;
  /** Writes only `<db>/<escaped coll>.metadata.json`, for views (and timeseries metadata). */
  writeMetadataOnly(db: string, collection: string, metadataJson: string): Promise<void>;
  /** Writes `prelude.json` once every namespace has ended. The dump is complete when this resolves. */
  close(): Promise<DirectoryWriteSummary>;
}

const optionsSchema = z.strictObject({
  dir: z.string().min(1),
  gzip: z
    .union([
      z.boolean(),
      z.strictObject({ level: z.number().int().min(-1).max(9).optional(), ...gzipParallelShape }),
    ])
    .optional(),
  serverVersion: z
    .string()
    .refine(
      (version) => version === 'unknown' || parseServerVersion(version) !== undefined,
      'expected a server version X.Y[.Z][-suffix] or "unknown" (mongorestore refuses anything else)',
    ),
  toolVersion: z.string().optional(),
});

const gzipAsync = promisify(gzipCallback);

/**
 * Creates a writer for a directory dump: `DIR/<db>/<coll>.bson` (documents back to back),
 * `DIR/<db>/<coll>.metadata.json`, `DIR/prelude.json`. Files are created with mode 0o600, folders with 0o700.
 *
 * @example
 * ```ts
 * import { createDirectoryWriter, formatMetadataJson } from 'mongo-backup-service/archive';
 * const writer = createDirectoryWriter({ dir: 'dump', gzip: true, serverVersion: '7.0.16' });
 * const orders = await writer.namespace('shop', 'orders', formatMetadataJson({ options: new Map(), indexes: [] }));
 * for (const doc of rawDocuments) await orders.write(doc);
 * await orders.end();
 * await writer.close();
 * ```
 * @throws {@link MongoBackupConfigError} `INVALID_OPTIONS` for malformed options.
 */
export function createDirectoryWriter(options: DirectoryWriterOptions): DirectoryWriter {
  const parsed = parseOptions(optionsSchema, options, 'directory writer options');
  const gzip =
    parsed.gzip === undefined || parsed.gzip === false
      ? undefined
      : parsed.gzip === true
        ? resolveGzip(DEFAULT_DIRECTORY_GZIP_LEVEL)
        : resolveGzip(parsed.gzip.level ?? DEFAULT_DIRECTORY_GZIP_LEVEL, parsed.gzip);
  const compress = gzip !== undefined;
  const started = new Set<string>();
  const folders = new Map<string, Promise<unknown>>();
  let open = 0;
  let closed = false;
  const totals = { namespaces: 0, documents: 0, bytes: 0, fileBytes: 0 };

  const ensureFolder = async (folder: string): Promise<void> => {
    const creating =
      folders.get(folder) ??
      (folder === parsed.dir
        ? mkdir(folder, { recursive: true, mode: DUMP_FOLDER_MODE })
        : createDatabaseFolder(parsed.dir, folder));
    folders.set(folder, creating);
    try {
      await creating;
    } catch (error) {
      throw ioError(folder, error);
    }
  };

  /** Claims a namespace (once only), creates its folder and returns where its files go. */
  const claim = async (db: string, collection: string): Promise<{ folder: string; stem: string }> => {
    const namespace = namespaceString(db, collection);
    if (closed) throw stateError(`cannot start ${namespace}: the writer is closed`);
    if (started.has(namespace)) throw stateError(`namespace ${namespace} was already written`);
    assertNames(db, collection);
    started.add(namespace);
    totals.namespaces += 1;
    const folder = db === '' ? parsed.dir : path.join(parsed.dir, db);
    await ensureFolder(parsed.dir);
    await ensureFolder(folder);
    return { folder, stem: collectionFileStem(collection) };
  };

  /** Writes a small text file whole (metadata, prelude), compressed when the dump is. */
  const writeTextFile = async (file: string, text: string): Promise<void> => {
    const content = Buffer.from(text, 'utf8');
    totals.fileBytes += content.length;
    try {
      const data = gzip === undefined ? content : await gzipAsync(content, { level: gzip.level });
      await writeFile(file, data, { mode: DUMP_FILE_MODE, flag: EXCLUSIVE_WRITE_FLAGS });
    } catch (error) {
      throw ioError(file, error);
    }
  };
  const writeMetadata = (folder: string, stem: string, metadataJson: string): Promise<void> =>
    writeTextFile(path.join(folder, dumpFileName(stem, 'metadata', compress)), metadataJson);

  return {
    async namespace(db, collection, metadataJson) {
      if (db === '' && metadataJson !== undefined) throw stateError('the oplog has no metadata file');
      assertNameRecoverable(db, collection, metadataJson);
      const { folder, stem } = await claim(db, collection);
      if (metadataJson !== undefined) await writeMetadata(folder, stem, metadataJson);
      // mongodump --gzip compresses the oplog without renaming it.
      const file = path.join(folder, db === '' ? OPLOG_FILE_NAME : dumpFileName(stem, 'bson', compress));
      const sink = new FileSink(file, gzip);
      open += 1;
      let documents = 0;
      let ended = false;
      return {
        async write(document) {
          if (ended) throw stateError(`cannot write to ${namespaceString(db, collection)} after end()`);
          assertDocument(document, namespaceString(db, collection));
          documents += 1;
          await sink.write(document);
        },
        async end() {
          if (ended) throw stateError(`${namespaceString(db, collection)} was already ended`);
          ended = true;
          open -= 1;
          await sink.end();
          totals.documents += documents;
          totals.bytes += sink.bytes;
          totals.fileBytes += sink.bytes;
          return { documents, bytes: sink.bytes };
        },
      };
    },

    async writeMetadataOnly(db, collection, metadataJson) {
      if (db === '') throw stateError('the oplog has no metadata file');
      assertNameRecoverable(db, collection, metadataJson);
      const { folder, stem } = await claim(db, collection);
      await writeMetadata(folder, stem, metadataJson);
    },

    async close() {
      if (closed) throw stateError('the writer is already closed');
      if (open > 0) throw stateError(`cannot close: ${open} namespace(s) have not ended`);
      closed = true;
      await ensureFolder(parsed.dir);
      const file = path.join(parsed.dir, compress ? `${PRELUDE_FILE_NAME}.gz` : PRELUDE_FILE_NAME);
      const toolVersion = parsed.toolVersion ?? DEFAULT_TOOL_VERSION;
      await writeTextFile(file, formatPreludeJson({ serverVersion: parsed.serverVersion, toolVersion }));
      return { ...totals };
    },
  };
}

/**
 * Creates `<dir>/<db>` (not recursively: `dir` exists). A folder already there is used only when it is a real folder
 * (not a link) owned by this user; its files are still created exclusively.
 */
async function createDatabaseFolder(dir: string, folder: string): Promise<void> {
  try {
    await mkdir(folder, { mode: DUMP_FOLDER_MODE });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stats = await lstat(folder);
  const uid = process.getuid?.();
  if (stats.isSymbolicLink() || !stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) {
    throw new Error(
      `${path.relative(dir, folder)} already exists and is ${stats.isSymbolicLink() ? 'a link' : !stats.isDirectory() ? 'not a folder' : `owned by user ${stats.uid}`}`,
    );
  }
}

/** Database names become folder names: refuse what the server refuses and what would escape the dump folder. */
function assertNames(db: string, collection: string): void {
  if (db === '' && !isOplog(db, collection)) {
    throw new ArchiveError(
      ErrorCode.ARCHIVE_WRITER_STATE,
      `expected a database name (only the oplog, collection "oplog", has db ""), found "" for ${JSON.stringify(collection)}`,
    );
  }
  if (/[/\\. "$\0]/.test(db)) {
    throw new ArchiveError(
      ErrorCode.ARCHIVE_WRITER_STATE,
      `expected a database name without "/", "\\", ".", " ", '"', "$" or NUL, found ${JSON.stringify(db)}`,
    );
  }
  if (collection === '') {
    throw new ArchiveError(
      ErrorCode.ARCHIVE_WRITER_STATE,
      `expected a collection name in database ${db}, found ""`,
    );
  }
}

/**
 * A shortened (hashed) file name loses the collection name: readers take it from the metadata's `collectionName`,
 * so that metadata must be written and must hold it. Timeseries buckets are exempt: readers match their file to the
 * timeseries collection's own metadata.
 */
function assertNameRecoverable(db: string, collection: string, metadataJson: string | undefined): void {
  if (db === '' || collection.startsWith(BUCKETS_PREFIX) || !isHashedFileStem(collectionFileStem(collection)))
    return;
  const namespace = namespaceString(db, collection);
  const recorded =
    metadataJson === undefined ? undefined : parseMetadataJson(metadataJson, namespace).collectionName;
  if (recorded !== collection) {
    throw stateError(
      `${namespace} gets a shortened file name, so its metadata must record the name: expected "collectionName" ` +
        `${JSON.stringify(collection)}, found ${metadataJson === undefined ? 'no metadata' : (JSON.stringify(recorded) ?? 'none')}`,
    );
  }
}

function assertDocument(document: Uint8Array, namespace: string): void {
  const length =
    document.length >= 4 ? Buffer.from(document.buffer, document.byteOffset, 4).readInt32LE(0) : -1;
  if (document.length > MAX_BSON_SIZE) {
    throw new ArchiveError(
      ErrorCode.DOCUMENT_TOO_LARGE,
      `A document of ${namespace} is ${document.length} bytes; the limit is ${MAX_BSON_SIZE}`,
      { namespace },
    );
  }
  if (document.length < MIN_BSON_SIZE || length !== document.length || document[document.length - 1] !== 0) {
    throw new ArchiveError(
      ErrorCode.ARCHIVE_CORRUPT,
      `expected one raw BSON document for ${namespace} (length prefix equal to the buffer size, last byte 0x00), ` +
        `found ${document.length} bytes with length prefix ${length}`,
      { namespace },
    );
  }
}

function stateError(message: string): ArchiveError {
  return new ArchiveError(ErrorCode.ARCHIVE_WRITER_STATE, `Directory writer: ${message}`);
}

function ioError(file: string, cause: unknown): MongoBackupRuntimeError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new MongoBackupRuntimeError(ErrorCode.DUMP_FAILED, `Cannot write ${file}: ${reason}`, { cause });
}
