/**
 * The bytes of one S3 multipart upload, cut into parts with a fixed set of reused part buffers: `max(2,
 * partsInFlight)` of them, one being filled while the others are uploaded (at most `partsInFlight` at once), so an
 * upload holds at most `max(2, partsInFlight) × partSize` bytes, whatever its length and however the bytes arrive;
 * writes wait while every buffer is being uploaded. Each part is sent straight from its buffer with a checksum the
 * server verifies (CRC32 computed here by zlib; other algorithms by the SDK).
 *
 * Buffers are filled in the order they were made: when an upload ends while a later buffer holds a part being
 * filled, those bytes move into the freed, earlier buffer. So when the uploads keep up with the stream, only the
 * first buffer is ever written in full and the second only as far as the bytes that came during one upload; pages
 * of a buffer never written are not resident, and the upload's memory is about one part, not two.
 *
 * A stream that ends before its first part is full is kept for a single `PutObject`; nothing is created on the
 * server until {@link S3PartWriter.complete} (for such a stream) or until the first part is full (the multipart
 * upload, which stays invisible until it is completed).
 *
 * @packageDocumentation
 */
import type { ChecksumAlgorithm, CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';

import { ErrorCode, MongoBackupRuntimeError } from '../errors.js';
import { MAX_UPLOAD_PARTS } from './part-size.js';
import { loadS3Sdk } from './s3-sdk.js';

/** Where and how the parts go. */
export interface PartWriterSettings {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly partSize: number;
  readonly partsInFlight: number;
  readonly checksumAlgorithm: ChecksumAlgorithm;
  readonly onBytesStored: ((bytes: number) => void) | undefined;
}

/** The checksum fields of one part's request: CRC32 computed here, any other algorithm left to the SDK. */
function checksumFields(algorithm: ChecksumAlgorithm, body: Buffer): Record<string, string> {
  if (algorithm !== 'CRC32') return { ChecksumAlgorithm: algorithm };
  const value = Buffer.alloc(4);
  value.writeUInt32BE(crc32(body));
  return { ChecksumCRC32: value.toString('base64') };
}

/** A Writable that uploads what is written to it as the parts of one multipart upload. */
export class S3PartWriter extends Writable {
  readonly #settings: PartWriterSettings;
  /** Every part buffer made, in the order made: a buffer's place in it is its rank. */
  readonly #buffers: Buffer[] = [];
  /** The buffers not being filled nor uploaded. */
  readonly #free: Buffer[] = [];
  #current: Buffer | undefined;
  #filled = 0;
  readonly #inFlight = new Set<Promise<void>>();
  /** Called when a part upload settles (a buffer and a slot are free again). */
  #wake: (() => void) | undefined;
  readonly #parts: CompletedPart[] = [];
  #uploadId: Promise<string> | undefined;
  #failure: Error | undefined;
  #stored = 0;
  readonly #stop = new AbortController();

  constructor(settings: PartWriterSettings) {
    super({ highWaterMark: 64 * 1024 });
    this.#settings = settings;
  }

  /** The id of the multipart upload once one has been started (for the abort of a failed upload). */
  get uploadId(): Promise<string> | undefined {
    return this.#uploadId;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#stop.abort(error ?? new Error('upload stopped'));
    callback(error);
  }

  /**
   * Makes the object visible: completes the multipart upload, or puts a stream shorter than one part as a single
   * object. Call once the stream has finished.
   */
  async complete(): Promise<void> {
    const { s3 } = await loadS3Sdk();
    const { client, bucket, key } = this.#settings;
    if (this.#uploadId === undefined) {
      const body = (this.#current ?? Buffer.alloc(0)).subarray(0, this.#filled);
      await client.send(
        new s3.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          ContentType: 'application/octet-stream',
          ...checksumFields(this.#settings.checksumAlgorithm, body),
        }),
      );
      this.#stored = body.length;
      this.#settings.onBytesStored?.(this.#stored);
      return;
    }
    await client.send(
      new s3.CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: await this.#uploadId,
        MultipartUpload: { Parts: this.#parts },
      }),
    );
  }

  /** Stops the part uploads under way and waits for them to settle. Never throws. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('upload stopped'));
    this.#wake?.();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #take(chunk: Buffer): Promise<void> {
    const size = this.#settings.partSize;
    let offset = 0;
    while (offset < chunk.length) {
      this.#throwIfFailed();
      this.#current ??= await this.#buffer();
      const copied = chunk.copy(this.#current, this.#filled, offset);
      offset += copied;
      this.#filled += copied;
      if (this.#filled === size) await this.#send();
    }
  }

  async #finish(): Promise<void> {
    // A stream shorter than one part waits for complete() to put it whole.
    if (this.#uploadId !== undefined && this.#filled > 0) await this.#send();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#stop.signal.aborted) throw new Error('the upload was stopped');
  }

  /**
   * A free part buffer: the earliest made of the free ones, a new one while fewer than `max(2, partsInFlight)` exist,
   * or the next freed.
   */
  async #buffer(): Promise<Buffer> {
    for (;;) {
      const earliest = this.#buffers.find((buffer) => this.#free.includes(buffer));
      if (earliest !== undefined) {
        this.#free.splice(this.#free.indexOf(earliest), 1);
        return earliest;
      }
      if (this.#buffers.length < Math.max(2, this.#settings.partsInFlight)) {
        const made = Buffer.allocUnsafeSlow(this.#settings.partSize);
        this.#buffers.push(made);
        return made;
      }
      await this.#settled();
      this.#throwIfFailed();
    }
  }

  #rank(buffer: Buffer): number {
    return this.#buffers.indexOf(buffer);
  }

  /**
   * Takes back a buffer whose upload ended. A part being filled in a later buffer moves into it (a copy of what the
   * later buffer holds so far), so that later buffers are written only as far as needed; a full one waiting for its
   * upload stays where it is.
   */
  #release(buffer: Buffer): void {
    const current = this.#current;
    const filling = current !== undefined && this.#filled < this.#settings.partSize;
    if (filling && this.#rank(buffer) < this.#rank(current)) {
      current.copy(buffer, 0, 0, this.#filled);
      this.#current = buffer;
      this.#free.push(current);
    } else {
      this.#free.push(buffer);
    }
  }

  #settled(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /** Uploads the current buffer as the next part, once fewer than `partsInFlight` parts are under way. */
  async #send(): Promise<void> {
    while (this.#inFlight.size >= this.#settings.partsInFlight) {
      await this.#settled();
      this.#throwIfFailed();
    }
    const buffer = this.#current as Buffer;
    const body = buffer.subarray(0, this.#filled);
    this.#current = undefined;
    this.#filled = 0;
    const number = this.#parts.length + 1;
    if (number > MAX_UPLOAD_PARTS) {
      this.#free.push(buffer);
      throw new MongoBackupRuntimeError(
        ErrorCode.DUMP_FAILED,
        `The backup outgrew ${MAX_UPLOAD_PARTS} parts of ${this.#settings.partSize} bytes: it is larger than the size ` +
          'expected when the upload started',
      );
    }
    this.#parts.push({ PartNumber: number });
    this.#uploadId ??= this.#create();
    const upload = this.#uploadPart(number, body).then(
      (part) => {
        this.#parts[number - 1] = part;
        this.#stored += body.length;
        this.#settings.onBytesStored?.(this.#stored);
      },
      (error: unknown) => {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
      },
    );
    const tracked = upload.finally(() => {
      this.#inFlight.delete(tracked);
      this.#release(buffer);
      this.#wake?.();
    });
    this.#inFlight.add(tracked);
  }

  async #create(): Promise<string> {
    const { s3 } = await loadS3Sdk();
    const { client, bucket, key } = this.#settings;
    // Not cut short by stop() (no abort signal): an upload the server created must be known, to be aborted.
    const created = await client.send(
      new s3.CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ContentType: 'application/octet-stream',
        ChecksumAlgorithm: this.#settings.checksumAlgorithm,
      }),
    );
    if (created.UploadId === undefined) throw new Error('the server returned no upload id');
    return created.UploadId;
  }

  async #uploadPart(number: number, body: Buffer): Promise<CompletedPart> {
    const { s3 } = await loadS3Sdk();
    const { client, bucket, key, checksumAlgorithm } = this.#settings;
    const checksums = checksumFields(checksumAlgorithm, body);
    const response = await client.send(
      new s3.UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: await (this.#uploadId as Promise<string>),
        PartNumber: number,
        Body: body,
        ContentLength: body.length,
        ...checksums,
      }),
      { abortSignal: this.#stop.signal },
    );
    const field = `Checksum${checksumAlgorithm}` as keyof CompletedPart & keyof typeof response;
    const checksum = checksums[field] ?? response[field];
    return {
      PartNumber: number,
      ETag: response.ETag,
      ...(checksum === undefined ? {} : { [field]: checksum }),
    };
  }
}
