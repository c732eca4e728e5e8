/**
 * Recycled segment buffers: the writer's 1 MiB segments, once the parallel gzip stage has copied them into a member,
 * are handed back instead of left to the garbage collector (a dump otherwise makes one 1 MiB garbage buffer per
 * segment, which waits for V8's next full GC).
 *
 * @internal
 * @packageDocumentation
 */

/** Buffers are made in multiples of this, so that namespaces whose headers differ in length share them. */
const SIZE_STEP = 64 * 1024;

/** How many free buffers are kept in all; more are left to the garbage collector. */
const MAX_FREE = 16;

/** Free buffers by size (a multiple of {@link SIZE_STEP}), for reuse. */
export class SegmentPool {
  private readonly free = new Map<number, Buffer[]>();
  private count = 0;

  /** A buffer of at least `size` bytes (contents undefined): a recycled one when there is one. */
  allocate(size: number): Buffer {
    const rounded = Math.ceil(size / SIZE_STEP) * SIZE_STEP;
    const reused = this.free.get(rounded)?.pop();
    if (reused === undefined) return Buffer.allocUnsafe(rounded);
    this.count -= 1;
    return reused;
  }

  /**
   * Takes back the buffer `view` is a view of (from its start) once nothing reads it any more. Views that are not
   * of a buffer this pool could have made (shared slabs, offsets, other sizes) are ignored.
   */
  release(view: Uint8Array): void {
    const size = view.buffer.byteLength;
    if (view.byteOffset !== 0 || size % SIZE_STEP !== 0 || this.count >= MAX_FREE) return;
    const list = this.free.get(size) ?? [];
    list.push(Buffer.from(view.buffer, 0, size));
    this.free.set(size, list);
    this.count += 1;
  }
}
