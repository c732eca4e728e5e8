import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ArchiveError, ErrorCode, MongoBackupService, RestoreError } from '../../../src/index.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';
import { requireTool, runToolOk } from '../../support/tools.js';

/**
 * Directory dumps carry a checksum manifest (mongo-backup-manifest.json) that verify-before checks; the real
 * mongorestore skips the file ("don't know what to do with file") and still restores the dump.
 */
describe('directory dump checksum manifest', () => {
  const source = uniqueDbName('manifest');
  const created: string[] = [source];
  let client: MongoClient | undefined;
  let workDir = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-manifest-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    await client
      .db(source)
      .collection<{ _id: number; name: string }>('items')
      .insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: i, name: `item-${19_000 + i}` })));
  });
  afterAll(async () => {
    for (const db of created) await client?.db(db).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  for (const gzip of [false, true]) {
    it(`the real mongorestore restores our ${gzip ? 'gzipped ' : ''}dump with its manifest`, async (ctx) => {
      const uri = requireServer(ctx);
      const mongorestore = requireTool(ctx, 'mongorestore');
      const out = path.join(workDir, `real-${gzip}`);
      const service = new MongoBackupService({ source: client!, env: {} });
      await service.dump({ databases: [source], format: 'directory', gzip, output: out });
      const manifest = JSON.parse(await readFile(path.join(out, 'mongo-backup-manifest.json'), 'utf8')) as {
        files: { path: string }[];
      };
      expect(manifest.files.map((f) => f.path)).toContain(`${source}/items.bson${gzip ? '.gz' : ''}`);
      const target = `${source}_real${gzip ? 'gz' : ''}`;
      created.push(target);
      const run = await runToolOk(mongorestore, [
        `--uri=${uri}`,
        `--dir=${out}`,
        ...(gzip ? ['--gzip'] : []),
        `--nsFrom=${source}.*`,
        `--nsTo=${target}.*`,
      ]);
      expect(run.stderr).toMatch(/don.t know what to do with file .*mongo-backup-manifest\.json.?, skipping/);
      expect(await client!.db(target).collection('items').countDocuments()).toBe(1000);
    });
  }

  it('one changed byte inside a string value is refused before any write, by the manifest', async (ctx) => {
    requireServer(ctx);
    const out = path.join(workDir, 'flipped');
    const service = new MongoBackupService({ source: client!, env: {} });
    await service.dump({ databases: [source], format: 'directory', gzip: false, output: out });
    // "item-19000" becomes "item-79000": still valid BSON, so only the checksum can tell.
    const file = path.join(out, source, 'items.bson');
    const bytes = await readFile(file);
    const at = bytes.indexOf('item-19000');
    bytes[at + 5] = '7'.charCodeAt(0);
    await writeFile(file, bytes);

    const target = `${source}_flip`;
    created.push(target);
    await client!.db(target).collection<{ _id: number }>('items').insertOne({ _id: -1 });
    const error = await service
      .restore({ from: out, into: 'source', nsFrom: [`${source}.*`], nsTo: [`${target}.*`], drop: true })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(RestoreError);
    const cause = (error as RestoreError).cause as ArchiveError;
    expect(cause.code).toBe(ErrorCode.ARCHIVE_CRC_MISMATCH);
    expect(cause.message).toMatch(/items\.bson does not match mongo-backup-manifest\.json/);
    expect(await client!.db(target).collection('items').countDocuments()).toBe(1);
  });

  it('the report says verified, or absent for a dump without a manifest (mongodump, older releases)', async (ctx) => {
    requireServer(ctx);
    const out = path.join(workDir, 'report');
    const service = new MongoBackupService({ source: client!, env: {} });
    await service.dump({ databases: [source], format: 'directory', gzip: false, output: out });
    const target = `${source}_rep`;
    created.push(target);
    const restore = (): ReturnType<typeof service.restore> =>
      service.restore({
        from: out,
        into: 'source',
        nsFrom: [`${source}.*`],
        nsTo: [`${target}.*`],
        drop: true,
      });
    expect((await restore()).manifest).toBe('verified');
    await rm(path.join(out, 'mongo-backup-manifest.json'));
    expect((await restore()).manifest).toBe('absent');
    expect(await client!.db(target).collection('items').countDocuments()).toBe(1000);
  });
});
