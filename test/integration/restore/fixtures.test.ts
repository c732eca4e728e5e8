import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBsonFile } from '../../../src/archive/index.js';
import { MongoBackupService, MongoBackupUsageError, type RestoreReport } from '../../../src/index.js';
import { anyFixture } from '../../support/paths.js';
import {
  connectTestClient,
  isFerretDb,
  requireServer,
  testServer,
  uniqueDbName,
} from '../../support/server.js';

/** Per-namespace document counts from test/fixtures/EXPECTED.md (the reference tools' own counts). */
const ARCHIVES: Record<string, Record<string, number>> = {
  'real-archives/test.bar.archive': { 'admin.system.version': 1, 'test.bar': 1 },
  'real-archives/dump-w-oplog.archive': { 'admin.system.version': 1, 'test.foo': 25, '.oplog': 18 },
  'real-archives/timeseries_dump.archive': {
    'admin.system.version': 1,
    'admin.system.views': 0,
    'timeseries_test.foo_ts': 10,
  },
  'real-archives/BenSauerlaender_gipfel-server-2.backup.archive': {
    'admin.system.version': 1,
    'test.climbers': 13,
    'test.summits': 1146,
    'test.ascents': 195,
    'test.examples': 0,
    'test.regions': 13,
    'test.users': 1,
    'undefined.regions': 0,
    'undefined.climbers': 0,
    'undefined.summits': 0,
    'undefined.routes': 0,
    'undefined.ascents': 0,
    'test.routes': 13038,
    'undefined.users': 0,
  },
  'real-archives/rnadigital_agentcloud.dump.gz': {
    'test.orgs': 1,
    'test.teams': 2,
    'test.agents': 6,
    'test.accounts': 1,
    'test.groups': 1,
    'test.sessions': 0,
  },
  'real-archives/uRuiz_Kenjo_Code_Challenge.dump.gz': {
    'kenjo-cd-collection.artists': 7,
    'kenjo-cd-collection.albums': 9,
  },
  'synthetic/dump-w-oplog.archive.gz': { 'admin.system.version': 1, 'test.foo': 25, '.oplog': 18 },
};

/** Directory dumps written by real mongodump; counts are checked against what was read. */
const DIRECTORIES: { path: string; db?: string; convertLegacyIndexes?: boolean; ferretdbLacks?: string }[] = [
  { path: 'real-dirs/foodump' },
  { path: 'real-dirs/coll_with_index' },
  // Index keys like `b: true` from servers before 3.4: restorable with convertLegacyIndexes, as with mongorestore.
  { path: 'real-dirs/indextestdump', convertLegacyIndexes: true },
  { path: 'real-dirs/specialcharacter' },
  { path: 'real-dirs/oplogdump' },
  {
    path: 'real-dirs/longcollectionname',
    ferretdbLacks: 'FerretDB rejects collection names this long ("Invalid collection name")',
  },
  { path: 'synthetic/gzip-dir' },
  { path: 'real-dirs/youtube-sharing-gzip', db: 'youtube' },
];

const SKIPPED_BY_DESIGN = new Set([
  'oplog replay is not supported',
  'users and roles are restored only with usersAndRoles',
  'system collection',
]);

describe('every real mongodump fixture restores with the reference counts', () => {
  let client: MongoClient | undefined;
  const created: string[] = [];
  let run = 0;

  beforeAll(async () => {
    if (testServer().kind !== 'none') client = await connectTestClient();
  });
  afterAll(async () => {
    for (const db of created) await client?.db(db).dropDatabase();
    await client?.close();
  });

  /** Restores with every database renamed to a fresh prefix, so fixtures never collide. */
  async function restore(
    from: string,
    extra: { db?: string; convertLegacyIndexes?: boolean } = {},
  ): Promise<{ report: RestoreReport; prefix: string }> {
    const prefix = `fx${Date.now().toString(36).slice(-4)}${(run += 1)}`;
    const service = new MongoBackupService({ source: client!, env: {} });
    const report = await service.restore({
      from,
      into: 'source',
      nsFrom: ['*.*'],
      nsTo: [`${prefix}_*.*`],
      ...extra,
    });
    for (const name of new Set(
      report.namespaces.filter((ns) => ns.status === 'restored').map((ns) => ns.target.split('.')[0]!),
    )) {
      created.push(name);
    }
    return { report, prefix };
  }

  for (const [file, expected] of Object.entries(ARCHIVES)) {
    it(file, async (ctx) => {
      requireServer(ctx);
      if (file.includes('timeseries') && isFerretDb()) ctx.skip('FerretDB has no timeseries collections');
      const { report } = await restore(anyFixture(ctx, file));
      expect(report.namespaces.map((ns) => ns.source).sort()).toEqual(Object.keys(expected).sort());
      for (const ns of report.namespaces) {
        expect(ns.documentsRead, `${ns.source} read`).toBe(expected[ns.source]);
        if (ns.status === 'skipped') {
          expect(SKIPPED_BY_DESIGN.has(ns.reason ?? ''), `${ns.source}: ${ns.reason}`).toBe(true);
          continue;
        }
        expect(ns.status, `${ns.source}: ${ns.reason ?? ''}`).toBe('restored');
        expect(ns.documentsInserted, ns.source).toBe(expected[ns.source]);
        const [db, ...rest] = ns.target.split('.');
        expect(await client!.db(db!).collection(rest.join('.')).countDocuments()).toBe(expected[ns.source]);
      }
    });
  }

  for (const dir of DIRECTORIES) {
    it(dir.path, async (ctx) => {
      requireServer(ctx);
      if (dir.ferretdbLacks && isFerretDb()) ctx.skip(dir.ferretdbLacks);
      const { report } = await restore(anyFixture(ctx, dir.path), {
        ...(dir.db === undefined ? {} : { db: dir.db }),
        ...(dir.convertLegacyIndexes ? { convertLegacyIndexes: true } : {}),
      });
      const restored = report.namespaces.filter((ns) => ns.status === 'restored');
      expect(restored.length, JSON.stringify(report.namespaces)).toBeGreaterThan(0);
      for (const ns of report.namespaces) {
        if (ns.status === 'skipped') {
          expect(SKIPPED_BY_DESIGN.has(ns.reason ?? ''), `${ns.source}: ${ns.reason}`).toBe(true);
          continue;
        }
        expect(ns.status, `${ns.source}: ${ns.reason ?? ''}`).toBe('restored');
        expect(ns.documentsInserted + ns.duplicates, ns.source).toBe(ns.documentsRead);
      }
    });
  }
});

describe('one collection file of a real directory dump (mongorestore --db X --collection Y FILE)', () => {
  let client: MongoClient | undefined;
  const created: string[] = [];

  beforeAll(async () => {
    if (testServer().kind !== 'none') client = await connectTestClient();
  });
  afterAll(async () => {
    for (const db of created) await client?.db(db).dropDatabase();
    await client?.close();
  });

  it.for([
    ['real-dirs/prelude_test/prelude_gzip/test/foo.bson.gz', 'foo'],
    ['real-dirs/youtube-sharing-gzip/resources.bson.gz', 'resources'],
  ] as const)(
    '%s: restored as db.collection, its metadata from beside it; db is required',
    async ([relative, name], ctx) => {
      requireServer(ctx);
      const file = anyFixture(ctx, relative);
      let expected = 0;
      for await (const event of readBsonFile(file, { db: 'x' })) {
        if (event.kind === 'namespace-end') expected = event.documents;
      }
      expect(expected).toBeGreaterThan(0);
      const service = new MongoBackupService({ source: client!, env: {} });
      const target = uniqueDbName('onefile');
      created.push(target);

      const named = await service.restore({ from: file, into: 'source', db: target });
      expect(named.namespaces.map((ns) => [ns.target, ns.status, ns.documentsInserted])).toEqual([
        [`${target}.${name}`, 'restored', expected],
      ]);
      const renamed = await service.restore({ from: file, into: 'source', db: target, collection: 'videos' });
      expect(renamed.namespaces.map((ns) => [ns.target, ns.status])).toEqual([
        [`${target}.videos`, 'restored'],
      ]);
      expect(await client!.db(target).collection('videos').countDocuments()).toBe(expected);

      await expect(service.restore({ from: file, into: 'source' })).rejects.toBeInstanceOf(
        MongoBackupUsageError,
      );
    },
  );
});
