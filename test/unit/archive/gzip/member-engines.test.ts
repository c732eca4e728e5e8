import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { ArchiveError } from '../../../../src/archive/index.js';
import { MemberDeflater } from '../../../../src/archive/gzip/member-deflater.js';
import {
  MEMBER_HEADER_SIZE,
  markMember,
  markedMemberLength,
} from '../../../../src/archive/gzip/member-format.js';
import { gunzipMembers } from '../../../../src/archive/gzip/member-reader.js';
import { createMemberGzip } from '../../../../src/archive/gzip/member-writer.js';
import { gunzipStream } from '../../../../src/archive/gzip/stream-gunzip.js';
import { collect } from '../helpers.js';

/** Bytes that compress to anything from nothing to not at all, so members fill zlib's output buffers unevenly. */
function mixed(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let at = 0; at < size; at += 1000) {
    const piece = Math.min(1000, size - at);
    if ((at / 1000 + seed) % 3 === 0) randomBytes(piece).copy(out, at);
    else out.fill(`text ${seed} ${at} `, at, at + piece);
  }
  return out;
}

function deflate(engine: MemberDeflater, input: Buffer): Promise<readonly Buffer[]> {
  return new Promise((resolve, reject) =>
    engine.compress(input, (error, member) => (error === null ? resolve(member) : reject(error))),
  );
}

async function drain(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe('marking a member without copying it', () => {
  test('zlib output in any number of views, even a header split across them, gives the same marked member', () => {
    const input = mixed(5000, 1);
    const plain = gzipSync(input);
    const whole = Buffer.concat(markMember([plain]));
    for (const cuts of [[4], [10], [3, 7, 12], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [plain.length - 1]]) {
      const views: Buffer[] = [];
      let from = 0;
      for (const cut of [...cuts, plain.length]) {
        views.push(plain.subarray(from, cut));
        from = cut;
      }
      const marked = markMember(views);
      expect(marked[0]?.length).toBe(MEMBER_HEADER_SIZE);
      expect(Buffer.concat(marked).equals(whole)).toBe(true);
    }
    expect(markedMemberLength(whole)).toBe(whole.length);
    expect(whole.length).toBe(plain.length + MEMBER_HEADER_SIZE - 10);
    expect(gunzipSync(whole).equals(input)).toBe(true);
    // Views of zlib's output, not copies.
    const views = markMember([plain]);
    expect(views[1]?.buffer).toBe(plain.buffer);
  });
});

describe('one zlib engine reused member after member', () => {
  test('each input comes out as one complete gzip member of its own', async () => {
    const engine = new MemberDeflater(6, 64 * 1024);
    try {
      for (let k = 0; k < 8; k++) {
        const input = mixed(10_000 + k * 9_000, k);
        const member = Buffer.concat(await deflate(engine, input));
        expect(gunzipSync(member).equals(input)).toBe(true);
        // Exactly one member: its trailer's ISIZE is this input's length, nothing follows it.
        expect(member.readUInt32LE(member.length - 4)).toBe(input.length);
      }
    } finally {
      engine.close();
    }
  });
});

describe('the member writer recycles its input buffers and shares zlib output buffers between members', () => {
  test('any chunking, several members in flight, uneven compression: the output gunzips to the input', async () => {
    const input = mixed(600_000, 7);
    for (const [memberSize, concurrency] of [
      [4096, 2],
      [50_000, 3],
      [70_000, 1],
    ] as const) {
      const gzip = createMemberGzip({ level: 6, memberSize, concurrency });
      const out = collect(gzip);
      for (let at = 0, step = 1; at < input.length; at += step, step = (step * 7 + 13) % 9000) {
        if (!gzip.write(input.subarray(at, at + step)))
          await new Promise((resolve) => gzip.once('drain', resolve));
      }
      gzip.end();
      const bytes = await out;
      expect(gunzipSync(bytes).equals(input)).toBe(true);
      let members = 0;
      for (let at = 0; at < bytes.length; members++)
        at += markedMemberLength(bytes.subarray(at)) ?? bytes.length;
      expect(members).toBe(Math.ceil(input.length / memberSize));
    }
  });
});

describe('the member reader', () => {
  test('hands out each member as one buffer, inflated in one pass', async () => {
    const input = mixed(3 * 1024 * 1024 + 5, 3);
    const gzip = createMemberGzip({ level: 1, memberSize: 1024 * 1024, concurrency: 2 });
    const out = collect(gzip);
    gzip.end(input);
    const chunks = await drain(gunzipMembers([await out], undefined, () => 0, 2));
    expect(chunks.map((chunk) => chunk.length)).toEqual([1024 * 1024, 1024 * 1024, 1024 * 1024, 5]);
    expect(Buffer.concat(chunks).equals(input)).toBe(true);
  });

  test('a member whose trailer lies about its size: the same error as the single stream', async () => {
    const input = mixed(200_000, 5);
    for (const isize of [0, 1, 100_000, 199_999, 200_001, 16 * 1024 * 1024, 0xffffffff]) {
      const member = Buffer.concat(markMember([gzipSync(input)]));
      member.writeUInt32LE(isize, member.length - 4);
      const outcome = async (parallel: boolean): Promise<string> => {
        try {
          const chunks = parallel
            ? gunzipMembers([member], undefined, () => 0, 2)
            : gunzipStream([member], undefined, () => 0);
          return `ok ${Buffer.concat(await drain(chunks)).length}`;
        } catch (error) {
          expect(error).toBeInstanceOf(ArchiveError);
          return (error as ArchiveError).code;
        }
      };
      expect(await outcome(true)).toBe(await outcome(false));
    }
  });
});
