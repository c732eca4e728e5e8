import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createDirectoryWriter,
  extractTarGz,
  formatMetadataJson,
  packDirectoryToTarGz,
  readDirectoryDump,
} from '../../../../src/archive/index.js';
import { bson } from '../helpers.js';

/** Lengths announced by the 'M' 'B' extra subfield of each member (see member-format.ts), chained to the end. */
function markedMembers(gz: Buffer): number {
  let members = 0;
  for (let at = 0; at < gz.length; members += 1) {
    expect(gz[at + 3]).toBe(4);
    expect(gz.subarray(at + 12, at + 14).toString('latin1')).toBe('MB');
    at += gz.readUInt32LE(at + 16);
  }
  return members;
}

let work = '';
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'mbs-gzip-dir-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeDump(
  dir: string,
  gzip: Parameters<typeof createDirectoryWriter>[0]['gzip'],
): Promise<Buffer[]> {
  const writer = createDirectoryWriter({ dir, gzip, serverVersion: '7.0.0' });
  const documents = Array.from({ length: 3000 }, (_, i) => bson({ i, text: `row ${i} `.repeat(i % 23) }));
  const ns = await writer.namespace('d', 'c', formatMetadataJson({ options: new Map(), indexes: [] }));
  for (const document of documents) await ns.write(document);
  await ns.end();
  await writer.close();
  return documents;
}

describe('directory dumps and .tar.gz get parallel gzip members', () => {
  test('a .bson.gz is length-marked members, read back whole; { parallel: false } is one plain member', async () => {
    const dir = path.join(work, 'members');
    const documents = await writeDump(dir, { memberSize: 16 * 1024 });
    const gz = await readFile(path.join(dir, 'd', 'c.bson.gz'));
    expect(markedMembers(gz)).toBe(Math.ceil(Buffer.concat(documents).length / (16 * 1024)));
    expect(gunzipSync(gz).equals(Buffer.concat(documents))).toBe(true);
    const read: Buffer[] = [];
    for await (const event of readDirectoryDump(dir))
      if (event.kind === 'documents') read.push(...event.documents);
    expect(Buffer.concat(read).equals(Buffer.concat(documents))).toBe(true);

    const single = path.join(work, 'single');
    await writeDump(single, { parallel: false });
    expect((await readFile(path.join(single, 'd', 'c.bson.gz')))[3]).toBe(0);
  });

  test('a .bson.gz followed by zero bytes is refused, naming the file (mongorestore fails on it too)', async () => {
    const dir = path.join(work, 'padded');
    await writeDump(dir, true);
    const file = path.join(dir, 'd', 'c.bson.gz');
    await writeFile(file, Buffer.concat([await readFile(file), Buffer.alloc(64)]));
    const reading = (async () => {
      for await (const _event of readDirectoryDump(dir)) void _event;
    })();
    await expect(reading).rejects.toMatchObject({
      code: 'ARCHIVE_CORRUPT',
      message: expect.stringContaining('c.bson.gz'),
    });
  });

  test('a .tar.gz is length-marked members and extracts to the same files', async () => {
    const dir = path.join(work, 'to-pack');
    await writeDump(dir, false);
    const tarball = path.join(work, 'dump.tar.gz');
    await packDirectoryToTarGz(dir, tarball, { memberSize: 8 * 1024 });
    expect(markedMembers(await readFile(tarball))).toBeGreaterThan(1);
    const out = path.join(work, 'unpacked');
    await extractTarGz(tarball, out);
    expect(
      (await readFile(path.join(out, 'd', 'c.bson'))).equals(await readFile(path.join(dir, 'd', 'c.bson'))),
    ).toBe(true);
  });
});
