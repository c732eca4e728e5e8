import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, MongoBackupRuntimeError, MongoBackupService } from '../../../src/index.js';
import { startFerretDb } from '../../../scripts/local-server.mjs';
import { TOOLS_DIR } from '../../support/paths.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

/** A failed or aborted dump leaves nothing that looks like a finished backup, and says why with a typed error. */
describe('dump failures', () => {
  const dbName = uniqueDbName('dump_fail');
  let client: MongoClient | undefined;
  let workDir = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-fail-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    const docs = Array.from({ length: 20_000 }, (_, i) => ({ i, pad: 'p'.repeat(200) }));
    for (let i = 0; i < docs.length; i += 5000)
      await client
        .db(dbName)
        .collection('big')
        .insertMany(docs.slice(i, i + 5000));
  });
  afterAll(async () => {
    await client?.db(dbName).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  for (const format of ['archive', 'directory'] as const) {
    it(`aborting mid-dump (${format}) removes the partial output and rejects with AbortError`, async (ctx) => {
      requireServer(ctx);
      const dir = path.join(workDir, `abort-${format}`);
      const controller = new AbortController();
      const service = new MongoBackupService({ source: client!, backupDir: dir, env: {} });
      const result = service
        .dump({
          databases: [dbName],
          format,
          signal: controller.signal,
          batchSize: 500,
          onProgress: (p) => {
            if (p.documents >= 2000) controller.abort();
          },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const error = await result;
      expect(error).toBeInstanceOf(AbortError);
      expect(await readdir(dir).catch(() => [])).toEqual([]);
    });
  }

  it('losing the server mid-dump removes the partial file and rejects with a runtime error', async (ctx) => {
    if (!existsSync(path.join(TOOLS_DIR, 'ferretdb')))
      ctx.skip('needs FerretDB in .cache/tools to kill a private server');
    // A private server, stopped under the dump's feet.
    const server = await startFerretDb();
    const own = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 2000 });
    try {
      const docs = Array.from({ length: 20_000 }, (_, i) => ({ i, pad: 'p'.repeat(200) }));
      for (let i = 0; i < docs.length; i += 5000)
        await own
          .db('lost')
          .collection('big')
          .insertMany(docs.slice(i, i + 5000));
      const dir = path.join(workDir, 'lost');
      const service = new MongoBackupService({ source: own, backupDir: dir, env: {} });
      let stopping: Promise<void> | undefined; // SIGKILL: the server vanishes as in a crash
      const error = await service
        .dump({
          databases: ['lost'],
          batchSize: 500,
          onProgress: (p) => {
            if (p.documents >= 2000) stopping ??= server.kill();
          },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(MongoBackupRuntimeError);
      expect((error as MongoBackupRuntimeError).code).toBe('DUMP_FAILED');
      // The driver's network error, not anything else that could fail a dump.
      expect(String((error as Error).cause)).toMatch(
        /Mongo(Network|ServerSelection|PoolCleared)|ECONNRESET|closed/,
      );
      expect(await readdir(dir).catch(() => [])).toEqual([]);
    } finally {
      await own.close(true);
      await server.stop();
    }
  });
});
