import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';
import { pathOnly, runProcess, type ProcessRun } from '../../support/process.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

const BIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** Runs the built `mongo-backup` as a real child process, with only the environment given (and PATH). */
function cli(args: readonly string[], env: Record<string, string> = {}): Promise<ProcessRun> {
  return runProcess(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: pathOnly(env) });
}

/** A TCP port nothing listens on. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `host:port` of the test server. */
function serverHost(uri: string): string {
  return new URL(uri).host;
}

const source = uniqueDbName('clic_src');
const created: string[] = [source];
let client: MongoClient | undefined;
let workDir = '';
let archive = '';

function requireBuiltServer(ctx: TestContext): string {
  const uri = requireServer(ctx);
  if (!existsSync(BIN)) ctx.skip('dist/ is not built (npm run build)');
  return uri;
}

async function count(db: string, collection: string): Promise<number> {
  return client!.db(db).collection(collection).countDocuments();
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-cli-conn-'));
  archive = path.join(workDir, 'src.gz');
  if (testServer().kind === 'none') return;
  client = await connectTestClient();
  await client
    .db(source)
    .collection<{ _id: number; name: string }>('items')
    .insertMany(Array.from({ length: 25 }, (_, i) => ({ _id: i, name: `item ${i}` })));
});

afterAll(async () => {
  for (const db of created) await client?.db(db).dropDatabase();
  await client?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('mongodump connection flags (child process)', () => {
  it('-h host:port inside dump dumps (it used to print the help and exit 0)', async (ctx) => {
    const uri = requireBuiltServer(ctx);
    const run = await cli(['dump', '-h', serverHost(uri), '-d', source, `--archive=${archive}`, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('Usage:');
    expect(run.stdout).toBe('');
    expect((await stat(archive)).size).toBeGreaterThan(0);
  });

  it('--host and --port, -v says where it connects; a wrong password never appears', async (ctx) => {
    const uri = requireBuiltServer(ctx);
    const [hostname, port] = serverHost(uri).split(':') as [string, string];
    const out = path.join(workDir, 'by-port.gz');
    const run = await cli([
      'dump',
      '--host',
      hostname,
      '--port',
      port,
      '-d',
      source,
      `--archive=${out}`,
      '-v',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Dumping from ${hostname}:${port}`);
    expect(run.stdout).toContain('items');

    const closed = await unusedPort();
    const secret = 'pa55-w0rd-s3cret';
    const refused = await cli(
      ['dump', '-h', `127.0.0.1:${closed}`, '-u', 'backup', '-p', secret, '--authenticationDatabase=admin'],
      { MONGO_BACKUP_DIR: workDir },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`127.0.0.1:${closed}`);
    expect(refused.stdout + refused.stderr).not.toContain(secret);
  });
});

describe('restore destination (child process)', () => {
  it('writes into the configured target by default, and says where before writing', async (ctx) => {
    const uri = requireBuiltServer(ctx);
    const closed = await unusedPort();
    const target = uniqueDbName('clic_dst');
    created.push(target);
    // The source is unreachable: a restore that wrote there would fail to connect.
    const env = { MONGODB_URI: `mongodb://127.0.0.1:${closed}/`, MONGO_BACKUP_TARGET_URI: uri };
    const run = await cli(['restore', archive, `--nsFrom=${source}.*`, `--nsTo=${target}.*`, '--drop'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Restoring into ${serverHost(uri)} (the target cluster)`);
    expect(run.stderr).toContain(`database ${target}`);
    expect(run.stdout).toContain(`into ${serverHost(uri)} (the target cluster)`);
    expect(await count(target, 'items')).toBe(25);

    // --targetUri does the same from the command line.
    const second = uniqueDbName('clic_dst');
    created.push(second);
    const flagged = await cli(
      ['restore', archive, `--targetUri=${uri}`, `--nsFrom=${source}.*`, `--nsTo=${second}.*`, '--json'],
      { MONGODB_URI: env.MONGODB_URI },
    );
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(JSON.parse(flagged.stdout).destination).toEqual({ hosts: serverHost(uri), cluster: 'target' });
    expect(await count(second, 'items')).toBe(25);
  });

  it('refuses --uri with --drop while a target is configured unless --into says which', async (ctx) => {
    const uri = requireBuiltServer(ctx);
    const closed = await unusedPort();
    const target = uniqueDbName('clic_amb');
    created.push(target);
    const env = { MONGO_BACKUP_TARGET_URI: `mongodb://127.0.0.1:${closed}/` };
    const args = ['restore', archive, `--uri=${uri}`, `--nsFrom=${source}.*`, `--nsTo=${target}.*`, '--drop'];
    const refused = await cli(args, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--into source');
    expect(await count(target, 'items')).toBe(0);

    const explicit = await cli([...args, '--into', 'source'], env);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stderr).toContain(`Restoring into ${serverHost(uri)} (the source cluster)`);
    expect(await count(target, 'items')).toBe(25);
  });

  it('--into target with no target configured is a usage error', async (ctx) => {
    requireBuiltServer(ctx);
    const run = await cli(['restore', archive, '--into=target'], { MONGODB_URI: testServer().uri });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no target cluster');
  });
});
