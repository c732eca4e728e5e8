import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { applyRetention, backupFileName, listBackups, removeBackup } from '../../../src/storage/index.js';
import type { BackupKind } from '../../../src/storage/index.js';
import { ErrorCode, MongoBackupConfigError, MongoBackupUsageError } from '../../../src/errors.js';
import { tempDir } from './helpers.js';

const HOUR = 3_600_000;
const BASE = Date.parse('2026-11-01T00:00:00.000Z');

/** Writes a backup of `bytes` bytes (a folder with two files for `directory`) taken `hours` after BASE. */
async function addBackup(
  dir: string,
  hours: number,
  database?: string,
  kind: BackupKind = 'archive-gzip',
  bytes = 10,
) {
  const name = backupFileName({ database, date: new Date(BASE + hours * HOUR), kind });
  if (kind === 'directory') {
    await mkdir(path.join(dir, name, 'shop'), { recursive: true });
    await writeFile(path.join(dir, name, 'shop', 'a.bson'), Buffer.alloc(bytes));
    await writeFile(path.join(dir, name, 'shop', 'a.metadata.json'), Buffer.alloc(bytes));
  } else {
    await writeFile(path.join(dir, name), Buffer.alloc(bytes));
  }
  return name;
}

describe('listBackups', () => {
  it('lists backups newest first with kind, size, date and database', async () => {
    const dir = await tempDir();
    const a = await addBackup(dir, 1, 'shop', 'archive-gzip', 100);
    const b = await addBackup(dir, 3, undefined, 'archive', 200);
    const c = await addBackup(dir, 2, 'shop', 'directory', 25);
    const d = await addBackup(dir, 4, 'blog', 'tar.gz', 7);
    const list = await listBackups(dir);
    expect(list.map((backup) => backup.name)).toEqual([d, b, c, a]);
    expect(list[0]).toEqual({
      name: d,
      path: path.join(dir, d),
      kind: 'tar.gz',
      sizeBytes: 7,
      createdAt: new Date(BASE + 4 * HOUR),
      database: 'blog',
    });
    expect(list[1]).not.toHaveProperty('database');
    expect(list[1]?.kind).toBe('archive');
    expect(list[2]).toMatchObject({ kind: 'directory', sizeBytes: 50, database: 'shop' });
  });

  it('ignores partial files, unrelated entries, mismatched types and symbolic links', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    const kept = await addBackup(dir, 1, 'shop');
    await writeFile(path.join(dir, `${backupFileName({ database: 'shop' })}.partial`), 'x');
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    await mkdir(path.join(dir, backupFileName({ database: 'shop', kind: 'archive' })));
    await writeFile(path.join(dir, backupFileName({ database: 'shop', kind: 'directory' })), 'not a folder');
    await writeFile(path.join(outside, 'real.gz'), 'x');
    await symlink(path.join(outside, 'real.gz'), path.join(dir, backupFileName({ database: 'linked' })));
    await symlink(outside, path.join(dir, backupFileName({ database: 'linkdir', kind: 'directory' })));
    expect((await listBackups(dir)).map((backup) => backup.name)).toEqual([kept]);
  });

  it('does not follow links inside a directory backup when sizing it', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await writeFile(path.join(outside, 'big.bin'), Buffer.alloc(5000));
    const name = await addBackup(dir, 1, 'shop', 'directory', 10);
    await symlink(path.join(outside, 'big.bin'), path.join(dir, name, 'shop', 'link.bson'));
    expect((await listBackups(dir))[0]?.sizeBytes).toBe(20);
  });

  it('returns nothing for a missing folder', async () => {
    expect(await listBackups(path.join(await tempDir(), 'nope'))).toEqual([]);
  });
});

describe('applyRetention', () => {
  it('keeps the N newest backups of each database and deletes nothing else', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    const shop = [];
    for (let hour = 0; hour < 5; hour += 1)
      shop.push(await addBackup(dir, hour, 'shop', hour === 1 ? 'directory' : 'archive-gzip'));
    const blog = [await addBackup(dir, 10, 'blog')];
    const all = [
      await addBackup(dir, 2, undefined, 'archive'),
      await addBackup(dir, 6, undefined, 'tar.gz'),
      await addBackup(dir, 7, undefined, 'archive-gzip'),
    ];
    const unrelated = ['notes.txt', `${backupFileName({ database: 'shop' })}.partial`];
    for (const name of unrelated) await writeFile(path.join(dir, name), 'keep me');
    await writeFile(path.join(outside, 'victim.gz'), 'x');
    const link = backupFileName({ database: 'shop', date: new Date(BASE - HOUR) });
    await symlink(path.join(outside, 'victim.gz'), path.join(dir, link));

    const deleted = await applyRetention(dir, 2);

    // Oldest first, across databases.
    expect(deleted.map((backup) => backup.name)).toEqual([shop[0], shop[1], all[0], shop[2]]);
    expect((await readdir(dir)).sort()).toEqual(
      [shop[3], shop[4], ...blog, all[1], all[2], ...unrelated, link].sort(),
    );
    expect(await readdir(outside)).toEqual(['victim.gz']);
  });

  it('deletes nothing when there are no more than N', async () => {
    const dir = await tempDir();
    await addBackup(dir, 1, 'shop');
    await addBackup(dir, 2, 'shop');
    expect(await applyRetention(dir, 2)).toEqual([]);
    expect(await readdir(dir)).toHaveLength(2);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects keep = %s', async (keep) => {
    const error = await applyRetention(await tempDir(), keep).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MongoBackupConfigError);
    expect((error as MongoBackupConfigError).issues).toEqual([
      `keep: expected an integer >= 1, got ${String(keep)}`,
    ]);
  });
});

describe('removeBackup', () => {
  it('removes a file or directory backup and says what it was', async () => {
    const dir = await tempDir();
    const file = await addBackup(dir, 1, 'shop');
    const folder = await addBackup(dir, 2, 'shop', 'directory');
    expect(await removeBackup(dir, file)).toMatchObject({ name: file, kind: 'archive-gzip' });
    expect(await removeBackup(dir, folder)).toMatchObject({ name: folder, kind: 'directory' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses names outside the folder, unrelated files, links and missing backups', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    await writeFile(path.join(outside, 'x.gz'), 'x');
    const link = backupFileName({ database: 'shop' });
    await symlink(path.join(outside, 'x.gz'), path.join(dir, link));

    await expect(removeBackup(dir, '../x.gz')).rejects.toMatchObject({ code: ErrorCode.PATH_OUTSIDE_ROOT });
    await expect(removeBackup(dir, link)).rejects.toMatchObject({ code: ErrorCode.PATH_OUTSIDE_ROOT });
    for (const name of ['notes.txt', backupFileName({ database: 'gone' }), `sub/${backupFileName()}`]) {
      const error = await removeBackup(dir, name).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(MongoBackupUsageError);
      expect((error as MongoBackupUsageError).code).toBe(ErrorCode.BACKUP_NOT_FOUND);
    }
    expect((await readdir(dir)).sort()).toEqual([link, 'notes.txt'].sort());
    expect(await readdir(outside)).toEqual(['x.gz']);
  });
});
