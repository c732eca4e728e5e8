import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { BSON, EJSON, type Document } from 'bson';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  extractTarGz,
  inspectArchive,
  inspectEvents,
  parseMetadataJson,
  readArchive,
  readDirectoryDump,
  type ArchiveEvent,
  type ArchiveInspection,
  type ArchiveSource,
} from '../../../src/archive/index.js';
import {
  ErrorCode,
  MongoBackupUsageError,
  MongoBackupService,
  type DumpOptions,
  type DumpProgress,
  type DumpReport,
  type MongoBackupServiceOptions,
} from '../../../src/index.js';
import { stringifyOrderedExtendedJson } from '../../../src/archive/ordered-ejson.js';
import { expectSameDocuments, rawDocumentsById } from '../../support/compare.js';
import { plainOf } from '../../support/ordered.js';
import { seedDatabase, type SeededDatabase } from '../../support/seed.js';
import { isFerretDb, requireServer, uniqueDbName } from '../../support/server.js';
import { useTestWorkspace } from '../../support/workspace.js';

/** mongodump's archive magic number, as the first four bytes of every archive (little-endian). */
const MONGODUMP_MAGIC = 0x8199e26d;
/** Documents with numeric `_id`s. */
type NumId = { _id: number; [key: string]: unknown };
const BACKUP_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z/;

/** What a whole archive (or directory dump) holds: the inspection plus every document by namespace. */
interface ReadBack {
  readonly inspection: ArchiveInspection;
  readonly documents: Map<string, Buffer[]>;
}

async function readBack(events: AsyncIterable<ArchiveEvent>): Promise<ReadBack> {
  const documents = new Map<string, Buffer[]>();
  async function* tee(): AsyncGenerator<ArchiveEvent> {
    for await (const event of events) {
      if (event.kind === 'documents') {
        const key = `${event.db}.${event.collection}`;
        documents.set(key, [...(documents.get(key) ?? []), ...event.documents]);
      }
      yield event;
    }
  }
  const inspection = await inspectEvents(tee());
  return { inspection, documents };
}

const readArchiveBack = (source: ArchiveSource): Promise<ReadBack> => readBack(readArchive(source));

/** `db.collection` of every prelude entry, sorted. */
function preludeNamespaces(inspection: ArchiveInspection): string[] {
  return inspection.entries.map((e) => `${e.db}.${e.collection}`).sort();
}

/** Documents per body namespace as the archive's EOF blocks (CRC-checked) report them. */
function bodyCounts(inspection: ArchiveInspection): Record<string, number> {
  return Object.fromEntries(inspection.namespaces.map((ns) => [ns.namespace, ns.documents]));
}

function reportCounts(report: DumpReport): Record<string, number> {
  return Object.fromEntries(report.namespaces.map((ns) => [ns.namespace, ns.documents]));
}

function prefixed(db: string, counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([name, n]) => [`${db}.${name}`, n]));
}

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

/** Every file under `dir`, as sorted `/`-separated relative paths. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Splits a `.bson` file (documents back to back) into its documents. */
function splitBson(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const length = bytes.readInt32LE(offset);
    out.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return out;
}

/** A Writable that keeps every byte written to it. */
function collector(): { stream: PassThrough; bytes: () => Promise<Buffer> } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return {
    stream,
    bytes: async () => {
      await finished(stream);
      return Buffer.concat(chunks);
    },
  };
}

/** Canonical Extended JSON of a value, ordered `Map`s (metadata) and plain objects (driver answers) alike. */
const canonical = (value: unknown): string => stringifyOrderedExtendedJson(value);

/** The same key the test support uses for raw documents: canonical Extended JSON of the `_id`. */
function idKey(raw: Buffer): string {
  return EJSON.stringify({ id: BSON.deserialize(raw, { promoteValues: false })['_id'] }, { relaxed: false });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('dump options against a real server', () => {
  const ws = useTestWorkspace('mbs-dump-options-');
  const dbA = ws.database('dopt_a');
  const dbB = ws.database('dopt_b');
  /** Collections created in `local` and `config`, dropped at the end. */
  const systemDbCollections: { db: string; collection: string }[] = [];
  let seeded: SeededDatabase;
  let countsB: Record<string, number> = {};
  let serverVersion = '';

  const newDir = async (name: string): Promise<string> => {
    const dir = path.join(ws.workDir, name);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const service = (backupDir: string, extra: Partial<MongoBackupServiceOptions> = {}) =>
    new MongoBackupService({ source: ws.client, backupDir, env: {}, ...extra });
  const totalA = (): number => sum(Object.values(seeded.counts));

  beforeAll(async () => {
    if (!ws.connected) return;
    const client = ws.client;
    seeded = await seedDatabase(client.db(dbA));
    const b = client.db(dbB);
    await b
      .collection<NumId>('alpha')
      .insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: i, seq: i, name: `a${i}` })));
    await b
      .collection<NumId>('beta')
      .insertMany(Array.from({ length: 3 }, (_, i) => ({ _id: i, seq: i * 10 })));
    await b
      .collection<NumId>('orders')
      .insertMany(Array.from({ length: 4 }, (_, i) => ({ _id: i, seq: i + 100 })));
    countsB = {};
    for (const name of ['alpha', 'beta', 'orders']) countsB[name] = await b.collection(name).countDocuments();
    serverVersion = String((await client.db('admin').command({ buildInfo: 1 }))['version']);
  });

  afterAll(async () => {
    for (const { db, collection } of systemDbCollections) {
      await ws.client
        .db(db)
        .collection(collection)
        .drop()
        .catch(() => undefined);
    }
  });

  describe('default output into the backup folder', () => {
    it('writes <db>_dump_<timestamp>.gz, mode 0600, no .partial, and a report that matches the file', async (ctx) => {
      requireServer(ctx);
      const backupDir = path.join(ws.workDir, 'default-backups'); // not created: the dump creates it
      const before = Date.now();
      const report = await service(backupDir).dump({ databases: [dbA] });
      const after = Date.now();

      const names = await readdir(backupDir);
      expect(names).toHaveLength(1);
      const name = names[0]!;
      expect(name).not.toContain('.partial');
      const match = new RegExp(`^${dbA}_dump_(${BACKUP_TIMESTAMP.source})\\.gz$`).exec(name);
      expect(match, name).not.toBeNull();
      const stamp = match![1]!;
      // The ISO timestamp of the start, `:` and `.` replaced by `-`.
      expect(stamp).toBe(report.startedAt.toISOString().replace(/[:.]/g, '-'));
      const stampDate = new Date(stamp.replace(/T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, 'T$1:$2:$3.$4Z'));
      expect(stampDate.getTime()).toBeGreaterThanOrEqual(before);
      expect(stampDate.getTime()).toBeLessThanOrEqual(after);

      const file = path.join(backupDir, name);
      const info = await stat(file);
      expect(info.mode & 0o777).toBe(0o600);
      const bytes = await readFile(file);
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
      const plain = gunzipSync(bytes);
      expect(plain.readUInt32LE(0)).toBe(MONGODUMP_MAGIC);

      expect(report.path).toBe(path.resolve(file));
      expect(report.format).toBe('archive');
      expect(report.gzip).toBe(true);
      expect(report.tarball).toBe(false);
      expect(report.sizeBytes).toBe(info.size);
      expect(report.uncompressedBytes).toBe(plain.length);
      expect(reportCounts(report)).toEqual(prefixed(dbA, seeded.counts));
      expect(report.totalDocuments).toBe(totalA());
      expect(report.collectionCount).toBe(Object.keys(seeded.counts).length);
      expect(report.namespaces.every((ns) => ns.type === 'collection')).toBe(true);
      expect(report.serverVersion).toBe(serverVersion);
      expect(report.startedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(report.finishedAt.getTime()).toBeLessThanOrEqual(after);
      expect(report.durationMs).toBe(report.finishedAt.getTime() - report.startedAt.getTime());
      expect(report.durationMs).toBeGreaterThanOrEqual(0);

      // The file is a complete archive whose counts, bytes and header agree with the report.
      const inspection = await inspectArchive(createReadStream(file));
      expect(inspection.valid, inspection.error?.message).toBe(true);
      expect(inspection.header?.serverVersion).toBe(serverVersion);
      expect(inspection.header?.concurrentCollections).toBe(4);
      expect(bodyCounts(inspection)).toEqual(prefixed(dbA, seeded.counts));
      for (const ns of report.namespaces) {
        expect(inspection.namespaces.find((n) => n.namespace === ns.namespace)?.bytes, ns.namespace).toBe(
          ns.bytes,
        );
      }

      // listBackups sees exactly this backup.
      const listed = await service(backupDir).listBackups();
      expect(listed).toEqual([
        {
          name,
          path: path.join(path.resolve(backupDir), name),
          kind: 'archive-gzip',
          sizeBytes: info.size,
          createdAt: report.startedAt,
          database: dbA,
        },
      ]);
    });

    it('gzip: false (from the service configuration) writes <db>_dump_<timestamp>.archive', async (ctx) => {
      requireServer(ctx);
      const backupDir = await newDir('default-plain');
      const report = await service(backupDir, { gzip: false, databases: [dbB] }).dump();
      const names = await readdir(backupDir);
      expect(names).toEqual([`${dbB}_dump_${report.startedAt.toISOString().replace(/[:.]/g, '-')}.archive`]);
      const bytes = await readFile(path.join(backupDir, names[0]!));
      expect(bytes.readUInt32LE(0)).toBe(MONGODUMP_MAGIC);
      expect(report.gzip).toBe(false);
      expect(report.sizeBytes).toBe(bytes.length);
      expect(report.uncompressedBytes).toBe(bytes.length);
      expect(reportCounts(report)).toEqual(prefixed(dbB, countsB));
      const listed = await service(backupDir).listBackups();
      expect(listed.map((b) => [b.name, b.kind, b.database])).toEqual([[names[0], 'archive', dbB]]);
    });

    it('backup() dumps into the folder, applies retention; listBackups and cleanBackups see the dumps', async (ctx) => {
      requireServer(ctx);
      const backupDir = await newDir('backup-runs');
      const svc = service(backupDir, { databases: [dbB], retention: 2 });
      const runs = [];
      for (let i = 0; i < 3; i += 1) {
        runs.push(await svc.backup());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      for (const run of runs) {
        expect(run.imported).toBeUndefined();
        expect(path.dirname(run.dump.path!)).toBe(path.resolve(backupDir));
        expect(path.basename(run.dump.path!)).toMatch(
          new RegExp(`^${dbB}_dump_${BACKUP_TIMESTAMP.source}\\.gz$`),
        );
        expect(reportCounts(run.dump)).toEqual(prefixed(dbB, countsB));
      }
      expect(runs[0]!.removedByRetention).toEqual([]);
      expect(runs[1]!.removedByRetention).toEqual([]);
      expect(runs[2]!.removedByRetention.map((b) => b.path)).toEqual([runs[0]!.dump.path]);

      const listed = await svc.listBackups();
      expect(listed.map((b) => b.path)).toEqual([runs[2]!.dump.path, runs[1]!.dump.path]);
      expect(listed.map((b) => b.createdAt)).toEqual([runs[2]!.dump.startedAt, runs[1]!.dump.startedAt]);
      for (const b of listed) expect(b.sizeBytes).toBe((await stat(b.path)).size);

      const cleaned = await svc.cleanBackups(1);
      expect(cleaned.map((b) => b.path)).toEqual([runs[1]!.dump.path]);
      expect((await svc.listBackups()).map((b) => b.path)).toEqual([runs[2]!.dump.path]);
      expect(await readdir(backupDir)).toEqual([path.basename(runs[2]!.dump.path!)]);
      // The survivor is still a complete archive.
      const inspection = await inspectArchive(createReadStream(runs[2]!.dump.path!));
      expect(inspection.valid).toBe(true);
      expect(bodyCounts(inspection)).toEqual(prefixed(dbB, countsB));
    });
  });

  describe('which databases', () => {
    it('several databases go into one archive', async (ctx) => {
      requireServer(ctx);
      const output = path.join(await newDir('multi-db'), 'two.gz');
      const report = await service(ws.workDir).dump({ databases: [dbA, dbB], output });
      const { inspection } = await readArchiveBack(createReadStream(output));
      expect(inspection.valid).toBe(true);
      const expected = { ...prefixed(dbA, seeded.counts), ...prefixed(dbB, countsB) };
      expect(preludeNamespaces(inspection)).toEqual(Object.keys(expected).sort());
      expect(bodyCounts(inspection)).toEqual(expected);
      expect(reportCounts(report)).toEqual(expected);
      expect(report.totalDocuments).toBe(sum(Object.values(expected)));
    });

    it('no databases option dumps every database but local (and of config only its sharding metadata); named, they are dumped whole', async (ctx) => {
      requireServer(ctx);
      const suffix = uniqueDbName('mbs');
      for (const db of ['local', 'config']) {
        try {
          await ws.client
            .db(db)
            .collection<NumId>(suffix)
            .insertMany([{ _id: 1 }, { _id: 2 }]);
          systemDbCollections.push({ db, collection: suffix });
        } catch (error) {
          ctx.skip(`the server refuses a collection in ${db}: ${(error as Error).message}`);
        }
      }
      // Every database is listed; the include patterns only keep the run small and away from other tests' data.
      // local.* and config.* are included on purpose: leaving out local, and config's collections other than the
      // sharding metadata, is the catalog's job (as in mongodump).
      const output = path.join(await newDir('all-dbs'), 'all.gz');
      const svc = service(ws.workDir);
      const report = await svc.dump({
        nsInclude: [`${dbA}.*`, `${dbB}.*`, 'local.*', 'config.*'],
        output,
      });
      const { inspection } = await readArchiveBack(createReadStream(output));
      expect(inspection.valid).toBe(true);
      const dbs = new Set(inspection.entries.map((e) => e.db));
      expect([...dbs].sort()).toEqual([dbA, dbB].sort());
      expect(dbs.has('local') || dbs.has('config')).toBe(false);
      expect(bodyCounts(inspection)).toEqual({ ...prefixed(dbA, seeded.counts), ...prefixed(dbB, countsB) });
      expect(report.namespaces.some((ns) => /^(local|config)\./.test(ns.namespace))).toBe(false);

      // Named explicitly, they are dumped (as mongodump --db local does).
      const named = await svc.dump({
        databases: ['local', 'config'],
        nsInclude: [`local.${suffix}`, `config.${suffix}`],
        output: collector().stream,
      });
      expect(reportCounts(named)).toEqual({ [`local.${suffix}`]: 2, [`config.${suffix}`]: 2 });
    });
  });

  describe('which namespaces', () => {
    const dumpNamespaces = async (
      options: DumpOptions,
    ): Promise<{ report: DumpReport; inspection: ArchiveInspection }> => {
      const sink = collector();
      const report = await service(ws.workDir).dump({ ...options, output: sink.stream, gzip: false });
      const { inspection } = await readArchiveBack(await sink.bytes());
      expect(inspection.valid, inspection.error?.message).toBe(true);
      // The prelude, the body and the report always agree.
      expect(inspection.namespaces.map((ns) => ns.namespace).sort()).toEqual(preludeNamespaces(inspection));
      expect(report.namespaces.map((ns) => ns.namespace).sort()).toEqual(preludeNamespaces(inspection));
      expect(reportCounts(report)).toEqual(bodyCounts(inspection));
      return { report, inspection };
    };
    const namesOfA = (keep: (name: string) => boolean): string[] =>
      Object.keys(seeded.counts)
        .filter(keep)
        .map((name) => `${dbA}.${name}`)
        .sort();

    it('collection: exactly that one collection', async (ctx) => {
      requireServer(ctx);
      const { inspection } = await dumpNamespaces({ databases: [dbA], collection: 'orders' });
      expect(preludeNamespaces(inspection)).toEqual([`${dbA}.orders`]);
      expect(bodyCounts(inspection)).toEqual({ [`${dbA}.orders`]: seeded.counts['orders'] });
      // A name with a dot is one collection, not a pattern.
      const dotted = await dumpNamespaces({ databases: [dbA], collection: 'dotted.name' });
      expect(preludeNamespaces(dotted.inspection)).toEqual([`${dbA}.dotted.name`]);
      expect(bodyCounts(dotted.inspection)).toEqual({ [`${dbA}.dotted.name`]: seeded.counts['dotted.name'] });
    });

    it('nsInclude: only matching namespaces, across databases; * crosses dots', async (ctx) => {
      requireServer(ctx);
      const { inspection } = await dumpNamespaces({
        databases: [dbA, dbB],
        nsInclude: [`${dbA}.o*`, `${dbB}.alpha`, `${dbA}.dotted*`],
      });
      expect(preludeNamespaces(inspection)).toEqual(
        [`${dbA}.orders`, `${dbB}.alpha`, `${dbA}.dotted.name`].sort(),
      );
    });

    it('nsExclude: matching namespaces are left out, and exclusion wins over inclusion', async (ctx) => {
      requireServer(ctx);
      const excluded = await dumpNamespaces({ databases: [dbA], nsExclude: [`${dbA}.*ed*`] });
      expect(preludeNamespaces(excluded.inspection)).toEqual(namesOfA((name) => !name.includes('ed')));
      expect(preludeNamespaces(excluded.inspection)).not.toContain(`${dbA}.capped`);

      const both = await dumpNamespaces({
        databases: [dbA, dbB],
        nsInclude: [`${dbA}.*`, `${dbB}.beta`],
        nsExclude: [`${dbA}.orders`, `${dbB}.*`],
      });
      expect(preludeNamespaces(both.inspection)).toEqual(namesOfA((name) => name !== 'orders'));
    });

    it('excludeCollections: the named collections are left out of every database', async (ctx) => {
      requireServer(ctx);
      const { inspection } = await dumpNamespaces({
        databases: [dbA, dbB],
        excludeCollections: ['orders', 'large'],
      });
      const expected = [
        ...namesOfA((name) => name !== 'orders' && name !== 'large'),
        `${dbB}.alpha`,
        `${dbB}.beta`,
      ].sort();
      expect(preludeNamespaces(inspection)).toEqual(expected);
    });

    it('excludeCollections compares whole names, as mongodump: `name` keeps `dotted.name`', async (ctx) => {
      requireServer(ctx);
      expect(Object.keys(seeded.counts)).toContain('dotted.name');
      const { inspection } = await dumpNamespaces({ databases: [dbA], excludeCollections: ['name'] });
      expect(preludeNamespaces(inspection)).toEqual(namesOfA(() => true));
    });

    it('excludeCollectionPrefixes: collections starting with a prefix are left out of every database', async (ctx) => {
      requireServer(ctx);
      const { inspection } = await dumpNamespaces({
        databases: [dbA, dbB],
        excludeCollectionPrefixes: ['ord', 'al', 'dotted.'],
      });
      const expected = [
        ...namesOfA(
          (name) => !name.startsWith('ord') && !name.startsWith('al') && !name.startsWith('dotted.'),
        ),
        `${dbB}.beta`,
      ].sort();
      expect(preludeNamespaces(inspection)).toEqual(expected);
    });
  });

  describe('query', () => {
    /** Asserts that the archive holds, per collection, exactly the source documents matching `filter`, byte for byte. */
    const expectFiltered = async (
      db: Db,
      report: DumpReport,
      read: ReadBack,
      filter: Document,
    ): Promise<number> => {
      let total = 0;
      for (const name of Object.keys(seeded.counts)) {
        const namespace = `${db.databaseName}.${name}`;
        const expected = await rawDocumentsById(db, name);
        const matching = new Set(
          (
            await db
              .collection(name)
              .find(filter, { projection: { _id: 1 }, promoteValues: false })
              .toArray()
          ).map((d) => EJSON.stringify({ id: d['_id'] as unknown }, { relaxed: false })),
        );
        const got = read.documents.get(namespace) ?? [];
        expect(got.map(idKey).sort(), namespace).toEqual([...matching].sort());
        for (const raw of got) expect(raw.equals(expected.get(idKey(raw))!), namespace).toBe(true);
        expect(reportCounts(report)[namespace], namespace).toBe(matching.size);
        total += matching.size;
      }
      expect(report.totalDocuments).toBe(total);
      return total;
    };

    it('as Extended JSON text: only matching documents', async (ctx) => {
      requireServer(ctx);
      const db = ws.client.db(dbA);
      const sink = collector();
      const report = await service(ws.workDir).dump({
        databases: [dbA],
        query: '{"seq":{"$gte":{"$numberInt":"10"}}}',
        output: sink.stream,
      });
      const read = await readArchiveBack(await sink.bytes());
      expect(read.inspection.valid).toBe(true);
      const total = await expectFiltered(db, report, read, { seq: { $gte: 10 } });
      expect(total).toBe(seeded.counts['orders']! - 10);
      // Every collection is still announced, even those the query empties.
      expect(preludeNamespaces(read.inspection)).toEqual(Object.keys(prefixed(dbA, seeded.counts)).sort());

      // Canonical Extended JSON types are honoured: a $date compares as a date, not as a string.
      const byDate = collector();
      const dated = await service(ws.workDir).dump({
        databases: [dbA],
        collection: 'orders',
        query: '{"createdAt":{"$lt":{"$date":{"$numberLong":"1700000025000"}}}}',
        output: byDate.stream,
      });
      const datedRead = await readArchiveBack(await byDate.bytes());
      const expectedIds = (
        await db
          .collection('orders')
          .find(
            { createdAt: { $lt: new Date(1_700_000_025_000) } },
            { projection: { _id: 1 }, promoteValues: false },
          )
          .toArray()
      ).map((d) => EJSON.stringify({ id: d['_id'] as unknown }, { relaxed: false }));
      expect(expectedIds.length).toBe(25);
      expect((datedRead.documents.get(`${dbA}.orders`) ?? []).map(idKey).sort()).toEqual(expectedIds.sort());
      expect(dated.totalDocuments).toBe(25);
    });

    it('as a document: only matching documents', async (ctx) => {
      requireServer(ctx);
      const db = ws.client.db(dbA);
      const filter = { 'nested.level.deeper.flag': true, seq: { $lt: 30 } };
      const sink = collector();
      const report = await service(ws.workDir).dump({ databases: [dbA], query: filter, output: sink.stream });
      const read = await readArchiveBack(await sink.bytes());
      expect(read.inspection.valid).toBe(true);
      expect(await expectFiltered(db, report, read, filter)).toBe(10); // seq 0, 3, ..., 27
    });

    it('queries: a filter per collection replaces query for it; an unknown namespace is a UsageError', async (ctx) => {
      requireServer(ctx);
      const db = ws.client.db(dbA);
      const sink = collector();
      const report = await service(ws.workDir).dump({
        databases: [dbA],
        query: { _id: { $exists: false } },
        queries: { [`${dbA}.orders`]: '{"seq":{"$lt":{"$numberInt":"7"}}}' },
        output: sink.stream,
      });
      const read = await readArchiveBack(await sink.bytes());
      expect(read.inspection.valid).toBe(true);
      const counts = reportCounts(report);
      expect(counts[`${dbA}.orders`]).toBe(7);
      for (const [ns, documents] of Object.entries(counts)) {
        if (ns !== `${dbA}.orders`) expect(documents, ns).toBe(0);
      }
      const expected = await rawDocumentsById(db, 'orders');
      for (const raw of read.documents.get(`${dbA}.orders`) ?? []) {
        expect(raw.equals(expected.get(idKey(raw))!)).toBe(true);
      }

      const error = await service(ws.workDir)
        .dump({ databases: [dbA], queries: { [`${dbA}.nope`]: {} }, output: collector().stream })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(MongoBackupUsageError);
      expect((error as Error).message).toContain(`${dbA}.nope`);
    });

    it('views are dumped as they are: their definition is not filtered', async (ctx) => {
      requireServer(ctx);
      if (isFerretDb())
        ctx.skip('FerretDB 1.24: views are not implemented ("viewOn" is not implemented yet)');
      const dbV = ws.database('dopt_view');
      const db = ws.client.db(dbV);
      await db
        .collection<NumId>('items')
        .insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: i, seq: i, even: i % 2 === 0 })));
      const pipeline = [{ $match: { even: true } }, { $project: { seq: 1 } }];
      await db.createCollection('evens', { viewOn: 'items', pipeline });

      const output = path.join(await newDir('views'), 'views.gz');
      const report = await service(ws.workDir).dump({
        databases: [dbV],
        query: { seq: { $gte: 6 } },
        output,
      });
      const read = await readArchiveBack(createReadStream(output));
      expect(read.inspection.valid).toBe(true);
      const view = read.inspection.entries.find((e) => e.collection === 'evens');
      expect(view?.type).toBe('view');
      const [info] = await db.listCollections({ name: 'evens' }, { promoteValues: false }).toArray();
      expect(canonical(view?.metadata?.options)).toBe(canonical((info as Document)['options']));
      expect(report.namespaces.find((ns) => ns.namespace === `${dbV}.evens`)).toMatchObject({
        type: 'view',
        documents: 0,
      });
      expect(read.documents.get(`${dbV}.evens`)).toBeUndefined();
      expect(read.documents.get(`${dbV}.items`)?.length).toBe(4);

      // Restored, the view still applies its own pipeline to whatever the collection holds.
      const target = ws.database('dopt_view_dst');
      await service(ws.workDir).restore({
        from: output,
        nsFrom: [`${dbV}.*`],
        nsTo: [`${target}.*`],
        into: 'source',
      });
      const seen = await ws.client.db(target).collection('evens').find().sort({ seq: 1 }).toArray();
      expect(seen.map((d) => d['seq'])).toEqual([6, 8]);
    });
  });

  describe('compression', () => {
    it('gzip: false writes a bare archive (mongodump magic); gzip: true a gzip stream (1f 8b)', async (ctx) => {
      requireServer(ctx);
      const dir = await newDir('gzip');
      const plainPath = path.join(dir, 'plain.archive');
      const gzPath = path.join(dir, 'packed.gz');
      const plainReport = await service(ws.workDir).dump({
        databases: [dbA],
        gzip: false,
        output: plainPath,
      });
      const gzReport = await service(ws.workDir).dump({ databases: [dbA], gzip: true, output: gzPath });
      const plain = await readFile(plainPath);
      const packed = await readFile(gzPath);

      expect(plain.readUInt32LE(0)).toBe(MONGODUMP_MAGIC);
      expect([...plain.subarray(0, 4)]).toEqual([0x6d, 0xe2, 0x99, 0x81]);
      expect([packed[0], packed[1]]).toEqual([0x1f, 0x8b]);
      expect(gunzipSync(packed).readUInt32LE(0)).toBe(MONGODUMP_MAGIC);

      expect(plainReport.gzip).toBe(false);
      expect(plainReport.sizeBytes).toBe(plain.length);
      expect(plainReport.uncompressedBytes).toBe(plain.length);
      expect(gzReport.sizeBytes).toBe(packed.length);
      expect(gzReport.uncompressedBytes).toBe(gunzipSync(packed).length);
      expect(gzReport.sizeBytes).toBeLessThan(gzReport.uncompressedBytes);

      const a = await inspectArchive(plain, { gzip: false });
      const b = await inspectArchive(packed, { gzip: true });
      expect(a.valid && b.valid).toBe(true);
      expect(bodyCounts(a)).toEqual(prefixed(dbA, seeded.counts));
      const crcs = (i: ArchiveInspection) =>
        Object.fromEntries(i.namespaces.map((ns) => [ns.namespace, [ns.documents, ns.bytes, ns.crc]]));
      expect(crcs(b)).toEqual(crcs(a));
    });

    it('gzipLevel 0 and 9 are both valid gzip archives with the same content', async (ctx) => {
      requireServer(ctx);
      const dir = await newDir('levels');
      const results: { report: DumpReport; bytes: Buffer; inspection: ArchiveInspection }[] = [];
      for (const gzipLevel of [0, 9]) {
        const output = path.join(dir, `level-${gzipLevel}.gz`);
        const report = await service(ws.workDir).dump({ databases: [dbA], gzipLevel, output });
        const bytes = await readFile(output);
        expect([bytes[0], bytes[1]], `level ${gzipLevel}`).toEqual([0x1f, 0x8b]);
        expect(report.uncompressedBytes).toBe(gunzipSync(bytes).length);
        const inspection = await inspectArchive(bytes);
        expect(inspection.valid, inspection.error?.message).toBe(true);
        expect(bodyCounts(inspection)).toEqual(prefixed(dbA, seeded.counts));
        results.push({ report, bytes, inspection });
      }
      const [stored, best] = results as [(typeof results)[0], (typeof results)[0]];
      // Level 0 stores: the file is at least as large as the archive inside it. Level 9 compresses.
      expect(stored.bytes.length).toBeGreaterThanOrEqual(stored.report.uncompressedBytes);
      expect(best.bytes.length).toBeLessThan(best.report.uncompressedBytes / 2);
      const crcs = (i: ArchiveInspection) =>
        Object.fromEntries(i.namespaces.map((ns) => [ns.namespace, [ns.documents, ns.bytes, ns.crc]]));
      expect(crcs(best.inspection)).toEqual(crcs(stored.inspection));
    });
  });

  it('parallelCollections 1 and 8: same namespaces, counts and CRCs; header says how many', async (ctx) => {
    requireServer(ctx);
    const byParallel = new Map<number, ArchiveInspection>();
    for (const parallelCollections of [1, 8]) {
      const sink = collector();
      const events: DumpProgress[] = [];
      await service(ws.workDir).dump({
        databases: [dbA, dbB],
        parallelCollections,
        gzip: false,
        output: sink.stream,
        onProgress: (p) => events.push(p),
      });
      const inspection = await inspectArchive(await sink.bytes());
      expect(inspection.valid).toBe(true);
      expect(inspection.header?.concurrentCollections).toBe(parallelCollections);
      if (parallelCollections === 1) {
        // One at a time: every namespace ends before the next one starts.
        let open = 0;
        for (const event of events) {
          if (event.phase === 'start') open += 1;
          if (event.phase === 'end') open -= 1;
          expect(open).toBeLessThanOrEqual(1);
        }
      }
      byParallel.set(parallelCollections, inspection);
    }
    const summary = (i: ArchiveInspection) =>
      Object.fromEntries(i.namespaces.map((ns) => [ns.namespace, [ns.documents, ns.bytes, ns.crc]]));
    const one = byParallel.get(1)!;
    const eight = byParallel.get(8)!;
    expect(preludeNamespaces(eight)).toEqual(preludeNamespaces(one));
    expect(summary(eight)).toEqual(summary(one));
    expect(bodyCounts(one)).toEqual({ ...prefixed(dbA, seeded.counts), ...prefixed(dbB, countsB) });
  });

  it('batchSize and readPreference change how documents are read, not what is written', async (ctx) => {
    requireServer(ctx);
    const summaries: Record<string, unknown>[] = [];
    for (const options of [{}, { batchSize: 97, readPreference: 'primaryPreferred' as const }]) {
      const sink = collector();
      await service(ws.workDir).dump({
        databases: [dbA],
        collection: 'orders',
        output: sink.stream,
        ...options,
      });
      const inspection = await inspectArchive(await sink.bytes());
      expect(inspection.valid).toBe(true);
      summaries.push(
        Object.fromEntries(
          inspection.namespaces.map((ns) => [ns.namespace, [ns.documents, ns.bytes, ns.crc]]),
        ),
      );
    }
    expect(summaries[1]).toEqual(summaries[0]);
    expect(Object.keys(summaries[0]!)).toEqual([`${dbA}.orders`]);
  });

  describe('output to a Writable', () => {
    it('a PassThrough receives a complete archive; report.path is undefined; nothing goes to the backup folder', async (ctx) => {
      requireServer(ctx);
      const backupDir = path.join(ws.workDir, 'writable-backups');
      const sink = collector();
      const report = await service(backupDir).dump({ databases: [dbA], output: sink.stream });
      const bytes = await sink.bytes();
      expect(report.path).toBeUndefined();
      expect(report.format).toBe('archive');
      expect(report.sizeBytes).toBe(bytes.length);
      expect(report.uncompressedBytes).toBe(gunzipSync(bytes).length);
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
      const inspection = await inspectArchive(bytes);
      expect(inspection.valid).toBe(true);
      expect(bodyCounts(inspection)).toEqual(prefixed(dbA, seeded.counts));
      expect(reportCounts(report)).toEqual(prefixed(dbA, seeded.counts));
      expect(await readdir(backupDir).catch(() => [])).toEqual([]);
    });

    it('a file stream is ended with every byte when the dump resolves', async (ctx) => {
      requireServer(ctx);
      const file = path.join(await newDir('file-stream'), 'stream.archive');
      const stream = createWriteStream(file);
      const report = await service(ws.workDir).dump({ databases: [dbB], output: stream, gzip: false });
      expect(stream.writableFinished).toBe(true);
      await finished(stream);
      const bytes = await readFile(file);
      expect(report.path).toBeUndefined();
      expect(report.sizeBytes).toBe(bytes.length);
      expect(bytes.readUInt32LE(0)).toBe(MONGODUMP_MAGIC);
      const inspection = await inspectArchive(bytes);
      expect(inspection.valid).toBe(true);
      expect(bodyCounts(inspection)).toEqual(prefixed(dbB, countsB));
    });

    it('a tarball can be written to a Writable', async (ctx) => {
      requireServer(ctx);
      const sink = collector();
      const report = await service(ws.workDir).dump({
        databases: [dbB],
        format: 'directory',
        tarball: true,
        output: sink.stream,
      });
      const bytes = await sink.bytes();
      expect(report.path).toBeUndefined();
      expect(report.tarball).toBe(true);
      expect(report.sizeBytes).toBe(bytes.length);
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
      const extracted = path.join(ws.workDir, 'tar-stream-out');
      await extractTarGz(Readable.from([bytes]), extracted);
      const { inspection } = await readBack(readDirectoryDump(extracted));
      expect(inspection.valid, inspection.error?.message).toBe(true);
      expect(bodyCounts(inspection)).toEqual(prefixed(dbB, countsB));
    });
  });

  describe('directory format', () => {
    const expectedFiles = (db: string, names: readonly string[], gz: string): string[] =>
      names.flatMap((name) => [`${db}/${name}.bson${gz}`, `${db}/${name}.metadata.json${gz}`]).sort();

    /** The prelude.json(.gz) file: at the top (mongorestore looks there) or in the database folder (mongodump --db). */
    const splitPrelude = (files: string[], db: string, gz: string): { prelude: string; rest: string[] } => {
      const preludes = files.filter((f) => f === `prelude.json${gz}` || f === `${db}/prelude.json${gz}`);
      expect(preludes, files.join(', ')).toHaveLength(1);
      // Our checksum manifest sits beside prelude.json, never compressed.
      expect(files).toContain('mongo-backup-manifest.json');
      return {
        prelude: preludes[0]!,
        rest: files.filter((f) => f !== preludes[0] && f !== 'mongo-backup-manifest.json'),
      };
    };

    it('gzip (default): <db>/<coll>.bson.gz and .metadata.json.gz, prelude.json.gz; named <db>_dump_<timestamp>', async (ctx) => {
      requireServer(ctx);
      const backupDir = path.join(ws.workDir, 'dir-backups');
      const report = await service(backupDir).dump({ databases: [dbA], format: 'directory' });
      const names = await readdir(backupDir);
      expect(names).toEqual([`${dbA}_dump_${report.startedAt.toISOString().replace(/[:.]/g, '-')}`]);
      const out = path.join(backupDir, names[0]!);
      expect(report.path).toBe(path.resolve(out));
      expect(report.format).toBe('directory');
      expect(report.gzip).toBe(true);

      const files = await listFiles(out);
      const { prelude, rest } = splitPrelude(files, dbA, '.gz');
      expect(rest).toEqual(expectedFiles(dbA, Object.keys(seeded.counts), '.gz'));
      const preludeJson = JSON.parse(
        gunzipSync(await readFile(path.join(out, prelude))).toString('utf8'),
      ) as Record<string, unknown>;
      expect(preludeJson['ServerVersion']).toBe(serverVersion);
      expect(typeof preludeJson['ToolVersion']).toBe('string');

      let stored = 0;
      let unpacked = 0;
      for (const file of files) {
        const full = path.join(out, file);
        const info = await stat(full);
        expect(info.mode & 0o777, file).toBe(0o600);
        const bytes = await readFile(full);
        stored += bytes.length;
        if (file === 'mongo-backup-manifest.json') {
          unpacked += bytes.length; // our checksum manifest is never compressed
          continue;
        }
        expect([bytes[0], bytes[1]], file).toEqual([0x1f, 0x8b]);
        unpacked += gunzipSync(bytes).length;
      }
      for (const [name, count] of Object.entries(seeded.counts)) {
        const docs = splitBson(gunzipSync(await readFile(path.join(out, dbA, `${name}.bson.gz`))));
        expect(docs.length, name).toBe(count);
        expect(sum(docs.map((d) => d.length)), name).toBe(
          report.namespaces.find((ns) => ns.namespace === `${dbA}.${name}`)?.bytes,
        );
        const metadata = parseMetadataJson(
          gunzipSync(await readFile(path.join(out, dbA, `${name}.metadata.json.gz`))).toString('utf8'),
        );
        expect(metadata.collectionName).toBe(name);
        expect(metadata.indexes.map((ix) => String(ix.get('name'))).sort(), name).toEqual(
          seeded.indexes[name],
        );
      }
      expect(report.sizeBytes).toBe(stored);

      const { inspection } = await readBack(readDirectoryDump(out));
      expect(inspection.valid, inspection.error?.message).toBe(true);
      expect(inspection.header?.serverVersion).toBe(serverVersion);
      expect(bodyCounts(inspection)).toEqual(prefixed(dbA, seeded.counts));

      const listed = await service(backupDir).listBackups();
      expect(listed.map((b) => [b.name, b.kind, b.database, b.sizeBytes])).toEqual([
        [names[0], 'directory', dbA, stored],
      ]);
      // Last, so that everything above is checked even if this fails: DumpReport documents uncompressedBytes for a
      // directory dump as "bytes of the files before compression" (metadata and prelude files included).
      expect(report.uncompressedBytes, 'uncompressedBytes = the files before compression').toBe(unpacked);
    });

    it('gzip: false: <db>/<coll>.bson and .metadata.json, prelude.json; nothing left beside it', async (ctx) => {
      requireServer(ctx);
      const parent = await newDir('dir-plain');
      const out = path.join(parent, 'dump');
      const report = await service(ws.workDir).dump({
        databases: [dbA, dbB],
        format: 'directory',
        gzip: false,
        output: out,
      });
      expect(report.path).toBe(path.resolve(out));
      expect(report.gzip).toBe(false);
      expect(await readdir(parent)).toEqual(['dump']);

      const files = await listFiles(out);
      expect(files).toContain('prelude.json');
      expect(files).toContain('mongo-backup-manifest.json');
      expect(files.filter((f) => f !== 'prelude.json' && f !== 'mongo-backup-manifest.json')).toEqual(
        [
          ...expectedFiles(dbA, Object.keys(seeded.counts), ''),
          ...expectedFiles(dbB, Object.keys(countsB), ''),
        ].sort(),
      );
      const preludeJson = JSON.parse(await readFile(path.join(out, 'prelude.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(preludeJson['ServerVersion']).toBe(serverVersion);

      let total = 0;
      for (const file of files) total += (await stat(path.join(out, file))).size;
      expect(report.sizeBytes).toBe(total);
      for (const [name, count] of Object.entries(seeded.counts)) {
        const bytes = await readFile(path.join(out, dbA, `${name}.bson`));
        expect(splitBson(bytes).length, name).toBe(count);
      }

      const read = await readBack(readDirectoryDump(out));
      expect(read.inspection.valid, read.inspection.error?.message).toBe(true);
      expect(bodyCounts(read.inspection)).toEqual({
        ...prefixed(dbA, seeded.counts),
        ...prefixed(dbB, countsB),
      });
      // The documents are the source's bytes.
      const orders = await rawDocumentsById(ws.client.db(dbA), 'orders');
      for (const raw of read.documents.get(`${dbA}.orders`) ?? [])
        expect(raw.equals(orders.get(idKey(raw))!)).toBe(true);
      // Last: nothing is compressed, so "the files before compression" (DumpReport.uncompressedBytes) are the files.
      expect(report.uncompressedBytes, 'uncompressedBytes = the files before compression').toBe(total);
    });

    it('tarball: one .tar.gz (mode 0600) that restores to the same documents', async (ctx) => {
      requireServer(ctx);
      const backupDir = path.join(ws.workDir, 'tar-backups');
      const svc = service(backupDir);
      const report = await svc.dump({ databases: [dbA], format: 'directory', tarball: true });
      const names = await readdir(backupDir);
      expect(names).toEqual([`${dbA}_dump_${report.startedAt.toISOString().replace(/[:.]/g, '-')}.tar.gz`]);
      const file = path.join(backupDir, names[0]!);
      expect(report.path).toBe(path.resolve(file));
      expect(report.tarball).toBe(true);
      const info = await stat(file);
      expect(info.mode & 0o777).toBe(0o600);
      expect(report.sizeBytes).toBe(info.size);
      const bytes = await readFile(file);
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
      expect((await svc.listBackups()).map((b) => [b.name, b.kind, b.database])).toEqual([
        [names[0], 'tar.gz', dbA],
      ]);

      const extracted = path.join(ws.workDir, 'tar-extracted');
      await extractTarGz(file, extracted);
      const { inspection } = await readBack(readDirectoryDump(extracted));
      expect(inspection.valid, inspection.error?.message).toBe(true);
      expect(bodyCounts(inspection)).toEqual(prefixed(dbA, seeded.counts));

      const target = ws.database('dopt_tar_dst');
      const restored = await svc.restore({
        from: file,
        nsFrom: [`${dbA}.*`],
        nsTo: [`${target}.*`],
        into: 'source',
      });
      expect(restored.documentsInserted).toBe(totalA());
      expect(await expectSameDocuments(ws.client.db(dbA), ws.client.db(target))).toBe(totalA());
    });
  });

  it('onProgress: start, progress, end per namespace; final documents and estimatedTotal equal the count', async (ctx) => {
    requireServer(ctx);
    const events: DumpProgress[] = [];
    const report = await service(ws.workDir).dump({
      databases: [dbA],
      output: collector().stream,
      batchSize: 100,
      onProgress: (p) => events.push({ ...p }),
    });
    const namespaces = Object.keys(prefixed(dbA, seeded.counts)).sort();
    expect([...new Set(events.map((e) => e.namespace))].sort()).toEqual(namespaces);
    for (const namespace of namespaces) {
      const count = seeded.counts[namespace.slice(dbA.length + 1)]!;
      const own = events.filter((e) => e.namespace === namespace);
      expect(own[0], namespace).toMatchObject({ phase: 'start', documents: 0, bytes: 0 });
      expect(own.at(-1), namespace).toMatchObject({
        phase: 'end',
        documents: count,
        bytes: report.namespaces.find((ns) => ns.namespace === namespace)?.bytes,
      });
      expect(
        own.slice(1, -1).every((e) => e.phase === 'progress'),
        namespace,
      ).toBe(true);
      for (let i = 1; i < own.length; i += 1) {
        expect(own[i]!.documents).toBeGreaterThanOrEqual(own[i - 1]!.documents);
        expect(own[i]!.bytes).toBeGreaterThanOrEqual(own[i - 1]!.bytes);
      }
      for (const e of own) expect(e.estimatedTotal, `${namespace} ${e.phase}`).toBe(count);
    }
  });

  describe('metadata fidelity', () => {
    const metadataDb = ws.database('dopt_meta');

    const dumpMetadata = async (db: string) => {
      const sink = collector();
      await service(ws.workDir).dump({ databases: [db], output: sink.stream });
      const inspection = await inspectArchive(await sink.bytes());
      expect(inspection.valid).toBe(true);
      return inspection;
    };
    const specsByName = (specs: readonly unknown[]): Record<string, string> =>
      Object.fromEntries(specs.map((spec) => [String((plainOf(spec) as Document)['name']), canonical(spec)]));

    it('indexes (keys, names, unique), capped options and the collection UUID are the source’s', async (ctx) => {
      requireServer(ctx);
      const db = ws.client.db(metadataDb);
      await db.collection<NumId>('indexed').insertMany([
        { _id: 1, u: 1, s: 'x', d: 1, e: 2 },
        { _id: 2, u: 2, d: 1, e: 3 },
      ]);
      await db.collection('indexed').createIndex({ u: 1 }, { unique: true, name: 'u_unique' });
      await db.collection('indexed').createIndex({ d: 1, e: -1 }, { name: 'd_e_compound' });
      await db.createCollection('capped', { capped: true, size: 65536, max: 100 });

      const inspection = await dumpMetadata(metadataDb);
      const infos = await db.listCollections({}, { promoteValues: false }).toArray();
      expect(inspection.entries.map((e) => e.collection).sort()).toEqual(infos.map((i) => i.name).sort());
      for (const entry of inspection.entries) {
        const info = infos.find((i) => i.name === entry.collection) as Document;
        const source = await db.collection(entry.collection).listIndexes({ promoteValues: false }).toArray();
        expect(specsByName(entry.metadata!.indexes), entry.collection).toEqual(specsByName(source));
        expect(canonical(entry.metadata!.options), entry.collection).toBe(canonical(info['options'] ?? {}));
        const uuid = (info['info'] as { uuid: { toString(encoding: 'hex'): string } }).uuid;
        expect(entry.metadata!.uuid, entry.collection).toBe(uuid.toString('hex'));
        expect(entry.metadata!.collectionName).toBe(entry.collection);
      }
      const indexed = inspection.entries.find((e) => e.collection === 'indexed')!.metadata!;
      expect(plainOf(indexed.indexes.find((ix) => ix.get('name') === 'u_unique'))).toMatchObject({
        unique: true,
      });
      expect(canonical(indexed.indexes.find((ix) => ix.get('name') === 'd_e_compound')!.get('key'))).toBe(
        canonical({ d: new BSON.Int32(1), e: new BSON.Int32(-1) }),
      );
      const capped = inspection.entries.find((e) => e.collection === 'capped')!.metadata!;
      expect(plainOf(capped.options)).toMatchObject({ capped: true });
      expect(Number(capped.options.get('size'))).toBe(65536);
      expect(Number(capped.options.get('max'))).toBe(100);

      // The seeded database too: every collection keeps its UUID and index set.
      const seededInspection = await dumpMetadata(dbA);
      const seededInfos = await ws.client.db(dbA).listCollections().toArray();
      for (const entry of seededInspection.entries) {
        const info = seededInfos.find((i) => i.name === entry.collection) as Document;
        const uuid = (info['info'] as { uuid: { toString(encoding: 'hex'): string } }).uuid;
        expect(entry.metadata!.uuid, entry.collection).toBe(uuid.toString('hex'));
        expect(entry.metadata!.indexes.map((ix) => String(ix.get('name'))).sort()).toEqual(
          seeded.indexes[entry.collection],
        );
      }
    });

    it('sparse, partial, TTL indexes and validators are kept', async (ctx) => {
      requireServer(ctx);
      if (isFerretDb()) {
        ctx.skip(
          'FerretDB 1.24: partialFilterExpression, expireAfterSeconds and validator are not implemented, and ' +
            'listIndexes does not report sparse',
        );
      }
      const dbName = ws.database('dopt_meta2');
      const db = ws.client.db(dbName);
      await db.createCollection('validated', {
        validator: { $jsonSchema: { bsonType: 'object', required: ['p'] } },
        validationLevel: 'moderate',
      });
      await db.collection<NumId>('validated').insertOne({ _id: 1, p: 1, t: new Date() });
      await db
        .collection('validated')
        .createIndex({ p: 1 }, { name: 'p_partial', partialFilterExpression: { p: { $gt: 0 } } });
      await db.collection('validated').createIndex({ t: 1 }, { name: 't_ttl', expireAfterSeconds: 3600 });
      await db.collection('validated').createIndex({ s: 1 }, { name: 's_sparse', sparse: true });

      const inspection = await dumpMetadata(dbName);
      const entry = inspection.entries.find((e) => e.collection === 'validated')!;
      const source = await db.collection('validated').listIndexes({ promoteValues: false }).toArray();
      expect(specsByName(entry.metadata!.indexes)).toEqual(specsByName(source));
      const partial = entry.metadata!.indexes.find((ix) => ix.get('name') === 'p_partial')!;
      expect(canonical(partial.get('partialFilterExpression'))).toBe(
        canonical({ p: { $gt: new BSON.Int32(0) } }),
      );
      expect(plainOf(entry.metadata!.indexes.find((ix) => ix.get('name') === 's_sparse'))).toMatchObject({
        sparse: true,
      });
      expect(
        Number(entry.metadata!.indexes.find((ix) => ix.get('name') === 't_ttl')!.get('expireAfterSeconds')),
      ).toBe(3600);
      const [info] = await db.listCollections({ name: 'validated' }, { promoteValues: false }).toArray();
      expect(canonical(entry.metadata!.options)).toBe(canonical((info as Document)['options']));
      expect(entry.metadata!.options.has('validator')).toBe(true);
    });
  });

  describe('invalid options are refused with a UsageError before anything is written', () => {
    const cases = (
      dbs: { a: string; b: string },
      stream: PassThrough,
    ): [string, DumpOptions, ErrorCode][] => [
      [
        'collection with two databases',
        { databases: [dbs.a, dbs.b], collection: 'orders' },
        ErrorCode.INVALID_OPTIONS,
      ],
      ['collection without a database', { collection: 'orders' }, ErrorCode.INVALID_OPTIONS],
      ['gzipLevel 12', { gzipLevel: 12 }, ErrorCode.INVALID_OPTIONS],
      ['gzipLevel -1', { gzipLevel: -1 }, ErrorCode.INVALID_OPTIONS],
      ['gzipLevel 1.5', { gzipLevel: 1.5 }, ErrorCode.INVALID_OPTIONS],
      ['directory format to a Writable', { format: 'directory', output: stream }, ErrorCode.INVALID_OPTIONS],
      ['tarball without directory format', { tarball: true }, ErrorCode.INVALID_OPTIONS],
      ['tarball with archive format', { format: 'archive', tarball: true }, ErrorCode.INVALID_OPTIONS],
      ['parallelCollections 0', { parallelCollections: 0 }, ErrorCode.INVALID_OPTIONS],
      ['parallelCollections 65', { parallelCollections: 65 }, ErrorCode.INVALID_OPTIONS],
      ['query that is not Extended JSON', { query: '{"seq":' }, ErrorCode.INVALID_OPTIONS],
      ['query that is an array', { query: '[1, 2]' }, ErrorCode.INVALID_OPTIONS],
      ['nsInclude with $', { nsInclude: [`${dbs.a}.$cmd`] }, ErrorCode.INVALID_NAMESPACE_PATTERN],
      [
        'collection with excludeCollections',
        { databases: [dbs.a], collection: 'orders', excludeCollections: ['large'] },
        ErrorCode.INVALID_OPTIONS,
      ],
      [
        'collection with excludeCollectionPrefixes',
        { databases: [dbs.a], collection: 'orders', excludeCollectionPrefixes: ['l'] },
        ErrorCode.INVALID_OPTIONS,
      ],
      [
        'a system.buckets collection',
        { databases: [dbs.a], collection: 'system.buckets.weather' },
        ErrorCode.INVALID_OPTIONS,
      ],
      [
        'usersAndRoles with two databases',
        { databases: [dbs.a, dbs.b], usersAndRoles: true },
        ErrorCode.INVALID_OPTIONS,
      ],
      [
        'queries with a key that is not db.collection',
        { queries: { orders: {} } },
        ErrorCode.INVALID_OPTIONS,
      ],
      ['an unknown option', { databse: [dbs.a] } as unknown as DumpOptions, ErrorCode.INVALID_OPTIONS],
      ['an unknown format', { format: 'zip' } as unknown as DumpOptions, ErrorCode.INVALID_OPTIONS],
      ['an empty database name', { databases: [''] }, ErrorCode.INVALID_OPTIONS],
    ];

    it('with a live source: typed error, no file, no folder, no byte to the stream', async (ctx) => {
      requireServer(ctx);
      const backupDir = path.join(ws.workDir, 'invalid-backups');
      const svc = service(backupDir);
      const stream = collector();
      for (const [what, options, code] of cases({ a: dbA, b: dbB }, stream.stream)) {
        const error = await rejection(svc.dump(options));
        expect(error, what).toBeInstanceOf(MongoBackupUsageError);
        expect((error as MongoBackupUsageError).code, what).toBe(code);
        expect(await readdir(backupDir).catch(() => 'missing'), what).toBe('missing');
      }
      // An explicit output path is not created either.
      const output = path.join(ws.workDir, 'invalid-out', 'x.gz');
      const error = await rejection(svc.dump({ databases: [dbA], gzipLevel: 12, output }));
      expect(error).toBeInstanceOf(MongoBackupUsageError);
      expect(await readdir(path.dirname(output)).catch(() => 'missing')).toBe('missing');
      stream.stream.end();
      expect((await stream.bytes()).length).toBe(0);
    });

    /** A client of port 1 on loopback, where nothing listens, counting its topology openings (any connection attempt). */
    function unreachableClient(): { readonly client: MongoClient; readonly opened: () => number } {
      const client = new MongoClient('mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=5000');
      let opened = 0;
      client.on('topologyOpening', () => (opened += 1));
      return { client, opened: () => opened };
    }

    it('before connecting: the UsageError comes without the client ever opening a connection', async (ctx) => {
      requireServer(ctx);
      const backupDir = path.join(ws.workDir, 'invalid-unreachable');
      const { client: unconnected, opened } = unreachableClient();
      const svc = new MongoBackupService({ source: unconnected, backupDir, env: {} });
      try {
        const stream = collector();
        for (const [what, options, code] of cases({ a: 'a', b: 'b' }, stream.stream)) {
          const error = await rejection(svc.dump(options));
          expect(error, what).toBeInstanceOf(MongoBackupUsageError);
          expect((error as MongoBackupUsageError).code, what).toBe(code);
          expect(opened(), what).toBe(0);
        }
        expect(await readdir(backupDir).catch(() => 'missing')).toBe('missing');
      } finally {
        await svc.close();
        await unconnected.close();
      }
    });

    it('with encryption on, a directory dump, packed or not, is refused before connecting and writes nothing', async (ctx) => {
      requireServer(ctx);
      const backupDir = path.join(ws.workDir, 'invalid-encrypted-directory');
      const { client: unconnected, opened } = unreachableClient();
      const svc = new MongoBackupService({
        source: unconnected,
        backupDir,
        encryption: { key: '11'.repeat(32), keyId: 'test' },
        env: {},
      });
      try {
        for (const tarball of [false, true]) {
          const error = await rejection(svc.dump({ format: 'directory', tarball }));
          expect(error, `tarball: ${tarball}`).toBeInstanceOf(MongoBackupUsageError);
          expect((error as MongoBackupUsageError).code, `tarball: ${tarball}`).toBe(
            ErrorCode.INVALID_OPTIONS,
          );
          expect((error as Error).message).toMatch(/archive/);
        }
        expect(opened()).toBe(0);
        expect(await readdir(backupDir).catch(() => 'missing')).toBe('missing');
      } finally {
        await svc.close();
        await unconnected.close();
      }
    });
  });
});
