/**
 * The archive writer: a prelude known up front, then namespaces written concurrently as interleaved segments, in
 * the exact byte layout of `mongodump --archive`.
 *
 * @packageDocumentation
 */

import type { Readable } from 'node:stream';
import { ArchiveError, ErrorCode, MongoBackupConfigError } from '../errors.js';
import { ARCHIVE_FORMAT_VERSION, ARCHIVE_MAGIC } from './constants.js';
import { formatMetadataJson, parseMetadataJson } from './metadata-json.js';
import { bodyCollection, isOplog, namespaceString, parseServerVersion } from './namespace-layout.js';
import type { ServerVersion } from './namespace-layout.js';
import { NamespaceGate } from './namespace-gate.js';
import { SegmentingNamespaceWriter } from './namespace-writer.js';
import type { NamespaceSummary, NamespaceWriter } from './namespace-writer.js';
import { resolveWriterOptions } from './options.js';
import type { ArchiveWriterNamespace, ArchiveWriterOptions } from './options.js';
import { OutputChannel } from './output-channel.js';
import { encodeArchiveHeader, encodeNamespaceEntry } from './prelude.js';
import type { NamespaceEntry } from './types.js';

/** What {@link ArchiveWriter.finish} reports. */
export interface ArchiveWriterSummary {
  /** One summary per body namespace, in prelude order. */
  readonly namespaces: readonly NamespaceSummary[];
  /** Total number of documents. */
  readonly documents: number;
  /** Total size of the documents in bytes. */
  readonly bytes: number;
  /** Size of the archive before compression, magic to last terminator. */
  readonly archiveBytes: number;
}

/**
 * Writes a mongodump archive. Obtained from {@link createArchiveWriter}.
 *
 * @example
 * ```ts
 * import { createWriteStream } from 'node:fs';
 * import { pipeline } from 'node:stream/promises';
 * import { createArchiveWriter } from 'mongo-backup-service/archive';
 *
 * const writer = createArchiveWriter({
 *   header: { serverVersion: '7.0.14' },
 *   namespaces: [{ db: 'shop', collection: 'orders', metadataJson }],
 *   gzip: true,
 * });
 * const saved = pipeline(writer.stream, createWriteStream('shop.archive.gz'));
 * const orders = writer.openNamespace('shop', 'orders');
 * for await (const doc of rawCursor) await orders.write(doc);
 * await orders.end();
 * await writer.finish();
 * await saved;
 * ```
 */
export interface ArchiveWriter {
  /**
   * The archive bytes (gzipped when asked). Read it, or writes stall once its buffer is full: the writer holds at most
   * one segment per open namespace, plus the stream's buffer (max(segmentSize, 64 KiB)), plus with gzip 1 MiB on each
   * side of the compressor.
   */
  readonly stream: Readable;
  /**
   * Starts writing the documents of an announced namespace. Several namespaces may be open at once; their segments
   * interleave, but never more of them in progress than the header's `concurrent_collections` (mongorestore hangs on
   * more): the first `write()` (or an `end()` without writes) of another namespace waits until one of those in
   * progress ends. So with more open namespaces than that, end some before writing to the others. For a timeseries collection below server 8.3 pass either `<coll>` or `system.buckets.<coll>`: the
   * documents (buckets) go to `system.buckets.<coll>`. Opening the oplog (`'', 'oplog'`) requires every other
   * namespace to be ended or never opened; those never opened are then written empty, since the oplog comes last.
   *
   * @throws {@link ArchiveError} `ARCHIVE_WRITER_STATE` for a namespace not announced, opened twice, or opened after
   * {@link ArchiveWriter.finish} or {@link ArchiveWriter.abort}.
   */
  openNamespace(db: string, collection: string): NamespaceWriter;
  /**
   * Writes every announced namespace never opened as mongodump writes an empty one, then ends the stream. Resolves
   * once everything is handed to {@link ArchiveWriter.stream} (await your pipeline to know it reached its target).
   *
   * @throws {@link ArchiveError} `ARCHIVE_WRITER_STATE` when a namespace is still open, or when called twice.
   */
  finish(): Promise<ArchiveWriterSummary>;
  /** Destroys the stream with `error`; pending and later writes reject. */
  abort(error?: unknown): void;
}

interface Slot {
  readonly entry: NamespaceEntry;
  readonly db: string;
  /** Collection of the body namespace. */
  readonly collection: string;
  readonly name: string;
  writer?: SegmentingNamespaceWriter;
  ending?: Promise<NamespaceSummary>;
  summary?: NamespaceSummary;
}

/**
 * Creates an archive writer and writes the magic number and the prelude at once.
 *
 * @throws {@link MongoBackupConfigError} for invalid options: a server version mongorestore would reject, a
 * namespace announced twice, unparseable metadata...
 */
export function createArchiveWriter(options: ArchiveWriterOptions): ArchiveWriter {
  return new SegmentedArchiveWriter(options);
}

class SegmentedArchiveWriter implements ArchiveWriter {
  readonly stream: Readable;
  private readonly output: OutputChannel;
  private readonly segmentSize: number;
  private readonly slots: Slot[] = [];
  /** Slots by body namespace, and by announced namespace for timeseries collections stored as buckets. */
  private readonly byName = new Map<string, Slot>();
  private oplogOpened = false;
  private finishing = false;
  /** Never more namespaces in progress in the body than the header's `concurrent_collections`. */
  private readonly gate: NamespaceGate;

  constructor(options: ArchiveWriterOptions) {
    const resolved = resolveWriterOptions(options);
    const version = parseServerVersion(resolved.serverVersion) as ServerVersion;
    for (const namespace of resolved.namespaces) this.addSlot(toEntry(namespace), version);
    this.segmentSize = resolved.segmentSize;
    this.output = new OutputChannel(Math.max(resolved.segmentSize, 64 * 1024), resolved.gzip);
    this.stream = this.output.stream;
    this.gate = new NamespaceGate(resolved.concurrentCollections);
    this.stream.once('close', () => {
      if (this.output.error !== undefined) this.gate.fail(this.output.error);
    });

    const magic = Buffer.allocUnsafe(4);
    magic.writeUInt32LE(ARCHIVE_MAGIC);
    const header = encodeArchiveHeader({
      concurrentCollections: resolved.concurrentCollections,
      version: ARCHIVE_FORMAT_VERSION,
      serverVersion: resolved.serverVersion,
      toolVersion: resolved.toolVersion,
    });
    const terminator = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    this.output.push(
      Buffer.concat([magic, header, ...this.slots.map((s) => encodeNamespaceEntry(s.entry)), terminator]),
    );
  }

  openNamespace(db: string, collection: string): NamespaceWriter {
    const name = namespaceString(db, collection);
    const fail = (message: string): never => {
      throw new ArchiveError(ErrorCode.ARCHIVE_WRITER_STATE, message, { namespace: name });
    };
    if (this.output.error !== undefined) throw this.output.error;
    if (this.finishing) fail(`Cannot open ${name}: finish() was called`);
    const slot = this.byName.get(name) ?? fail(`Cannot open ${name}: it is not announced in the prelude`);
    if (slot.writer !== undefined) fail(`Cannot open ${slot.name}: it was already opened`);
    if (isOplog(slot.entry.db, slot.entry.collection)) {
      const busy = this.slots.filter((s) => s !== slot && s.writer !== undefined && s.summary === undefined);
      if (busy.length > 0) {
        fail(
          `Cannot open the oplog while ${busy.map((s) => s.name).join(', ')} are not ended: it must come last`,
        );
      }
      for (const other of this.slots)
        if (other !== slot && other.writer === undefined) void this.writeEmpty(other);
      this.oplogOpened = true;
    } else if (this.oplogOpened) {
      fail(`Cannot open ${name} after the oplog: the oplog must be the last namespace`);
    }
    return this.open(slot);
  }

  async finish(): Promise<ArchiveWriterSummary> {
    if (this.output.error !== undefined) throw this.output.error;
    if (this.finishing) throw new ArchiveError(ErrorCode.ARCHIVE_WRITER_STATE, 'finish() was already called');
    const open = this.slots.filter((s) => s.writer !== undefined && s.ending === undefined);
    if (open.length > 0) {
      throw new ArchiveError(
        ErrorCode.ARCHIVE_WRITER_STATE,
        `Cannot finish: ${open.map((s) => s.name).join(', ')} still open; await end() on each first`,
        { namespace: (open[0] as Slot).name },
      );
    }
    this.finishing = true;
    await Promise.all(this.slots.map((s) => s.ending));
    const pending = this.slots.filter((s) => s.writer === undefined);
    const ordered = [
      ...pending.filter((s) => !isOplog(s.entry.db, s.entry.collection)),
      ...pending.filter((s) => isOplog(s.entry.db, s.entry.collection)),
    ];
    for (const slot of ordered) await this.writeEmpty(slot);
    this.output.end();
    const namespaces = this.slots.map((s) => s.summary as NamespaceSummary);
    return {
      namespaces,
      documents: namespaces.reduce((sum, ns) => sum + ns.documents, 0),
      bytes: namespaces.reduce((sum, ns) => sum + ns.bytes, 0),
      archiveBytes: this.output.bytes,
    };
  }

  abort(
    error: unknown = new ArchiveError(ErrorCode.ARCHIVE_WRITER_STATE, 'The archive writer was aborted'),
  ): void {
    this.gate.fail(error);
    this.output.destroy(error);
  }

  private addSlot(entry: NamespaceEntry, version: ServerVersion): void {
    const collection = bodyCollection(entry, version);
    const slot: Slot = { entry, db: entry.db, collection, name: namespaceString(entry.db, collection) };
    const announced = namespaceString(entry.db, entry.collection);
    for (const name of new Set([slot.name, announced])) {
      if (this.byName.has(name)) {
        throw new MongoBackupConfigError(`Invalid archive writer options: ${name} is announced twice`, [
          `namespaces: ${name} is announced twice`,
        ]);
      }
      this.byName.set(name, slot);
    }
    this.slots.push(slot);
  }

  private open(slot: Slot): SegmentingNamespaceWriter {
    const writer = new SegmentingNamespaceWriter(
      slot.db,
      slot.collection,
      this.output,
      this.segmentSize,
      slot.entry.type !== 'view',
      (summary) => {
        slot.summary = summary;
      },
      (ending) => {
        slot.ending = ending;
      },
      this.gate,
    );
    slot.writer = writer;
    return writer;
  }

  /** Writes a namespace with no documents: empty segment, then EOF block with CRC 0. */
  private writeEmpty(slot: Slot): Promise<NamespaceSummary> {
    const ending = this.open(slot).end();
    ending.catch(() => undefined);
    return ending;
  }
}

/** Turns a namespace of the options into its prelude entry, validating its metadata. */
function toEntry(namespace: ArchiveWriterNamespace): NamespaceEntry {
  const name = namespaceString(namespace.db, namespace.collection);
  const oplog = isOplog(namespace.db, namespace.collection);
  const invalid = (issue: string, cause?: unknown): never => {
    throw new MongoBackupConfigError(
      `Invalid archive writer options: ${name}: ${issue}`,
      [`namespaces: ${name}: ${issue}`],
      {
        cause,
      },
    );
  };
  if (namespace.db === '' && !oplog)
    invalid('the database name is empty (only the oplog, "".oplog, has none)');
  const metadataJson =
    namespace.metadataJson ??
    (namespace.metadata === undefined ? '' : formatMetadataJson(namespace.metadata));
  let metadata;
  try {
    metadata = metadataJson === '' ? undefined : parseMetadataJson(metadataJson, name);
  } catch (error) {
    invalid((error as Error).message, error);
  }
  return {
    db: namespace.db,
    collection: namespace.collection,
    metadataJson,
    metadata,
    size: 0,
    type: namespace.type ?? metadata?.type ?? (oplog ? '' : 'collection'),
  };
}
