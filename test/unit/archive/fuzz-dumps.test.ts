import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BSON, Binary, Long } from 'bson';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { bsonStructureError } from '../../../src/archive/bson-validate.js';
import { checkDumpManifest, writeDumpManifest } from '../../../src/archive/directory/manifest.js';
import {
  ArchiveError,
  createDirectoryWriter,
  extractTarGz,
  packDirectoryToTarGz,
  readDirectoryDump,
} from '../../../src/archive/index.js';
import { seededRandom } from '../../support/random.js';

type Verdict = { kind: 'rejected'; code: string } | { kind: 'accepted'; content: string };

/**
 * What verify: 'before' does with a directory dump: the manifest, then every document's framing and BSON structure.
 * Only an ArchiveError is an acceptable failure.
 */
async function verify(dir: string): Promise<Verdict> {
  try {
    await checkDumpManifest(dir);
    const content: string[] = [];
    for await (const event of readDirectoryDump(dir)) {
      if (event.kind === 'documents') {
        for (const document of event.documents) {
          const problem = bsonStructureError(document);
          if (problem !== undefined) return { kind: 'rejected', code: 'BSON_STRUCTURE' };
          content.push(document.toString('hex'));
        }
      }
      if (event.kind === 'prelude') content.push(JSON.stringify(event.entries));
    }
    return { kind: 'accepted', content: content.join('|') };
  } catch (error) {
    if (error instanceof ArchiveError) return { kind: 'rejected', code: error.code };
    throw error;
  }
}

function flipBits(bytes: Buffer, next: () => number): Buffer {
  const damaged = Buffer.from(bytes);
  const flips = 1 + Math.floor(next() * 4);
  for (let f = 0; f < flips; f += 1) {
    const at = Math.floor(next() * damaged.length);
    damaged[at] = (damaged[at] as number) ^ (1 << Math.floor(next() * 8));
  }
  return damaged;
}

let workDir = '';
let dumps: { gzip: boolean; dir: string; files: string[] }[] = [];
let tarball = Buffer.alloc(0);

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-fuzz-dumps-'));
  dumps = [];
  for (const gzip of [false, true]) {
    const dir = path.join(workDir, gzip ? 'gz' : 'plain');
    const writer = createDirectoryWriter({ dir, serverVersion: '7.0.0', gzip });
    const items = await writer.namespace('shop', 'items', '{"options":{},"indexes":[]}');
    for (let i = 0; i < 60; i += 1) {
      await items.write(
        BSON.serialize({
          _id: i,
          name: `item-${19_000 + i}`,
          n: Long.fromNumber(i * 7),
          b: new Binary(Buffer.from([i])),
        }),
      );
    }
    await items.end();
    const users = await writer.namespace('shop', 'users', '{"options":{},"indexes":[]}');
    for (let i = 0; i < 20; i += 1)
      await users.write(BSON.serialize({ _id: `u${i}`, ok: i % 2 === 0, tags: ['a', i] }));
    await users.end();
    await writer.close();
    await writeDumpManifest(dir);
    const manifest = JSON.parse(await readFile(path.join(dir, 'mongo-backup-manifest.json'), 'utf8')) as {
      files: { path: string }[];
    };
    dumps.push({ gzip, dir, files: manifest.files.map((f) => f.path) });
  }
  const packed = path.join(workDir, 'dump.tar.gz');
  await packDirectoryToTarGz(dumps[0]!.dir, createWriteStream(packed), {});
  tarball = await readFile(packed);
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('fuzz: damaged directory dumps and tarballs', () => {
  test('the undamaged dumps verify', async () => {
    for (const dump of dumps) expect((await verify(dump.dir)).kind).toBe('accepted');
  });

  test('400 seeded bit flips in the files of directory dumps with a manifest: every one refused with an ArchiveError', async () => {
    const next = seededRandom(0xd1f);
    const codes = new Map<string, number>();
    for (let i = 0; i < 400; i += 1) {
      const dump = dumps[i % dumps.length]!;
      const relative = dump.files[Math.floor(next() * dump.files.length)]!;
      const file = path.join(dump.dir, ...relative.split('/'));
      const original = await readFile(file);
      await writeFile(file, flipBits(original, next));
      try {
        const verdict = await verify(dump.dir);
        expect(verdict.kind, `case ${i}: ${relative}`).toBe('rejected');
        if (verdict.kind === 'rejected') codes.set(verdict.code, (codes.get(verdict.code) ?? 0) + 1);
      } finally {
        await writeFile(file, original);
      }
    }
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(400);
  });

  test('the same 400 flips without the manifest: only ArchiveErrors; whatever passes is well-formed BSON', async () => {
    const next = seededRandom(0xd1f);
    const tally = { rejected: 0, accepted: 0, acceptedButChanged: 0 };
    const baseline = new Map<string, string>();
    for (const dump of dumps) {
      const verdict = await verify(dump.dir);
      baseline.set(dump.dir, verdict.kind === 'accepted' ? verdict.content : '');
    }
    for (const dump of dumps) await rm(path.join(dump.dir, 'mongo-backup-manifest.json'));
    try {
      for (let i = 0; i < 400; i += 1) {
        const dump = dumps[i % dumps.length]!;
        const relative = dump.files[Math.floor(next() * dump.files.length)]!;
        const file = path.join(dump.dir, ...relative.split('/'));
        const original = await readFile(file);
        await writeFile(file, flipBits(original, next));
        try {
          const verdict = await verify(dump.dir);
          if (verdict.kind === 'rejected') tally.rejected += 1;
          else {
            tally.accepted += 1;
            if (verdict.content !== baseline.get(dump.dir)) tally.acceptedButChanged += 1;
          }
        } finally {
          await writeFile(file, original);
        }
      }
    } finally {
      for (const dump of dumps) await writeDumpManifest(dump.dir);
    }
    // Without a checksum some damage inside values cannot be seen: the reason the manifest exists.
    expect(tally.rejected + tally.accepted).toBe(400);
    expect(tally.rejected).toBeGreaterThan(0);
  });

  test('300 seeded bit flips and cuts in a .tar.gz dump: refused with an ArchiveError, or read back unchanged', async () => {
    const next = seededRandom(0x7a6);
    const expected = await verify(dumps[0]!.dir);
    let rejected = 0;
    for (let i = 0; i < 300; i += 1) {
      const damaged =
        i % 10 === 9 ? tarball.subarray(0, Math.floor(next() * tarball.length)) : flipBits(tarball, next);
      const dest = await mkdtemp(path.join(workDir, 'x-'));
      try {
        let verdict: Verdict;
        try {
          await extractTarGz(Readable.from([damaged]), dest);
          verdict = await verify(dest);
        } catch (error) {
          if (!(error instanceof ArchiveError)) throw error;
          verdict = { kind: 'rejected', code: error.code };
        }
        if (verdict.kind === 'accepted') expect(verdict, `case ${i}`).toEqual(expected);
        else rejected += 1;
      } finally {
        await rm(dest, { recursive: true, force: true });
      }
    }
    expect(rejected).toBeGreaterThan(250);
  });
});

describe('tarball bombs', () => {
  test('a .tar.gz under 512 KiB that expands to 256 MiB is refused before writing past the cap, as a runtime error', async () => {
    const { default: tar } = await import('tar-stream');
    const { createGzip } = await import('node:zlib');
    const { buffer } = await import('node:stream/consumers');
    const pack = tar.pack();
    const size = 256 * 1024 * 1024;
    const entry = pack.entry({ name: 'shop/bomb.bson', size });
    const zeros = Buffer.alloc(1024 * 1024);
    const compressed = buffer(pack.pipe(createGzip({ level: 9 })));
    for (let written = 0; written < size; written += zeros.length) {
      if (!entry.write(zeros)) await new Promise<void>((resolve) => entry.once('drain', () => resolve()));
    }
    entry.end(() => undefined);
    pack.finalize();
    const bomb = await compressed;
    expect(bomb.length).toBeLessThan(512 * 1024);
    const dest = await mkdtemp(path.join(workDir, 'bomb-'));
    const error = await extractTarGz(Readable.from([bomb]), dest, { maxBytes: 16 * 1024 * 1024 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(ArchiveError); // no verdict on the backup
    expect(error).toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(/more than 16777216 bytes/),
    });
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(path.join(dest, 'shop')).catch(() => [])).toEqual([]);
  });
});
