import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ErrorCode,
  MongoBackupService,
  MongoBackupUsageError,
  type DumpReport,
  type ServiceRestoreOptions,
} from '../../../src/index.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

/**
 * `DumpReport` says by its type when `path` is there, and a restore never picks the newest backup unless told
 * (`from: 'latest'`). The type assertions are checked by `npm run typecheck`, the values here.
 */
describe('dump report kinds and an explicit restore source', () => {
  const source = uniqueDbName('kinds_src');
  const created = [source];
  let client: MongoClient | undefined;
  let service: MongoBackupService;
  let workDir = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-kinds-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    await client
      .db(source)
      .collection<{ _id: number }>('items')
      .insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
    service = new MongoBackupService({ source: client, backupDir: workDir });
  });

  afterAll(async () => {
    for (const db of created) await client?.db(db).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('a dump to a path has a path (typed string), a dump to a stream has none', async (ctx) => {
    requireServer(ctx);
    const toPath = await service.dump({ databases: [source] });
    expectTypeOf(toPath.path).toEqualTypeOf<string>();
    expect(toPath.outputKind).toBe('path');
    expect(path.dirname(toPath.path)).toBe(workDir);

    const sink = new PassThrough();
    sink.resume();
    const toStream = await service.dump({ databases: [source], output: sink });
    expectTypeOf(toStream.path).toEqualTypeOf<undefined>();
    expect(toStream.outputKind).toBe('stream');
    expect(toStream).not.toHaveProperty('path');

    const either: DumpReport = Math.random() < 2 ? toPath : toStream;
    if (either.outputKind === 'path') expectTypeOf(either.path).toEqualTypeOf<string>();
    expect(either.path).toBe(toPath.path);
  });

  it("restore without from is refused; from: 'latest' restores the newest backup", async (ctx) => {
    requireServer(ctx);
    const target = uniqueDbName('kinds_dst');
    created.push(target);
    const missing = { into: 'source' } as unknown as ServiceRestoreOptions;
    const refused = await service.restore(missing).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MongoBackupUsageError);
    expect((refused as MongoBackupUsageError).code).toBe(ErrorCode.INVALID_OPTIONS);
    expect((refused as Error).message).toContain("'latest'");
    const undefinedFrom = { from: undefined, into: 'source' } as unknown as ServiceRestoreOptions;
    await expect(service.restore(undefinedFrom)).rejects.toBeInstanceOf(MongoBackupUsageError);
    expect(await client!.db(target).listCollections().toArray()).toEqual([]);

    const newest = (await service.listBackups())[0]!;
    const report = await service.restore({
      from: 'latest',
      into: 'source',
      nsFrom: [`${source}.*`],
      nsTo: [`${target}.*`],
    });
    expect(report.source).toBe(newest.path);
    expect(await client!.db(target).collection('items').countDocuments()).toBe(3);
  });
});
