import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Binary, type Document, type MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { readArchive } from '../../../src/archive/reader.js';
import { MongoBackupService, type RestoreReport } from '../../../src/index.js';
import { rawDocumentsById } from '../../support/compare.js';
import { plainOf } from '../../support/ordered.js';
import {
  connectTestClient,
  isFerretDb,
  requireServer,
  testServer,
  uniqueDbName,
} from '../../support/server.js';
import { requireTool, runToolOk } from '../../support/tools.js';

/** What the archive of a dump holds, read with our reader. */
async function archiveContents(file: string): Promise<{
  serverVersion: string;
  entries: { collection: string; type: string; metadata: Document | undefined }[];
  bodies: Map<string, number>;
}> {
  let serverVersion = '';
  const entries: { collection: string; type: string; metadata: Document | undefined }[] = [];
  const bodies = new Map<string, number>();
  for await (const event of readArchive(createReadStream(file))) {
    if (event.kind === 'header') serverVersion = event.header.serverVersion;
    if (event.kind === 'prelude') {
      for (const e of event.entries)
        entries.push({ collection: e.collection, type: e.type, metadata: e.metadata });
    }
    if (event.kind === 'namespace-end') bodies.set(event.collection, event.documents);
  }
  return { serverVersion, entries, bodies };
}

/** Sorts the documents a view or timeseries collection returns, for comparison. */
async function documentsOf(client: MongoClient, db: string, collection: string): Promise<Document[]> {
  return client.db(db).collection(collection).find({}).sort({ _id: 1 }).toArray();
}

/**
 * Views, timeseries collections and preserveUUID: dumped by us, restored by us and by the REAL mongorestore.
 * FerretDB 1.24 has none of them (no `viewOn`, no `timeseries`, no `applyOps`): these run on a real mongod
 * (MONGODB_URI, or mongodb-memory-server where a mongod can be had) and are skipped with that reason here.
 */
describe('views, timeseries and preserveUUID (a real mongod)', () => {
  const source = uniqueDbName('vts_src');
  const targets: string[] = [];
  let client: MongoClient | undefined;
  let workDir = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-vts-'));
    if (testServer().kind === 'none' || isFerretDb()) return;
    client = await connectTestClient();
    const db = client.db(source);
    await db
      .collection<{ _id: number; sku: string; qty: number }>('orders')
      .insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, sku: `s${i % 5}`, qty: i })));
    await db.createCollection('big_orders', {
      viewOn: 'orders',
      pipeline: [{ $match: { qty: { $gte: 25 } } }, { $project: { sku: 1, qty: 1 } }],
    });
    await db.createCollection('weather', {
      timeseries: { timeField: 't', metaField: 'm', granularity: 'hours' },
    });
    await db.collection<{ _id: number; t: Date; m: { station: string }; temp: number }>('weather').insertMany(
      Array.from({ length: 40 }, (_, i) => ({
        _id: i,
        t: new Date(Date.UTC(2026, 0, 1, i)),
        m: { station: `st${i % 3}` },
        temp: 10 + (i % 7),
      })),
    );
  });

  afterAll(async () => {
    for (const db of [source, ...targets]) await client?.db(db).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  /** Restores the source's archive under two new names: by us, and by the real mongorestore. */
  const restoreBothWays = async (
    uri: string,
    mongorestore: string,
    archive: string,
  ): Promise<{ report: RestoreReport; targets: string[] }> => {
    const ours = uniqueDbName('vts_ours');
    const theirs = uniqueDbName('vts_theirs');
    targets.push(ours, theirs);
    const service = new MongoBackupService({ source: client!, env: {} });
    const report = await service.restore({
      from: archive,
      into: 'source',
      nsFrom: [`${source}.*`],
      nsTo: [`${ours}.*`],
    });
    await runToolOk(mongorestore, [
      `--uri=${uri}`,
      `--archive=${archive}`,
      '--gzip',
      `--nsFrom=${source}.*`,
      `--nsTo=${theirs}.*`,
    ]);
    return { report, targets: [ours, theirs] };
  };

  const skipOnFerretDb = (ctx: TestContext, what: string): void => {
    if (isFerretDb()) ctx.skip(`FerretDB 1.24 does not implement ${what}`);
  };

  it('a view is dumped as metadata only and restored (by us and by mongorestore) as the same view', async (ctx) => {
    const uri = requireServer(ctx);
    skipOnFerretDb(ctx, 'views ("viewOn")');
    const mongorestore = requireTool(ctx, 'mongorestore');
    const archive = path.join(workDir, 'views.archive.gz');
    const service = new MongoBackupService({ source: client!, env: {} });
    await service.dump({
      databases: [source],
      nsInclude: [`${source}.orders`, `${source}.big_orders`],
      output: archive,
    });

    const { entries, bodies } = await archiveContents(archive);
    const view = entries.find((e) => e.collection === 'big_orders');
    expect(view?.type).toBe('view');
    expect(plainOf(view?.metadata?.options)).toMatchObject({ viewOn: 'orders' });
    expect(view?.metadata?.uuid).toBeUndefined();
    expect(bodies.get('big_orders')).toBe(0);

    const expected = await documentsOf(client!, source, 'big_orders');
    expect(expected).toHaveLength(25);
    const [sourceView] = await client!.db(source).listCollections({ name: 'big_orders' }).toArray();
    const sourceOptions = (sourceView as { options?: Document } | undefined)?.options;
    expect(sourceOptions).toMatchObject({ viewOn: 'orders' });
    const { report, targets: restored } = await restoreBothWays(uri, mongorestore, archive);
    expect(report.namespaces.find((ns) => ns.source === `${source}.big_orders`)?.status).toBe('restored');
    for (const target of restored) {
      const [info] = await client!.db(target).listCollections({ name: 'big_orders' }).toArray();
      expect(info?.type, target).toBe('view');
      expect((info as { options?: Document } | undefined)?.options, target).toEqual(sourceOptions);
      expect(await documentsOf(client!, target, 'big_orders'), target).toEqual(expected);
    }
  });

  it('a timeseries collection is dumped from its buckets and restored with its options and measurements', async (ctx) => {
    const uri = requireServer(ctx);
    skipOnFerretDb(ctx, 'timeseries collections');
    const mongorestore = requireTool(ctx, 'mongorestore');
    const archive = path.join(workDir, 'timeseries.archive.gz');
    const service = new MongoBackupService({ source: client!, env: {} });
    await service.dump({ databases: [source], nsInclude: [`${source}.weather`], output: archive });

    const { serverVersion, entries, bodies } = await archiveContents(archive);
    const [major = 0, minor = 0] = serverVersion.split('.').map(Number);
    const viewless = major > 8 || (major === 8 && minor >= 3);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ collection: 'weather', type: 'timeseries' });
    expect(plainOf(entries[0]?.metadata?.options)).toMatchObject({
      timeseries: { timeField: 't', metaField: 'm' },
    });
    const bucketsBody = viewless ? 'weather' : 'system.buckets.weather';
    expect([...bodies.keys()]).toEqual([bucketsBody]);
    const buckets = await client!
      .db(source)
      .collection(bucketsBody)
      .countDocuments()
      .catch(() => undefined);
    if (buckets !== undefined && !viewless) expect(bodies.get(bucketsBody)).toBe(buckets);

    const expected = await documentsOf(client!, source, 'weather');
    expect(expected).toHaveLength(40);
    const { report, targets: restored } = await restoreBothWays(uri, mongorestore, archive);
    expect(report.namespaces.find((ns) => ns.source === `${source}.weather`)?.status).toBe('restored');
    for (const target of restored) {
      const [info] = await client!.db(target).listCollections({ name: 'weather' }).toArray();
      expect(info?.type, target).toBe('timeseries');
      expect((info as { options?: Document } | undefined)?.options?.['timeseries'], target).toMatchObject({
        timeField: 't',
        metaField: 'm',
        granularity: 'hours',
      });
      expect(await documentsOf(client!, target, 'weather'), target).toEqual(expected);
    }
  });

  it('preserveUUID (with drop) restores a collection under its dumped UUID, byte for byte', async (ctx) => {
    requireServer(ctx);
    skipOnFerretDb(ctx, 'applyOps, which preserveUUID needs');
    const db = uniqueDbName('uuid');
    targets.push(db);
    await client!
      .db(db)
      .collection<{ _id: number; v: string }>('kept')
      .insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: i, v: `v${i}` })));
    const [before] = await client!.db(db).listCollections({ name: 'kept' }).toArray();
    const uuid = (before as { info?: { uuid?: Binary } } | undefined)?.info?.uuid;
    expect(uuid).toBeInstanceOf(Binary);
    const expected = await rawDocumentsById(client!.db(db), 'kept');

    const archive = path.join(workDir, 'uuid.archive.gz');
    const service = new MongoBackupService({ source: client!, env: {} });
    await service.dump({ databases: [db], output: archive });
    await client!
      .db(db)
      .collection('kept')
      .insertOne({ _id: 999, v: 'added after the dump' } as Document);

    const report = await service.restore({ from: archive, into: 'source', drop: true, preserveUUID: true });
    expect(report.namespaces.find((ns) => ns.source === `${db}.kept`)).toMatchObject({
      status: 'restored',
      documentsInserted: 30,
    });
    const [after] = await client!.db(db).listCollections({ name: 'kept' }).toArray();
    const restored = (after as { info?: { uuid?: Binary } } | undefined)?.info?.uuid;
    expect(restored?.toString('hex')).toBe(uuid?.toString('hex'));
    expect(await rawDocumentsById(client!.db(db), 'kept')).toEqual(expected);
  });
});
