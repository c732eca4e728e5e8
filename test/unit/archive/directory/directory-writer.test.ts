import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc64 } from '../../../../src/archive/crc64.js';
import {
  collectionFileStem,
  createDirectoryWriter,
  readDirectoryDump,
} from '../../../../src/archive/directory/index.js';
import type {
  DirectoryNamespaceWriter,
  DirectoryWriterOptions,
} from '../../../../src/archive/directory/index.js';
import { DEFAULT_TOOL_VERSION } from '../../../../src/archive/constants.js';
import { formatPreludeJson } from '../../../../src/archive/directory/prelude-json.js';
import { formatMetadataJson } from '../../../../src/archive/metadata-json.js';
import { ArchiveError, ErrorCode, MongoBackupConfigError } from '../../../../src/errors.js';
import { fixture } from '../../../support/paths.js';
import { bson, collectEvents, documentsByNamespace, endsByNamespace, tempDir } from './helpers.js';
import { ordered } from '../../../support/ordered.js';

const metadataOf = (
  collection: string,
  type: 'collection' | 'view' | 'timeseries' = 'collection',
  options = {},
) =>
  formatMetadataJson({
    options: ordered(options),
    indexes: type === 'view' ? [] : [ordered({ v: 2, key: { _id: 1 }, name: '_id_' })],
    ...(type === 'view' ? {} : { uuid: '0123456789abcdef0123456789abcdef' }),
    collectionName: collection,
    type,
  });

/** A collection name longer than any file name, with a two-byte character where the 208-character cut falls. */
const LONG_NAME = `${'a'.repeat(207)}é${'b'.repeat(92)}`;
const SPECIAL_NAME = 'a b/c$é+%.d';

interface Planned {
  readonly db: string;
  readonly collection: string;
  readonly metadataJson: string | undefined;
  readonly documents: readonly Buffer[];
}

const manyDocuments = Array.from({ length: 50 }, (_, index) =>
  bson({ _id: index, text: 'x'.repeat(index * 10) }),
);
const PLAN: readonly Planned[] = [
  { db: 'shop', collection: 'orders', metadataJson: metadataOf('orders'), documents: manyDocuments },
  { db: 'shop', collection: 'empty', metadataJson: metadataOf('empty'), documents: [] },
  {
    db: 'shop',
    collection: SPECIAL_NAME,
    metadataJson: metadataOf(SPECIAL_NAME),
    documents: [bson({ s: 1 })],
  },
  {
    db: 'shop',
    collection: LONG_NAME,
    metadataJson: metadataOf(LONG_NAME),
    documents: [bson({ l: 1 }), bson({ l: 2 })],
  },
  {
    db: 'shop',
    collection: 'system.buckets.weather',
    metadataJson: undefined,
    documents: [bson({ bucket: 1 })],
  },
  { db: 'other', collection: 'raw', metadataJson: undefined, documents: [bson({ r: 1 })] },
  { db: '', collection: 'oplog', metadataJson: undefined, documents: [bson({ op: 'i' }), bson({ op: 'u' })] },
];
const VIEW_METADATA = metadataOf('recent', 'view', { viewOn: 'orders', pipeline: [{ $limit: 10 }] });
const WEATHER_METADATA = metadataOf('weather', 'timeseries', { timeseries: { timeField: 't' } });

async function writePlan(options: DirectoryWriterOptions): Promise<void> {
  const writer = createDirectoryWriter(options);
  // Namespaces written in parallel, as a dump with several collections at once would.
  await Promise.all(
    PLAN.map(async (planned) => {
      const namespace = await writer.namespace(planned.db, planned.collection, planned.metadataJson);
      for (const document of planned.documents) await namespace.write(document);
      expect(await namespace.end()).toEqual({
        documents: planned.documents.length,
        bytes: Buffer.concat(planned.documents).length,
      });
    }),
  );
  await writer.writeMetadataOnly('shop', 'recent', VIEW_METADATA);
  await writer.writeMetadataOnly('shop', 'weather', WEATHER_METADATA);
  const summary = await writer.close();
  const bytes = PLAN.reduce((sum, planned) => sum + Buffer.concat(planned.documents).length, 0);
  // Every file before compression: documents, each metadata file and prelude.json.
  const texts = [
    ...PLAN.map((planned) => planned.metadataJson ?? ''),
    VIEW_METADATA,
    WEATHER_METADATA,
    formatPreludeJson({
      serverVersion: options.serverVersion,
      toolVersion: options.toolVersion ?? DEFAULT_TOOL_VERSION,
    }),
  ];
  expect(summary).toEqual({
    namespaces: PLAN.length + 2,
    documents: PLAN.reduce((sum, planned) => sum + planned.documents.length, 0),
    bytes,
    fileBytes: bytes + texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0),
  });
}

describe('createDirectoryWriter -> readDirectoryDump round trip', () => {
  it.each([
    ['without gzip', false],
    ['with gzip', true],
    ['with gzip level 1', { level: 1 }],
  ] as const)('%s: identical namespaces, metadata and document bytes', async (_name, gzip) => {
    const dir = await tempDir();
    await writePlan({ dir, gzip, serverVersion: '7.0.16', toolVersion: 'test-tool 1.0' });

    const events = await collectEvents(readDirectoryDump(dir));
    expect(events[0]).toEqual({
      kind: 'header',
      header: {
        concurrentCollections: 4,
        version: '0.1',
        serverVersion: '7.0.16',
        toolVersion: 'test-tool 1.0',
      },
    });
    const prelude = events[1]?.kind === 'prelude' ? events[1].entries : [];
    const entries = new Map(prelude.map((entry) => [`${entry.db}.${entry.collection}`, entry]));
    for (const planned of PLAN.filter((p) => p.collection !== 'system.buckets.weather')) {
      const entry = entries.get(`${planned.db}.${planned.collection}`);
      expect(entry?.metadataJson, planned.collection).toBe(planned.metadataJson ?? '');
    }
    expect(entries.get('shop.recent')).toMatchObject({ type: 'view', metadataJson: VIEW_METADATA });
    expect(entries.get('shop.weather')).toMatchObject({ type: 'timeseries', metadataJson: WEATHER_METADATA });
    expect(entries.get('.oplog')).toMatchObject({ type: '', metadata: undefined });
    expect(prelude.at(-1)?.collection).toBe('oplog');
    expect(prelude).toHaveLength(PLAN.length + 1); // the buckets join the timeseries entry; the view is added

    const documents = documentsByNamespace(events);
    const ends = endsByNamespace(events);
    for (const planned of PLAN) {
      const namespace = `${planned.db}.${planned.collection}`;
      const written = Buffer.concat(planned.documents);
      expect(Buffer.concat(documents.get(namespace) ?? []).equals(written), namespace).toBe(true);
      expect(ends.get(namespace)).toEqual({
        kind: 'namespace-end',
        db: planned.db,
        collection: planned.collection,
        documents: planned.documents.length,
        bytes: written.length,
        crc: crc64(written),
      });
    }
    expect(ends.get('shop.recent')).toMatchObject({ documents: 0 });
  });

  it('names and protects files as mongodump does (gzip)', async () => {
    const dir = await tempDir();
    await writePlan({ dir, gzip: true, serverVersion: '7.0.16' });
    expect((await readdir(dir)).sort()).toEqual(['oplog.bson', 'other', 'prelude.json.gz', 'shop']);
    const shop = (await readdir(path.join(dir, 'shop'))).sort();
    expect(shop).toContain('a+b%2Fc%24%C3%A9%2B%25.d.bson.gz');
    expect(shop).toContain(`${collectionFileStem(LONG_NAME)}.metadata.json.gz`);
    expect(shop).toContain('recent.metadata.json.gz');
    expect(shop).not.toContain('recent.bson.gz');
    expect(shop).toContain('system.buckets.weather.bson.gz');
    expect(shop.every((name) => name.length <= 255)).toBe(true);
    const oplog = await readFile(path.join(dir, 'oplog.bson'));
    expect([oplog[0], oplog[1]]).toEqual([0x1f, 0x8b]);
    const prelude = gunzipSync(await readFile(path.join(dir, 'prelude.json.gz'))).toString();
    expect(JSON.parse(prelude)).toEqual({
      ServerVersion: '7.0.16',
      ToolVersion: 'mongo-backup-service 0.1.0',
    });
    expect(prelude.startsWith('{"ServerVersion":')).toBe(true);

    for (const target of [dir, path.join(dir, 'shop'), path.join(dir, 'other')]) {
      expect((await stat(target)).mode & 0o777, target).toBe(0o700);
    }
    for (const file of [
      'oplog.bson',
      'prelude.json.gz',
      'shop/orders.bson.gz',
      'shop/orders.metadata.json.gz',
    ]) {
      expect((await stat(path.join(dir, file))).mode & 0o777, file).toBe(0o600);
    }
  });

  it('writes plain files without gzip, prelude.json last', async () => {
    const dir = await tempDir();
    const writer = createDirectoryWriter({ dir, serverVersion: '6.0.1', toolVersion: '' });
    const namespace = await writer.namespace('db', 'c', undefined);
    await namespace.write(bson({ a: 1 }));
    await namespace.end();
    expect(await readdir(dir)).toEqual(['db']);
    await writer.close();
    expect(await readFile(path.join(dir, 'prelude.json'), 'utf8')).toBe(
      '{"ServerVersion":"6.0.1","ToolVersion":""}',
    );
    expect(await readFile(path.join(dir, 'db', 'c.bson'))).toEqual(bson({ a: 1 }));
  });

  it.each([
    'real-dirs/oplogdump',
    'real-dirs/usersdump',
    'real-dirs/longcollectionname',
    'real-dirs/specialcharacter',
  ])('rewrites %s with byte-identical files', async (source) => {
    const dir = await tempDir();
    const writer = createDirectoryWriter({ dir, serverVersion: '4.0.0' });
    const open = new Map<string, DirectoryNamespaceWriter>();
    for await (const event of readDirectoryDump(fixture(source))) {
      if (event.kind === 'prelude') {
        for (const entry of event.entries) {
          const metadata = entry.metadataJson === '' ? undefined : entry.metadataJson;
          open.set(
            `${entry.db}.${entry.collection}`,
            await writer.namespace(entry.db, entry.collection, metadata),
          );
        }
      } else if (event.kind === 'documents') {
        for (const document of event.documents)
          await open.get(`${event.db}.${event.collection}`)?.write(document);
      } else if (event.kind === 'namespace-end') {
        await open.get(`${event.db}.${event.collection}`)?.end();
      }
    }
    await writer.close();
    for (const file of await listFiles(fixture(source))) {
      if (!file.includes(path.sep) && file !== 'oplog.bson') continue; // top-level strays are not part of the dump
      const original = await readFile(path.join(fixture(source), file));
      expect((await readFile(path.join(dir, file))).equals(original), file).toBe(true);
    }
  });

  it('waits for the file to drain on large volumes (backpressure) and keeps every byte', async () => {
    const dir = await tempDir();
    const writer = createDirectoryWriter({ dir, gzip: { level: 1 }, serverVersion: '7.0.0' });
    const namespace = await writer.namespace('big', 'docs', undefined);
    const document = bson({ blob: Buffer.alloc(256 * 1024, 7) });
    let waited = 0;
    for (let index = 0; index < 80; index += 1) {
      let settled = false;
      const writing = namespace.write(document).then(() => {
        settled = true;
      });
      await Promise.resolve();
      if (!settled) waited += 1;
      await writing;
    }
    expect(await namespace.end()).toEqual({ documents: 80, bytes: 80 * document.length });
    await writer.close();
    expect(waited).toBeGreaterThan(0);
    expect(gunzipSync(await readFile(path.join(dir, 'big', 'docs.bson.gz'))).length).toBe(
      80 * document.length,
    );
  });
});

describe('createDirectoryWriter misuse', () => {
  it('refuses a document after end(), a namespace twice, and closing with a namespace open', async () => {
    const writer = createDirectoryWriter({ dir: await tempDir(), serverVersion: '7.0.0' });
    const first = await writer.namespace('db', 'c', undefined);
    await expect(writer.namespace('db', 'c', undefined)).rejects.toMatchObject({
      code: ErrorCode.ARCHIVE_WRITER_STATE,
    });
    await expect(writer.close()).rejects.toThrow(/1 namespace\(s\) have not ended/);
    await first.end();
    await expect(first.write(bson({ a: 1 }))).rejects.toMatchObject({ code: ErrorCode.ARCHIVE_WRITER_STATE });
    await expect(first.end()).rejects.toThrow(/already ended/);
    await writer.close();
    await expect(writer.namespace('db', 'd', undefined)).rejects.toThrow(/the writer is closed/);
  });

  it('refuses buffers that are not one BSON document', async () => {
    const writer = createDirectoryWriter({ dir: await tempDir(), serverVersion: '7.0.0' });
    const namespace = await writer.namespace('db', 'c', undefined);
    const twoDocuments = Buffer.concat([bson({ a: 1 }), bson({ b: 2 })]);
    await expect(namespace.write(twoDocuments)).rejects.toMatchObject({ code: ErrorCode.ARCHIVE_CORRUPT });
    await expect(namespace.write(Buffer.from([5, 0, 0, 0, 1]))).rejects.toThrow(/last byte 0x00/);
    const huge = Buffer.alloc(16 * 1024 * 1024 + 1);
    huge.writeInt32LE(huge.length, 0);
    await expect(namespace.write(huge)).rejects.toMatchObject({ code: ErrorCode.DOCUMENT_TOO_LARGE });
    await namespace.end();
  });

  it.each([
    ['a database name with a slash', 'a/b', 'c'],
    ['a database name with a dot', 'a.b', 'c'],
    ['an empty database name for anything but the oplog', '', 'c'],
    ['an empty collection name', 'db', ''],
  ])('refuses %s', async (_description, db, collection) => {
    const writer = createDirectoryWriter({ dir: await tempDir(), serverVersion: '7.0.0' });
    await expect(writer.namespace(db, collection, undefined)).rejects.toBeInstanceOf(ArchiveError);
  });

  it('refuses a shortened file name whose metadata does not record the collection name', async () => {
    const writer = createDirectoryWriter({ dir: await tempDir(), serverVersion: '7.0.0' });
    await expect(writer.namespace('db', LONG_NAME, undefined)).rejects.toThrow(/found no metadata/);
    await expect(writer.writeMetadataOnly('db', LONG_NAME, '{"indexes":[]}')).rejects.toThrow(
      /expected "collectionName" "a{207}é/,
    );
    // Timeseries buckets are named by their collection's metadata instead.
    const buckets = await writer.namespace('db', `system.buckets.${LONG_NAME}`, undefined);
    await buckets.end();
  });

  it('refuses metadata for the oplog', async () => {
    const writer = createDirectoryWriter({ dir: await tempDir(), serverVersion: '7.0.0' });
    await expect(writer.namespace('', 'oplog', '{}')).rejects.toThrow(/oplog has no metadata/);
  });

  it('validates its options at once', () => {
    expect(() => createDirectoryWriter({ dir: 'x', serverVersion: '' })).toThrow(MongoBackupConfigError);
    expect(() => createDirectoryWriter({ dir: 'x', serverVersion: 'seven' })).toThrow(
      /expected a server version/,
    );
    expect(() => createDirectoryWriter({ dir: 'x', serverVersion: 'unknown' })).not.toThrow();
    expect(() => createDirectoryWriter({ dir: 'x', serverVersion: '7.0', gzip: { level: 12 } })).toThrow(
      /gzip/,
    );
  });
});

async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(root, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, relative)));
    else files.push(relative);
  }
  return files;
}
