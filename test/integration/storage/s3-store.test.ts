import { HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createS3Store } from '../../../src/storage/s3-store.js';
import type { BackupStore } from '../../../src/storage/backup-store.js';
import { backupFileName } from '../../../src/storage/naming.js';
import { useS3TestServer, type S3TestServer } from '../../support/s3-server.js';
import { waitFor } from '../../support/wait.js';

const MIB = 1024 * 1024;
const s3Server = useS3TestServer();
let server: S3TestServer | undefined;

function storeFor(bucket: string, extra: Partial<Parameters<typeof createS3Store>[0]> = {}): BackupStore {
  const s = server as S3TestServer;
  return createS3Store({
    url: `s3://${bucket}/backups/prod`,
    endpoint: s.endpoint,
    credentials: s.credentials,
    minPartSize: 5 * MIB,
    ...extra,
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function openUploads(bucket: string): Promise<number> {
  const listed = await (server as S3TestServer).client.send(
    new ListMultipartUploadsCommand({ Bucket: bucket }),
  );
  return listed.Uploads?.length ?? 0;
}

describe('S3 store against versitygw', () => {
  it('uploads in checksummed parts and reads back byte-identical, whole and by range', async (ctx) => {
    server = s3Server(ctx);
    const bucket = await (server as S3TestServer).createBucket();
    const store = storeFor(bucket);
    const data = randomBytes(17 * MIB + 12345);
    const name = backupFileName({ database: 'shop', date: new Date('2026-11-21T23:10:54.123Z') });
    const stored: number[] = [];
    const upload = await store.createUpload(name, { onBytesStored: (bytes) => stored.push(bytes) });
    expect(upload.path).toBe(`s3://${bucket}/backups/prod/${name}`);
    await pipeline(Readable.from([data.subarray(0, 9 * MIB), data.subarray(9 * MIB)]), upload.stream, {
      end: false,
    });
    // Nothing is visible before the commit.
    expect(await store.stat(name)).toBeUndefined();
    await upload.commit();
    expect(stored.at(-1)).toBe(data.length);

    const head = await (server as S3TestServer).client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `backups/prod/${name}`, ChecksumMode: 'ENABLED' }),
    );
    expect(head.ChecksumCRC32).toMatch(/-4$/); // four parts, each checksummed by the server
    expect(await openUploads(bucket)).toBe(0);

    const back = await readAll(store.openRead(name));
    expect(createHash('sha256').update(back).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
    const slice = await readAll(store.openRead(name, { start: 5 * MIB - 3, end: 5 * MIB + 9 }));
    expect(slice.equals(data.subarray(5 * MIB - 3, 5 * MIB + 10))).toBe(true);

    const [listed] = await store.list();
    expect(listed).toMatchObject({ name, kind: 'archive-gzip', sizeBytes: data.length, database: 'shop' });
    expect(listed?.path).toBe(`s3://${bucket}/backups/prod/${name}`);
  });

  it('other checksum algorithms are computed by the SDK and verified per part; an empty backup is an empty object', async (ctx) => {
    server = s3Server(ctx);
    const bucket = await (server as S3TestServer).createBucket();
    const store = storeFor(bucket, { checksumAlgorithm: 'SHA256' });
    const data = randomBytes(11 * MIB);
    const name = backupFileName({ database: 'shop', date: new Date('2026-11-21T23:10:54.123Z') });
    const upload = await store.createUpload(name);
    await pipeline(Readable.from([data]), upload.stream, { end: false });
    await upload.commit();
    const head = await (server as S3TestServer).client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `backups/prod/${name}`, ChecksumMode: 'ENABLED' }),
    );
    expect(head.ChecksumSHA256).toMatch(/-3$/); // three parts, each checksummed
    expect((await readAll(store.openRead(name))).equals(data)).toBe(true);

    const empty = backupFileName({ database: 'crm' });
    const nothing = await store.createUpload(empty);
    await nothing.commit();
    expect(await store.stat(empty)).toMatchObject({ name: empty, sizeBytes: 0 });
    expect(await openUploads(bucket)).toBe(0);
  });

  it('never overwrites an existing backup', async (ctx) => {
    server = s3Server(ctx);
    const bucket = await (server as S3TestServer).createBucket();
    const store = storeFor(bucket);
    const name = backupFileName({ database: 'shop' });
    const first = await store.createUpload(name);
    first.stream.end(Buffer.from('first'));
    await first.commit();
    await expect(store.createUpload(name)).rejects.toMatchObject({ code: 'DUMP_FAILED' });
    expect((await readAll(store.openRead(name))).toString()).toBe('first');
  });

  it('a discarded upload leaves no object and no open multipart upload', async (ctx) => {
    server = s3Server(ctx);
    const bucket = await (server as S3TestServer).createBucket();
    const store = storeFor(bucket);
    const name = backupFileName({ database: 'shop' });
    const upload = await store.createUpload(name);
    upload.stream.write(randomBytes(11 * MIB));
    await waitFor(async () => (await openUploads(bucket)) === 1);
    await upload.discard();
    expect(await openUploads(bucket)).toBe(0);
    expect(await store.stat(name)).toBeUndefined();
  });

  it('the server killed mid-upload and restarted: no object, no open multipart upload', async (ctx) => {
    server = s3Server(ctx);
    const s = server as S3TestServer;
    const bucket = await s.createBucket();
    const store = storeFor(bucket, { maxAttempts: 1, partsInFlight: 2, abortRetryMs: 30_000 });
    const name = backupFileName({ database: 'shop' });
    const upload = await store.createUpload(name);
    upload.stream.write(randomBytes(11 * MIB));
    await waitFor(async () => (await openUploads(bucket)) === 1);
    await s.kill();
    const restarted = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => s.restart());
    upload.stream.write(randomBytes(6 * MIB));
    await expect(upload.commit()).rejects.toMatchObject({ code: 'DUMP_FAILED' });
    await restarted;
    expect(await openUploads(bucket)).toBe(0);
    expect(await store.stat(name)).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('lists only backup names, keeps N per database and deletes by name', async (ctx) => {
    server = s3Server(ctx);
    const s = server as S3TestServer;
    const bucket = await s.createBucket();
    const store = storeFor(bucket);
    const at = (minute: number): Date => new Date(Date.UTC(2026, 10, 21, 23, minute));
    const names = [
      backupFileName({ database: 'shop', date: at(1) }),
      backupFileName({ database: 'shop', date: at(2) }),
      backupFileName({ database: 'shop', date: at(3) }),
      backupFileName({ database: 'crm', date: at(1) }),
      backupFileName({ date: at(4), kind: 'tar.gz' }),
    ];
    for (const name of names) {
      const upload = await store.createUpload(name);
      upload.stream.end(Buffer.from(name));
      await upload.commit();
    }
    // Not backups: an unrelated object, a partial name, an object in a deeper "folder", one outside the prefix.
    for (const key of [
      'backups/prod/notes.txt',
      `backups/prod/${names[0]}.partial`,
      `backups/prod/x/${names[0]}`,
      names[0],
    ]) {
      await s.client.send(new PutObjectCommand({ Bucket: bucket, Key: key as string, Body: 'x' }));
    }
    expect((await store.list()).map((b) => b.name)).toEqual([
      names[4],
      names[2],
      names[1],
      names[0],
      names[3],
    ]);
    const deleted = await store.applyRetention(2);
    expect(deleted.map((b) => b.name)).toEqual([names[0]]);
    expect((await store.list()).map((b) => b.name)).toEqual([names[4], names[2], names[1], names[3]]);
    await expect(store.applyRetention(0)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });

    const removed = await store.remove(names[3] as string);
    expect(removed.database).toBe('crm');
    await expect(store.remove('notes.txt')).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    await expect(store.remove('../escape')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    await expect(readAll(store.openRead('missing_dump_2026-11-21T23-10-54-123Z.gz'))).rejects.toMatchObject({
      code: 'BACKUP_NOT_FOUND',
    });
  });
});
