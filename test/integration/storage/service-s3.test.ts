import { randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionError, MongoBackupService, RestoreError } from '../../../src/index.js';
import { expectSameDocuments, collectionNames } from '../../support/compare.js';
import { useS3TestServer, type S3TestServer } from '../../support/s3-server.js';
import { seedDatabase } from '../../support/seed.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

/** The service with an s3:// backupDir: dump, list, restore, retention and the scheduler go through the bucket. */
describe('MongoBackupService with an S3-compatible store (versitygw)', () => {
  const s3Server = useS3TestServer();
  const dbName = uniqueDbName('s3_src');
  const created: string[] = [dbName];
  let client: MongoClient | undefined;

  beforeAll(async () => {
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    await seedDatabase(client.db(dbName), { manyDocuments: 2000 });
  });
  afterAll(async () => {
    for (const name of created) await client?.db(name).dropDatabase();
    await client?.close();
  });

  function serviceFor(
    server: S3TestServer,
    bucket: string,
    extra: Record<string, unknown> = {},
  ): MongoBackupService {
    return new MongoBackupService({
      source: client as MongoClient,
      backupDir: `s3://${bucket}/nightly`,
      databases: [dbName],
      s3: { endpoint: server.endpoint, credentials: server.credentials },
      env: {},
      ...extra,
    });
  }

  /**
   * Restores `from` with the source database renamed into a fresh one (dropped at the end); checks every namespace
   * was restored and returns how many documents compared byte-identical with the source.
   */
  async function restoreCopy(service: MongoBackupService, from: string, prefix: string): Promise<number> {
    const copy = uniqueDbName(prefix);
    created.push(copy);
    const report = await service.restore({
      from,
      into: 'source',
      nsFrom: [`${dbName}.*`],
      nsTo: [`${copy}.*`],
    });
    expect(report.namespaces.every((ns) => ns.status === 'restored')).toBe(true);
    return expectSameDocuments(client!.db(dbName), client!.db(copy));
  }

  it('dumps straight to the bucket and restores from it byte-identical', async (ctx) => {
    requireServer(ctx);
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const service = serviceFor(server, bucket);
    const stored: number[] = [];
    const dump = await service.dump({ onBytesStored: (bytes) => stored.push(bytes) });
    expect(dump.path).toMatch(new RegExp(`^s3://${bucket}/nightly/${dbName}_dump_.*\\.gz$`));
    expect(stored.at(-1)).toBe(dump.sizeBytes);
    const [listed] = await service.listBackups();
    expect(listed).toMatchObject({
      path: dump.path,
      sizeBytes: dump.sizeBytes,
      kind: 'archive-gzip',
      database: dbName,
    });

    expect(await restoreCopy(service, 'latest', 's3_copy')).toBeGreaterThan(2000);
  });

  it('streams a directory dump packed as a .tar.gz to the bucket and restores from it', async (ctx) => {
    requireServer(ctx);
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const service = serviceFor(server, bucket);
    const stored: number[] = [];
    const dump = await service.dump({
      format: 'directory',
      tarball: true,
      onBytesStored: (bytes) => stored.push(bytes),
    });
    expect(dump.path).toMatch(new RegExp(`^s3://${bucket}/nightly/${dbName}_dump_.*\\.tar\\.gz$`));
    expect(stored.at(-1)).toBe(dump.sizeBytes);
    const [listed] = await service.listBackups();
    expect(listed).toMatchObject({
      path: dump.path,
      sizeBytes: dump.sizeBytes,
      kind: 'tar.gz',
      database: dbName,
    });
    // A gzip stream (a tarball inside), not an archive.
    const head: Buffer[] = [];
    for await (const chunk of service.store.openRead(listed!.name, { start: 0, end: 1 }))
      head.push(chunk as Buffer);
    expect(Buffer.concat(head).toString('hex')).toBe('1f8b');
    const uploads = await server.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);

    expect(await restoreCopy(service, 'latest', 's3_tar')).toBeGreaterThan(2000);
  });

  it('a failed tarball dump leaves nothing in the bucket', async (ctx) => {
    requireServer(ctx);
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const service = serviceFor(server, bucket);
    const controller = new AbortController();
    const dumping = service.dump({
      format: 'directory',
      tarball: true,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(dumping).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await service.listBackups()).toEqual([]);
    const uploads = await server.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('encrypts client-side; the right key restores, a wrong key fails before any write', async (ctx) => {
    requireServer(ctx);
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const key = randomBytes(32).toString('base64');
    const service = serviceFor(server, bucket, { encryption: { key, keyId: 'test-key-1' } });
    const dump = await service.dump();
    expect(dump.path).toMatch(/\.gz\.enc$/);
    const [listed] = await service.listBackups();
    expect(listed?.encrypted).toBe(true);
    // What is stored is not gzip: the archive is encrypted before it leaves the process.
    const head: Buffer[] = [];
    for await (const chunk of service.store.openRead(listed!.name, { start: 0, end: 5 }))
      head.push(chunk as Buffer);
    expect(Buffer.concat(head).toString('latin1')).toBe('MBSENC');

    expect(await restoreCopy(service, dump.path as string, 's3_enc')).toBeGreaterThan(2000);

    const wrong = serviceFor(server, bucket, {
      encryption: { key: randomBytes(32).toString('hex'), keyId: 'test-key-1' },
    });
    const target = uniqueDbName('s3_wrong');
    created.push(target);
    const failure = await wrong
      .restore({ from: dump.path as string, into: 'source', nsFrom: [`${dbName}.*`], nsTo: [`${target}.*`] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(RestoreError);
    expect((failure as RestoreError).cause).toBeInstanceOf(EncryptionError);
    expect((failure as RestoreError).cause).toMatchObject({ code: 'ENCRYPTION_WRONG_KEY' });
    expect(await collectionNames(client!.db(target))).toEqual([]);

    const noKey = serviceFor(server, bucket);
    await expect(
      noKey.restore({
        from: dump.path as string,
        into: 'source',
        nsFrom: [`${dbName}.*`],
        nsTo: [`${target}.*`],
      }),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'ENCRYPTION_KEY_MISSING' }) });
  });

  it('the scheduler writes to the bucket and applies retention there', async (ctx) => {
    requireServer(ctx);
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const service = serviceFor(server, bucket, { retention: 2, schedule: { everyHours: 24 } });
    const scheduler = service.createScheduler();
    const first = await scheduler.runNow();
    await new Promise((resolve) => setTimeout(resolve, 5)); // distinct millisecond timestamps
    await scheduler.runNow();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const third = await scheduler.runNow();
    await scheduler.stop();
    expect(third.removedByRetention.map((b) => b.path)).toEqual([first.dump.path]);
    const names = (await service.listBackups()).map((b) => b.path);
    expect(names).toHaveLength(2);
    expect(names).not.toContain(first.dump.path);
    const uploads = await server.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    await expect(service.removeBackup('../x')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    const removed = await service.removeBackup(names[1]!.split('/').at(-1)!);
    expect(removed.path).toBe(names[1]);
    expect(await service.listBackups()).toHaveLength(1);
  });

  it('refuses a directory dump to a bucket before connecting', async (ctx) => {
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const service = new MongoBackupService({
      sourceUri: 'mongodb://127.0.0.1:1',
      backupDir: `s3://${bucket}`,
      s3: { endpoint: server.endpoint, credentials: server.credentials },
      env: {},
    });
    await expect(service.dump({ format: 'directory' })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await service.close();
  });
});
