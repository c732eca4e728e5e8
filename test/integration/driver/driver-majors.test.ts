import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient as MongoClient7 } from 'mongodb';
import { MongoClient as MongoClient6 } from 'mongodb6';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoBackupService, type RestoreReport } from '../../../src/index.js';
import { expectSameDocuments } from '../../support/compare.js';
import { seedDatabase } from '../../support/seed.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

/**
 * The driver is a peer dependency: an application's own `MongoClient`, from the 6.x line (every Mongoose 8 app) or
 * the 7.x line, dumps and restores with raw fidelity. Both clients are passed as they are, with no cast: their
 * types must be accepted too.
 */
describe.each([
  { major: 6, connect: (uri: string) => MongoClient6.connect(uri) },
  { major: 7, connect: (uri: string) => MongoClient7.connect(uri) },
])('a mongodb@$major client', ({ major, connect }) => {
  const srcName = uniqueDbName(`drv${major}_src`);
  const dstName = uniqueDbName(`drv${major}_dst`);
  let seeder: MongoClient7 | undefined;
  let client: Awaited<ReturnType<typeof connect>> | undefined;
  let workDir = '';

  beforeAll(async () => {
    if (testServer().kind === 'none') return;
    workDir = await mkdtemp(path.join(os.tmpdir(), `mbs-driver${major}-`));
    seeder = await connectTestClient();
    await seedDatabase(seeder.db(srcName), { manyDocuments: 500 });
    client = await connect(testServer().uri);
  });

  afterAll(async () => {
    await seeder?.db(srcName).dropDatabase();
    await seeder?.db(dstName).dropDatabase();
    await client?.close();
    await seeder?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('dumps (with an Extended JSON query) and restores raw, byte for byte, with the indexes', async (ctx) => {
    requireServer(ctx);
    const service = new MongoBackupService({ source: client!, target: client!, backupDir: workDir });
    const dump = await service.dump({ databases: [srcName] });
    expect(dump.path).toBeDefined();

    const restored: RestoreReport = await service.restore({
      from: dump.path!,
      into: 'target',
      nsFrom: [`${srcName}.*`],
      nsTo: [`${dstName}.*`],
    });
    expect(restored.fidelity).toBe('raw');
    expect(restored.failures).toBe(0);
    const compared = await expectSameDocuments(seeder!.db(srcName), seeder!.db(dstName));
    expect(compared).toBeGreaterThan(500);
    const indexes = await seeder!.db(dstName).collection('orders').listIndexes().toArray();
    expect(indexes.map((ix) => String(ix['name'])).sort()).toEqual(
      expect.arrayContaining(['_id_', 'compound', 'sku_unique']),
    );
    const options = await seeder!.db(dstName).listCollections({ name: 'capped' }).toArray();
    expect((options[0] as { options?: { capped?: boolean } }).options?.capped).toBe(true);

    // A query with BSON values (an ObjectId, a Long) reaches this driver in its own BSON classes.
    const first = await seeder!.db(srcName).collection('orders').find().sort({ _id: 1 }).limit(1).next();
    const query = JSON.stringify({
      _id: { $gt: { $oid: String(first!['_id']) } },
      big: { $gte: { $numberLong: '0' } },
    });
    const filtered = await service.dump({ databases: [srcName], collection: 'orders', query });
    expect(filtered.totalDocuments).toBe(499);
  });
});
