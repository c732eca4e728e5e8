import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BSON } from 'bson';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { writeDumpManifest } from '../../../src/archive/directory/manifest.js';
import { createDirectoryWriter } from '../../../src/archive/index.js';
import { runCaptured } from './helpers.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbs-inspect-manifest-'));
  const writer = createDirectoryWriter({ dir, serverVersion: '7.0.0' });
  const items = await writer.namespace('shop', 'items', '{"options":{},"indexes":[]}');
  for (let i = 0; i < 5; i += 1) await items.write(BSON.serialize({ _id: i, name: `item-${19_000 + i}` }));
  await items.end();
  await writer.close();
  await writeDumpManifest(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inspect on a directory dump with a checksum manifest', () => {
  it('says the checksums matched, and INVALID when one byte inside a value changed', async () => {
    const ok = await runCaptured(['inspect', dir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('checksums: every file matched mongo-backup-manifest.json\nVALID');

    const file = path.join(dir, 'shop', 'items.bson');
    const bytes = await readFile(file);
    bytes[bytes.indexOf('item-19000') + 5] = '7'.charCodeAt(0);
    await writeFile(file, bytes);
    const damaged = await runCaptured(['inspect', dir, '--json']);
    expect(damaged.code).toBe(1);
    expect(damaged.json<{ valid: boolean; error: { code: string } }>()).toMatchObject({
      valid: false,
      error: { code: 'ARCHIVE_CRC_MISMATCH' },
    });
  });

  it('notes a dump without a manifest', async () => {
    await rm(path.join(dir, 'mongo-backup-manifest.json'));
    const run = await runCaptured(['inspect', dir, '--json']);
    expect(run.code).toBe(0);
    expect(run.json<{ manifest: string }>().manifest).toBe('absent');
  });
});
