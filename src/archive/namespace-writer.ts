/**
 * Writes the body of one namespace: documents gathered into data segments, then the EOF block.
 *
 * @packageDocumentation
 */

import { ArchiveError, ErrorCode } from '../errors.js';
import { MAX_BSON_SIZE, MIN_BSON_SIZE } from './constants.js';
import { Crc64 } from './crc64.js';
import { encodeBlockHeader } from './namespace-header.js';
import type { NamespaceGate } from './namespace-gate.js';
import type { OutputChannel } from './output-channel.js';

/** What was written for one body namespace. */
export interface NamespaceSummary {
  /** Database of the body namespace. */
  readonly db: string;
  /** Collection of the body namespace (`system.buckets.<coll>` for a timeseries collection below 8.3). */
  readonly collection: string;
  /** Number of documents. */
  readonly documents: number;
  /** Total size of the documents in bytes. */
  readonly bytes: number;
  /** CRC-64/XZ of the documents, unsigned (the EOF block stores it as the int64 with the same bits). */
  readonly crc: bigint;
}

/**
 * Writes the documents of one namespace. Obtained from {@link ArchiveWriter.openNamespace}.
 *
 * @example
 * ```ts
 * const ns = writer.openNamespace('shop', 'orders');
 * for await (const doc of cursor) await ns.write(doc); // raw BSON, e.g. from a `raw: true` cursor
 * const { documents, crc } = await ns.end();
 * ```
 */
export interface NamespaceWriter {
  /** Database of the body namespace being written. */
  readonly db: string;
  /** Collection of the body namespace being written. */
  readonly collection: string;
  /**
   * Appends one raw BSON document. The bytes are copied into the namespace's current segment before the promise
   * resolves, so the buffer may be reused (e.g. a driver's pooled buffer) once it has resolved, not before. The
   * promise stays pending while the archive stream is full (backpressure).
   *
   * @throws {@link ArchiveError} `DOCUMENT_TOO_LARGE` above 16 MiB, `ARCHIVE_WRITER_STATE` for a malformed document
   * (shorter than 5 bytes, length prefix different from the buffer's length, last byte not 0), a write after
   * {@link NamespaceWriter.end} or to a view, or when the writer was aborted.
   */
  write(document: Uint8Array): Promise<void>;
  /**
   * Appends raw BSON documents in order, as {@link NamespaceWriter.write} each would, with one promise for them all:
   * the cheaper way to hand over a batch (e.g. a cursor's whole reply). Backpressure still applies between
   * documents: the writer waits for the stream whenever it is full, so no more than a segment is held beyond it.
   * The buffers may be reused once the promise has resolved.
   *
   * @throws {@link ArchiveError} as {@link NamespaceWriter.write}; the documents before a malformed one are written.
   */
  writeMany(documents: readonly Uint8Array[]): Promise<void>;
  /** Writes the last segment and the EOF block; resolves with what was written. */
  end(): Promise<NamespaceSummary>;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** @internal The implementation behind {@link NamespaceWriter}. */
export class SegmentingNamespaceWriter implements NamespaceWriter {
  private readonly name: string;
  private readonly segmentHeader: Buffer;
  private segment: Buffer | null = null;
  private fill = 0;
  private readonly crc = new Crc64();
  private documents = 0;
  private bytes = 0;
  private ended = false;
  /** Whether this namespace took its place among those in progress (see {@link NamespaceGate}). */
  private admitted = false;
  /** The last queued operation while an earlier one waits for the stream; `null` when nothing waits. */
  private tail: Promise<unknown> | null = null;

  constructor(
    readonly db: string,
    readonly collection: string,
    private readonly output: OutputChannel,
    private readonly segmentSize: number,
    private readonly acceptsDocuments: boolean,
    private readonly onEnd: (summary: NamespaceSummary) => void,
    private readonly onEnding: (ending: Promise<NamespaceSummary>) => void,
    private readonly gate?: NamespaceGate,
  ) {
    this.name = `${db}.${collection}`;
    this.segmentHeader = encodeBlockHeader({ db, collection, eof: false, crc: 0n });
  }

  write(document: Uint8Array): Promise<void> {
    const problem = this.writeError() ?? checkDocument(document, this.name);
    if (problem !== undefined) return Promise.reject(problem);
    return this.enqueue(() => this.append(document));
  }

  writeMany(documents: readonly Uint8Array[]): Promise<void> {
    const problem = this.writeError();
    if (problem !== undefined) return Promise.reject(problem);
    if (documents.length === 0)
      return this.tail === null ? RESOLVED : this.track(this.tail.then(() => undefined));
    return this.enqueue(() => this.appendMany(documents, 0));
  }

  end(): Promise<NamespaceSummary> {
    if (this.ended) return Promise.reject(this.stateError(`end() called twice on ${this.name}`));
    this.ended = true;
    const finish = (): Promise<NamespaceSummary> => {
      if (this.fill > 0 || this.documents === 0) this.flush();
      this.output.push(eofBlock(this.db, this.collection, this.crc.digest()));
      this.gate?.leave();
      const summary: NamespaceSummary = {
        db: this.db,
        collection: this.collection,
        documents: this.documents,
        bytes: this.bytes,
        crc: this.crc.digest(),
      };
      this.onEnd(summary);
      return (this.output.drained() ?? RESOLVED).then(() => summary);
    };
    let ending: Promise<NamespaceSummary>;
    // A namespace never written still appears in the body (an empty segment and its EOF block): it waits its turn too.
    const entered = this.admitted || this.gate === undefined ? undefined : this.gate.enter();
    this.admitted = true;
    if (entered !== undefined) {
      ending = entered.then(finish);
    } else if (this.tail === null) {
      try {
        ending = finish();
      } catch (error) {
        ending = Promise.reject(error);
      }
    } else {
      ending = this.tail.then(finish);
    }
    this.onEnding(ending);
    return ending;
  }

  /** Why nothing may be written now, or `undefined`. */
  private writeError(): ArchiveError | undefined {
    return this.ended
      ? this.stateError(`write() after end() on ${this.name}`)
      : !this.acceptsDocuments
        ? this.stateError(`${this.name} is a view: views have no documents`)
        : this.output.error;
  }

  /**
   * Runs `operation` after the operations queued before it (and, for the first one, once the gate admits this
   * namespace); it returns a promise only when it must wait for the stream.
   */
  private enqueue(operation: () => Promise<void> | undefined): Promise<void> {
    if (!this.admitted && this.gate !== undefined) {
      // The first document waits until fewer namespaces than announced are in progress.
      this.admitted = true;
      const entered = this.gate.enter();
      if (entered !== undefined) return this.track(entered.then(operation));
    }
    if (this.tail === null) {
      let waiting: Promise<void> | undefined;
      try {
        waiting = operation();
      } catch (error) {
        return Promise.reject(error);
      }
      return waiting === undefined ? RESOLVED : this.track(waiting);
    }
    return this.track(this.tail.then(operation));
  }

  /**
   * Appends `documents` from index `from`, checking each; when the stream is full after a segment, continues once it
   * has drained. Returns a promise only when it had to wait.
   */
  private appendMany(documents: readonly Uint8Array[], from: number): Promise<void> | undefined {
    for (let i = from; i < documents.length; i++) {
      const document = documents[i] as Uint8Array;
      const problem = checkDocument(document, this.name);
      if (problem !== undefined) throw problem;
      const waiting = this.append(document);
      if (waiting !== undefined) {
        if (i + 1 === documents.length) return waiting;
        return waiting.then(() => this.appendMany(documents, i + 1));
      }
    }
    return undefined;
  }

  private stateError(message: string): ArchiveError {
    return new ArchiveError(ErrorCode.ARCHIVE_WRITER_STATE, message, { namespace: this.name });
  }

  /** Remembers `operation` as the tail of the queue until it settles. */
  private track<T>(operation: Promise<T>): Promise<T> {
    this.tail = operation;
    const settle = (): void => {
      if (this.tail === operation) this.tail = null;
    };
    operation.then(settle, settle);
    return operation;
  }

  /**
   * Copies a document into the current segment, writing the segment when full. Returns a promise when a segment was
   * written and the stream is now full.
   */
  private append(document: Uint8Array): Promise<void> | undefined {
    const length = document.length;
    const headerLength = this.segmentHeader.length;
    let flushed = false;
    if (this.segment !== null && this.fill + length > this.segmentSize) {
      this.flush();
      flushed = true;
    }
    if (this.segment === null) {
      this.segment = this.output.allocate(headerLength + Math.max(this.segmentSize, length) + 4);
      this.segmentHeader.copy(this.segment, 0);
    }
    this.segment.set(document, headerLength + this.fill);
    this.fill += length;
    this.documents += 1;
    this.bytes += length;
    if (this.fill >= this.segmentSize) {
      this.flush();
      flushed = true;
    }
    return flushed ? this.output.drained() : undefined;
  }

  /** Writes the current segment (header, documents, terminator) in one push. */
  private flush(): void {
    const headerLength = this.segmentHeader.length;
    const segment = this.segment ?? Buffer.allocUnsafe(headerLength + 4);
    if (this.segment === null) this.segmentHeader.copy(segment, 0);
    const end = headerLength + this.fill;
    this.crc.update(segment, headerLength, end);
    segment.writeInt32LE(-1, end);
    this.output.push(segment.subarray(0, end + 4));
    this.segment = null;
    this.fill = 0;
  }
}

/** An EOF block: the header with `EOF: true` and the CRC, then the terminator. */
function eofBlock(db: string, collection: string, crc: bigint): Buffer {
  const header = encodeBlockHeader({ db, collection, eof: true, crc });
  const block = Buffer.allocUnsafe(header.length + 4);
  header.copy(block, 0);
  block.writeInt32LE(-1, header.length);
  return block;
}

/** Returns why `document` cannot be written, or `undefined` when it is a well-formed BSON document. */
function checkDocument(document: Uint8Array, namespace: string): ArchiveError | undefined {
  if (!(document instanceof Uint8Array)) {
    return new ArchiveError(
      ErrorCode.ARCHIVE_WRITER_STATE,
      `Documents must be Buffers or Uint8Arrays of raw BSON`,
      {
        namespace,
      },
    );
  }
  const length = document.length;
  if (length > MAX_BSON_SIZE) {
    return new ArchiveError(
      ErrorCode.DOCUMENT_TOO_LARGE,
      `Document of ${length} bytes in ${namespace} is larger than the ${MAX_BSON_SIZE}-byte BSON limit`,
      { namespace },
    );
  }
  const declared =
    length < 4
      ? -1
      : (document[0] as number) |
        ((document[1] as number) << 8) |
        ((document[2] as number) << 16) |
        ((document[3] as number) << 24);
  if (length < MIN_BSON_SIZE || declared !== length || document[length - 1] !== 0) {
    return new ArchiveError(
      ErrorCode.ARCHIVE_WRITER_STATE,
      `Malformed BSON document for ${namespace}: ${length} bytes, length prefix ${declared}, last byte ${document[length - 1] ?? 'none'} (expected at least ${MIN_BSON_SIZE} bytes, a prefix equal to the length and a final 0x00)`,
      { namespace },
    );
  }
  return undefined;
}
