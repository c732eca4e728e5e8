import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { retentionVictims } from '../../../src/cli/backup-table.js';
import { listBackups } from '../../../src/storage/index.js';
import { runCaptured } from './helpers.js';

let dir = '';

/** Names as backupFileName writes them, oldest first per database. */
const NAMES = [
  'shop_dump_2026-01-01T00-00-00-000Z.gz',
  'shop_dump_2026-01-02T00-00-00-000Z.archive',
  'shop_dump_2026-01-03T00-00-00-000Z.tar.gz',
  'crm_dump_2026-01-01T12-00-00-000Z.gz',
  'all_dump_2026-01-02T12-00-00-000Z.gz',
];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbs-cli-list-'));
  for (const [index, name] of NAMES.entries())
    await writeFile(path.join(dir, name), Buffer.alloc(1000 * (index + 1)));
  await mkdir(path.join(dir, 'crm_dump_2026-01-04T00-00-00-000Z', 'crm'), { recursive: true });
  await writeFile(path.join(dir, 'crm_dump_2026-01-04T00-00-00-000Z', 'crm', 'a.bson'), Buffer.alloc(2048));
  // Never listed nor touched:
  await writeFile(path.join(dir, 'shop_dump_2026-01-05T00-00-00-000Z.gz.partial'), 'x');
  await writeFile(path.join(dir, 'notes.txt'), 'x');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface ListedJson {
  backupDir: string;
  backups: { name: string; kind: string; sizeBytes: number; createdAt: string; database?: string }[];
}

describe('list', () => {
  it('lists backups newest first with kind, human size and date', async () => {
    const run = await runCaptured(['list', `--backupDir=${dir}`]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DATABASE\s+KIND\s+SIZE\s+CREATED$/);
    expect(lines.slice(1, 7).map((line) => line.split(/\s+/)[0])).toEqual([
      'crm_dump_2026-01-04T00-00-00-000Z',
      'shop_dump_2026-01-03T00-00-00-000Z.tar.gz',
      'all_dump_2026-01-02T12-00-00-000Z.gz',
      'shop_dump_2026-01-02T00-00-00-000Z.archive',
      'crm_dump_2026-01-01T12-00-00-000Z.gz',
      'shop_dump_2026-01-01T00-00-00-000Z.gz',
    ]);
    expect(lines[1]).toMatch(/^crm_dump_\S+\s+crm\s+directory\s+2.00 KiB\s+2026-01-04T00:00:00.000Z$/);
    expect(lines[3]).toMatch(/^all_dump_\S+\s+\(all\)\s+archive-gzip\s+4.88 KiB\s+2026-01-02T12:00:00.000Z$/);
    expect(lines.at(-1)).toBe(`6 backups, 16.6 KiB in ${dir}`);
    expect(run.stdout).not.toContain('partial');
    expect(run.stdout).not.toContain('notes.txt');
  });

  it('--json prints one document; the folder may come from MONGO_BACKUP_DIR', async () => {
    const run = await runCaptured(['list', '--json'], { env: { MONGO_BACKUP_DIR: dir } });
    expect(run.code).toBe(0);
    const listed = run.json<ListedJson>();
    expect(listed.backupDir).toBe(dir);
    expect(listed.backups).toHaveLength(6);
    expect(listed.backups[0]).toMatchObject({
      kind: 'directory',
      database: 'crm',
      createdAt: '2026-01-04T00:00:00.000Z',
    });
    expect(listed.backups[3]).toMatchObject({ name: NAMES[1], kind: 'archive', sizeBytes: 2000 });
    expect(listed.backups[2]).not.toHaveProperty('database');
  });

  it('says so when there is no backup (a missing folder has none)', async () => {
    const missing = path.join(dir, 'none');
    const run = await runCaptured(['list', `--backupDir=${missing}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`No backups in ${missing}\n`);
  });
});

describe('clean', () => {
  it('--dryRun shows what --keep=1 would delete, per database, and deletes nothing', async () => {
    const before = (await readdir(dir)).sort();
    const run = await runCaptured(['clean', '--keep=1', '--dryRun', `--backupDir=${dir}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Would delete 3 backups \(.+\), keeping 1 per database:$/m);
    expect(run.stdout).toContain('shop_dump_2026-01-01T00-00-00-000Z.gz');
    expect(run.stdout).toContain('shop_dump_2026-01-02T00-00-00-000Z.archive');
    expect(run.stdout).toContain('crm_dump_2026-01-01T12-00-00-000Z.gz');
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  it('deletes the same backups for real, and reports them as JSON', async () => {
    const planned = retentionVictims(await listBackups(dir), 1).map((b) => b.name);
    const run = await runCaptured(['clean', '--keep=1', '--json', `--backupDir=${dir}`]);
    expect(run.code).toBe(0);
    const result = run.json<{ keep: number; dryRun: boolean; deleted: { name: string }[] }>();
    expect(result).toMatchObject({ keep: 1, dryRun: false });
    expect(result.deleted.map((b) => b.name)).toEqual(planned);
    expect((await readdir(dir)).sort()).toEqual([
      'all_dump_2026-01-02T12-00-00-000Z.gz',
      'crm_dump_2026-01-04T00-00-00-000Z',
      'notes.txt',
      'shop_dump_2026-01-03T00-00-00-000Z.tar.gz',
      'shop_dump_2026-01-05T00-00-00-000Z.gz.partial',
    ]);
    const again = await runCaptured(['clean', '--keep=1', `--backupDir=${dir}`]);
    expect(again.stdout).toBe(`Nothing to delete in ${dir}: at most 1 per database\n`);
  });

  it('--partial lists, then removes, the partial outputs of killed runs untouched for 10 minutes, and only those', async () => {
    const old = new Date(Date.now() - 60 * 60 * 1000);
    const staging = path.join(dir, '.crm_dump_2026-01-06T00-00-00-000Z.partial-0123456789abcdef');
    await mkdir(path.join(staging, 'crm'), { recursive: true });
    await writeFile(path.join(staging, 'crm', 'a.bson'), Buffer.alloc(4096));
    const file = path.join(dir, '.shop_dump_2026-01-06T00-00-00-000Z.gz.partial-fedcba9876543210');
    await writeFile(file, Buffer.alloc(100));
    for (const item of [path.join(staging, 'crm', 'a.bson'), path.join(staging, 'crm'), staging, file])
      await utimes(item, old, old);
    const running = path.join(dir, '.shop_dump_2026-01-07T00-00-00-000Z.gz.partial-00000000ffffffff');
    await writeFile(running, 'a dump still writing');
    const older = path.join(dir, 'shop_dump_2026-01-05T00-00-00-000Z.gz.partial');
    await utimes(older, old, old);

    const dry = await runCaptured(['clean', '--partial', '--dryRun', `--backupDir=${dir}`]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Would remove 3 partial outputs in /);
    expect(dry.stdout).toContain('.crm_dump_2026-01-06T00-00-00-000Z.partial-0123456789abcdef  4.00 KiB');
    expect(await readdir(dir)).toContain(path.basename(file));

    const run = await runCaptured(['clean', '--partial', '--json', `--backupDir=${dir}`]);
    expect(run.code).toBe(0);
    expect(run.json<{ partialRemoved: string[] }>().partialRemoved).toEqual([older, staging, file].sort());
    const left = await readdir(dir);
    expect(left).toContain(path.basename(running));
    expect(left).toContain('notes.txt');
    expect(left.filter((name) => name.includes('.partial'))).toEqual([path.basename(running)]);
  });

  it('takes --keep from MONGO_BACKUP_RETENTION', async () => {
    const run = await runCaptured(['clean', '--dryRun', `--backupDir=${dir}`], {
      env: { MONGO_BACKUP_RETENTION: '2' },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Would delete 1 backup \(.+\), keeping 2 per database:$/m);
  });

  it.each([
    [[], '--keep: expected how many backups to keep per database'],
    [['--keep=0'], '--keep: expected an integer >= 1, got "0"'],
    [['--keep=two'], '--keep: expected an integer >= 1, got "two"'],
  ])('exits 2 for %j', async (argv, message) => {
    const run = await runCaptured(['clean', ...argv, `--backupDir=${dir}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(await readdir(dir)).toHaveLength(8);
  });
});
