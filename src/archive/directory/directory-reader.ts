/**
 * Reading a mongodump directory dump (`mongodump --out DIR`) as the same event stream as an archive.
 *
 * @packageDocumentation
 */

import { z } from 'zod';
import { AbortError } from '../../errors.js';
import { parseOptions } from '../../util/parse-options.js';
import { DEFAULT_BATCH_BYTES } from '../constants.js';
import { Crc64 } from '../crc64.js';
import { namespaceString } from '../namespace-layout.js';
import type { ArchiveEvent } from '../types.js';
import { readBsonDocuments } from './bson-documents.js';
import { scanBsonFile, scanDirectoryDump, type DirectoryLayout } from './directory-layout.js';
import type { DirectoryNamespace } from './scan-database-folder.js';
import { readFileChunks } from './dump-file.js';

/** Options of {@link readDirectoryDump}. */
export interface ReadDirectoryDumpOptions {
  /**
   * Read `dir` as the folder of this one database (the `mongorestore --db X DIR/X` layout, e.g. a folder of
   * `.bson` and `.metadata.json` files) instead of as a whole dump whose sub-folders are databases.
   * Defaults to none (a whole dump).
   */
  readonly db?: string;
  /**
   * A `documents` event holds at most this many bytes of documents (a larger single document makes its own event).
   * Defaults to `DEFAULT_BATCH_BYTES` (1 MiB), as the archive reader.
   */
  readonly batchBytes?: number;
  /** Aborts the reading between batches with an {@link AbortError}. Defaults to none. */
  readonly signal?: AbortSignal;
}

const optionsSchema = z.strictObject({
  db: z.string().min(1).optional(),
  batchBytes: z.number().int().positive().optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/**
 * Reads a directory dump as the {@link ArchiveEvent} stream an archive of the same dump would produce, so that a
 * restore does not care where the dump came from:
 *
 * 1. `header`: `serverVersion`/`toolVersion` from `prelude.json` when present (else ""), `concurrentCollections` 4,
 *    `version` "0.1".
 * 2. `prelude`: every namespace found, every metadata file parsed and checked before any document is read. Views
 *    and other metadata-only collections are listed; a `.bson` without metadata is a `collection` with `metadata`
 *    undefined; the oplog (`DIR/oplog.bson`, gzip detected from its content) is db "" collection "oplog" type "".
 *    Entries are sorted by database then collection, the oplog last. Selection is left to the caller.
 * 3. For each namespace in that order: `documents` batches streamed from its `.bson` file (never read whole),
 *    then `namespace-end` with the count, bytes and CRC-64 of its documents. Every entry gets a `namespace-end`,
 *    even without a file. Timeseries data below 8.3 is reported under `system.buckets.<coll>`, as in an archive.
 *
 * Files other than `.bson`, `.metadata.json` (either with `.gz`) and the legacy `.bin` are ignored, as are
 * sub-folders of database folders.
 *
 * @example
 * ```ts
 * import { readDirectoryDump } from 'mongo-backup-service/archive';
 * for await (const event of readDirectoryDump('dump')) {
 *   if (event.kind === 'namespace-end') console.log(`${event.db}.${event.collection}: ${event.documents} docs`);
 * }
 * ```
 * @throws {@link MongoBackupConfigError} at once for malformed options. While iterating: {@link ArchiveError}
 *   `DIRECTORY_DUMP_INVALID` (unreadable folder or file, bad prelude.json, bad file or folder name),
 *   `ARCHIVE_BAD_METADATA` (unparseable metadata, naming the file), `ARCHIVE_CORRUPT` (bad document framing or
 *   gzip), `ARCHIVE_TRUNCATED` (a file ending inside a document, naming the file); {@link AbortError}.
 */
export function readDirectoryDump(
  dir: string,
  options: ReadDirectoryDumpOptions = {},
): AsyncGenerator<ArchiveEvent, void, undefined> {
  const parsed = parseOptions(optionsSchema, options, 'directory dump reader options');
  return readEvents(
    () => scanDirectoryDump(dir, parsed.db),
    parsed.batchBytes ?? DEFAULT_BATCH_BYTES,
    parsed.signal,
  );
}

/** Options of {@link readBsonFile}. */
export interface ReadBsonFileOptions {
  /** The database the collection belongs to. */
  readonly db: string;
  /** The collection's name. Defaults to the file's name without `.bson[.gz]`, unescaped. */
  readonly collection?: string;
  /** As in {@link ReadDirectoryDumpOptions.batchBytes}. */
  readonly batchBytes?: number;
  /** As in {@link ReadDirectoryDumpOptions.signal}. */
  readonly signal?: AbortSignal;
}

const bsonFileOptionsSchema = optionsSchema.extend({
  db: z.string().min(1),
  collection: z.string().min(1).optional(),
});

/**
 * Reads one collection file of a directory dump (`<coll>.bson`, or `.bson.gz`), the `mongorestore --db X
 * --collection Y FILE` form, as the event stream of a dump of that one namespace: its metadata comes from the
 * `<coll>.metadata.json[.gz]` beside it when there is one.
 *
 * @example
 * ```ts
 * import { readBsonFile } from 'mongo-backup-service/archive';
 * for await (const event of readBsonFile('fixtures/users.bson', { db: 'test' })) {
 *   if (event.kind === 'documents') console.log(event.documents.length);
 * }
 * ```
 * @throws {@link MongoBackupConfigError} at once for malformed options; while iterating, what
 *   {@link readDirectoryDump} throws, and `DIRECTORY_DUMP_INVALID` when `file` is not a `.bson` file.
 */
export function readBsonFile(
  file: string,
  options: ReadBsonFileOptions,
): AsyncGenerator<ArchiveEvent, void, undefined> {
  const parsed = parseOptions(bsonFileOptionsSchema, options, 'BSON file reader options');
  return readEvents(
    () => scanBsonFile(file, parsed.db, parsed.collection),
    parsed.batchBytes ?? DEFAULT_BATCH_BYTES,
    parsed.signal,
  );
}

async function* readEvents(
  scan: () => Promise<DirectoryLayout>,
  batchBytes: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<ArchiveEvent, void, undefined> {
  throwIfAborted(signal);
  const layout = await scan();
  yield { kind: 'header', header: layout.header };
  yield { kind: 'prelude', entries: layout.namespaces.map((namespace) => namespace.entry) };
  for (const namespace of layout.namespaces) {
    yield* readNamespace(namespace, batchBytes, signal);
  }
}

async function* readNamespace(
  namespace: DirectoryNamespace,
  batchBytes: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<ArchiveEvent, void, undefined> {
  const { db } = namespace.entry;
  const collection = namespace.bodyCollection;
  const crc = new Crc64();
  let documents = 0;
  let bytes = 0;
  if (namespace.dataFile !== undefined) {
    const context = { file: namespace.dataFile.path, namespace: namespaceString(db, collection) };
    let batch: Buffer[] = [];
    let batchSize = 0;
    for await (const parsed of readBsonDocuments(readFileChunks(namespace.dataFile), context)) {
      for (const document of parsed) {
        if (batch.length > 0 && batchSize + document.length > batchBytes) {
          throwIfAborted(signal);
          yield { kind: 'documents', db, collection, documents: batch };
          batch = [];
          batchSize = 0;
        }
        crc.update(document);
        batch.push(document);
        batchSize += document.length;
        documents += 1;
        bytes += document.length;
      }
    }
    if (batch.length > 0) {
      throwIfAborted(signal);
      yield { kind: 'documents', db, collection, documents: batch };
    }
  }
  throwIfAborted(signal);
  yield { kind: 'namespace-end', db, collection, documents, bytes, crc: crc.digest() };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true)
    throw new AbortError('Reading the directory dump was aborted', { cause: signal.reason });
}
