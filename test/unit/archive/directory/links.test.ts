import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BSON } from 'bson';
import { afterEach, describe, expect, it } from 'vitest';

import { createDirectoryWriter, readDirectoryDump } from '../../../../src/archive/index.js';
import { ErrorCode } from '../../../../src/errors.js';

const created: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mbs-links-'));
  created.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A small real dump: shop.users with three documents. */
async function writeDump(dir: string, db = 'shop'): Promise<void> {
  const writer = createDirectoryWriter({ dir, serverVersion: '7.0.0' });
  const users = await writer.namespace(db, 'users', '{"options":{},"indexes":[]}');
  for (let i = 0; i < 3; i += 1) await users.write(BSON.serialize({ _id: i, who: `outside-${i}` }));
  await users.end();
  await writer.close();
}

async function drain(dir: string): Promise<number> {
  let documents = 0;
  for await (const event of readDirectoryDump(dir))
    if (event.kind === 'documents') documents += event.documents.length;
  return documents;
}

describe('links inside a directory dump are never followed', () => {
  it('a database folder that links to another dump is refused', async () => {
    const outside = await tempDir();
    await writeDump(outside, 'other');
    const dump = await tempDir();
    await writeDump(dump);
    await symlink(path.join(outside, 'other'), path.join(dump, 'other'));
    await expect(drain(dump)).rejects.toMatchObject({
      code: ErrorCode.DIRECTORY_DUMP_INVALID,
      message: expect.stringContaining('symbolic link'),
    });
  });

  it('a collection file that links to /proc/self/environ (or any file) is refused', async () => {
    const dump = await tempDir();
    await writeDump(dump);
    const target = process.platform === 'linux' ? '/proc/self/environ' : path.join(dump, 'prelude.json');
    await symlink(target, path.join(dump, 'shop', 'secrets.bson'));
    await expect(drain(dump)).rejects.toMatchObject({ code: ErrorCode.DIRECTORY_DUMP_INVALID });
  });

  it('a metadata file that links elsewhere is refused', async () => {
    const outside = await tempDir();
    await writeDump(outside);
    const dump = await tempDir();
    await writeDump(dump);
    await symlink(
      path.join(outside, 'shop', 'users.metadata.json'),
      path.join(dump, 'shop', 'other.metadata.json'),
    );
    await expect(drain(dump)).rejects.toMatchObject({ code: ErrorCode.DIRECTORY_DUMP_INVALID });
    expect(await drain(outside)).toBe(3);
  });
});
