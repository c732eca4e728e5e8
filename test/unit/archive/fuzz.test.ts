import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { ArchiveError, createArchiveWriter, readArchive } from '../../../src/archive/index.js';
import { fixture } from '../../support/paths.js';
import { bson, chunks, collect } from './helpers.js';
import { seededRandom } from '../../support/random.js';

type Outcome = 'accepted' | 'rejected';

/**
 * Reads one input under a deadline. Passes only if it is accepted (with every announced namespace closed) or
 * rejected with an ArchiveError; any other error or a hang fails.
 */
async function verdict(input: Buffer, chunkSize: number): Promise<Outcome> {
  const run = (async (): Promise<Outcome> => {
    let entries = -1;
    let ends = 0;
    try {
      for await (const event of readArchive(chunks(input, chunkSize))) {
        if (event.kind === 'prelude') entries = event.entries.length;
        if (event.kind === 'namespace-end') ends += 1;
      }
    } catch (error) {
      if (error instanceof ArchiveError) return 'rejected';
      throw error;
    }
    expect(ends).toBe(entries);
    return 'accepted';
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang on input of ${input.length} bytes`)), 2000);
  });
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function writerArchive(): Promise<Buffer> {
  const writer = createArchiveWriter({
    header: { serverVersion: '7.0.0' },
    namespaces: [
      { db: 'd', collection: 'a' },
      { db: 'd', collection: 'b.c' },
      { db: 'd', collection: 'v', type: 'view' },
      { db: 'm', collection: 'ts', type: 'timeseries' },
      { db: '', collection: 'oplog' },
    ],
    segmentSize: 200,
  });
  const bytes = collect(writer.stream);
  const a = writer.openNamespace('d', 'a');
  const b = writer.openNamespace('d', 'b.c');
  const ts = writer.openNamespace('m', 'ts');
  for (let i = 0; i < 12; i++) {
    await a.write(bson({ i, s: 'a'.repeat(i * 3) }));
    await b.write(bson({ i, n: { x: i } }));
    if (i % 4 === 0) await ts.write(bson({ bucket: i }));
  }
  await Promise.all([a.end(), b.end(), ts.end()]);
  await writer.finish();
  return bytes;
}

const MAX_ARRAY_BUFFERS = 256 * 1024 * 1024;

describe('fuzz: mutated archives parse or fail with an ArchiveError, never hang', () => {
  const bases: { name: string; bytes: () => Promise<Buffer> }[] = [
    { name: 'test.bar.archive', bytes: async () => readFileSync(fixture('real-archives/test.bar.archive')) },
    {
      name: 'dump-w-oplog.archive',
      bytes: async () => readFileSync(fixture('real-archives/dump-w-oplog.archive')),
    },
    {
      name: 'interleaved-two-ns.archive',
      bytes: async () => readFileSync(fixture('synthetic/edge-cases/interleaved-two-ns.archive')),
    },
    { name: 'writer output', bytes: writerArchive },
  ];

  test('deterministic: every truncation, every byte inverted, length prefixes set to edge values', async () => {
    const base = readFileSync(fixture('real-archives/test.bar.archive'));
    const counts = { accepted: 0, rejected: 0 };
    for (let cut = 0; cut < base.length; cut++) counts[await verdict(base.subarray(0, cut), 64)] += 1;
    expect(counts.accepted).toBe(0);
    for (let i = 0; i < base.length; i++) {
      const mutated = Buffer.from(base);
      mutated[i] = (mutated[i] as number) ^ 0xff;
      counts[await verdict(mutated, 4096)] += 1;
    }
    const edges = [0, 4, 5, 0x7fffffff, 0x01000000, 0x01000001, 0xffffffff, 0xfffffffe];
    for (let i = 0; i + 4 <= base.length; i += 4) {
      for (const value of edges) {
        const mutated = Buffer.from(base);
        mutated.writeUInt32LE(value, i);
        counts[await verdict(mutated, 13)] += 1;
      }
    }
    expect(counts.accepted + counts.rejected).toBe(
      base.length * 2 + Math.floor(base.length / 4) * edges.length,
    );
    expect(counts.rejected).toBeGreaterThan(counts.accepted);
  });

  test('seeded random: flips, truncations, insertions, deletions, duplications, on plain and gzip input', async () => {
    const next = seededRandom(0x5eed);
    const pick = (n: number): number => Math.floor(next() * n);
    const counts = { accepted: 0, rejected: 0 };
    let peakArrayBuffers = 0;
    for (const base of bases) {
      const plain = await base.bytes();
      for (let round = 0; round < 700; round++) {
        const gzip = round % 5 === 0;
        let bytes = Buffer.from(gzip ? gzipSync(plain) : plain);
        const mutations = 1 + pick(3);
        for (let m = 0; m < mutations; m++) {
          const at = pick(bytes.length + 1);
          switch (pick(6)) {
            case 0: // flip bits of a few bytes
              for (let k = 0; k < 1 + pick(4) && at + k < bytes.length; k++)
                bytes[at + k] = (bytes[at + k] as number) ^ (1 + pick(255));
              break;
            case 1: // truncate
              bytes = bytes.subarray(0, at);
              break;
            case 2: // insert random bytes
              bytes = Buffer.concat([
                bytes.subarray(0, at),
                Buffer.from(Array.from({ length: 1 + pick(8) }, () => pick(256))),
                bytes.subarray(at),
              ]);
              break;
            case 3: // delete a run
              bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + pick(16))]);
              break;
            case 4: // duplicate a slice (segments, terminators, headers twice)
              bytes = Buffer.concat([
                bytes.subarray(0, at),
                bytes.subarray(at, at + pick(80)),
                bytes.subarray(at),
              ]);
              break;
            default: // a terminator or a small length at a random place
              bytes = Buffer.concat([
                bytes.subarray(0, at),
                Buffer.from(pick(2) === 0 ? [0xff, 0xff, 0xff, 0xff] : [5, 0, 0, 0, 0]),
                bytes.subarray(at),
              ]);
          }
        }
        counts[await verdict(bytes, 1 + pick(600))] += 1;
        peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
      }
    }
    expect(counts.accepted + counts.rejected).toBe(bases.length * 700);
    expect(counts.rejected).toBeGreaterThan(0);
    expect(peakArrayBuffers).toBeLessThan(MAX_ARRAY_BUFFERS);
  });
});
