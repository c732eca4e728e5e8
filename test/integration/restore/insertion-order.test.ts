import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BSON } from 'bson';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoBackupService, RestoreError, type RestoreReport } from '../../../src/index.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

/** Documents of each source collection: many insert batches at the batch sizes below. */
const DOCUMENTS = 5000;

/**
 * Restore keeps a collection's documents in dump order where mongorestore does: with one insertion worker per
 * collection (the default) batches are sent one after the other, and `maintainInsertionOrder` never goes on past a
 * batch an ordered insert cut short (it implies `stopOnError`, as in mongorestore).
 */
describe('restore insertion order', () => {
  const srcName = uniqueDbName('io_src');
  const created = new Set<string>([srcName]);
  let client: MongoClient | undefined;
  let service: MongoBackupService;
  let workDir = '';
  let archive = '';

  function fresh(prefix: string): string {
    const name = uniqueDbName(prefix);
    created.add(name);
    return name;
  }

  /** `_id`s of a collection in natural order. */
  async function naturalIds(db: Db, collection: string): Promise<number[]> {
    const ids: number[] = [];
    for await (const raw of db.collection(collection).find({}, { raw: true })) {
      ids.push(BSON.deserialize(Buffer.from(raw as unknown as Uint8Array))['_id'] as number);
    }
    return ids;
  }

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-insertion-order-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    service = new MongoBackupService({ source: client, env: {} });
    const src = client.db(srcName);
    await src.createCollection('ring', { capped: true, size: 64 * 1024 * 1024 });
    // Natural order differs from _id order, so a restore that sorted or scrambled batches would show.
    const order = Array.from({ length: DOCUMENTS }, (_, i) => (i * 7919) % DOCUMENTS);
    await src.collection<{ _id: number }>('ring').insertMany(
      order.map((id) => ({ _id: id, pad: 'x'.repeat(id % 97) })),
      { ordered: true },
    );
    await src.collection<{ _id: number }>('plain').insertMany(
      Array.from({ length: DOCUMENTS }, (_, i) => ({ _id: i })),
      { ordered: true },
    );
    archive = path.join(workDir, 'source.archive.gz');
    await service.dump({ databases: [srcName], output: archive });
  });

  afterAll(async () => {
    for (const db of created) await client?.db(db).dropDatabase();
    await service?.close();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('a capped collection keeps its natural order with the default single insertion worker', async (ctx) => {
    requireServer(ctx);
    const target = fresh('io_capped');
    const report = await service.restore({
      from: archive,
      into: 'source',
      nsInclude: [`${srcName}.ring`],
      nsFrom: [`${srcName}.*`],
      nsTo: [`${target}.*`],
      batchSize: 50,
    });
    expect(report.namespaces.find((ns) => ns.target === `${target}.ring`)?.status).toBe('restored');
    const expected = await naturalIds(client!.db(srcName), 'ring');
    expect(expected).toHaveLength(DOCUMENTS);
    expect(await naturalIds(client!.db(target), 'ring')).toEqual(expected);
  });

  it('maintainInsertionOrder into a collection holding one _id stops and fails, never reports restored', async (ctx) => {
    requireServer(ctx);
    const target = fresh('io_dup');
    const clash = 3210;
    await client!.db(target).collection<{ _id: number }>('plain').insertOne({ _id: clash });
    const error = await service
      .restore({
        from: archive,
        into: 'source',
        nsInclude: [`${srcName}.plain`],
        nsFrom: [`${srcName}.*`],
        nsTo: [`${target}.*`],
        maintainInsertionOrder: true,
      })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error, 'the restore must reject, as mongorestore exits 1').toBeInstanceOf(RestoreError);
    const report: RestoreReport = (error as RestoreError).report;
    const line = report.namespaces.find((ns) => ns.target === `${target}.plain`);
    expect(line?.status).toBe('failed');
    expect(line?.reason).toMatch(/duplicate/i);
    expect(line?.duplicates).toBe(1);
    // What the report counts is what the server holds: nothing missing goes unreported.
    const held = await client!.db(target).collection('plain').countDocuments();
    expect(line?.documentsInserted).toBe(held - 1);
    expect(held).toBeLessThan(DOCUMENTS);
    // Dump order was kept up to the clash.
    const ids = await naturalIds(client!.db(target), 'plain');
    expect(ids.slice(1, clash + 1)).toEqual(Array.from({ length: clash }, (_, i) => i));
  });
});
