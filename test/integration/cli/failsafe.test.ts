import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';

import { REPO_ROOT } from '../../support/paths.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';
import { waitFor } from '../../support/wait.js';

/** The built CLI, run as a real child process (so that it can be SIGKILLed and its pipes closed). */
const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

function requireCli(ctx: TestContext): void {
  if (!existsSync(CLI)) ctx.skip(`needs the built CLI at ${CLI} (run npx tsup)`);
}

function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], TMPDIR: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(child: ChildProcess): Promise<ChildRun> {
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: err }));
  });
}

function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ChildRun> {
  return finished(startCli(args, env));
}

/** Every file under `dir`, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('fail-safe staging (real CLI child process)', () => {
  const db = uniqueDbName('failsafe');
  let client: MongoClient | undefined;
  let workDir = '';
  let uri = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-failsafe-'));
    if (testServer().kind === 'none') return;
    uri = testServer().uri;
    client = await connectTestClient();
    const docs = Array.from({ length: 30_000 }, (_, i) => ({ _id: i, pad: 'p'.repeat(300) }));
    for (let i = 0; i < docs.length; i += 5000)
      await client
        .db(db)
        .collection<{ _id: number }>('big')
        .insertMany(docs.slice(i, i + 5000));
    await client
      .db(db)
      .collection<{ _id: number }>('small')
      .insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: i })));
  });
  afterAll(async () => {
    await client?.db(db).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('a SIGKILLed --out dump leaves only a hidden staging folder, never merged into the next dump', async (ctx) => {
    requireServer(ctx);
    requireCli(ctx);
    const parent = path.join(workDir, 'killed');
    await mkdir(parent);
    const out = path.join(parent, 'nightly');
    const child = startCli(['dump', `--uri=${uri}`, `--db=${db}`, `--out=${out}`, '--no-gzip', '-j', '1']);
    const ended = finished(child);
    // Killed once the big collection is being written (older releases: <out>.partial; now .nightly.partial-*).
    await waitFor(async () => {
      for (const entry of await readdir(parent)) {
        const files = await filesUnder(path.join(parent, entry)).catch(() => []);
        if (files.some((f) => f.endsWith('big.bson'))) {
          const size = (await stat(path.join(parent, entry, db, 'big.bson')).catch(() => undefined))?.size;
          if (size !== undefined && size > 0) return true;
        }
      }
      return false;
    }, 30_000);
    child.kill('SIGKILL');
    expect((await ended).signal).toBe('SIGKILL');
    const leftovers = await readdir(parent);
    expect(leftovers).not.toContain('nightly'); // nothing complete-looking
    expect(leftovers.every((name) => name.includes('.partial'))).toBe(true);

    // The next run dumps only `small`: the killed run's partial big.bson must not show up in it.
    const second = await runCli([
      'dump',
      `--uri=${uri}`,
      `--db=${db}`,
      '--collection=small',
      `--out=${out}`,
      '--no-gzip',
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(await filesUnder(out)).toEqual(
      [
        'mongo-backup-manifest.json',
        'prelude.json',
        path.join(db, 'small.bson'),
        path.join(db, 'small.metadata.json'),
      ].sort(),
    );
    expect((await stat(out)).mode & 0o777).toBe(0o700);
  });

  it('a link planted at the old predictable staging path is never followed; the dump is ours, mode 0700', async (ctx) => {
    requireServer(ctx);
    requireCli(ctx);
    const parent = path.join(workDir, 'planted');
    const attacker = path.join(workDir, 'attacker');
    await mkdir(parent);
    await mkdir(path.join(attacker, db), { recursive: true });
    const victim = path.join(workDir, 'victim-file');
    await writeFile(victim, 'precious');
    await symlink(victim, path.join(attacker, db, 'small.bson'));
    const out = path.join(parent, 'nightly');
    await symlink(attacker, `${out}.partial`);

    const run = await runCli(['dump', `--uri=${uri}`, `--db=${db}`, '--collection=small', `--out=${out}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await filesUnder(attacker)).toEqual([path.join(db, 'small.bson')]);
    const info = await lstat(out);
    expect(info.isDirectory()).toBe(true);
    expect(info.uid).toBe(process.getuid!());
    expect(info.mode & 0o777).toBe(0o700);
  });

  it('--out into an existing non-empty folder works as mongodump: our files replaced, others kept (#9 item 7)', async (ctx) => {
    requireServer(ctx);
    requireCli(ctx);
    const out = path.join(workDir, 'latest');
    const first = await runCli(['dump', `--uri=${uri}`, `--db=${db}`, `--out=${out}`, '--no-gzip']);
    expect(first.code, first.stderr).toBe(0);
    await writeFile(path.join(out, 'notes.txt'), 'kept');
    await writeFile(path.join(out, db, 'small.bson'), 'stale bytes that the next dump replaces');
    await client!.db(db).collection<{ _id: number }>('small').insertOne({ _id: 10 });

    const second = await runCli(['dump', `--uri=${uri}`, `--db=${db}`, `--out=${out}`, '--no-gzip']);
    expect(second.code, second.stderr).toBe(0);
    expect(await filesUnder(out)).toEqual(
      [
        path.join(db, 'big.bson'),
        path.join(db, 'big.metadata.json'),
        path.join(db, 'small.bson'),
        path.join(db, 'small.metadata.json'),
        'mongo-backup-manifest.json',
        'notes.txt',
        'prelude.json',
      ].sort(),
    );
    expect(await readFile(path.join(out, 'notes.txt'), 'utf8')).toBe('kept');
    // 11 documents { _id: <int32> } of 14 bytes each.
    expect((await stat(path.join(out, db, 'small.bson'))).size).toBe(11 * 14);
    expect((await readdir(workDir)).filter((name) => name.includes('.partial'))).toEqual([]);
    await client!.db(db).collection<{ _id: number }>('small').deleteOne({ _id: 10 });
  });
});

describe('an existing unrelated output file (real CLI child process)', () => {
  it('dump --archive=<a file that is not a backup> refuses (exit 2) and leaves it as it was', async (ctx) => {
    const uri = requireServer(ctx);
    requireCli(ctx);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mbs-replace-'));
    try {
      const notes = path.join(dir, 'notes.txt');
      await writeFile(notes, 'my thesis, chapter 3');
      const run = await runCli(['dump', `--uri=${uri}`, '--db=admin', `--archive=${notes}`]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/Refusing to replace .*notes\.txt/);
      expect(await readFile(notes, 'utf8')).toBe('my thesis, chapter 3');
      expect(await readdir(dir)).toEqual(['notes.txt']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a closed standard output (real CLI child process)', () => {
  const db = uniqueDbName('failsafe_pipe');
  let client: MongoClient | undefined;
  let workDir = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-pipe-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    const docs = Array.from({ length: 20_000 }, (_, i) => ({ i, pad: 'p'.repeat(300) }));
    for (let i = 0; i < docs.length; i += 5000)
      await client
        .db(db)
        .collection('big')
        .insertMany(docs.slice(i, i + 5000));
  });
  afterAll(async () => {
    await client?.db(db).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  for (const gzip of [true, false]) {
    it(`dump --archive${gzip ? '' : ' --no-gzip'} | head -c 10: exit code 1, a message on stderr, nothing left in $TMPDIR or the backup folder`, async (ctx) => {
      const uri = requireServer(ctx);
      requireCli(ctx);
      const tmp = await mkdtemp(path.join(workDir, 'tmp-'));
      const backups = await mkdtemp(path.join(workDir, 'backups-'));
      const child = spawn(
        process.execPath,
        [
          CLI,
          'dump',
          `--uri=${uri}`,
          `--db=${db}`,
          '--archive',
          ...(gzip ? [] : ['--no-gzip']),
          `--backupDir=${backups}`,
        ],
        {
          env: { PATH: process.env['PATH'], HOME: process.env['HOME'], TMPDIR: tmp },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // `head -c 10`: read ten bytes, then close the pipe.
      let read = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= 10) child.stdout.destroy();
      });
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code, stderr).toBe(1);
      expect(stderr).toMatch(/error \[OUTPUT_FAILED\]: .*standard output was closed/);
      expect(await readdir(tmp)).toEqual([]);
      expect(await readdir(backups)).toEqual([]);
    });
  }
});
