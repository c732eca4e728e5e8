import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';

import { fixture } from '../../support/paths.js';
import { seedDatabase, type SeededDatabase } from '../../support/seed.js';
import { requireServer, testServer } from '../../support/server.js';
import { useTestWorkspace } from '../../support/workspace.js';
import { CapturedOutput, fakeSignals, runCaptured, waitForOutput } from '../../unit/cli/helpers.js';

interface DumpJson {
  path: string;
  totalDocuments: number;
  namespaces: { namespace: string; documents: number }[];
  serverVersion: string;
}
interface RestoreJson {
  dryRun: boolean;
  documentsInserted: number;
  namespaces: {
    source: string;
    target: string;
    status: string;
    documentsInserted: number;
    documentsRead: number;
  }[];
}
interface InspectJson {
  valid: boolean;
  namespaces: { namespace: string; documents: number }[];
}

const ws = useTestWorkspace('mbs-cli-int-');
const source = ws.database('cli_src');
let seeded: SeededDatabase;

/** Documents per collection of a database, by collection name. */
async function countsOf(db: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const info of await ws.client.db(db).listCollections({}, { nameOnly: true }).toArray()) {
    counts[info.name] = await ws.client.db(db).collection(info.name).countDocuments();
  }
  return counts;
}

/** A TCP port nothing listens on. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function byCollection(
  namespaces: readonly { namespace: string; documents: number }[],
  db: string,
): Record<string, number> {
  return Object.fromEntries(namespaces.map((ns) => [ns.namespace.slice(db.length + 1), ns.documents]));
}

beforeAll(async () => {
  if (ws.connected) seeded = await seedDatabase(ws.client.db(source), { manyDocuments: 500 });
});

describe('dump, inspect, restore through the CLI', () => {
  it('round trip: dump --archive, inspect, restore --nsFrom/--nsTo, with counts checked', async (ctx) => {
    const uri = requireServer(ctx);
    const target = ws.database('cli_dst');
    const archive = path.join(ws.workDir, 'round-trip.gz');

    const dumped = await runCaptured([
      'dump',
      `--uri=${uri}`,
      `--db=${source}`,
      `--archive=${archive}`,
      '--json',
    ]);
    expect(dumped.stderr).toBe('');
    expect(dumped.code).toBe(0);
    const report = dumped.json<DumpJson>();
    expect(report.path).toBe(archive);
    expect(byCollection(report.namespaces, source)).toEqual(seeded.counts);
    expect(report.serverVersion).toBe(testServer().version);

    const inspected = await runCaptured(['inspect', archive, '--json']);
    expect(inspected.code).toBe(0);
    expect(inspected.json<InspectJson>().valid).toBe(true);
    expect(byCollection(inspected.json<InspectJson>().namespaces, source)).toEqual(seeded.counts);

    const restored = await runCaptured([
      'restore',
      `--uri=${uri}`,
      archive,
      `--nsFrom=${source}.*`,
      `--nsTo=${target}.*`,
      '--json',
    ]);
    expect(restored.code).toBe(0);
    const result = restored.json<RestoreJson>();
    expect(
      result.namespaces.every((ns) => ns.status === 'restored' && ns.target.startsWith(`${target}.`)),
    ).toBe(true);
    expect(result.documentsInserted).toBe(report.totalDocuments);
    expect(await countsOf(target)).toEqual(seeded.counts);
  });

  it('text reports: a directory dump, then restore --dir with progress lines on stderr', async (ctx) => {
    const uri = requireServer(ctx);
    const target = ws.database('cli_dir');
    const out = path.join(ws.workDir, 'dir-dump');

    const dumped = await runCaptured(['dump', `--uri=${uri}`, `-d`, source, `--out=${out}`, '--no-gzip']);
    expect(dumped.code).toBe(0);
    expect(dumped.stdout).toContain(`Dump written to ${out}`);
    expect(dumped.stdout).toMatch(new RegExp(`^${source}\\.orders\\s+collection\\s+500\\s`, 'm'));
    expect(dumped.stdout).toContain(`total: ${Object.keys(seeded.counts).length} namespaces`);
    expect(dumped.stderr).toContain(`dumped ${source}.orders: 500 documents`);

    const restored = await runCaptured([
      'restore',
      `--uri=${uri}`,
      `--dir=${out}`,
      `--nsFrom=${source}.*`,
      `--nsTo=${target}.*`,
    ]);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`Restore from ${out}`);
    expect(restored.stdout).toMatch(
      new RegExp(
        `^${source}\\.orders → ${target}\\.orders\\s+collection\\s+500\\s+500\\s+0\\s+0\\s+\\d+\\s+restored`,
        'm',
      ),
    );
    expect(restored.stderr).toContain(`restored ${source}.orders → ${target}.orders: 500 documents`);
    expect(await countsOf(target)).toEqual(seeded.counts);
  });

  it('dump --archive to stdout, restore --archive from stdin', async (ctx) => {
    const uri = requireServer(ctx);
    const target = ws.database('cli_pipe');
    const stdout = new CapturedOutput();
    const dumped = await runCaptured(['dump', `--uri=${uri}`, `--db=${source}`, '--archive'], { stdout });
    expect(dumped.code).toBe(0);
    expect(dumped.stderr).toContain('Dump written to standard output');
    const bytes = stdout.bytes();
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

    const restored = await runCaptured(
      ['restore', `--uri=${uri}`, '--archive', `--nsFrom=${source}.*`, `--nsTo=${target}.*`, '--json'],
      { stdin: Readable.from([bytes]) },
    );
    expect(restored.code).toBe(0);
    expect(await countsOf(target)).toEqual(seeded.counts);
  });

  it('restore --dryRun reads and checks everything and writes nothing', async (ctx) => {
    const uri = requireServer(ctx);
    const target = ws.database('cli_dry');
    const archive = path.join(ws.workDir, 'dry.archive');
    expect(
      (await runCaptured(['dump', `--uri=${uri}`, `--db=${source}`, `--archive=${archive}`, '--no-gzip']))
        .code,
    ).toBe(0);

    const run = await runCaptured([
      'restore',
      `--uri=${uri}`,
      archive,
      '--dryRun',
      `--nsFrom=${source}.*`,
      `--nsTo=${target}.*`,
      '--json',
    ]);
    expect(run.code).toBe(0);
    const result = run.json<RestoreJson>();
    expect(result.dryRun).toBe(true);
    expect(result.documentsInserted).toBe(0);
    expect(result.namespaces.map((ns) => ns.status)).toEqual(result.namespaces.map(() => 'checked'));
    expect(result.namespaces.find((ns) => ns.source === `${source}.orders`)?.documentsRead).toBe(500);
    expect(await ws.client.db(target).listCollections().toArray()).toEqual([]);
    const databases = await ws.client.db('admin').admin().listDatabases({ nameOnly: true });
    expect(databases.databases.map((db) => db.name)).not.toContain(target);
  });
  it('a restore that stops part-way prints its report, then the error, and exits 1', async (ctx) => {
    const uri = requireServer(ctx);
    const target = ws.database('cli_crc');
    const archive = fixture('synthetic/crc-mismatch.archive');
    const argv = ['restore', `--uri=${uri}`, archive, '--nsFrom=test.*', `--nsTo=${target}.*`];

    const text = await runCaptured(argv);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`Restore from ${archive}`);
    expect(text.stdout).toMatch(
      new RegExp(`^test\\.bar → ${target}\\.bar\\s+collection\\s+0\\s+0\\s+0\\s+0\\s+0\\s+not-restored`, 'm'),
    );
    expect(text.stderr).toMatch(/^error \[RESTORE_FAILED\]: Restore stopped: .*CRC mismatch for test\.bar/m);
    expect(await ws.client.db(target).listCollections().toArray()).toEqual([]);

    const json = await runCaptured([...argv, '--verify=during', '--json']);
    expect(json.code).toBe(1);
    const result = json.json<{ error: { code: string }; report: RestoreJson }>();
    expect(result.error.code).toBe('RESTORE_FAILED');
    expect(result.report.namespaces.find((ns) => ns.source === 'test.bar')?.status).toBe('failed');
  });
});

describe('check through the CLI', () => {
  it('shows the server connected, with its version', async (ctx) => {
    const uri = requireServer(ctx);
    const run = await runCaptured(['check', `--uri=${uri}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^source\s+connected\s+\S+:\d+\s+[\d.]+ ms\s+\d+\.\d+\.\d+/m);
    expect(run.stdout).toContain(testServer().version);
    const json = await runCaptured(['check', '--json'], { env: { MONGODB_URI: uri } });
    expect(json.json()).toMatchObject({
      ok: true,
      source: { connected: true, version: testServer().version },
    });
  });

  it('never prints the password of an unreachable cluster, from a flag or from the environment', async () => {
    const password = 'Sup3rS3cretPassw0rd';
    const bad = `mongodb://backup_user:${password}@127.0.0.1:${await unusedPort()}/?authSource=admin`;
    const fromFlag = await runCaptured(['check', `--uri=${bad}`, '--timeoutMs=2000']);
    expect(fromFlag.code).toBe(1);
    expect(fromFlag.stdout).toMatch(/^source\s+NOT CONNECTED\s+127\.0\.0\.1:\d+/m);
    const fromEnv = await runCaptured(['check', '--json', '--timeoutMs=2000'], {
      env: {
        MONGODB_URI: bad,
        MONGO_BACKUP_TARGET_URI: bad.replace('backup_user', 'other'),
        MONGO_BACKUP_DEBUG: '1',
      },
    });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.json()).toMatchObject({
      ok: false,
      source: { connected: false },
      target: { connected: false },
    });
    const dump = await runCaptured(
      ['dump', `--uri=${bad.replace('/?', '/?serverSelectionTimeoutMS=1500&')}`, '--db=x'],
      {
        env: { MONGO_BACKUP_DEBUG: '1' },
      },
    );
    expect(dump.code).toBe(1);
    expect(dump.stderr).toMatch(/^error \[CONNECTION_FAILED\]: /);
    for (const run of [fromFlag, fromEnv, dump]) {
      expect(run.stdout + run.stderr).not.toContain(password);
      expect(run.stdout + run.stderr).not.toContain('backup_user');
    }
  });
});

describe('schedule through the CLI', () => {
  it('a run that fails is logged, with the failures in a row', async () => {
    const closed = await unusedPort();
    const signals = fakeSignals();
    const stdout = new CapturedOutput();
    const running = runCaptured(
      [
        'schedule',
        `--uri=mongodb://backup:s3cret-pw@127.0.0.1:${closed}/?serverSelectionTimeoutMS=300`,
        `--backupDir=${path.join(ws.workDir, 'failing')}`,
        '--everyHours=24',
        '--runNow',
        '--json',
      ],
      { signals, stdout },
    );
    await waitForOutput(stdout, /"event":"failure"/, 30_000);
    signals.emit('SIGINT');
    const run = await running;
    expect(run.code).toBe(0);
    const failure = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((event) => event['event'] === 'failure');
    expect(failure).toMatchObject({ code: 'CONNECTION_FAILED', consecutiveFailures: 1 });
    expect(String(failure?.['message'])).toContain(`127.0.0.1:${closed}`);
    expect(run.stdout + run.stderr).not.toContain('s3cret-pw');
  });

  it('--runNow backs up at once, logs the run, and stops on SIGINT', async (ctx) => {
    const uri = requireServer(ctx);
    const backupDir = path.join(ws.workDir, 'scheduled');
    const signals = fakeSignals();
    const stdout = new CapturedOutput();
    const running = runCaptured(
      [
        'schedule',
        `--uri=${uri}`,
        `--db=${source}`,
        `--backupDir=${backupDir}`,
        '--everyHours=24',
        '--runNow',
        '--retention=1',
        '--json',
      ],
      { signals, stdout },
    );
    await waitForOutput(stdout, /"event":"(success|failure)"/, 60_000);
    signals.emit('SIGINT');
    const run = await running;
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; path?: string });
    expect(events.map((e) => e.event)).toEqual(['scheduled', 'start', 'success', 'stopping', 'stopped']);
    expect(await readdir(backupDir)).toEqual([path.basename(events[2]!.path!)]);
    expect(events[2]).toMatchObject({
      totalDocuments: Object.values(seeded.counts).reduce((a, b) => a + b, 0),
    });
  });
});
