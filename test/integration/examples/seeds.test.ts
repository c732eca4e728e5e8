/**
 * The two seed systems (docs/migration.md) served by the Express example, over real HTTP against the real test
 * server: the billing backend's `POST /auth/api/dump/create` with its client script and its four mongorestore
 * commands (the REAL mongorestore), and the Atlas-to-local service's `/api/backups/*` endpoints, configured by its
 * own variables, with its scheduler making two runs with auto-import.
 *
 * Prerequisites: the root dist (`npx tsup`) and the example's dependencies (`npm ci` in the example). Without them
 * these tests fail under CI=true and are skipped, with the reason, otherwise.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';

import { expectSameDocuments } from '../../support/compare.js';
import { listenOnLoopback, type RunningServer } from '../../support/http-server.js';
import { EXAMPLE_DIR, exampleCanRun, jwtSigner, nowSeconds } from '../../support/example-app.js';
import { pathOnly, runProcess, type ProcessRun } from '../../support/process.js';
import { seedDatabase } from '../../support/seed.js';
import { isFerretDb, requireServer, uniqueDbName } from '../../support/server.js';
import { requireTool, runTool } from '../../support/tools.js';

type Library = typeof import('../../../dist/index.js');
type AppModule = typeof import('../../../examples/express-integration/src/app.js');
type SetupModule = typeof import('../../../examples/express-integration/src/seed-setup.js');
type SchedulerModule = typeof import('../../../examples/express-integration/src/seed-scheduler.js');
type Service = InstanceType<Library['MongoBackupService']>;

const CLIENT_SCRIPT = path.join(EXAMPLE_DIR, 'scripts', 'create-dump.js');
const runnable = exampleCanRun('seed systems');

// Tokens built by hand (HS256 with node:crypto), as an identity provider would issue them.
const SECRET = randomBytes(32).toString('base64url');
const signJwt = jwtSigner(SECRET);
const ADMIN = signJwt({ sub: 'billing-admin', role: 'admin', exp: nowSeconds() + 3600 });

interface Answer {
  status: number;
  contentType: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of several shapes
}

/** The seed's curl: `-X POST -H "Authorization: Bearer ..." -H "Content-Type: application/json"`, body optional. */
async function call(
  baseUrl: string,
  method: string,
  urlPath: string,
  options: { token?: string | null; body?: unknown; contentType?: string } = {},
): Promise<Answer> {
  const token = options.token === undefined ? ADMIN : options.token;
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const response = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    contentType,
    body: contentType.includes('json') ? JSON.parse(text) : text,
  };
}

/** Asserts a failure envelope: JSON, `success: false`, a message and the expected code. */
function expectFailure(answer: Answer, status: number, code: string | RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.contentType).toMatch(/^application\/json/);
  expect(answer.body).toEqual({
    success: false,
    message: expect.any(String),
    code: expect.stringMatching(code),
  });
}

/** `mongodb://host[:port][/db][?query]` with `db` as its path. */
function withDatabase(uri: string, db: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (match?.[1] === undefined) throw new Error(`cannot put a database into ${uri}`);
  return `${match[1]}/${db}${match[3] ?? ''}`;
}

/** The example's modules, loaded as the server loads them. */
async function loadExample(): Promise<{
  lib: Library;
  app: AppModule;
  setup: SetupModule;
  sched: SchedulerModule;
}> {
  return {
    lib: await import('../../../dist/index.js'),
    app: await import('../../../examples/express-integration/src/app.js'),
    setup: await import('../../../examples/express-integration/src/seed-setup.js'),
    sched: await import('../../../examples/express-integration/src/seed-scheduler.js'),
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

interface Fixture {
  uri: string;
  db: string;
  client: MongoClient;
  workDir: string;
  dumpDir: string;
  backupDir: string;
  service: Service;
  running: RunningServer;
  logs: string[];
}

let fixture: Promise<Fixture> | undefined;

/** The example server as the seeds configure it, once for the file. */
function setUp(ctx: TestContext): Promise<Fixture> {
  const uri = requireServer(ctx);
  fixture ??= (async () => {
    const { lib, app, setup } = await loadExample();
    const db = uniqueDbName('billing_system');
    const client = await MongoClient.connect(uri);
    const dropped = [db, `${db}_local`, `${db}_imported`, `${db}_new`, `${db}_users`];
    cleanups.push(async () => {
      for (const name of dropped)
        await client
          .db(name)
          .dropDatabase()
          .catch(() => undefined);
      await client.close();
    });
    await seedDatabase(client.db(db), { manyDocuments: 500 });
    await client
      .db(db)
      .collection<{ _id: number; name: string; role: string }>('users')
      .insertMany([1, 2, 3].map((i) => ({ _id: i, name: `user${i}`, role: i === 1 ? 'admin' : 'clerk' })));
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-seeds-'));
    cleanups.push(() => rm(workDir, { recursive: true, force: true }));
    const dumpDir = path.join(workDir, 'api', 'dumps');
    const backupDir = path.join(workDir, 'backups');
    // The Atlas-to-local service's .env, as its documentation shows it (test server in place of Atlas and local).
    const env = setup.seedEnvironment({
      MONGO_URI_ATLAS: withDatabase(uri, db),
      MONGO_URI_LOCAL: withDatabase(uri, `${db}_local`),
      BACKUP_ENABLED: 'false',
      BACKUP_INTERVAL_HOURS: '6',
      BACKUP_PATH: backupDir,
      AUTO_IMPORT_TO_LOCAL: 'true',
    });
    const service = new lib.MongoBackupService({ env });
    cleanups.push(() => service.close());
    const logs: string[] = [];
    const express = app.createApp({ service, jwtSecret: SECRET, log: (line) => logs.push(line) });
    setup.mountSeedRouters(express, { service, jwtSecret: SECRET, dumpDir, log: (line) => logs.push(line) });
    const running = await listenOnLoopback(express);
    cleanups.push(() => running.close());
    return { uri, db, client, workDir, dumpDir, backupDir, service, running, logs };
  })();
  return fixture;
}

/** Runs a Node script of the example to completion, with only PATH and `env` in its environment. */
function runNode(script: string, args: readonly string[], env: Record<string, string>): Promise<ProcessRun> {
  return runProcess(process.execPath, [script, ...args], { cwd: EXAMPLE_DIR, env: pathOnly(env) });
}

const ISO_IN_NAME = '\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}-\\d{3}Z';

function seedSuite(): void {
  let dumpFile = '';

  describe('billing backend: POST /auth/api/dump/create', () => {
    it('writes a gzip mongodump archive of every collection and answers the seed fields', async (ctx) => {
      const { running, db, dumpDir, client } = await setUp(ctx);
      const answer = await call(running.baseUrl, 'POST', '/auth/api/dump/create');
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ success: true, message: expect.any(String) });
      const data = answer.body.data;
      expect(data.fileName).toMatch(new RegExp(`^${db}_dump_${ISO_IN_NAME}\\.gz$`));
      expect(data.filePath).toBe(path.join(dumpDir, data.fileName));
      expect(data.createdAt).toBe(
        new Date(
          data.fileName.slice(db.length + 6, -3).replace(/T(\d\d)-(\d\d)-(\d\d)-/, 'T$1:$2:$3.'),
        ).toISOString(),
      );
      const file = await stat(data.filePath);
      expect(data.fileSize).toBe(file.size);
      expect(file.mode & 0o777).toBe(0o600);
      const collections = (await client.db(db).listCollections({}, { nameOnly: true }).toArray())
        .map((info) => info.name)
        .filter((name) => !name.startsWith('system.'));
      expect([...data.collections].sort()).toEqual(collections.sort());
      let total = 0;
      for (const name of collections) total += await client.db(db).collection(name).countDocuments();
      expect(data.totalRecords).toBe(total);
      expect(data.recordsPerCollection).toContainEqual({ collection: 'users', records: 3 });
      dumpFile = data.filePath;
    });

    it('the seed client script (`node scripts/create-dump.js create`) runs against the server', async (ctx) => {
      const { running, db } = await setUp(ctx);
      const run = await runNode(CLIENT_SCRIPT, ['create'], { AUTH_TOKEN: ADMIN, BASE_URL: running.baseUrl });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`File: +\\S*${db}_dump_${ISO_IN_NAME}\\.gz`));
      expect(run.stdout).toMatch(/Records: +\d+/);
      expect(run.stdout).not.toContain(ADMIN);

      const denied = await runNode(CLIENT_SCRIPT, ['create'], {
        AUTH_TOKEN: signJwt({ role: 'admin', exp: nowSeconds() - 10 }),
        BASE_URL: running.baseUrl,
      });
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/401 UNAUTHORIZED/);
      const noToken = await runNode(CLIENT_SCRIPT, ['create'], { BASE_URL: running.baseUrl });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toMatch(/AUTH_TOKEN/);
      expect((await runNode(CLIENT_SCRIPT, ['export'], { AUTH_TOKEN: ADMIN })).code).toBe(2);
    });

    // The seed's four import methods, each as written (plus where the server is), with the REAL mongorestore.
    it("restores with the seed's four mongorestore commands, documents byte-identical", async (ctx) => {
      const { uri, db, client } = await setUp(ctx);
      const mongorestore = requireTool(ctx, 'mongorestore');
      if (dumpFile === '') ctx.skip('the dump test did not run');
      // FerretDB rejects the `ns` field mongorestore sends in index specs: indexes only on a real mongod.
      const server = [`--uri=${uri}`, ...(isFerretDb() ? ['--noIndexRestore'] : [])];
      const restore = async (args: string[]): Promise<void> => {
        const run = await runTool(mongorestore, [...server, ...args]);
        expect(run.code, `mongorestore ${args.join(' ')}:\n${run.stderr}`).toBe(0);
        expect(run.stderr).not.toMatch(/Failed:|error/i);
      };
      const original = client.db(db);
      const names = (await original.listCollections({}, { nameOnly: true }).toArray())
        .map((info) => info.name)
        .filter((name) => !name.startsWith('system.'));

      // Method 2: to a different database.
      await restore(['--gzip', `--archive=${dumpFile}`, '--nsFrom', `${db}.*`, '--nsTo', `${db}_new.*`]);
      expect(await expectSameDocuments(original, client.db(`${db}_new`), names)).toBeGreaterThan(500);

      // Method 3: one collection under another database (the other collections keep their names, so restore
      // them first into a database where they are already present: mongorestore then skips them as duplicates).
      const run3 = await runTool(mongorestore, [
        ...server,
        '--gzip',
        `--archive=${dumpFile}`,
        '--nsFrom',
        `${db}.users`,
        '--nsTo',
        `${db}_users.users`,
      ]);
      expect(run3.code, run3.stderr).toBe(0);
      await expectSameDocuments(original, client.db(`${db}_users`), ['users']);

      // Method 1: to the same database, after it was lost (the copy of method 2 holds the originals).
      await original.dropDatabase();
      await restore(['--gzip', `--archive=${dumpFile}`]);
      await expectSameDocuments(client.db(`${db}_new`), original, names);

      // Method 4: with --drop, over changed data.
      await original.collection('users').deleteMany({});
      await original.collection<{ _id: number }>('users').insertOne({ _id: 99 });
      await restore(['--gzip', `--archive=${dumpFile}`, '--drop']);
      await expectSameDocuments(client.db(`${db}_new`), original, names);
      expect(await original.collection('users').countDocuments()).toBe(3);
    });

    it('refuses bad tokens, bodies and routes in the seed envelope', async (ctx) => {
      const { running } = await setUp(ctx);
      const create = (options: Parameters<typeof call>[3]): Promise<Answer> =>
        call(running.baseUrl, 'POST', '/auth/api/dump/create', options);
      expectFailure(await create({ token: null }), 401, 'UNAUTHORIZED');
      expectFailure(await create({ token: 'not.a.jwt' }), 401, 'UNAUTHORIZED');
      expectFailure(
        await create({
          token: signJwt({ role: 'admin', exp: nowSeconds() + 60 }, 'another-secret-of-32-chars-at-least!'),
        }),
        401,
        'UNAUTHORIZED',
      );
      expectFailure(
        await create({ token: signJwt({ role: 'clerk', exp: nowSeconds() + 60 }) }),
        403,
        'FORBIDDEN',
      );
      expectFailure(await create({ body: { collections: ['users'] } }), 400, 'INVALID_REQUEST');
      expectFailure(await create({ body: '{oops' }), 400, 'BAD_REQUEST');
      expectFailure(await create({ body: 'x', contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectFailure(await call(running.baseUrl, 'POST', '/auth/api/dump/restore'), 404, 'NOT_FOUND');
      expectFailure(await call(running.baseUrl, 'GET', '/auth/api/dump/create'), 404, 'NOT_FOUND');
      expectFailure(await call(running.baseUrl, 'GET', '/no/such/path', { token: null }), 404, 'NOT_FOUND');
    });
  });

  describe('Atlas-to-local service: /api/backups', () => {
    let backupPath = '';

    it('GET /status shows the configuration from the seed variables', async (ctx) => {
      const { running, backupDir } = await setUp(ctx);
      const answer = await call(running.baseUrl, 'GET', '/api/backups/status');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        success: true,
        data: { enabled: false, interval: 6, autoImport: true, backupPath: backupDir, backups: [] },
      });
    });

    it('POST /create backs up from Atlas and imports into local', async (ctx) => {
      const { running, db, client, backupDir } = await setUp(ctx);
      const answer = await call(running.baseUrl, 'POST', '/api/backups/create');
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({
        success: true,
        message: 'Manual backup completed successfully',
        data: { imported: true },
      });
      backupPath = answer.body.data.backupPath;
      expect(backupPath).toMatch(new RegExp(`^${backupDir}/${db}_dump_${ISO_IN_NAME}\\.gz$`));
      expect(existsSync(backupPath)).toBe(true);
      await expectSameDocuments(client.db(db), client.db(`${db}_local`));

      const status = await call(running.baseUrl, 'GET', '/api/backups/status');
      const [entry] = status.body.data.backups;
      expect(entry).toMatchObject({
        name: path.basename(backupPath),
        path: backupPath,
        size: (await stat(backupPath)).size,
      });
      expect(new Date(entry.created).toISOString()).toBe(entry.created);
    });

    it('POST /import restores { backupPath, databaseName } into local', async (ctx) => {
      const { running, db, client } = await setUp(ctx);
      const answer = await call(running.baseUrl, 'POST', '/api/backups/import', {
        body: { backupPath, databaseName: `${db}_imported` },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ success: true, message: expect.any(String), data: { backupPath } });
      await expectSameDocuments(client.db(db), client.db(`${db}_imported`));
      // The bare name, and a path relative to the working directory as the seed shows it (./backups/...), too.
      for (const given of [path.basename(backupPath), `./${path.relative(process.cwd(), backupPath)}`]) {
        const answer = await call(running.baseUrl, 'POST', '/api/backups/import', {
          body: { backupPath: given, databaseName: `${db}_imported` },
        });
        expect(answer.status, given).toBe(200);
      }
    });

    it('POST /import keeps backupPath inside the backup folder and validates the body', async (ctx) => {
      const { running, backupDir, db } = await setUp(ctx);
      const importing = (body: unknown): Promise<Answer> =>
        call(running.baseUrl, 'POST', '/api/backups/import', { body });
      for (const outside of [
        '../../etc/passwd',
        '/etc/passwd',
        `${backupDir}/../backups/../${path.basename(backupPath)}`,
        `${backupDir}/sub/${path.basename(backupPath)}`,
        '..',
        'x\0.gz',
      ]) {
        expectFailure(await importing({ backupPath: outside }), 400, 'PATH_OUTSIDE_ROOT');
      }
      expectFailure(
        await importing({ backupPath: `${backupDir}/${db}_dump_2000-01-01T00-00-00-000Z.gz` }),
        404,
        'BACKUP_NOT_FOUND',
      );
      expectFailure(await importing({ backupPath: `${backupDir}/passwd` }), 404, 'BACKUP_NOT_FOUND');
      for (const body of [
        {},
        { backupPath: 7 },
        { backupPath, databaseName: 'a.b' },
        { backupPath, databaseName: '' },
        { backupPath, drop: true },
        ['x'],
      ]) {
        expectFailure(await importing(body), 400, 'INVALID_REQUEST');
      }
    });

    it('POST /clean keeps keepCount backups', async (ctx) => {
      const { running } = await setUp(ctx);
      expect((await call(running.baseUrl, 'POST', '/api/backups/create')).status).toBe(200);
      const before = (await call(running.baseUrl, 'GET', '/api/backups/status')).body.data.backups;
      expect(before.length).toBe(2);
      const answer = await call(running.baseUrl, 'POST', '/api/backups/clean', { body: { keepCount: 1 } });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        success: true,
        message: expect.any(String),
        data: { removed: [before[1].name], removedCount: 1, remaining: 1 },
      });
      for (const body of [{ keepCount: 0 }, { keepCount: '5' }, { keepCount: 1.5 }, { keep: 1 }]) {
        expectFailure(
          await call(running.baseUrl, 'POST', '/api/backups/clean', { body }),
          400,
          'INVALID_REQUEST',
        );
      }
      // No keepCount and no configured retention: the library's usage error, in the envelope.
      expectFailure(await call(running.baseUrl, 'POST', '/api/backups/clean'), 400, 'INVALID_OPTIONS');
    });

    it('GET /test-connections answers { atlas, local } with connected and host, no credentials', async (ctx) => {
      const { running, uri } = await setUp(ctx);
      const answer = await call(running.baseUrl, 'GET', '/api/backups/test-connections');
      expect(answer.status).toBe(200);
      const connection = {
        connected: true,
        host: expect.any(String),
        latencyMs: expect.any(Number),
        version: expect.any(String),
      };
      expect(answer.body).toEqual({ success: true, data: { atlas: connection, local: connection } });
      const password = /^mongodb(?:\+srv)?:\/\/[^:@/]+:([^@/]+)@/.exec(uri)?.[1];
      if (password !== undefined) expect(JSON.stringify(answer.body)).not.toContain(password);
    });

    it('refuses bad tokens, bodies and unknown routes in the seed envelope', async (ctx) => {
      const { running } = await setUp(ctx);
      for (const [method, route] of [
        ['GET', '/api/backups/status'],
        ['POST', '/api/backups/create'],
        ['POST', '/api/backups/import'],
        ['POST', '/api/backups/clean'],
        ['GET', '/api/backups/test-connections'],
        ['GET', '/api/backups/nope'],
      ] as const) {
        expectFailure(await call(running.baseUrl, method, route, { token: null }), 401, 'UNAUTHORIZED');
        expectFailure(
          await call(running.baseUrl, method, route, {
            token: signJwt({ role: 'user', exp: nowSeconds() + 60 }),
          }),
          403,
          'FORBIDDEN',
        );
      }
      expectFailure(await call(running.baseUrl, 'GET', '/api/backups/nope'), 404, 'NOT_FOUND');
      expectFailure(
        await call(running.baseUrl, 'POST', '/api/backups/create', { body: { now: true } }),
        400,
        'INVALID_REQUEST',
      );
      expectFailure(
        await call(running.baseUrl, 'POST', '/api/backups/import', { body: '{"backupPath":' }),
        400,
        'BAD_REQUEST',
      );
    });
  });

  describe('Atlas-to-local service: the scheduler', () => {
    it('started from the seed variables, makes two runs with auto-import and logs them', async (ctx) => {
      const { uri, db, client, workDir } = await setUp(ctx);
      const { lib, setup, sched } = await loadExample();
      const backupDir = path.join(workDir, 'scheduled');
      // BACKUP_INTERVAL_HOURS is the seed's; a test cannot wait hours, so MONGO_BACKUP_CRON (seconds allowed)
      // takes its place here, as documented for tests.
      const env = setup.seedEnvironment({
        MONGO_URI_ATLAS: withDatabase(uri, db),
        MONGO_URI_LOCAL: withDatabase(uri, `${db}_local`),
        BACKUP_ENABLED: 'true',
        MONGO_BACKUP_CRON: '*/2 * * * * *',
        BACKUP_PATH: backupDir,
        AUTO_IMPORT_TO_LOCAL: 'true',
      });
      const service = new lib.MongoBackupService({ env });
      const lines: string[] = [];
      await client.db(`${db}_local`).dropDatabase();
      const scheduler = sched.startSeedScheduler({
        service,
        log: (line) => lines.push(line),
        error: (line) => lines.push(line),
      });
      try {
        expect(scheduler).toBeDefined();
        const deadline = Date.now() + 45_000;
        while ((scheduler?.status().runs ?? 0) < 2 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        const status = scheduler?.status();
        expect(status?.runs, lines.join('\n')).toBeGreaterThanOrEqual(2);
        expect(status?.failures, lines.join('\n')).toBe(0);
      } finally {
        await scheduler?.stop({ abort: true });
        await service.close();
      }
      expect(lines[0]).toMatch(/scheduled backups on cron "\*\/2 \* \* \* \* \*".*auto-import on/);
      const succeeded = lines.filter((line) => /run succeeded/.test(line));
      expect(succeeded.length).toBeGreaterThanOrEqual(2);
      for (const line of succeeded) expect(line).toMatch(/imported \d+ documents/);
      expect(lines.filter((line) => /run started \(schedule\)/.test(line)).length).toBeGreaterThanOrEqual(2);
      await expectSameDocuments(client.db(db), client.db(`${db}_local`));
    });

    it('shares one lock with the routes: manual backups go through it, runs never overlap an import', async (ctx) => {
      const { uri, db, workDir } = await setUp(ctx);
      const { lib, app, setup, sched } = await loadExample();
      const lockModule = await import('../../../examples/express-integration/src/operation-lock.js');
      const env = setup.seedEnvironment({
        MONGO_URI_ATLAS: withDatabase(uri, db),
        MONGO_URI_LOCAL: withDatabase(uri, `${db}_local`),
        BACKUP_ENABLED: 'true',
        BACKUP_INTERVAL_HOURS: '24',
        BACKUP_PATH: path.join(workDir, 'locked'),
        AUTO_IMPORT_TO_LOCAL: 'true',
      });
      const service = new lib.MongoBackupService({ env });
      const lock = new lockModule.OperationLock();
      const lines: string[] = [];
      const scheduler = sched.startSeedScheduler({
        service,
        lock,
        log: (line) => lines.push(line),
        error: (line) => lines.push(line),
      });
      const express = app.createApp({ service, jwtSecret: SECRET });
      setup.mountSeedRouters(express, { service, jwtSecret: SECRET, scheduler, lock, log: () => undefined });
      const running = await listenOnLoopback(express);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      try {
        const created = await call(running.baseUrl, 'POST', '/api/backups/create');
        expect(created.status, JSON.stringify(created.body)).toBe(200);
        expect(created.body.data.imported).toBe(true);
        expect(scheduler?.status().runs).toBe(1);
        expect(lines.some((line) => /run started \(manual\)/.test(line))).toBe(true);
        const status = await call(running.baseUrl, 'GET', '/api/backups/status');
        expect(status.body.data).toMatchObject({
          enabled: true,
          interval: 24,
          scheduler: { runs: 1, failures: 0 },
        });

        // While an HTTP operation holds the lock, a run fails (logged) and the routes answer 409.
        const held = lock.run('import', () => gate);
        await expect(scheduler?.runNow()).rejects.toMatchObject({ code: 'OPERATION_IN_PROGRESS' });
        expect(lines.at(-1)).toMatch(/run FAILED after \d+ ms \[OPERATION_IN_PROGRESS\]/);
        expectFailure(
          await call(running.baseUrl, 'POST', '/api/backups/import', {
            body: { backupPath: created.body.data.name },
          }),
          409,
          'OPERATION_IN_PROGRESS',
        );
        expectFailure(
          await call(running.baseUrl, 'POST', '/api/backups/create'),
          409,
          'OPERATION_IN_PROGRESS',
        );
        release();
        await held;
      } finally {
        release();
        await scheduler?.stop({ abort: true });
        await running.close();
        await service.close();
      }
    });

    it('every BACKUP_INTERVAL_HOURS hours, a first run at start on request, failures logged', async (ctx) => {
      const { uri, db, workDir } = await setUp(ctx);
      const { lib, setup, sched } = await loadExample();
      const env = setup.seedEnvironment({
        MONGO_URI_ATLAS: withDatabase(uri, db),
        MONGO_URI_LOCAL: withDatabase(uri, `${db}_local`),
        BACKUP_ENABLED: 'true',
        BACKUP_INTERVAL_HOURS: '6',
        BACKUP_PATH: path.join(workDir, 'interval'),
        AUTO_IMPORT_TO_LOCAL: 'true',
      });
      const service = new lib.MongoBackupService({ env });
      const lines: string[] = [];
      const scheduler = sched.startSeedScheduler({
        service,
        runOnStart: true,
        log: (line) => lines.push(line),
        error: (line) => lines.push(line),
      });
      try {
        const deadline = Date.now() + 30_000;
        while ((scheduler?.status().runs ?? 0) < 1 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(scheduler?.status().runs).toBe(1);
        const next = scheduler?.status().nextRunAt;
        expect(
          next !== undefined && next.getUTCMinutes() === 0 && next.getTime() - Date.now() <= 6 * 3600_000,
        ).toBe(true);
      } finally {
        await scheduler?.stop({ abort: true });
        await service.close();
      }
      expect(lines[0]).toMatch(/every 6 hours .*first run now/);
      expect(lines.some((line) => /run started \(manual\)/.test(line))).toBe(true);

      // Disabled: nothing starts, and the log says how to enable it.
      const off = new lib.MongoBackupService({ env: { ...env, BACKUP_ENABLED: 'false' } });
      const offLines: string[] = [];
      expect(sched.startSeedScheduler({ service: off, log: (line) => offLines.push(line) })).toBeUndefined();
      expect(offLines).toEqual([expect.stringMatching(/disabled .*BACKUP_ENABLED=true/)]);

      // A failing run is logged with its code, never with credentials.
      const failing = new lib.MongoBackupService({
        env: {
          ...env,
          MONGO_URI_ATLAS: 'mongodb://backup:S3cret-Pw@127.0.0.1:1/x?serverSelectionTimeoutMS=300',
        },
      });
      const failLines: string[] = [];
      const failingScheduler = sched.startSeedScheduler({
        service: failing,
        runOnStart: true,
        log: (line) => failLines.push(line),
        error: (line) => failLines.push(line),
      });
      try {
        const deadline = Date.now() + 20_000;
        while ((failingScheduler?.status().failures ?? 0) < 1 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await failingScheduler?.stop({ abort: true });
        await failing.close();
      }
      const failure = failLines.find((line) => /run FAILED/.test(line));
      expect(failure, failLines.join('\n')).toMatch(/run FAILED after \d+ ms \[[A-Z_]+\]: /);
      expect(failLines.join('\n')).not.toContain('S3cret-Pw');
    });
  });
}

/** A child process whose output is collected, and waited on for a pattern. */
interface Child {
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<number | null>;
}

function startServer(env: Record<string, string>, cwd: string): Child {
  const child = spawn(process.execPath, [path.join(EXAMPLE_DIR, 'dist', 'server.js')], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return {
    output: () => output,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match !== null) return match;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${String(pattern)} in the server output:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function serverSuite(): void {
  it('`npm start` with the seed .env: scheduler, first run with auto-import, both contracts, the client script', async (ctx) => {
    const { uri, db, client } = await setUp(ctx);
    if (!existsSync(path.join(EXAMPLE_DIR, 'node_modules', 'typescript'))) {
      if (process.env['CI'] === 'true') throw new Error('the example has no typescript: run `npm ci` there');
      ctx.skip('examples/express-integration/node_modules/typescript is missing (run `npm ci` there)');
    }
    // What `npm run client` runs before the client: compiles only when dist/ is stale.
    const buildIfStale = path.join(EXAMPLE_DIR, 'scripts', 'build-if-stale.js');
    const build = await runNode(buildIfStale, [], {});
    expect(build.code, build.stderr).toBe(0);
    // A second call finds dist/ up to date and compiles nothing.
    const again = await runNode(buildIfStale, [], {});
    expect(again).toMatchObject({ code: 0, stderr: '' });
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'mbs-seed-server-'));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));
    await client.db(`${db}_local`).dropDatabase();
    const server = startServer(
      {
        JWT_SECRET: SECRET,
        PORT: '0',
        MONGO_URI_ATLAS: withDatabase(uri, db),
        MONGO_URI_LOCAL: withDatabase(uri, `${db}_local`),
        BACKUP_ENABLED: 'true',
        BACKUP_INTERVAL_HOURS: '6',
        BACKUP_PATH: './backups',
        AUTO_IMPORT_TO_LOCAL: 'true',
        BACKUP_RUN_ON_START: 'true',
      },
      cwd,
    );
    const [, port] = await server.waitFor(/on http:\/\/127\.0\.0\.1:(\d+)\/admin\/backups/);
    const baseUrl = `http://127.0.0.1:${port}`;
    await server.waitFor(/\[backup\] run succeeded .*imported \d+ documents/, 60_000);
    expect(server.output()).toMatch(/scheduled backups every 6 hours .*auto-import on, first run now/);
    await expectSameDocuments(client.db(db), client.db(`${db}_local`));

    const status = await call(baseUrl, 'GET', '/api/backups/status');
    expect(status.body).toMatchObject({
      success: true,
      data: { enabled: true, interval: 6, autoImport: true, backupPath: './backups' },
    });
    const [entry] = status.body.data.backups;
    expect(entry.path).toBe(`./backups/${entry.name}`);
    expect(existsSync(path.join(cwd, 'backups', entry.name))).toBe(true);
    expect(status.body.data.scheduler).toMatchObject({ runs: 1, failures: 0 });

    // The billing client, with the port the server listens on (PORT, as a deployment sets it for both).
    const dump = await runNode(CLIENT_SCRIPT, ['create'], { AUTH_TOKEN: ADMIN, PORT: String(port) });
    expect(dump.code, dump.stderr).toBe(0);
    const [, file] = /File: +(\S+)/.exec(dump.stdout) ?? [];
    expect(file).toMatch(new RegExp(`^api/dumps/${db}_dump_${ISO_IN_NAME}\\.gz$`));
    expect(existsSync(path.join(cwd, file ?? ''))).toBe(true);
    // The default dump folder, created owner-only.
    expect((await stat(path.join(cwd, 'api', 'dumps'))).mode & 0o777).toBe(0o700);

    expectFailure(await call(baseUrl, 'GET', '/anything/else', { token: null }), 404, 'NOT_FOUND');
    expect(await server.stop()).toBe(0);
    expect(server.output()).toMatch(/stopped\s*$/);
    expect(server.output()).not.toContain(SECRET);
  });
}

function helperSuite(): void {
  it('databaseInUri: the database in a connection string path, as mongodump --uri reads it', async () => {
    const { databaseInUri } =
      await import('../../../examples/express-integration/src/billing-dump-router.js');
    expect(
      databaseInUri(
        'mongodb+srv://u:p%40ss@cluster0.example.net/artisan_management?retryWrites=true&w=majority',
      ),
    ).toBe('artisan_management');
    expect(databaseInUri('mongodb://localhost:27017/billing_system')).toBe('billing_system');
    expect(databaseInUri('mongodb://h1:1,h2:2/a%20b?replicaSet=rs')).toBe('a b');
    expect(databaseInUri('mongodb://localhost:27017')).toBeUndefined();
    expect(databaseInUri('mongodb://localhost:27017/?directConnection=true')).toBeUndefined();
  });

  it('seedEnvironment: databases from the URIs, never over what is set', async () => {
    const { seedEnvironment } = await import('../../../examples/express-integration/src/seed-setup.js');
    const atlas = 'mongodb+srv://u:p@cluster0.example.net/artisan_management?retryWrites=true';
    expect(
      seedEnvironment({ MONGO_URI_ATLAS: atlas, MONGO_URI_LOCAL: 'mongodb://localhost/mirror' }),
    ).toMatchObject({
      MONGO_BACKUP_DATABASES: 'artisan_management',
      MONGO_BACKUP_IMPORT_DATABASE: 'mirror',
    });
    // The seed's own .env: the same database name on both sides, no rename.
    const same = seedEnvironment({
      MONGO_URI_ATLAS: atlas,
      MONGO_URI_LOCAL: 'mongodb://localhost/artisan_management',
    });
    expect(same['MONGO_BACKUP_IMPORT_DATABASE']).toBeUndefined();
    expect(
      seedEnvironment({
        MONGO_URI_ATLAS: atlas,
        MONGO_BACKUP_DATABASES: 'a,b',
        MONGO_URI_LOCAL: 'mongodb://l/x',
      }),
    ).toMatchObject({ MONGO_BACKUP_DATABASES: 'a,b', MONGO_BACKUP_IMPORT_DATABASE: 'x' });
    // MONGODB_URI keeps its meaning for the example's existing users: every database.
    expect(seedEnvironment({ MONGODB_URI: 'mongodb://localhost/shop' })).toEqual({
      MONGODB_URI: 'mongodb://localhost/shop',
    });
  });

  it('nameInBackupDir: a backup directly inside the folder, given as the seed shows it or not at all', async () => {
    const { nameInBackupDir } =
      await import('../../../examples/express-integration/src/atlas-backups-router.js');
    const name = 'shop_dump_2025-01-14T10-30-00-000Z.gz';
    expect(nameInBackupDir('./backups', `./backups/${name}`)).toBe(name);
    expect(nameInBackupDir('./backups', name)).toBe(name);
    expect(nameInBackupDir('./backups', path.resolve('backups', name))).toBe(name);
    expect(nameInBackupDir('/srv/backups/', `/srv/backups/${name}`)).toBe(name);
    for (const outside of [
      `./backups/sub/${name}`,
      `../backups/${name}`,
      '/etc/passwd',
      './backups/..',
      'x\0',
    ]) {
      expect(() => nameInBackupDir('./backups', outside), outside).toThrow(
        expect.objectContaining({ code: 'PATH_OUTSIDE_ROOT' }),
      );
    }
  });
}

if (runnable) {
  describe('the seed systems on the Express example, against the test server', seedSuite);
  describe('the example server process, configured by the seed variables', serverSuite);
  describe('seed helpers of the example', helperSuite);
}
