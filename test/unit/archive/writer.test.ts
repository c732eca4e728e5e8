import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { BSON, Int32, Long } from 'bson';
import { describe, expect, test } from 'vitest';
import { ArchiveError, createArchiveWriter, crc64, inspectArchive } from '../../../src/archive/index.js';
import type { ArchiveWriterOptions, NamespaceEntry } from '../../../src/archive/index.js';
import { BSON_SAMPLES } from '../../support/bson-samples.js';
import { fixture } from '../../support/paths.js';
import { bson, collect, rawItems, readAll } from './helpers.js';

/** The prelude entries of a fixture, to rebuild it. */
async function fixtureEntries(file: string): Promise<NamespaceEntry[]> {
  const events = await readAll([readFileSync(fixture(file))]);
  const prelude = events.find((e) => e.kind === 'prelude');
  return prelude?.kind === 'prelude' ? [...prelude.entries] : [];
}

describe('writer output bytes', () => {
  test('reproduces a mongodump-shaped archive byte for byte (ok-baseline.archive)', async () => {
    const [entry] = await fixtureEntries('synthetic/edge-cases/ok-baseline.archive');
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.14', toolVersion: '100.12.2' },
      namespaces: [{ db: 'd', collection: 'c', metadataJson: entry?.metadataJson }],
    });
    const bytes = collect(writer.stream);
    const c = writer.openNamespace('d', 'c');
    await c.write(bson({ _id: new Int32(1), x: 'a' }));
    await c.write(bson({ _id: new Int32(2), x: 'b' }));
    const summary = await c.end();
    await writer.finish();
    expect(summary.documents).toBe(2);
    expect((await bytes).equals(readFileSync(fixture('synthetic/edge-cases/ok-baseline.archive')))).toBe(
      true,
    );
  });

  test('writes an empty namespace exactly as mongodump does (empty-collection-like-mongodump.archive)', async () => {
    const [entry] = await fixtureEntries('synthetic/edge-cases/empty-collection-like-mongodump.archive');
    const expected = readFileSync(fixture('synthetic/edge-cases/empty-collection-like-mongodump.archive'));
    const options: ArchiveWriterOptions = {
      header: { serverVersion: '7.0.14', toolVersion: '100.12.2' },
      namespaces: [{ db: 'd', collection: 'c', metadataJson: entry?.metadataJson }],
    };
    // Never opened: finish() writes it.
    const untouched = createArchiveWriter(options);
    const untouchedBytes = collect(untouched.stream);
    await untouched.finish();
    expect((await untouchedBytes).equals(expected)).toBe(true);
    // Opened and ended without documents: same bytes.
    const opened = createArchiveWriter(options);
    const openedBytes = collect(opened.stream);
    await opened.openNamespace('d', 'c').end();
    await opened.finish();
    expect((await openedBytes).equals(expected)).toBe(true);
  });

  test('prelude and block headers have mongodump field order and BSON types', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '6.0.3' },
      namespaces: [
        {
          db: 'shop',
          collection: 'orders',
          metadata: { options: new Map(), indexes: [], collectionName: 'orders' },
        },
        { db: '', collection: 'oplog' },
      ],
      gzip: true,
    });
    const bytes = collect(writer.stream);
    const orders = writer.openNamespace('shop', 'orders');
    const doc = bson({ n: 1 });
    await orders.write(doc);
    await orders.end();
    await writer.finish();
    const raw = gunzipSync(await bytes);
    const items = rawItems(raw);
    expect(items[0]?.bytes.equals(Buffer.from([0x6d, 0xe2, 0x99, 0x81]))).toBe(true);
    const decode = (i: number): Record<string, unknown> =>
      BSON.deserialize(items[i]?.bytes as Buffer, { promoteValues: false });
    const types = (d: Record<string, unknown>): string[] =>
      Object.entries(d).map(([k, v]) => `${k}:${(v as { _bsontype?: string })?._bsontype ?? typeof v}`);
    expect(types(decode(1))).toEqual([
      'concurrent_collections:Int32',
      'version:string',
      'server_version:string',
      'tool_version:string',
    ]);
    expect(decode(1)).toMatchObject({
      version: '0.1',
      server_version: '6.0.3',
      tool_version: 'mongo-backup-service 0.1.0',
    });
    expect(types(decode(2))).toEqual([
      'db:string',
      'collection:string',
      'metadata:string',
      'size:Int32',
      'type:string',
    ]);
    expect(decode(2)).toMatchObject({
      db: 'shop',
      collection: 'orders',
      metadata: '{"indexes":[],"collectionName":"orders"}',
    });
    expect(decode(3)).toMatchObject({ db: '', collection: 'oplog', metadata: '', type: '' });
    expect(items.map((i) => i.kind)).toEqual([
      'magic',
      'document', // header
      'document', // shop.orders entry
      'document', // oplog entry
      'terminator',
      'document', // shop.orders EOF false
      'document', // the document
      'terminator',
      'document', // shop.orders EOF true
      'terminator',
      'document', // .oplog EOF false (written last, empty)
      'terminator',
      'document', // .oplog EOF true
      'terminator',
    ]);
    expect(types(decode(5))).toEqual(['db:string', 'collection:string', 'EOF:boolean', 'CRC:Long']);
    expect(decode(5)).toMatchObject({ db: 'shop', collection: 'orders', EOF: false, CRC: Long.ZERO });
    expect(items[6]?.bytes.equals(doc)).toBe(true);
    expect(decode(8)).toMatchObject({ EOF: true, CRC: Long.fromBigInt(BigInt.asIntN(64, crc64(doc))) });
    expect(decode(10)).toMatchObject({ db: '', collection: 'oplog', EOF: false });
    expect(decode(12)).toMatchObject({ db: '', collection: 'oplog', EOF: true, CRC: Long.ZERO });
  });

  test('segments: documents are grouped up to segmentSize, a larger document gets a segment of its own', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
      segmentSize: 100,
    });
    const bytes = collect(writer.stream);
    const c = writer.openNamespace('d', 'c');
    const small = bson({ s: 'x'.repeat(20) }); // 33 bytes: three fit in 100
    const large = bson({ s: 'y'.repeat(200) }); // 213 bytes
    for (const doc of [small, small, small, large, small]) await c.write(doc);
    await c.end();
    await writer.finish();
    const body = rawItems(await bytes)
      .slice(4)
      .map((i) => (i.kind === 'terminator' ? '|' : i.bytes.length));
    expect(small.length).toBe(33);
    expect(large.length).toBe(213);
    // header (52 bytes), documents, terminator; then the EOF block.
    expect(body).toEqual([52, 33, 33, 33, '|', 52, 213, '|', 52, 33, '|', 52, '|']);
  });
});

describe('round trip', () => {
  const docs = (prefix: string, count: number): Buffer[] =>
    Array.from({ length: count }, (_, i) =>
      bson({
        _id: `${prefix}-${i}`,
        n: i,
        nested: { s: 'v'.repeat(i % 50), list: [i, i * 2] },
        at: new Date(i),
      }),
    );

  for (const gzip of [false, true]) {
    test(`interleaved namespaces, empty ones, a view, timeseries and the oplog (gzip ${gzip})`, async () => {
      const data: Record<string, Buffer[]> = {
        'shop.orders': docs('o', 400),
        'shop.items.v2': docs('i', 250),
        'metrics.system.buckets.cpu': docs('b', 60),
        'big.blobs': [bson({ blob: Buffer.alloc(300_000, 7) }), bson({ blob: Buffer.alloc(10, 1) })],
        '.oplog': docs('op', 20),
      };
      const writer = createArchiveWriter({
        header: { serverVersion: '7.0.14', concurrentCollections: 3 },
        namespaces: [
          { db: 'shop', collection: 'orders' },
          { db: 'shop', collection: 'items.v2' },
          { db: 'shop', collection: 'empty' },
          { db: 'shop', collection: 'never-opened' },
          {
            db: 'shop',
            collection: 'recent',
            type: 'view',
            metadataJson:
              '{"options":{"viewOn":"orders","pipeline":[]},"indexes":[],"collectionName":"recent","type":"view"}',
          },
          { db: 'metrics', collection: 'cpu', type: 'timeseries' },
          { db: 'big', collection: 'blobs' },
          { db: '', collection: 'oplog' },
        ],
        gzip,
        segmentSize: 2048,
      });
      const bytes = collect(writer.stream);
      const writeAll = async (db: string, collection: string, list: Buffer[]): Promise<void> => {
        const ns = writer.openNamespace(db, collection);
        for (const doc of list) await ns.write(doc);
        await ns.end();
      };
      await Promise.all([
        writeAll('shop', 'orders', data['shop.orders'] as Buffer[]),
        writeAll('shop', 'items.v2', data['shop.items.v2'] as Buffer[]),
        writeAll('metrics', 'cpu', data['metrics.system.buckets.cpu'] as Buffer[]),
        writeAll('big', 'blobs', data['big.blobs'] as Buffer[]),
        writeAll('shop', 'empty', []),
        writer.openNamespace('shop', 'recent').end(),
      ]);
      await writeAll('', 'oplog', data['.oplog'] as Buffer[]);
      const summary = await writer.finish();
      const archive = await bytes;
      expect(archive[0] === 0x1f && archive[1] === 0x8b).toBe(gzip);

      const events = await readAll([archive]);
      const read = new Map<string, Buffer[]>();
      const kinds: string[] = [];
      for (const event of events) {
        if (event.kind === 'documents') {
          const name = `${event.db}.${event.collection}`;
          read.set(name, [...(read.get(name) ?? []), ...event.documents]);
          if (kinds.at(-1) !== name) kinds.push(name);
        }
      }
      for (const [name, list] of Object.entries(data)) {
        expect(read.get(name)?.map((d) => d.toString('hex'))).toEqual(list.map((d) => d.toString('hex')));
      }
      // Segments of different namespaces interleave.
      expect(new Set(kinds).size).toBeLessThan(kinds.length);
      expect(kinds.at(-1)).toBe('.oplog');

      const ends = events.filter((e) => e.kind === 'namespace-end');
      expect(ends.map((e) => `${e.db}.${e.collection}`).sort()).toEqual(
        summary.namespaces.map((n) => `${n.db}.${n.collection}`).sort(),
      );
      for (const end of ends) {
        const written = summary.namespaces.find((n) => n.db === end.db && n.collection === end.collection);
        expect(end).toMatchObject({
          documents: written?.documents,
          bytes: written?.bytes,
          crc: written?.crc,
        });
      }
      expect(summary.documents).toBe(Object.values(data).reduce((sum, list) => sum + list.length, 0));
      const prelude = events.find((e) => e.kind === 'prelude');
      expect(prelude?.kind === 'prelude' && prelude.entries.map((e) => e.type)).toEqual([
        'collection',
        'collection',
        'collection',
        'collection',
        'view',
        'timeseries',
        'collection',
        '',
      ]);
      expect((await inspectArchive([archive])).valid).toBe(true);
    });
  }

  test('timeseries from an 8.3+ server is written under the collection itself', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '8.3.0' },
      namespaces: [{ db: 'm', collection: 'cpu', type: 'timeseries' }],
    });
    const bytes = collect(writer.stream);
    expect(() => writer.openNamespace('m', 'system.buckets.cpu')).toThrow(ArchiveError);
    const ns = writer.openNamespace('m', 'cpu');
    expect(ns.collection).toBe('cpu');
    await ns.write(bson({ t: 1 }));
    await ns.end();
    await writer.finish();
    const report = await inspectArchive([await bytes]);
    expect(report.valid).toBe(true);
    expect(report.namespaces.map((n) => n.namespace)).toEqual(['m.cpu']);
  });

  test('below 8.3 a timeseries namespace opens as its buckets namespace under either name', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [
        { db: 'm', collection: 'cpu', type: 'timeseries' },
        { db: 'm', collection: 'mem', type: 'timeseries' },
      ],
    });
    const bytes = collect(writer.stream);
    expect(writer.openNamespace('m', 'cpu').collection).toBe('system.buckets.cpu');
    expect(writer.openNamespace('m', 'system.buckets.mem').collection).toBe('system.buckets.mem');
    expect(() => writer.openNamespace('m', 'system.buckets.cpu')).toThrow(/already opened/);
    writer.abort();
    await expect(bytes).rejects.toThrow();
  });

  test('every BSON type survives byte for byte', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 't', collection: 'all' }],
    });
    const bytes = collect(writer.stream);
    const ns = writer.openNamespace('t', 'all');
    const written = BSON_SAMPLES.map((sample) => bson({ _id: sample.name, v: sample.value }));
    for (const doc of written) await ns.write(doc);
    await ns.end();
    await writer.finish();
    const events = await readAll([await bytes]);
    const read = events.flatMap((e) => (e.kind === 'documents' ? e.documents : []));
    expect(read.map((d) => d.toString('base64'))).toEqual(written.map((d) => d.toString('base64')));
  });

  test('the caller may reuse its buffer once write() resolved: the writer copied it', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
    });
    const bytes = collect(writer.stream);
    const ns = writer.openNamespace('d', 'c');
    const pooled = Buffer.alloc(64);
    const first = bson({ k: 'first' });
    first.copy(pooled);
    await ns.write(pooled.subarray(0, first.length));
    pooled.fill(0xee); // what a driver's buffer pool would do
    await ns.end();
    await writer.finish();
    const events = await readAll([await bytes]);
    const docs = events.flatMap((e) => (e.kind === 'documents' ? e.documents : []));
    expect(docs[0]?.equals(first)).toBe(true);
  });

  test('writeMany() writes the same bytes as one write() per document, segments included', async () => {
    const list = Array.from({ length: 300 }, (_, i) => bson({ i, pad: 'p'.repeat(i % 50) }));
    const archive = async (many: boolean): Promise<Buffer> => {
      const writer = createArchiveWriter({
        header: { serverVersion: '7.0.0' },
        namespaces: [{ db: 'd', collection: 'c' }],
        segmentSize: 1000,
      });
      const bytes = collect(writer.stream);
      const ns = writer.openNamespace('d', 'c');
      if (many) {
        await ns.writeMany(list.slice(0, 7));
        await ns.writeMany([]);
        await ns.writeMany(list.slice(7));
      } else {
        for (const doc of list) await ns.write(doc);
      }
      const summary = await ns.end();
      expect(summary.documents).toBe(list.length);
      await writer.finish();
      return bytes;
    };
    const [one, many] = [await archive(false), await archive(true)];
    expect(many.equals(one)).toBe(true);
  });

  test('writeMany() waits for the stream between documents, not only at the end (backpressure)', async () => {
    const segmentSize = 4096;
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
      segmentSize,
    });
    const ns = writer.openNamespace('d', 'c');
    const doc = bson({ pad: 'x'.repeat(500) });
    const list = Array.from({ length: 2000 }, () => doc);
    let done = false;
    const writing = ns.writeMany(list).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    // Nobody reads: the writer stopped after about the high-water mark (64 KiB) and a segment.
    expect(done).toBe(false);
    expect(writer.stream.readableLength).toBeLessThan(64 * 1024 + 2 * segmentSize);
    const bytes = collect(writer.stream);
    await writing;
    await ns.end();
    await writer.finish();
    const events = await readAll([await bytes]);
    expect(events.flatMap((e) => (e.kind === 'documents' ? e.documents : []))).toHaveLength(list.length);
  });

  test('writeMany() and write() calls not awaited keep their order', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
      segmentSize: 64,
    });
    const bytes = collect(writer.stream);
    const ns = writer.openNamespace('d', 'c');
    const list = Array.from({ length: 500 }, (_, i) => bson({ i }));
    const pending: Promise<void>[] = [];
    for (let i = 0; i < list.length; i += 50) {
      pending.push(ns.write(list[i] as Buffer), ns.writeMany(list.slice(i + 1, i + 50)));
    }
    await Promise.all(pending);
    await ns.end();
    await writer.finish();
    const events = await readAll([await bytes]);
    const docs = events.flatMap((e) => (e.kind === 'documents' ? e.documents : []));
    expect(docs.map((d) => BSON.deserialize(d)['i'])).toEqual(list.map((_, i) => i));
  });

  test('unawaited writes keep their order', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
      segmentSize: 64,
    });
    const bytes = collect(writer.stream);
    const ns = writer.openNamespace('d', 'c');
    const list = Array.from({ length: 500 }, (_, i) => bson({ i }));
    await Promise.all(list.map((doc) => ns.write(doc)));
    await ns.end();
    await writer.finish();
    const events = await readAll([await bytes]);
    const docs = events.flatMap((e) => (e.kind === 'documents' ? e.documents : []));
    expect(docs.map((d) => BSON.deserialize(d)['i'])).toEqual(list.map((_, i) => i));
  });
});
