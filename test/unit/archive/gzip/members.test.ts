import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  ArchiveError,
  createArchiveWriter,
  inspectArchive,
  readArchive,
} from '../../../../src/archive/index.js';
import type { ArchiveEvent, ArchiveWriterOptions } from '../../../../src/archive/index.js';
import { MAX_MEMBER_OUTPUT, markMember } from '../../../../src/archive/gzip/member-format.js';
import { gunzipMembers } from '../../../../src/archive/gzip/member-reader.js';
import { createMemberGzip } from '../../../../src/archive/gzip/member-writer.js';
import { bson, chunks, collect } from '../helpers.js';

/** The marked-member header of member-format.ts: FLG=FEXTRA, XLEN=8, subfield 'M' 'B' of 4 bytes. */
function memberLengths(gz: Buffer): number[] {
  const lengths: number[] = [];
  for (let at = 0; at < gz.length;) {
    expect([gz[at], gz[at + 1], gz[at + 2], gz[at + 3]]).toEqual([0x1f, 0x8b, 8, 4]);
    expect(gz.readUInt16LE(at + 10)).toBe(8);
    expect(gz.subarray(at + 12, at + 14).toString('latin1')).toBe('MB');
    expect(gz.readUInt16LE(at + 14)).toBe(4);
    const length = gz.readUInt32LE(at + 16);
    lengths.push(length);
    at += length;
  }
  return lengths;
}

/** An archive of a few namespaces with varied, partly compressible documents. */
async function archive(gzip: ArchiveWriterOptions['gzip'], documents = 400): Promise<Buffer> {
  const writer = createArchiveWriter({
    header: { serverVersion: '7.0.0' },
    namespaces: [
      { db: 'd', collection: 'a' },
      { db: 'd', collection: 'b' },
      { db: 'd', collection: 'v', type: 'view' },
    ],
    segmentSize: 4096,
    gzip,
  });
  const bytes = collect(writer.stream);
  const a = writer.openNamespace('d', 'a');
  const b = writer.openNamespace('d', 'b');
  for (let i = 0; i < documents; i++) {
    await a.write(bson({ i, s: `item ${i} `.repeat(i % 17), n: { x: i * 31, y: (i * 7919) % 1000 } }));
    if (i % 3 === 0) await b.write(bson({ _id: i, tag: ['x', 'y', 'z'][i % 3], when: new Date(1e12 + i) }));
  }
  await Promise.all([a.end(), b.end()]);
  await writer.finish();
  return bytes;
}

/**
 * The events with consecutive document batches of one namespace merged: how documents are batched follows the
 * chunks the parser is fed, which is not part of the contract; their order and bytes are.
 */
function merged(list: readonly ArchiveEvent[]): unknown[] {
  const out: unknown[] = [];
  for (const event of list) {
    const last = out.at(-1) as
      { kind?: string; db?: string; collection?: string; documents?: string[] } | undefined;
    if (event.kind !== 'documents') out.push(event);
    else if (last?.kind === 'documents' && last.db === event.db && last.collection === event.collection)
      last.documents?.push(...event.documents.map((d) => d.toString('hex')));
    else out.push({ ...event, documents: event.documents.map((d) => d.toString('hex')) });
  }
  return out;
}

async function events(source: Buffer, parallelGunzip: boolean, chunkSize = 4096): Promise<unknown[]> {
  const out: ArchiveEvent[] = [];
  for await (const event of readArchive(chunks(source, chunkSize), { parallelGunzip })) out.push(event);
  return merged(out);
}

type Verdict = { accepted: true; events: unknown[] } | { accepted: false };

async function verdict(source: Buffer, parallelGunzip: boolean, chunkSize: number): Promise<Verdict> {
  try {
    return { accepted: true, events: await events(source, parallelGunzip, chunkSize) };
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    // Which check fires first (gzip's or the parser's) on damaged data depends on timing in the single-stream path.
    return { accepted: false };
  }
}

describe('trailing bytes after the gzip data (issue #9, item 9)', () => {
  for (const parallel of [true, false]) {
    test(`zero padding after a ${parallel ? 'member-marked' : 'single-stream'} archive is refused like mongorestore does`, async () => {
      const gz = await archive({ parallel, memberSize: 2048 });
      for (const zeros of [1, 9, 10, 512]) {
        const padded = Buffer.concat([gz, Buffer.alloc(zeros)]);
        for (const parallelGunzip of [true, false]) {
          const result = await verdict(padded, parallelGunzip, 1000);
          expect(result).toEqual({ accepted: false });
        }
        const report = await inspectArchive(padded);
        expect(report.valid).toBe(false);
        expect(report.error?.code).toBe('ARCHIVE_CORRUPT');
        expect(report.error?.message).toContain('not a gzip member');
      }
    });
  }

  test('another gzip member after the archive (even an empty one) is still read, as Go and gunzip do', async () => {
    const gz = await archive({ parallel: false });
    const report = await inspectArchive(Buffer.concat([gz, gzipSync(Buffer.alloc(0))]));
    expect(report.valid).toBe(true);
  });
});

describe('parallel gzip members: the writer', () => {
  test('cuts the stream into length-marked members that chain to the end and gunzip to the plain archive', async () => {
    const plain = await archive(false);
    const gz = await archive({ memberSize: 3000 });
    const lengths = memberLengths(gz);
    expect(lengths.length).toBe(Math.ceil(plain.length / 3000));
    expect(gunzipSync(gz).equals(plain)).toBe(true);
  });

  test('is the default, and costs under 1% of size against one deflate stream at 1 MiB members', async () => {
    const single = await archive({ parallel: false }, 30_000);
    const members = await archive(true, 30_000);
    expect(memberLengths(members).length).toBeGreaterThan(1);
    expect(gunzipSync(members).equals(gunzipSync(single))).toBe(true);
    expect(members.length / single.length).toBeLessThan(1.01);
  });

  test('{ parallel: false } writes one plain gzip member, as mongodump does', async () => {
    const gz = await archive({ parallel: false });
    expect(gz[3]).toBe(0);
  });

  test('holds at most `concurrency` members in flight: writes stall when nobody reads', async () => {
    const gzip = createMemberGzip({
      level: 1,
      memberSize: 64 * 1024,
      concurrency: 2,
      highWaterMark: 64 * 1024,
    });
    const piece = randomBytes(16 * 1024);
    let accepted = 0;
    while (accepted < 64 * 1024 * 1024) {
      const more = gzip.write(piece);
      accepted += piece.length;
      if (!more) {
        const drained = await Promise.race([
          new Promise((resolve) => gzip.once('drain', () => resolve(true))),
          new Promise((resolve) => setTimeout(() => resolve(false), 300)),
        ]);
        if (drained === false) break;
      }
    }
    // Stalled long before 64 MiB: two members in flight, plus the buffers on each side.
    expect(accepted).toBeLessThan(1024 * 1024);
    const rest = collect(gzip);
    gzip.end();
    expect(gunzipSync(await rest).length).toBe(accepted);
  });

  test('an empty input is one valid member', async () => {
    const gzip = createMemberGzip({ level: 6, memberSize: 1024, concurrency: 2 });
    const out = collect(gzip);
    gzip.end();
    const bytes = await out;
    expect(memberLengths(bytes)).toEqual([bytes.length]);
    expect(gunzipSync(bytes).length).toBe(0);
  });
});

describe('parallel gzip members: the reader gives what the single-stream path gives', () => {
  test('same events on member-marked, single-stream and mixed input, any chunking', async () => {
    const marked = await archive({ memberSize: 1500 });
    const single = await archive({ parallel: false });
    const mixed = Buffer.concat([
      marked.subarray(0, memberLengths(marked)[0] as number),
      gzipSync(gunzipSync(marked).subarray(1500)),
    ]);
    for (const input of [marked, single, mixed]) {
      const reference = await events(input, false);
      for (const size of [1, 37, 4096, input.length]) {
        expect(await events(input, true, size)).toEqual(reference);
      }
    }
    expect(await events(marked, true)).toEqual(await events(single, true));
  });

  test('same verdicts (only ArchiveErrors) on a fuzz corpus of damaged member-marked archives', async () => {
    let state = 0x9e3779b9;
    const pick = (n: number): number => {
      state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return state % n;
    };
    const base = await archive({ memberSize: 1024 }, 120);
    const lengths = memberLengths(base);
    const starts = lengths.map((_, i) => lengths.slice(0, i).reduce((a, b) => a + b, 0));
    const counts = { accepted: 0, rejected: 0 };
    for (let round = 0; round < 600; round++) {
      let bytes = Buffer.from(base);
      const at = pick(3) === 0 ? (starts[pick(starts.length)] as number) + pick(24) : pick(bytes.length);
      switch (pick(5)) {
        case 0:
          bytes[at] = (bytes[at] as number) ^ (1 + pick(255));
          break;
        case 1:
          bytes = bytes.subarray(0, at);
          break;
        case 2:
          bytes = Buffer.concat([
            bytes.subarray(0, at),
            Buffer.alloc(1 + pick(12), pick(2) * 0x1f),
            bytes.subarray(at),
          ]);
          break;
        case 3:
          bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + pick(30))]);
          break;
        default:
          bytes.writeUInt32LE(pick(0x10000), Math.min(at, bytes.length - 4));
      }
      const chunkSize = 1 + pick(3000);
      const parallel = await verdict(bytes, true, chunkSize);
      const single = await verdict(bytes, false, chunkSize);
      expect(parallel).toEqual(single);
      counts[parallel.accepted ? 'accepted' : 'rejected'] += 1;
    }
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.rejected).toBeGreaterThan(0);
  });

  test('a marked member inflating to more than any member we write is streamed instead (bounded memory)', async () => {
    const big = Buffer.alloc(MAX_MEMBER_OUTPUT + 1024 * 1024, 0x61);
    const marked = Buffer.concat(markMember([gzipSync(big)]));
    let total = 0;
    for await (const chunk of gunzipMembers([marked], undefined, () => 0, 2)) {
      expect(chunk.length).toBeLessThanOrEqual(1024 * 1024);
      total += chunk.length;
    }
    expect(total).toBe(big.length);
  });

  test('empty gzip input: the same truncation error on both paths', async () => {
    for (const parallelGunzip of [true, false]) {
      await expect(
        (async () => {
          for await (const _event of readArchive([], { gzip: true, parallelGunzip })) void _event;
        })(),
      ).rejects.toMatchObject({
        code: 'ARCHIVE_TRUNCATED',
        message: expect.stringContaining('gzip stream ends early'),
      });
    }
  });

  test('a Readable source is read through the parallel path too', async () => {
    const marked = await archive({ memberSize: 2000 });
    const out: ArchiveEvent[] = [];
    for await (const event of readArchive(Readable.from(chunks(marked, 999)))) out.push(event);
    expect(merged(out)).toEqual(await events(marked, false));
  });
});
