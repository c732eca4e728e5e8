import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { createDirectoryWriter } from '../../../src/archive/index.js';
import { ErrorCode } from '../../../src/errors.js';
import {
  assertReplaceableFile,
  createStagingDir,
  isStagingName,
  publishStagingDir,
} from '../../../src/storage/staging.js';
import { tempDir } from './helpers.js';

const DOC = Buffer.from([5, 0, 0, 0, 0]);

describe('staging folders', () => {
  it('are new, hidden, unpredictable, 0700, next to the target, and never a stale .partial', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'nightly');
    await mkdir(`${target}.partial`); // a killed run of an older release
    const a = await createStagingDir(target);
    const b = await createStagingDir(target);
    expect(a).not.toBe(b);
    for (const staging of [a, b]) {
      expect(path.dirname(staging)).toBe(parent);
      expect(path.basename(staging)).toMatch(/^\.nightly\.partial-[0-9a-f]{16}$/);
      expect(isStagingName(path.basename(staging))).toBe(true);
      expect((await stat(staging)).mode & 0o777).toBe(0o700);
      expect(await readdir(staging)).toEqual([]);
    }
    expect(isStagingName('nightly.partial')).toBe(true);
    expect(isStagingName('shop_dump_2026-11-21T23-10-54-123Z.gz')).toBe(false);
  });

  it('publish renames into a missing target', async () => {
    const parent = await tempDir();
    const target = path.join(parent, 'out');
    const staging = await createStagingDir(target);
    await writeFile(path.join(staging, 'prelude.json'), 'new');
    await publishStagingDir(staging, target);
    expect(await readdir(parent)).toEqual(['out']);
    expect(await readFile(path.join(target, 'prelude.json'), 'utf8')).toBe('new');
  });

  it('publish into an existing folder replaces our files, keeps the others, and replaces links instead of following them', async () => {
    const parent = await tempDir();
    const victim = path.join(await tempDir(), 'victim');
    await writeFile(victim, 'precious');
    const target = path.join(parent, 'latest');
    await mkdir(path.join(target, 'shop'), { recursive: true });
    await writeFile(path.join(target, 'prelude.json'), 'old');
    await writeFile(path.join(target, 'shop', 'orders.bson'), 'old orders');
    await writeFile(path.join(target, 'shop', 'kept.bson'), 'kept');
    await symlink(victim, path.join(target, 'shop', 'users.bson'));

    const staging = await createStagingDir(target);
    await mkdir(path.join(staging, 'shop'));
    await mkdir(path.join(staging, 'other'));
    await writeFile(path.join(staging, 'prelude.json'), 'new');
    await writeFile(path.join(staging, 'shop', 'orders.bson'), 'new orders');
    await writeFile(path.join(staging, 'shop', 'users.bson'), 'new users');
    await writeFile(path.join(staging, 'other', 'x.bson'), 'x');
    await publishStagingDir(staging, target);

    expect((await readdir(parent)).sort()).toEqual(['latest']);
    expect(await readFile(path.join(target, 'prelude.json'), 'utf8')).toBe('new');
    expect(await readFile(path.join(target, 'shop', 'orders.bson'), 'utf8')).toBe('new orders');
    expect(await readFile(path.join(target, 'shop', 'kept.bson'), 'utf8')).toBe('kept');
    expect((await lstat(path.join(target, 'shop', 'users.bson'))).isSymbolicLink()).toBe(false);
    expect(await readFile(path.join(target, 'shop', 'users.bson'), 'utf8')).toBe('new users');
    expect(await readFile(path.join(target, 'other', 'x.bson'), 'utf8')).toBe('x');
    expect(await readFile(victim, 'utf8')).toBe('precious');
  });

  it('publish refuses a target that is a link, a file, or holds a linked database folder', async () => {
    const parent = await tempDir();
    const elsewhere = await tempDir();
    const linked = path.join(parent, 'linked');
    await symlink(elsewhere, linked);
    const file = path.join(parent, 'file');
    await writeFile(file, 'unrelated');
    const withLink = path.join(parent, 'with-link');
    await mkdir(withLink);
    await symlink(elsewhere, path.join(withLink, 'shop'));
    for (const target of [linked, file, withLink]) {
      const staging = await createStagingDir(target);
      await mkdir(path.join(staging, 'shop'));
      await writeFile(path.join(staging, 'shop', 'a.bson'), 'a');
      await expect(publishStagingDir(staging, target)).rejects.toMatchObject({
        code: ErrorCode.DUMP_FAILED,
        message: expect.stringMatching(/Refusing to write into/),
      });
    }
    expect(await readdir(elsewhere)).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('unrelated');
    expect(await readlink(linked)).toBe(elsewhere);
  });
});

describe('directory writer files are exclusive', () => {
  it('never overwrites a file or writes through a link it finds in its folder', async () => {
    const dir = await tempDir();
    const victim = path.join(await tempDir(), 'victim');
    await writeFile(victim, 'precious');
    await mkdir(path.join(dir, 'shop'));
    await symlink(victim, path.join(dir, 'shop', 'users.bson'));
    const writer = createDirectoryWriter({ dir, serverVersion: '7.0.0' });
    await expect(writer.namespace('shop', 'users', undefined)).rejects.toMatchObject({
      code: ErrorCode.DUMP_FAILED,
    });
    expect(await readFile(victim, 'utf8')).toBe('precious');

    const linkedDb = await tempDir();
    await symlink(await tempDir(), path.join(linkedDb, 'shop'));
    const second = createDirectoryWriter({ dir: linkedDb, serverVersion: '7.0.0' });
    await expect(second.namespace('shop', 'users', undefined)).rejects.toMatchObject({
      code: ErrorCode.DUMP_FAILED,
    });
    const fresh = createDirectoryWriter({ dir: await tempDir(), serverVersion: '7.0.0' });
    const users = await fresh.namespace('shop', 'users', undefined);
    await users.write(DOC);
    await users.end();
    await fresh.close();
  });
});

describe('an existing output file is replaced only when it is an earlier backup', () => {
  it('replaces nothing, an empty file, an archive or a gzip file; refuses anything else', async () => {
    const dir = await tempDir();
    const at = (name: string): string => path.join(dir, name);
    await writeFile(at('old.archive'), Buffer.from([0x6d, 0xe2, 0x99, 0x81, 1, 2]));
    await writeFile(at('old.gz'), Buffer.from([0x1f, 0x8b, 8, 0]));
    await writeFile(at('empty'), '');
    await writeFile(at('notes.txt'), 'my thesis, chapter 3');
    await mkdir(at('folder'));
    await symlink(at('old.archive'), at('link.archive'));
    for (const name of ['missing.archive', 'old.archive', 'old.gz', 'empty']) {
      await expect(assertReplaceableFile(at(name))).resolves.toBeUndefined();
    }
    for (const [name, why] of [
      ['notes.txt', /neither an archive nor a gzip file/],
      ['folder', /not a file/],
      ['link.archive', /symbolic link/],
    ] as const) {
      await expect(assertReplaceableFile(at(name))).rejects.toMatchObject({
        code: ErrorCode.INVALID_OPTIONS,
        message: expect.stringMatching(why),
      });
    }
    expect(await readFile(at('notes.txt'), 'utf8')).toBe('my thesis, chapter 3');
  });
});
