/**
 * The archive reader: an async iterable of {@link ArchiveEvent}s over a mongodump archive, gzipped or not.
 *
 * @packageDocumentation
 */

import { ArchiveParser } from './archive-parser.js';
import { decompressedChunks } from './input-source.js';
import type { ArchiveSource } from './input-source.js';
import { resolveReaderOptions } from './options.js';
import type { ReadArchiveOptions } from './options.js';
import type { ArchiveEvent } from './types.js';

/**
 * Reads a mongodump archive as events: `header`, then `prelude` (every entry validated and its metadata parsed),
 * then `documents` batches and `namespace-end` events in archive order.
 *
 * The input is pulled only as fast as the events are consumed and is never held whole in memory. Each `documents`
 * batch holds documents of one body namespace; its Buffers belong to the consumer: they are either copies or views
 * into the chunks the source yielded, which the reader never touches again (a custom source must therefore not
 * reuse a chunk's memory after yielding it; Node streams never do). Their CRC is checked when the namespace's EOF
 * block arrives: treat a namespace's documents as unverified until its `namespace-end` event.
 *
 * Every problem with the input (bad magic, corrupt or truncated data, a namespace not announced, a CRC mismatch...)
 * throws an {@link ArchiveError} with the offset in the decompressed stream. Errors of the source itself (a missing
 * file...) pass through unchanged.
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * import { readArchive } from 'mongo-backup-service/archive';
 *
 * for await (const event of readArchive(createReadStream('dump.archive.gz'))) {
 *   if (event.kind === 'documents') await insertRaw(event.db, event.collection, event.documents);
 * }
 * ```
 *
 * @throws {@link MongoBackupConfigError} at the first iteration when the options are invalid.
 */
export async function* readArchive(
  source: ArchiveSource,
  options: ReadArchiveOptions = {},
): AsyncGenerator<ArchiveEvent, void, undefined> {
  const { gzip, parallelGunzip } = resolveReaderOptions(options);
  const parser = new ArchiveParser();
  for await (const chunk of decompressedChunks(source, gzip, () => parser.position, parallelGunzip)) {
    yield* parser.feed(chunk);
  }
  parser.end();
}
