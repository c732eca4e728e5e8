/**
 * The archive state machine: decompressed bytes in, {@link ArchiveEvent}s out. Synchronous and I/O-free; the reader
 * drives it chunk by chunk.
 *
 * @internal
 * @packageDocumentation
 */

import { ArchiveError, ErrorCode } from '../errors.js';
import { ARCHIVE_MAGIC, DEFAULT_BATCH_BYTES, MAX_BSON_SIZE, MIN_BSON_SIZE } from './constants.js';
import { Crc64, crc64ToInt64 } from './crc64.js';
import { TRUNCATION_HINT, badMagicHint, withHint } from './hints.js';
import { decodeBlockHeader } from './namespace-header.js';
import {
  BUCKETS_PREFIX,
  bodyCollection,
  isOplog,
  namespaceString,
  usesBucketsNamespace,
} from './namespace-layout.js';
import type { ServerVersion } from './namespace-layout.js';
import { parseServerVersion } from './namespace-layout.js';
import { decodeArchiveHeader, decodeNamespaceEntry } from './prelude.js';
import type { ArchiveEvent, ArchiveHeader, NamespaceEntry } from './types.js';

const TERMINATOR = -1;
const MAGIC = ARCHIVE_MAGIC | 0;
const MAGIC_BYTES = Buffer.from([0x6d, 0xe2, 0x99, 0x81]);

const enum State {
  Magic,
  Prelude,
  BlockHeader,
  Segment,
  EofBlock,
}

/** A body namespace and what has been read of it. */
interface BodyNamespace {
  readonly db: string;
  readonly collection: string;
  readonly name: string;
  readonly entry: NamespaceEntry;
  readonly crc: Crc64;
  documents: number;
  bytes: number;
  opened: boolean;
  closed: boolean;
}

/** An item (length prefix or document) that started in an earlier chunk. */
interface Pending {
  buffer: Buffer;
  fill: number;
  readonly offset: number;
}

/**
 * Parses a decompressed archive. Call {@link ArchiveParser.feed} with each chunk and {@link ArchiveParser.end} when
 * the input is exhausted, and forward the events they yield. Any violation of the format throws an
 * {@link ArchiveError} carrying the byte offset; the parser must not be used after that.
 */
export class ArchiveParser {
  private state = State.Magic;
  /** Absolute offset of the first byte of the chunk being parsed. */
  private base = 0;
  private pending: Pending | null = null;
  private sample: Buffer | undefined;
  private header: ArchiveHeader | undefined;
  private version: ServerVersion | undefined;
  private readonly entries: NamespaceEntry[] = [];
  private readonly namespaces = new Map<string, BodyNamespace>();
  private current: BodyNamespace | undefined;
  private oplogSeen = false;
  private batch: Buffer[] = [];
  private batchBytes = 0;

  /** Number of bytes fed so far: the offset of the next byte. */
  get position(): number {
    return this.base;
  }

  /** Parses one chunk, yielding the events it completes. The chunk's memory must not be reused afterwards. */
  *feed(chunk: Buffer): Generator<ArchiveEvent, void, undefined> {
    const n = chunk.length;
    let p = 0;
    if (this.sample === undefined && n > 0) this.sample = chunk.subarray(0, 64);
    while (this.pending !== null && p < n) {
      const pending = this.pending;
      const take = Math.min(pending.buffer.length - pending.fill, n - p);
      chunk.copy(pending.buffer, pending.fill, p, p + take);
      pending.fill += take;
      p += take;
      if (pending.fill < pending.buffer.length) break;
      this.pending = null;
      if (this.state === State.Magic) {
        this.checkMagic(pending.buffer);
      } else if (pending.buffer.length === 4) {
        const value = pending.buffer.readInt32LE(0);
        if (value === TERMINATOR) {
          yield* this.terminator(pending.offset);
        } else {
          const document = Buffer.allocUnsafe(this.checkLength(value, pending.offset));
          pending.buffer.copy(document, 0, 0, 4);
          this.pending = { buffer: document, fill: 4, offset: pending.offset };
        }
      } else {
        yield* this.document(pending.buffer, 0, pending.buffer.length, pending.offset);
      }
    }

    // Documents of the current segment lying back to back in this chunk, from `runStart` to `p`: their CRC is
    // computed in one call when the run ends, before they are handed out.
    let runStart = -1;
    const memory = chunk.buffer;
    const memoryOffset = chunk.byteOffset;
    while (p < n) {
      if (n - p < 4) {
        this.startPending(chunk, p, 4);
        break;
      }
      if (this.state === State.Magic) {
        this.checkMagic(chunk, p);
        p += 4;
        continue;
      }
      const value =
        (chunk[p] as number) |
        ((chunk[p + 1] as number) << 8) |
        ((chunk[p + 2] as number) << 16) |
        ((chunk[p + 3] as number) << 24);
      if (value === TERMINATOR) {
        if (runStart >= 0) (this.current as BodyNamespace).crc.update(chunk, runStart, p);
        runStart = -1;
        yield* this.terminator(this.base + p);
        p += 4;
        continue;
      }
      const length = this.checkLength(value, this.base + p);
      if (length > n - p) {
        this.startPending(chunk, p, length);
        break;
      }
      if (this.state !== State.Segment) {
        yield* this.document(chunk, p, length, this.base + p);
        p += length;
        continue;
      }
      if (chunk[p + length - 1] !== 0) throw this.notNulTerminated(this.base + p);
      if (runStart < 0) runStart = p;
      // Buffer.from(arrayBuffer, ...) makes the same view as chunk.subarray(), with less overhead.
      this.batch.push(Buffer.from(memory, memoryOffset + p, length));
      this.batchBytes += length;
      p += length;
      if (this.batchBytes >= DEFAULT_BATCH_BYTES) {
        (this.current as BodyNamespace).crc.update(chunk, runStart, p);
        runStart = -1;
        yield this.takeBatch();
      }
    }
    if (runStart >= 0) (this.current as BodyNamespace).crc.update(chunk, runStart, p);
    this.base += n;
    if (this.batch.length > 0) yield this.takeBatch();
  }

  /** Keeps the bytes of an item that continues in the next chunk. */
  private startPending(chunk: Buffer, p: number, length: number): void {
    const buffer = Buffer.allocUnsafe(length);
    chunk.copy(buffer, 0, p);
    this.pending = { buffer, fill: chunk.length - p, offset: this.base + p };
  }

  /** Checks the end of the input, yielding nothing: every problem left is an error. */
  end(): void {
    if (this.base === 0)
      throw this.error(ErrorCode.ARCHIVE_BAD_MAGIC, 'The input is empty: not a mongodump archive', 0);
    const partial = this.pending?.buffer.subarray(0, this.pending.fill);
    if (
      this.state === State.Magic &&
      partial !== undefined &&
      !MAGIC_BYTES.subarray(0, partial.length).equals(partial)
    ) {
      throw this.badMagic();
    }
    if (this.pending !== null || this.state !== State.BlockHeader) {
      const where =
        this.state === State.Magic || this.state === State.Prelude
          ? 'inside the prelude'
          : this.pending !== null
            ? `in the middle of a ${this.pending.buffer.length === 4 ? 'length prefix' : 'document'}`
            : `inside a block of ${this.current?.name ?? '?'} (no terminator)`;
      const message = withHint(`The archive ends ${where} at byte ${this.base}`, TRUNCATION_HINT);
      throw this.error(ErrorCode.ARCHIVE_TRUNCATED, message, this.base);
    }
    const unfinished = [...this.namespaces.values()].filter((ns) => !ns.closed);
    if (unfinished.length > 0) {
      const opened = unfinished.filter((ns) => ns.opened).map((ns) => ns.name);
      const missing = unfinished.filter((ns) => !ns.opened).map((ns) => ns.name);
      const parts = [
        ...(opened.length > 0 ? [`namespaces still open without their EOF block: ${opened.join(', ')}`] : []),
        ...(missing.length > 0
          ? [`namespaces announced in the prelude but absent from the body: ${missing.join(', ')}`]
          : []),
      ];
      const message = withHint(
        `The archive finished with unfinished namespaces; ${parts.join('; ')}`,
        TRUNCATION_HINT,
      );
      throw this.error(
        ErrorCode.ARCHIVE_TRUNCATED,
        message,
        this.base,
        (unfinished[0] as BodyNamespace).name,
      );
    }
  }

  private takeBatch(): ArchiveEvent {
    const ns = this.current as BodyNamespace;
    const documents = this.batch;
    ns.documents += documents.length;
    ns.bytes += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    return { kind: 'documents', db: ns.db, collection: ns.collection, documents };
  }

  private checkMagic(bytes: Buffer, at = 0): void {
    if (bytes.readInt32LE(at) !== MAGIC) throw this.badMagic();
    this.state = State.Prelude;
  }

  private badMagic(): ArchiveError {
    const message = 'The stream does not start with the mongodump archive magic number 0x8199e26d';
    return this.error(
      ErrorCode.ARCHIVE_BAD_MAGIC,
      withHint(message, badMagicHint(this.sample ?? Buffer.alloc(0))),
      0,
    );
  }

  private checkLength(value: number, offset: number): number {
    if (value >= MIN_BSON_SIZE && value <= MAX_BSON_SIZE) return value;
    const range = `${MIN_BSON_SIZE}..${MAX_BSON_SIZE}`;
    const message = `Corrupt archive at byte ${offset}: ${value} is neither a BSON length (${range}) nor the terminator`;
    throw this.error(ErrorCode.ARCHIVE_CORRUPT, message, offset);
  }

  private notNulTerminated(offset: number): ArchiveError {
    const message = `Corrupt archive at byte ${offset}: the document does not end with 0x00`;
    return this.error(ErrorCode.ARCHIVE_CORRUPT, message, offset);
  }

  /** An error at `offset`, about `namespace` (by default the namespace being read). */
  private error(
    code: ErrorCode,
    message: string,
    offset: number,
    namespace = this.current?.name,
  ): ArchiveError {
    return new ArchiveError(code, message, { offset, ...(namespace === undefined ? {} : { namespace }) });
  }

  private *terminator(offset: number): Generator<ArchiveEvent, void, undefined> {
    switch (this.state) {
      case State.Prelude:
        yield this.endPrelude(offset);
        this.state = State.BlockHeader;
        return;
      case State.BlockHeader:
        throw this.error(
          ErrorCode.ARCHIVE_CORRUPT,
          `Corrupt archive at byte ${offset}: two terminators in a row (a block without a namespace header)`,
          offset,
        );
      case State.Segment: {
        if (this.batch.length > 0) yield this.takeBatch();
        this.current = undefined;
        this.state = State.BlockHeader;
        return;
      }
      default: {
        const ns = this.current as BodyNamespace;
        ns.closed = true;
        this.current = undefined;
        this.state = State.BlockHeader;
        const { db, collection, documents, bytes } = ns;
        yield { kind: 'namespace-end', db, collection, documents, bytes, crc: ns.crc.digest() };
      }
    }
  }

  /** A document read outside a data segment's hot path: a prelude document, a block header, or a completed document. */
  private *document(
    bytes: Buffer,
    start: number,
    length: number,
    offset: number,
  ): Generator<ArchiveEvent, void, undefined> {
    if (bytes[start + length - 1] !== 0) throw this.notNulTerminated(offset);
    const doc = bytes.subarray(start, start + length);
    switch (this.state) {
      case State.Prelude:
        if (this.header === undefined) {
          this.header = decodeArchiveHeader(doc, offset);
          this.version = parseServerVersion(this.header.serverVersion);
          yield { kind: 'header', header: this.header };
        } else {
          this.entries.push(decodeNamespaceEntry(doc, this.entries.length, offset));
        }
        return;
      case State.BlockHeader:
        this.blockHeader(doc, offset);
        return;
      case State.Segment: {
        const ns = this.current as BodyNamespace;
        ns.crc.update(doc);
        this.batch.push(doc);
        this.batchBytes += length;
        if (this.batchBytes >= DEFAULT_BATCH_BYTES) yield this.takeBatch();
        return;
      }
      default:
        throw this.error(
          ErrorCode.ARCHIVE_BAD_BLOCK,
          `Document at byte ${offset} inside the EOF block of ${this.current?.name ?? '?'}: EOF blocks hold no documents`,
          offset,
        );
    }
  }

  private endPrelude(offset: number): ArchiveEvent {
    if (this.header === undefined) {
      const message = `The prelude has no header document (terminator at byte ${offset})`;
      throw this.error(ErrorCode.ARCHIVE_BAD_PRELUDE, message, offset);
    }
    const version = this.version as ServerVersion;
    for (const entry of this.entries) {
      const collection = bodyCollection(entry, version);
      const name = namespaceString(entry.db, collection);
      if (this.namespaces.has(name)) {
        const message = `The prelude announces the body namespace ${name} twice`;
        throw this.error(ErrorCode.ARCHIVE_BAD_PRELUDE, message, offset, name);
      }
      this.namespaces.set(name, {
        db: entry.db,
        collection,
        name,
        entry,
        crc: new Crc64(),
        documents: 0,
        bytes: 0,
        opened: false,
        closed: false,
      });
    }
    return { kind: 'prelude', entries: this.entries };
  }

  private blockHeader(doc: Buffer, offset: number): void {
    const header = decodeBlockHeader(doc, offset);
    const name = namespaceString(header.db, header.collection);
    const ns = this.namespaces.get(name);
    const fail = (message: string, code: ErrorCode = ErrorCode.ARCHIVE_BAD_BLOCK): ArchiveError =>
      this.error(code, `Namespace header at byte ${offset}: ${message}`, offset, name);
    if (ns === undefined) {
      throw fail(
        `${name} is not announced in the prelude${this.timeseriesHint(header.db, header.collection)}`,
      );
    }
    if (ns.closed) throw fail(`${name} was already closed by its EOF block`);
    if (this.oplogSeen && !isOplog(ns.entry.db, ns.entry.collection)) {
      throw fail(`${name} comes after the oplog, which must be the last namespace of the body`);
    }
    if (isOplog(ns.entry.db, ns.entry.collection)) this.oplogSeen = true;
    this.current = ns;
    if (!header.eof) {
      ns.opened = true;
      this.state = State.Segment;
      return;
    }
    const crc = ns.crc.digest();
    if (crc !== header.crc) {
      throw fail(
        `CRC mismatch for ${name}: the archive says ${crc64ToInt64(header.crc)}, the documents give ${crc64ToInt64(crc)}`,
        ErrorCode.ARCHIVE_CRC_MISMATCH,
      );
    }
    this.state = State.EofBlock;
  }

  private timeseriesHint(db: string, collection: string): string {
    const version = this.version as ServerVersion;
    const base = collection.startsWith(BUCKETS_PREFIX) ? collection.slice(BUCKETS_PREFIX.length) : collection;
    const entry = this.entries.find((e) => e.db === db && e.collection === base && e.type === 'timeseries');
    if (entry === undefined) return '';
    const expected = namespaceString(db, bodyCollection(entry, version));
    return usesBucketsNamespace(version)
      ? ` (timeseries ${namespaceString(db, base)} from server ${this.header?.serverVersion}: its data must be under ${expected})`
      : ` (timeseries ${namespaceString(db, base)} from server 8.3 or newer: its data must be under ${expected})`;
  }
}
