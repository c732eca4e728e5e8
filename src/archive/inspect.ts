/**
 * A whole-archive check that reports instead of throwing, for an `inspect` command or a health check.
 *
 * @packageDocumentation
 */

import { ArchiveError } from '../errors.js';
import { crc64ToInt64 } from './crc64.js';
import type { ArchiveSource } from './input-source.js';
import { namespaceString } from './namespace-layout.js';
import type { ReadArchiveOptions } from './options.js';
import { readArchive } from './reader.js';
import type { ArchiveEvent, ArchiveHeader, NamespaceEntry } from './types.js';

/** One body namespace that was read completely and whose CRC matched. */
export interface InspectedNamespace {
  /** The body namespace, `db.collection` (`.oplog` for the oplog). */
  readonly namespace: string;
  /** Number of documents. */
  readonly documents: number;
  /** Total size of the documents in bytes. */
  readonly bytes: number;
  /** The CRC as the archive stores it: the signed int64 with the CRC-64/XZ's bits. */
  readonly crc: bigint;
}

/** What {@link inspectArchive} found. */
export interface ArchiveInspection {
  /** The header, when it could be read. */
  readonly header: ArchiveHeader | undefined;
  /** The prelude entries, when the whole prelude could be read (else empty). */
  readonly entries: readonly NamespaceEntry[];
  /** The namespaces completed before the end or the first error, in archive order. */
  readonly namespaces: readonly InspectedNamespace[];
  /** Whether the whole archive is valid. */
  readonly valid: boolean;
  /**
   * The most namespaces in progress at once in the body (from a namespace's first block to its EOF block), as far as
   * it was read. mongorestore restores max(`-j`, `concurrent_collections`) at a time and hangs when the body
   * interleaves more than that.
   */
  readonly maxInterleaved: number;
  /**
   * What is valid but will trouble mongorestore: an interleaving beyond the header's `concurrent_collections` (it
   * hangs unless run with at least that `-j`).
   */
  readonly warnings: readonly string[];
  /** The first problem found, when not valid. */
  readonly error?: ArchiveError;
}

/**
 * Reads a whole archive, checking everything {@link readArchive} checks, and reports what it holds. Never throws for
 * a bad archive: `valid` is `false` and `error` says why. Errors of the source itself (a missing file) still throw.
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * import { inspectArchive } from 'mongo-backup-service/archive';
 *
 * const report = await inspectArchive(createReadStream('dump.archive'));
 * if (!report.valid) console.error(report.error?.message);
 * for (const ns of report.namespaces) console.log(ns.namespace, ns.documents, ns.bytes, ns.crc);
 * ```
 */
export async function inspectArchive(
  source: ArchiveSource,
  options: ReadArchiveOptions = {},
): Promise<ArchiveInspection> {
  return inspectEvents(readArchive(source, options));
}

/**
 * Tallies any {@link ArchiveEvent} stream (an archive's, or a directory dump's from `readDirectoryDump`) into an
 * {@link ArchiveInspection}. Never throws for a bad backup: an {@link ArchiveError} ends the tally as `valid: false`.
 *
 * @example
 * ```ts
 * import { inspectEvents, readDirectoryDump } from 'mongo-backup-service/archive';
 * const { valid, namespaces } = await inspectEvents(readDirectoryDump('dump'));
 * ```
 */
export async function inspectEvents(events: AsyncIterable<ArchiveEvent>): Promise<ArchiveInspection> {
  let header: ArchiveHeader | undefined;
  let entries: readonly NamespaceEntry[] = [];
  const namespaces: InspectedNamespace[] = [];
  const inProgress = new Set<string>();
  let maxInterleaved = 0;
  const tally = (): Pick<ArchiveInspection, 'maxInterleaved' | 'warnings'> => ({
    maxInterleaved,
    warnings:
      header !== undefined && maxInterleaved > header.concurrentCollections
        ? [
            `the body interleaves up to ${maxInterleaved} namespaces but the header announces ` +
              `concurrent_collections ${header.concurrentCollections}: mongorestore hangs on it unless run with ` +
              `--numParallelCollections=${maxInterleaved} or more`,
          ]
        : [],
  });
  try {
    for await (const event of events) {
      if (event.kind === 'header') header = event.header;
      else if (event.kind === 'prelude') entries = event.entries;
      else if (event.kind === 'documents') {
        inProgress.add(namespaceString(event.db, event.collection));
        maxInterleaved = Math.max(maxInterleaved, inProgress.size);
      } else if (event.kind === 'namespace-end') {
        const name = namespaceString(event.db, event.collection);
        // A namespace without documents still takes a place while its (empty) blocks pass.
        maxInterleaved = Math.max(maxInterleaved, inProgress.size + (inProgress.has(name) ? 0 : 1));
        inProgress.delete(name);
        namespaces.push({
          namespace: namespaceString(event.db, event.collection),
          documents: event.documents,
          bytes: event.bytes,
          crc: crc64ToInt64(event.crc),
        });
      }
    }
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    return { header, entries, namespaces, valid: false, error, ...tally() };
  }
  return { header, entries, namespaces, valid: true, ...tally() };
}
