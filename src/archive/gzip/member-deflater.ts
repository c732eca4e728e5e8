/**
 * One zlib gzip engine on libuv's thread pool, reused member after member: each input is compressed as a whole gzip
 * member in one pass (written with `Z_FINISH`, so no second pass waits for the main thread to ask for the end), then
 * the engine is reset for the next one. Reusing the engine saves creating one per member,
 * and its output buffer is shared by consecutive members (zlib hands out views of it), so a member's output is
 * neither concatenated nor copied.
 *
 * @internal
 * @packageDocumentation
 */

import { constants, createGzip } from 'node:zlib';
import type { Gzip, ZlibReset } from 'node:zlib';

/** What compressing one input gave: zlib's gzip member (10-byte header, deflate data, trailer) in one or more views. */
export type DeflateCallback = (error: Error | null, member: readonly Buffer[]) => void;

/** A reusable gzip engine; one member at a time. */
export class MemberDeflater {
  private engine: Gzip | undefined;
  private output: Buffer[] = [];
  private callback: DeflateCallback | undefined;

  /**
   * @param level - zlib level.
   * @param chunkSize - zlib's output buffer size: a member that fits in what is left of it takes one pass.
   */
  constructor(
    private readonly level: number,
    private readonly chunkSize: number,
  ) {}

  /**
   * Compresses `input` as one gzip member and calls `callback` with it once done; `input` is not read after that.
   * Must not be called again before the callback.
   */
  compress(input: Buffer, callback: DeflateCallback): void {
    const engine = (this.engine ??= this.create());
    this.callback = callback;
    // Every write is flushed with Z_FINISH (the engine's default flush): the whole member in one pass.
    engine.write(input, () => {
      // After an error the engine is gone and the callback already called.
      if (this.engine !== engine || this.callback === undefined) return;
      // Every zlib stream has reset() (deflateReset/inflateReset); Node's typings list it on the deflate and inflate
      // classes only. A gzip stream may be reset once its member is complete, as here after Z_FINISH.
      (engine as Gzip & ZlibReset).reset();
      this.finish(null);
    });
  }

  /** Frees the engine (a compression in progress is abandoned, its callback never called). */
  close(): void {
    this.callback = undefined;
    this.engine?.close();
    this.engine = undefined;
  }

  private create(): Gzip {
    const engine = createGzip({ level: this.level, chunkSize: this.chunkSize, flush: constants.Z_FINISH });
    engine.on('data', (chunk: Buffer) => this.output.push(chunk));
    engine.on('error', (error: Error) => {
      // zlib errors are fatal to the engine: the next member gets a new one.
      if (this.engine === engine) this.engine = undefined;
      engine.close();
      this.finish(error);
    });
    return engine;
  }

  private finish(error: Error | null): void {
    const callback = this.callback;
    const output = this.output;
    this.callback = undefined;
    this.output = [];
    callback?.(error, error === null ? output : []);
  }
}
