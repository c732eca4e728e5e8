/**
 * The Express example (examples/express-integration) as its users run it: the real app on an ephemeral port, the
 * library as the example's package depends on it (built dist through its node_modules), the real test server.
 *
 * Prerequisites: the root dist (`npx tsup`) and the example's dependencies (`npm ci` in the example). Without them
 * these tests fail under CI=true and are skipped, with the reason, otherwise.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';

import { listenOnLoopback, type RunningServer } from '../../support/http-server.js';
import { exampleCanRun, jwtSigner, nowSeconds } from '../../support/example-app.js';
import { useS3TestServer } from '../../support/s3-server.js';
import { requireServer, uniqueDbName } from '../../support/server.js';

type AppModule = typeof import('../../../examples/express-integration/src/app.js');
type Library = typeof import('../../../dist/index.js');
type BackupService = import('../../../examples/express-integration/src/app.js').BackupService;

const runnable = exampleCanRun('express example');

// ---------------------------------------------------------------------------------------------------------------
// Tokens are built by hand (HS256 is a few lines of node:crypto), so the app is checked against the JWT spec
// rather than against the library it uses to verify them.

const SECRET = randomBytes(32).toString('base64url');
const signJwt = jwtSigner(SECRET);

const ADMIN = signJwt({ sub: 'test', role: 'admin', exp: nowSeconds() + 600 });

// ---------------------------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of several shapes
}

/** A JSON request through the global fetch. */
async function call(
  running: RunningServer,
  method: string,
  urlPath: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const token = options.token === undefined ? ADMIN : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${running.baseUrl}${urlPath}`, {
    method,
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/** A request whose path is sent byte for byte (fetch would fold `%2e%2e` segments before sending). */
async function rawCall(running: RunningServer, method: string, rawPath: string): Promise<Answer> {
  const url = new URL(running.baseUrl);
  return new Promise<Answer>((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: rawPath,
        headers: { authorization: `Bearer ${ADMIN}` },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: new Headers(),
            body: text ? JSON.parse(text) : undefined,
          }),
        );
      },
    );
    request.on('error', reject).end();
  });
}

// ---------------------------------------------------------------------------------------------------------------

interface Fixture {
  lib: Library;
  mod: AppModule;
  uri: string;
  db: string;
  copyDb: string;
  backupDir: string;
  client: MongoClient;
  service: InstanceType<Library['MongoBackupService']>;
  app: RunningServer;
  logs: string[];
}

let fixture: Promise<Fixture> | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

/** The app against the test server, built once for the file; skips the calling test when there is no server. */
function setUp(ctx: TestContext): Promise<Fixture> {
  const uri = requireServer(ctx);
  fixture ??= (async () => {
    const lib: Library = await import('../../../dist/index.js');
    const mod: AppModule = await import('../../../examples/express-integration/src/app.js');
    const db = uniqueDbName('express');
    const copyDb = `${db}_copy`;
    const backupDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-express-'));
    cleanups.push(() => rm(backupDir, { recursive: true, force: true }));
    const client = await MongoClient.connect(uri);
    cleanups.push(async () => {
      await client
        .db(db)
        .dropDatabase()
        .catch(() => undefined);
      await client
        .db(copyDb)
        .dropDatabase()
        .catch(() => undefined);
      await client.close();
    });
    await client
      .db(db)
      .collection<{ _id: number; sku: string; qty: number }>('orders')
      .insertMany([1, 2, 3, 4, 5].map((i) => ({ _id: i, sku: `SKU-${i}`, qty: i * 2 })));
    await client
      .db(db)
      .collection<{ _id: string; vip: boolean }>('customers')
      .insertMany(['ada', 'bob', 'cy'].map((name) => ({ _id: name, vip: name === 'ada' })));

    const service = new lib.MongoBackupService({
      source: uri,
      target: uri,
      databases: [db],
      backupDir,
      env: {},
    });
    cleanups.push(() => service.close());
    const logs: string[] = [];
    const app = await listenOnLoopback(
      mod.createApp({ service, jwtSecret: SECRET, log: (line) => logs.push(line) }),
    );
    cleanups.push(() => app.close());
    return { lib, mod, uri, db, copyDb, backupDir, client, service, app, logs };
  })();
  return fixture;
}

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The password of a connection string, if it has one. */
function passwordOf(uri: string): string | undefined {
  return /^mongodb(?:\+srv)?:\/\/[^:@/]+:([^@/]+)@/.exec(uri)?.[1];
}

/** The tests proper, declared only when the example can be loaded (otherwise the test above says why). */
function exampleSuite(): void {
  let backupName = '';

  it('refuses a JWT secret shorter than 32 characters', async (ctx) => {
    const { mod, service } = await setUp(ctx);
    expect(() => mod.createApp({ service, jwtSecret: 'short' })).toThrow(/at least 32 characters/);
  });

  describe('authentication', () => {
    it('answers 401 without a token, with a Bearer challenge', async (ctx) => {
      const { app } = await setUp(ctx);
      const answer = await call(app, 'GET', '/admin/backups', { token: null });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it('answers 401 for a token signed with another secret', async (ctx) => {
      const { app } = await setUp(ctx);
      const forged = signJwt({ role: 'admin', exp: nowSeconds() + 600 }, randomBytes(32).toString('hex'));
      expect((await call(app, 'GET', '/admin/backups', { token: forged })).status).toBe(401);
    });

    it('answers 401 for an unsigned token (alg: none)', async (ctx) => {
      const { app } = await setUp(ctx);
      const unsigned = signJwt({ role: 'admin', exp: nowSeconds() + 600 }, SECRET, 'none');
      expect((await call(app, 'GET', '/admin/backups', { token: unsigned })).status).toBe(401);
    });

    it('answers 401 for an expired token and for one without exp', async (ctx) => {
      const { app } = await setUp(ctx);
      const expired = await call(app, 'GET', '/admin/backups', {
        token: signJwt({ role: 'admin', exp: nowSeconds() - 60 }),
      });
      expect(expired.status).toBe(401);
      expect(expired.body.error.message).toMatch(/expired/);
      expect((await call(app, 'GET', '/admin/backups', { token: signJwt({ role: 'admin' }) })).status).toBe(
        401,
      );
    });

    it('answers 403 for a valid token without the admin role, and accepts roles: [admin]', async (ctx) => {
      const { app } = await setUp(ctx);
      const user = await call(app, 'GET', '/admin/backups', {
        token: signJwt({ role: 'user', exp: nowSeconds() + 60 }),
      });
      expect(user.status).toBe(403);
      expect(user.body.error.code).toBe('FORBIDDEN');
      const roles = signJwt({ roles: ['ops', 'admin'], exp: nowSeconds() + 60 });
      expect((await call(app, 'GET', '/admin/backups', { token: roles })).status).toBe(200);
    });

    it('answers 401 for a token issued in the future or living longer than a day', async (ctx) => {
      const { app } = await setUp(ctx);
      const future = signJwt({ role: 'admin', iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 });
      const forever = signJwt({ role: 'admin', iat: nowSeconds(), exp: nowSeconds() + 10 * 365 * 86_400 });
      const noIatForever = signJwt({ role: 'admin', exp: nowSeconds() + 30 * 86_400 });
      for (const token of [future, forever, noIatForever]) {
        expect((await call(app, 'GET', '/admin/backups', { token })).status).toBe(401);
      }
      const fine = signJwt({ role: 'admin', iat: nowSeconds(), exp: nowSeconds() + 3600 });
      expect((await call(app, 'GET', '/admin/backups', { token: fine })).status).toBe(200);
    });

    it('does not read an anonymous 100 MB body after the 401: the connection closes', async (ctx) => {
      const { app } = await setUp(ctx);
      const url = new URL(app.baseUrl);
      const total = 100 * 1024 * 1024;
      let sent = 0;
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request({
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/admin/backups',
          headers: { 'content-type': 'application/json', 'content-length': String(total) },
        });
        let answered = 0;
        request.on('response', (response) => {
          answered = response.statusCode ?? 0;
          response.resume();
        });
        request.on('error', () => resolve(answered)); // the server hung up on the rest of the body
        request.on('close', () => resolve(answered));
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (sent < total) {
            sent += chunk.length;
            if (!request.write(chunk)) {
              request.once('drain', pump);
              return;
            }
          }
          request.end();
        };
        pump();
        setTimeout(() => reject(new Error('no answer within 20 s')), 20_000).unref();
      });
      expect(status).toBe(401);
      expect(sent).toBeLessThan(total);
    });

    it('never lets an anonymous caller probe routes or bodies', async (ctx) => {
      const { app } = await setUp(ctx);
      expect((await call(app, 'GET', '/admin/backups/nope/nope', { token: null })).status).toBe(401);
      expect((await call(app, 'POST', '/admin/backups', { token: null, body: '{not json' })).status).toBe(
        401,
      );
    });
  });

  describe('backups', () => {
    it('POST /admin/backups runs a backup and answers 201 with the report', async (ctx) => {
      const { app, db, backupDir } = await setUp(ctx);
      const answer = await call(app, 'POST', '/admin/backups');
      expect(answer.status).toBe(201);
      expect(answer.body.name).toMatch(new RegExp(`^${db}_dump_.+\\.gz$`));
      expect(answer.body.dump).toMatchObject({ totalDocuments: 8, collectionCount: 2, gzip: true });
      expect(answer.body.removedByRetention).toEqual([]);
      expect(existsSync(path.join(backupDir, answer.body.name))).toBe(true);
      backupName = answer.body.name;
    });

    it('GET /admin/backups lists it', async (ctx) => {
      const { app, db } = await setUp(ctx);
      const answer = await call(app, 'GET', '/admin/backups');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([
        expect.objectContaining({ name: backupName, database: db, kind: 'archive-gzip' }),
      ]);
      expect(answer.headers.get('cache-control')).toBe('no-store');
    });

    it('POST /admin/backups/:name/import restores it under another name (nsFrom/nsTo)', async (ctx) => {
      const { app, db, copyDb, client } = await setUp(ctx);
      const answer = await call(app, 'POST', `/admin/backups/${encodeURIComponent(backupName)}/import`, {
        body: { nsFrom: [`${db}.*`], nsTo: [`${copyDb}.*`], drop: true },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.documentsInserted).toBe(8);
      expect(answer.body.namespaces.map((ns: { target: string }) => ns.target).sort()).toEqual([
        `${copyDb}.customers`,
        `${copyDb}.orders`,
      ]);
      for (const name of ['orders', 'customers']) {
        const original = await client.db(db).collection(name).find().sort({ _id: 1 }).toArray();
        const copied = await client.db(copyDb).collection(name).find().sort({ _id: 1 }).toArray();
        expect(copied).toEqual(original);
      }
    });

    it('a one-off dump takes a validated body', async (ctx) => {
      const { app, db } = await setUp(ctx);
      const answer = await call(app, 'POST', '/admin/backups', { body: { databases: [db], gzip: false } });
      expect(answer.status).toBe(201);
      expect(answer.body.name).toMatch(/\.archive$/);
      expect(answer.body.dump).toMatchObject({ gzip: false, totalDocuments: 8 });
      for (const body of [
        { databases: 'x' },
        { databases: ['a/b'] },
        { gzip: 'yes' },
        { dropp: true },
        [1],
      ]) {
        const bad = await call(app, 'POST', '/admin/backups', { body });
        expect(bad.status, JSON.stringify(body)).toBe(400);
        expect(bad.body.error.code).toBe('INVALID_REQUEST');
      }
      expect((await call(app, 'POST', '/admin/backups', { body: '{oops' })).status).toBe(400);
      // 5,000 levels in under 16 KB: a 400, not a 500 with a stack overflow.
      const nested = `{"databases":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      const deep = await call(app, 'POST', '/admin/backups', { body: nested });
      expect(deep.status).toBe(400);
      expect(deep.body.error.code).toBe('INVALID_REQUEST');
      const text = await call(app, 'POST', '/admin/backups', {
        body: 'x',
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(415);
    });
  });

  describe('names are confined to the backup folder', () => {
    const traversals = [
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '..%5C..%5Cwindows',
      '%2Fetc%2Fpasswd',
      'C%3A%5Cwindows%5Cwin.ini',
      'x%00.gz',
      'sub%2Fname.gz',
    ];

    it.for(traversals)('rejects %s with 400 on import and delete', async (name, ctx) => {
      const { app } = await setUp(ctx);
      for (const [method, suffix] of [
        ['POST', '/import'],
        ['DELETE', ''],
      ] as const) {
        const answer = await call(app, method, `/admin/backups/${name}${suffix}`);
        expect(answer.status, `${method} ${name}`).toBe(400);
        expect(answer.body.error.code).toBe('PATH_OUTSIDE_ROOT');
      }
    });

    it('rejects %2e%2e and .. sent raw (as fetch never would) with 400', async (ctx) => {
      const { app } = await setUp(ctx);
      for (const rawPath of [
        '/admin/backups/%2e%2e/import',
        '/admin/backups/%2E%2E',
        '/admin/backups/../import',
      ]) {
        const answer = await rawCall(app, rawPath.endsWith('import') ? 'POST' : 'DELETE', rawPath);
        expect(answer.status, rawPath).toBe(400);
        expect(answer.body.error.code).toBe('PATH_OUTSIDE_ROOT');
      }
    });

    it('answers 404 BACKUP_NOT_FOUND for a plain name that is not a backup', async (ctx) => {
      const { app, db } = await setUp(ctx);
      for (const name of ['passwd', `${db}_dump_2000-01-01T00-00-00-000Z.gz`]) {
        const imported = await call(app, 'POST', `/admin/backups/${name}/import`);
        expect(imported.status).toBe(404);
        expect(imported.body.error.code).toBe('BACKUP_NOT_FOUND');
        expect((await call(app, 'DELETE', `/admin/backups/${name}`)).status).toBe(404);
      }
    });

    it('validates the import body', async (ctx) => {
      const { app } = await setUp(ctx);
      for (const body of [
        { into: 'elsewhere' },
        { nsFrom: ['a.*'] },
        { nsFrom: 'a.*', nsTo: [] },
        { drop: 1 },
      ]) {
        const answer = await call(app, 'POST', `/admin/backups/${backupName}/import`, { body });
        expect(answer.status, JSON.stringify(body)).toBe(400);
      }
    });
  });

  describe('failures', () => {
    it('a runtime failure is a 500 with a generic message, logged server-side', async (ctx) => {
      const { app, backupDir, logs } = await setUp(ctx);
      const corrupt = 'corrupt_dump_2001-01-01T00-00-00-000Z.archive';
      await writeFile(path.join(backupDir, corrupt), 'this is not an archive at all');
      try {
        const answer = await call(app, 'POST', `/admin/backups/${corrupt}/import`);
        expect(answer.status).toBe(500);
        expect(answer.body.error.code).toMatch(/^(ARCHIVE_|RESTORE_FAILED$)/);
        expect(answer.body.error.message).toMatch(/server log/);
        expect(JSON.stringify(answer.body)).not.toMatch(/ at |\/tmp|mbs-express/);
        expect(logs.some((line) => line.includes(corrupt))).toBe(true);
      } finally {
        await rm(path.join(backupDir, corrupt));
      }
    });

    it('runs one long operation at a time: 409 while a backup is running', async (ctx) => {
      const { mod, service } = await setUp(ctx);
      let started!: () => void;
      let release!: () => void;
      const isRunning = new Promise<void>((resolve) => (started = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      // The real service, with backup() held at a gate so that the overlap is certain.
      const gated: BackupService = {
        config: service.config,
        backup: async (options) => {
          started();
          await gate;
          return service.backup(options);
        },
        // dump() is overloaded (the report's type follows the output): forward every overload.
        dump: ((options?: Parameters<BackupService['dump']>[0]) =>
          service.dump(options)) as BackupService['dump'],
        restore: (options) => service.restore(options),
        listBackups: () => service.listBackups(),
        removeBackup: (name) => service.removeBackup(name),
        cleanBackups: (keep) => service.cleanBackups(keep),
        checkConnections: (options) => service.checkConnections(options),
      };
      const app = await listenOnLoopback(mod.createApp({ service: gated, jwtSecret: SECRET }));
      try {
        const first = call(app, 'POST', '/admin/backups');
        // If the first request fails before reaching backup(), say so rather than wait for the timeout.
        await Promise.race([
          isRunning,
          first.then((answer) => expect.fail(`first backup ended: ${answer.status}`)),
        ]);
        for (const [method, urlPath] of [
          ['POST', '/admin/backups'],
          ['POST', `/admin/backups/${backupName}/import`],
          ['DELETE', `/admin/backups/${backupName}`],
        ] as const) {
          const busy = await call(app, method, urlPath);
          expect(busy.status, `${method} ${urlPath}`).toBe(409);
          expect(busy.body.error.code).toBe('OPERATION_IN_PROGRESS');
        }
        expect((await call(app, 'GET', '/admin/backups')).status).toBe(200);
        release();
        expect((await first).status).toBe(201);
        expect((await call(app, 'DELETE', `/admin/backups/${(await first).body.name}`)).status).toBe(200);
      } finally {
        release();
        await app.close();
      }
    });
  });

  describe('connections', () => {
    it('GET /admin/backups/connections shows both clusters connected, without credentials', async (ctx) => {
      const { app, uri } = await setUp(ctx);
      const answer = await call(app, 'GET', '/admin/backups/connections');
      expect(answer.status).toBe(200);
      expect(answer.body.source).toMatchObject({ connected: true, host: expect.any(String) });
      expect(answer.body.target).toMatchObject({ connected: true });
      const json = JSON.stringify(answer.body);
      expect(json).not.toContain('@');
      const password = passwordOf(uri);
      if (password !== undefined) expect(json).not.toContain(password);
    });

    it('never shows credentials of a cluster it cannot log in to', async (ctx) => {
      const { lib, mod, uri, backupDir } = await setUp(ctx);
      if (!/^mongodb:\/\/[^@/]+(\/|$|\?)/.test(uri))
        ctx.skip('the test server URI already carries credentials');
      const password = 'Sup3r-S3cret-Pa55';
      const withCredentials = uri.replace('mongodb://', `mongodb://backup_admin:${password}@`);
      const service = new lib.MongoBackupService({
        source: uri,
        target: withCredentials,
        backupDir,
        env: {},
      });
      const app = await listenOnLoopback(mod.createApp({ service, jwtSecret: SECRET, log: () => undefined }));
      try {
        const answer = await call(app, 'GET', '/admin/backups/connections');
        expect(answer.status).toBe(200);
        expect(answer.body.source.connected).toBe(true);
        const json = JSON.stringify(answer.body);
        expect(json).not.toContain(password);
        expect(json).not.toContain('backup_admin:');
      } finally {
        await app.close();
        await service.close();
      }
    });
  });

  describe('with an S3-compatible store (versitygw)', () => {
    const s3Server = useS3TestServer();

    it('backs up to the bucket and imports from it by name', async (ctx) => {
      const { lib, mod, uri, db, client } = await setUp(ctx);
      const server = s3Server(ctx);
      const bucket = await server.createBucket();
      const service = new lib.MongoBackupService({
        source: uri,
        target: uri,
        databases: [db],
        backupDir: `s3://${bucket}/admin`,
        s3: { endpoint: server.endpoint, credentials: server.credentials },
        env: {},
      });
      const app = await listenOnLoopback(mod.createApp({ service, jwtSecret: SECRET, log: () => undefined }));
      const copy = `${db}_s3`;
      try {
        const created = await call(app, 'POST', '/admin/backups');
        expect(created.status).toBe(201);
        expect(created.body.dump.path).toBe(`s3://${bucket}/admin/${created.body.name}`);
        const list = await call(app, 'GET', '/admin/backups');
        expect(list.body.map((backup: { name: string }) => backup.name)).toEqual([created.body.name]);

        const answer = await call(
          app,
          'POST',
          `/admin/backups/${encodeURIComponent(created.body.name)}/import`,
          {
            body: { nsFrom: [`${db}.*`], nsTo: [`${copy}.*`], drop: true },
          },
        );
        expect(answer.status).toBe(200);
        expect(answer.body.documentsInserted).toBe(8);
        for (const name of ['orders', 'customers']) {
          const original = await client.db(db).collection(name).find().sort({ _id: 1 }).toArray();
          const copied = await client.db(copy).collection(name).find().sort({ _id: 1 }).toArray();
          expect(copied).toEqual(original);
        }
        const missing = await call(
          app,
          'POST',
          `/admin/backups/${db}_dump_2000-01-01T00-00-00-000Z.gz/import`,
        );
        expect(missing.status).toBe(404);
        expect(missing.body.error.code).toBe('BACKUP_NOT_FOUND');
        expect((await call(app, 'POST', '/admin/backups/..%2Fx/import')).status).toBe(400);
      } finally {
        await app.close();
        await service.close();
        await client.db(copy).dropDatabase();
      }
    });
  });

  describe('removal and retention', () => {
    it('DELETE /admin/backups/:name removes it; a second time is a 404', async (ctx) => {
      const { app, backupDir } = await setUp(ctx);
      const answer = await call(app, 'DELETE', `/admin/backups/${backupName}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ name: backupName, kind: 'archive-gzip' });
      expect(existsSync(path.join(backupDir, backupName))).toBe(false);
      const list = await call(app, 'GET', '/admin/backups');
      expect(list.body.map((backup: { name: string }) => backup.name)).not.toContain(backupName);
      expect((await call(app, 'DELETE', `/admin/backups/${backupName}`)).status).toBe(404);
    });

    it('POST /admin/backups/clean keeps the newest per database', async (ctx) => {
      const { app } = await setUp(ctx);
      const newest = await call(app, 'POST', '/admin/backups');
      expect(newest.status).toBe(201);
      const before = (await call(app, 'GET', '/admin/backups')).body as Array<{ name: string }>;
      expect(before.length).toBeGreaterThanOrEqual(2);
      const answer = await call(app, 'POST', '/admin/backups/clean', { body: { keep: 1 } });
      expect(answer.status).toBe(200);
      expect(answer.body.removed).toHaveLength(before.length - 1);
      const after = (await call(app, 'GET', '/admin/backups')).body as Array<{ name: string }>;
      expect(after.map((backup) => backup.name)).toEqual([newest.body.name]);
      for (const body of [{ keep: 0 }, { keep: '1' }, { keep: 1.5 }]) {
        expect((await call(app, 'POST', '/admin/backups/clean', { body })).status, JSON.stringify(body)).toBe(
          400,
        );
      }
      const unconfigured = await call(app, 'POST', '/admin/backups/clean');
      expect(unconfigured.status).toBe(400);
      expect(unconfigured.body.error.code).toBe('INVALID_OPTIONS');
    });
  });
}

if (runnable) describe('examples/express-integration against the test server', exampleSuite);
