/**
 * The parallel gunzip: while the input is a sequence of length-marked gzip members (see `member-format.ts`), several
 * are inflated at once on libuv's thread pool and their bytes handed out in order. From the first byte that is not
 * such a member (plain gzip, damaged data, a member whose length is wrong, trailing bytes), the rest goes through the
 * single-stream gunzip, so both paths give the same bytes and the same errors.
 *
 * @internal
 * @packageDocumentation
 */

import { constants, createGunzip } from 'node:zlib';
import { MAX_MEMBER_OUTPUT, MEMBER_HEADER_SIZE, markedMemberLength } from './member-format.js';
import { gunzipStream, gzipError, trailingBytesError } from './stream-gunzip.js';

/** The smallest output buffer given to zlib for a member (an empty member still needs one). */
const MIN_OUTPUT_CHUNK = 1024;

/**
 * What inflating one member gave: its bytes; `undefined` when it is not exactly one member of the announced length
 * (the single-stream path then takes over); or a zlib error in its data, which the single stream would meet too.
 */
type Inflated = Buffer | undefined | { readonly error: Error };

/** One member being inflated: its bytes (to fall back on) and the outcome. */
interface Pending {
  readonly member: Buffer;
  readonly inflated: Promise<Inflated>;
}

/** Compressed bytes received and not yet cut into members. */
class Unread {
  private chunks: Buffer[] = [];
  length = 0;

  add(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first `n` bytes (n <= length), without consuming them. */
  peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first.subarray(0, n);
    return this.take(n, false);
  }

  /** Removes and returns the first `n` bytes (n <= length). */
  take(n: number, consume = true): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length === n && consume) {
      this.chunks.shift();
      this.length -= n;
      return first;
    }
    const out = first.length >= n ? first.subarray(0, n) : Buffer.allocUnsafe(n);
    if (first.length < n) {
      let filled = 0;
      for (const chunk of this.chunks) {
        filled += chunk.copy(out, filled, 0, Math.min(chunk.length, n - filled));
        if (filled === n) break;
      }
    }
    if (consume) this.drop(n);
    return out;
  }

  /** Everything left, emptying this. */
  takeAll(): Buffer[] {
    const chunks = this.chunks;
    this.chunks = [];
    this.length = 0;
    return chunks;
  }

  private drop(n: number): void {
    this.length -= n;
    while (n > 0) {
      const first = this.chunks[0] as Buffer;
      if (first.length <= n) {
        this.chunks.shift();
        n -= first.length;
      } else {
        this.chunks[0] = first.subarray(n);
        n = 0;
      }
    }
  }
}

/**
 * zlib's output buffer size for inflating `member`: one byte more than the size its trailer announces (ISIZE), so
 * that the whole member inflates into one buffer in one pass on the thread pool (a full buffer would make zlib come
 * back to the main thread for another, and the parts would then be concatenated). Clamped to
 * [{@link MIN_OUTPUT_CHUNK}, {@link MAX_MEMBER_OUTPUT} + 1]; a wrong ISIZE only costs extra passes, never a wrong
 * result (zlib checks it).
 */
function outputChunkSize(member: Buffer): number {
  const isize = member.readUInt32LE(member.length - 4);
  return Math.min(Math.max(isize + 1, MIN_OUTPUT_CHUNK), MAX_MEMBER_OUTPUT + 1);
}

/**
 * Inflates one whole member. An input that ends early (`Z_BUF_ERROR`), a member shorter than announced or one that
 * inflates to more than {@link MAX_MEMBER_OUTPUT} gives `undefined`: the announced length may be what is wrong, and a
 * plain gunzip, which ignores it, decides.
 */
function inflateMember(member: Buffer): Promise<Inflated> {
  return new Promise((resolve) => {
    // Z_FINISH on the one write: the whole member in one pass on the thread pool (zlib's one-shot gunzip() writes,
    // then waits for the main thread to ask for the end in a second pass).
    const engine = createGunzip({ chunkSize: outputChunkSize(member), flush: constants.Z_FINISH });
    const output: Buffer[] = [];
    let length = 0;
    let settled = false;
    const settle = (outcome: Inflated): void => {
      if (settled) return;
      settled = true;
      engine.close();
      resolve(outcome);
    };
    engine.on('data', (chunk: Buffer) => {
      output.push(chunk);
      length += chunk.length;
      // Larger than any member we write (a gzip bomb?): the streaming path inflates it with bounded memory.
      if (length > MAX_MEMBER_OUTPUT) settle(undefined);
    });
    engine.on('error', (error: Error) => {
      // Ends early: the announced length may be what is wrong, and a plain gunzip, which ignores it, decides.
      const code = (error as { code?: unknown }).code;
      settle(code === 'Z_BUF_ERROR' ? undefined : { error });
    });
    engine.write(member, (error) => {
      if (error !== null && error !== undefined) return; // reported by the 'error' event
      // Not all of it read: the member ends before its announced length (the single stream decides).
      if (engine.bytesWritten !== member.length) settle(undefined);
      else settle(output.length === 1 ? (output[0] as Buffer) : Buffer.concat(output, length));
    });
  });
}

/**
 * Yields the gunzip of `head` followed by what `rest` yields, inflating up to `concurrency` length-marked members at
 * once. Same contract as {@link gunzipStream}, whose bytes and errors it reproduces.
 */
export async function* gunzipMembers(
  head: readonly Buffer[],
  rest: AsyncIterator<Buffer> | undefined,
  position: () => number,
  concurrency: number,
): AsyncGenerator<Buffer, void, undefined> {
  const unread = new Unread();
  for (const chunk of head) unread.add(chunk);
  let exhausted = rest === undefined;
  const pending: Pending[] = [];
  let marked = true;
  let members = 0;
  const more = async (): Promise<void> => {
    const next = await (rest as AsyncIterator<Buffer>).next();
    if (next.done === true) exhausted = true;
    else unread.add(next.value);
  };
  for (;;) {
    while (marked && pending.length < concurrency) {
      if (unread.length < MEMBER_HEADER_SIZE && !exhausted) {
        await more();
        continue;
      }
      const length =
        unread.length >= MEMBER_HEADER_SIZE ? markedMemberLength(unread.peek(MEMBER_HEADER_SIZE)) : undefined;
      if (length === undefined) {
        marked = false;
        break;
      }
      if (unread.length < length) {
        if (exhausted) marked = false;
        else await more();
        continue;
      }
      const member = unread.take(length);
      pending.push({ member, inflated: inflateMember(member) });
      members += 1;
    }
    const first = pending.shift();
    if (first === undefined) break;
    const bytes = await first.inflated;
    if (bytes !== undefined && !Buffer.isBuffer(bytes))
      throw gzipError(bytes.error, position(), first.member);
    if (bytes === undefined) {
      // Not what the mark says: the single-stream path takes over from this member's first byte.
      const rewind = [first.member, ...pending.map((p) => p.member), ...unread.takeAll()];
      pending.length = 0;
      yield* gunzipStream(rewind, exhausted ? undefined : rest, position);
      return;
    }
    if (bytes.length > 0) yield bytes;
  }
  if (unread.length > 0 && members > 0 && unread.peek(1)[0] !== 0x1f) throw trailingBytesError(position());
  if (unread.length > 0 || !exhausted || members === 0) {
    yield* gunzipStream(unread.takeAll(), exhausted ? undefined : rest, position);
  }
}
