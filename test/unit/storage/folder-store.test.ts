import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createFolderStore } from '../../../src/storage/folder-store.js';
import { backupFileName } from '../../../src/storage/naming.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('folder store', () => {
  it('writes under a staging name renamed on commit (0600), lists, reads ranges and deletes as the folder did', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'mbs-folder-store-')), 'backups');
    const store = createFolderStore(dir);
    expect(store.kind).toBe('folder');
    expect(store.location).toBe(path.resolve(dir));
    const name = backupFileName({ database: 'shop', date: new Date('2026-11-21T23:10:54.123Z') });
    const upload = await store.createUpload(name);
    expect(upload.path).toBe(path.join(path.resolve(dir), name));
    await pipeline(Readable.from([Buffer.from('0123456789')]), upload.stream, { end: false });
    // Written under a staging name (the atomic-file rules), never under the final name before the commit.
    expect(await readdir(dir)).toEqual([expect.stringContaining('.partial')]);
    await upload.commit();
    expect(await readdir(dir)).toEqual([name]);
    expect((await stat(path.join(dir, name))).mode & 0o777).toBe(0o600);
    await writeFile(path.join(dir, 'notes.txt'), 'x');

    expect((await store.list()).map((b) => b.name)).toEqual([name]);
    expect(await store.stat(name)).toMatchObject({ name, sizeBytes: 10, database: 'shop' });
    expect(await store.stat('notes.txt')).toBeUndefined();
    expect((await readAll(store.openRead(name, { start: 2, end: 4 }))).toString()).toBe('234');
    await expect(readAll(store.openRead('shop_dump_2026-11-21T23-10-54-124Z.gz'))).rejects.toMatchObject({
      code: 'BACKUP_NOT_FOUND',
    });
    await expect(readAll(store.openRead('../x'))).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });

    const discarded = await store.createUpload(backupFileName({ database: 'crm' }));
    discarded.stream.write('partial');
    await discarded.discard();
    expect(await readdir(dir)).toEqual(expect.not.arrayContaining([expect.stringMatching(/^crm_/)]));

    expect((await store.remove(name)).name).toBe(name);
    expect(await store.list()).toEqual([]);
  });
});
