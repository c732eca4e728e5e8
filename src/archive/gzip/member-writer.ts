/**
 * The parallel gzip writer: a Transform that cuts its input into fixed-size pieces, compresses each as an
 * independent, length-marked gzip member on libuv's thread pool, several at once, and emits the members strictly in
 * input order.
 *
 * @internal
 * @packageDocumentation
 */

import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { DEFAULT_ZLIB_CHUNK_SIZE } from '../constants.js';
import { MemberDeflater } from './member-deflater.js';
import { markMember } from './member-format.js';

/** Settings of {@link createMemberGzip}, all resolved. */
export interface MemberGzipSettings {
  /** zlib level, -1 to 9. */
  readonly level: number;
  /** Bytes of input per member. */
  readonly memberSize: number;
  /** Members in flight at most (compressing, or compressed and waiting for the ones before). */
  readonly concurrency: number;
  /** The readable side's buffer, in bytes. Defaults to 1 MiB. */
  readonly highWaterMark?: number | undefined;
  /** Called with each input chunk once it has been copied (the writer may then reuse its memory). */
  readonly consumed?: ((chunk: Buffer) => void) | undefined;
}

interface Slot {
  /** The marked member, in views (header, then zlib's output). */
  output?: Buffer[];
  error?: Error;
}

/**
 * zlib's output buffer for members of `memberSize` bytes: room for a member that does not compress at all (deflate's
 * worst case grows the input by well under 1/1024 plus a few bytes), so that a member takes one pass on the thread
 * pool; consecutive members share the buffer until it is full.
 */
function outputChunkSize(memberSize: number): number {
  return Math.max(memberSize + (memberSize >>> 10) + 1024, DEFAULT_ZLIB_CHUNK_SIZE);
}

/**
 * A gzip Transform whose output is a sequence of length-marked gzip members (see `member-format.ts`), compressed in
 * parallel. Memory is bounded: at most `concurrency` members are in flight, and input is refused (the write callback
 * held) while that many are, or while the readable side is above its high-water mark.
 */
class MemberGzip extends Transform {
  private current: Buffer;
  private filled = 0;
  private members = 0;
  private readonly inFlight: Slot[] = [];
  /** Every engine made so far (at most as many as members were ever in flight at once), to close at the end. */
  private readonly engines: MemberDeflater[] = [];
  /** Engines not compressing now. */
  private readonly idle: MemberDeflater[] = [];
  /** Input buffers zlib is done with, reused for the next members instead of allocating new ones. */
  private readonly spare: Buffer[] = [];
  private held: TransformCallback | undefined;
  private flushed: TransformCallback | undefined;
  /** `_read` was called and nothing was pushed since: the consumer waits for a member. */
  private wanted = false;

  constructor(private readonly settings: MemberGzipSettings) {
    const highWaterMark = settings.highWaterMark ?? 1024 * 1024;
    super({ readableHighWaterMark: highWaterMark, writableHighWaterMark: highWaterMark });
    this.current = Buffer.allocUnsafe(settings.memberSize);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const size = this.settings.memberSize;
    for (let offset = 0; offset < chunk.length;) {
      const take = Math.min(size - this.filled, chunk.length - offset);
      chunk.copy(this.current, this.filled, offset, offset + take);
      this.filled += take;
      offset += take;
      if (this.filled === size) {
        this.compress(this.current, true);
        this.current = this.spare.pop() ?? Buffer.allocUnsafe(size);
        this.filled = 0;
      }
    }
    this.settings.consumed?.(chunk);
    if (this.full()) this.held = callback;
    else callback();
  }

  override _flush(callback: TransformCallback): void {
    // A gzip file has at least one member, even for empty input.
    if (this.filled > 0 || this.members === 0) this.compress(this.current.subarray(0, this.filled), false);
    this.flushed = callback;
    this.emitReady();
  }

  override _read(size: number): void {
    // The consumer wants data, whatever is buffered: take input until a member is pushed.
    this.wanted = true;
    this.release();
    super._read(size);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.held = undefined;
    this.flushed = undefined;
    this.inFlight.length = 0;
    this.closeEngines();
    callback(error);
  }

  private full(): boolean {
    if (this.inFlight.length >= this.settings.concurrency) return true;
    return !this.wanted && this.readableLength >= this.readableHighWaterMark;
  }

  /** Starts compressing `input`; a whole member's buffer (`reusable`) is taken back once zlib is done with it. */
  private compress(input: Buffer, reusable: boolean): void {
    const slot: Slot = {};
    this.inFlight.push(slot);
    this.members += 1;
    const engine = this.idle.pop() ?? this.newEngine();
    engine.compress(input, (error, member) => {
      this.idle.push(engine);
      if (reusable && this.spare.length < this.settings.concurrency) this.spare.push(input);
      if (error !== null) slot.error = error;
      else {
        try {
          slot.output = markMember(member);
        } catch (markError) {
          slot.error = markError as Error;
        }
      }
      this.emitReady();
    });
  }

  private newEngine(): MemberDeflater {
    const engine = new MemberDeflater(this.settings.level, outputChunkSize(this.settings.memberSize));
    this.engines.push(engine);
    return engine;
  }

  private closeEngines(): void {
    for (const engine of this.engines) engine.close();
    this.engines.length = 0;
    this.idle.length = 0;
  }

  /** Pushes the members that are done, in order, then lets input in if there is room. */
  private emitReady(): void {
    if (this.destroyed) return;
    for (let slot = this.inFlight[0]; slot !== undefined; slot = this.inFlight[0]) {
      if (slot.error !== undefined) {
        this.destroy(slot.error);
        return;
      }
      if (slot.output === undefined) break;
      this.inFlight.shift();
      this.wanted = false;
      for (const part of slot.output) this.push(part);
    }
    this.release();
    if (this.flushed !== undefined && this.inFlight.length === 0) {
      const flushed = this.flushed;
      this.flushed = undefined;
      this.closeEngines();
      flushed();
    }
  }

  /** Calls the held write callback if there is room. */
  private release(): void {
    if (this.held === undefined || this.full()) return;
    const held = this.held;
    this.held = undefined;
    held();
  }
}

/**
 * A Transform whose output is the gzip of its input as length-marked members compressed in parallel: one valid gzip
 * file for any reader.
 */
export function createMemberGzip(settings: MemberGzipSettings): Transform {
  return new MemberGzip(settings);
}
