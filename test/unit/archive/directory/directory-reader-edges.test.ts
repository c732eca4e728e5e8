import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readDirectoryDump } from '../../../../src/archive/directory/index.js';
import type { ReadDirectoryDumpOptions } from '../../../../src/archive/directory/index.js';
import { formatMetadataJson } from '../../../../src/archive/metadata-json.js';
import type { ArchiveEvent } from '../../../../src/archive/types.js';
import { AbortError, ArchiveError, ErrorCode, MongoBackupConfigError } from '../../../../src/errors.js';
import { fixture } from '../../../support/paths.js';
import { bson, collectEvents, endsByNamespace, eventsUntilError, tempDir } from './helpers.js';
import { ordered } from '../../../support/ordered.js';

/** Writes `files` (path relative to a new temporary folder -> content) and returns the folder. */
async function dumpWith(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir();
  for (const [relative, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
    await writeFile(path.join(dir, relative), content);
  }
  return dir;
}

const COLLECTION_METADATA = formatMetadataJson({
  options: new Map(),
  indexes: [],
  collectionName: 'c',
  type: 'collection',
});
const TIMESERIES_METADATA = formatMetadataJson({
  options: ordered({ timeseries: { timeField: 't' } }),
  indexes: [],
  collectionName: 'weather',
  type: 'timeseries',
});
const TWO_DOCUMENTS = Buffer.concat([bson({ a: 1 }), bson({ b: 'two' })]);

function preludeOf(events: readonly ArchiveEvent[]) {
  const prelude = events[1];
  if (prelude?.kind !== 'prelude') throw new Error('expected the prelude as the second event');
  return prelude.entries;
}

describe('readDirectoryDump: layouts the fixtures do not show', () => {
  it('lists a .bson without metadata as a collection with no metadata, and ignores unknown files and folders', async () => {
    const dir = await dumpWith({
      'db/c.bson': TWO_DOCUMENTS,
      'db/notes.txt': 'not a dump file',
      'db/nested/x.bson': bson({ x: 1 }),
      'README.md': 'top-level files other than oplog.bson are ignored',
      'top.bson': bson({ ignored: true }),
    });
    const events = await collectEvents(readDirectoryDump(dir));
    expect(preludeOf(events)).toEqual([
      { db: 'db', collection: 'c', metadataJson: '', metadata: undefined, size: 0, type: 'collection' },
    ]);
    expect(endsByNamespace(events).get('db.c')).toMatchObject({ documents: 2, bytes: TWO_DOCUMENTS.length });
  });

  it('lists views and empty collections (metadata only) and closes each with an empty namespace-end', async () => {
    const view = formatMetadataJson({
      options: ordered({ viewOn: 'c', pipeline: [] }),
      indexes: [],
      collectionName: 'v',
      type: 'view',
    });
    const dir = await dumpWith({ 'db/v.metadata.json': view, 'db/c.metadata.json': COLLECTION_METADATA });
    const events = await collectEvents(readDirectoryDump(dir));
    expect(preludeOf(events).map((entry) => [entry.collection, entry.type])).toEqual([
      ['c', 'collection'],
      ['v', 'view'],
    ]);
    expect(events.slice(2)).toEqual([
      { kind: 'namespace-end', db: 'db', collection: 'c', documents: 0, bytes: 0, crc: 0n },
      { kind: 'namespace-end', db: 'db', collection: 'v', documents: 0, bytes: 0, crc: 0n },
    ]);
  });

  it('guesses the type of metadata written before the "type" field existed', async () => {
    const dir = await dumpWith({
      'db/v.metadata.json': '{"options":{"viewOn":"c","pipeline":[]},"indexes":[]}',
      'db/t.metadata.json': '{"options":{"timeseries":{"timeField":"t"}},"indexes":[]}',
    });
    const entries = preludeOf(await collectEvents(readDirectoryDump(dir)));
    expect(entries.map((entry) => [entry.collection, entry.type])).toEqual([
      ['t', 'timeseries'],
      ['v', 'view'],
    ]);
  });

  it('reads timeseries data stored under the collection name itself (8.3+ layout)', async () => {
    const dir = await dumpWith({
      'prelude.json': '{"ServerVersion":"8.3.0","ToolVersion":"100.14.0"}',
      'db/weather.metadata.json': TIMESERIES_METADATA,
      'db/weather.bson': TWO_DOCUMENTS,
    });
    const events = await collectEvents(readDirectoryDump(dir));
    expect(events[0]).toMatchObject({ header: { serverVersion: '8.3.0', toolVersion: '100.14.0' } });
    expect(endsByNamespace(events).get('db.weather')).toMatchObject({ documents: 2 });
  });

  it('places the end of a timeseries collection without data by the server version', async () => {
    const old = await dumpWith({ 'db/weather.metadata.json': TIMESERIES_METADATA });
    const recent = await dumpWith({
      'prelude.json': '{"ServerVersion":"8.3.1","ToolVersion":""}',
      'db/weather.metadata.json': TIMESERIES_METADATA,
    });
    expect([...endsByNamespace(await collectEvents(readDirectoryDump(old))).keys()]).toEqual([
      'db.system.buckets.weather',
    ]);
    expect([...endsByNamespace(await collectEvents(readDirectoryDump(recent))).keys()]).toEqual([
      'db.weather',
    ]);
  });

  it('reads users of a single-database dump ($admin files) as ordinary entries', async () => {
    const dir = await dumpWith({ 'shop/%24admin.system.users.bson': bson({ user: 'u' }) });
    const entries = preludeOf(await collectEvents(readDirectoryDump(dir)));
    expect(entries.map((entry) => `${entry.db}.${entry.collection}`)).toEqual(['shop.$admin.system.users']);
  });

  it('reads an empty dump folder as a header and an empty prelude', async () => {
    const events = await collectEvents(readDirectoryDump(await tempDir()));
    expect(events).toEqual([
      {
        kind: 'header',
        header: { concurrentCollections: 4, version: '0.1', serverVersion: '', toolVersion: '' },
      },
      { kind: 'prelude', entries: [] },
    ]);
  });

  it('stops between batches when aborted', async () => {
    const controller = new AbortController();
    const events = readDirectoryDump(fixture('real-dirs/indextestdump'), {
      batchBytes: 100,
      signal: controller.signal,
    });
    const seen: ArchiveEvent[] = [];
    const failure = await (async () => {
      try {
        for await (const event of events) {
          seen.push(event);
          if (event.kind === 'documents') controller.abort();
        }
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(AbortError);
    expect(seen.filter((event) => event.kind === 'documents')).toHaveLength(1);
  });
});

type ErrorCase = [
  description: string,
  files: Record<string, string | Buffer>,
  code: string,
  message: RegExp,
  options?: ReadDirectoryDumpOptions,
];

const truncatedGzip = gzipSync(TWO_DOCUMENTS).subarray(0, 20);
const badLength = Buffer.from(TWO_DOCUMENTS);
badLength.writeInt32LE(4, 0);
const noTrailingZero = Buffer.from(TWO_DOCUMENTS);
noTrailingZero[bson({ a: 1 }).length - 1] = 7;

const errorCases: ErrorCase[] = [
  [
    'unparseable metadata, naming the file',
    { 'db/c.metadata.json': '{"indexes": [', 'db/c.bson': TWO_DOCUMENTS },
    ErrorCode.ARCHIVE_BAD_METADATA,
    /db[/\\]c\.metadata\.json/,
  ],
  [
    'metadata that is not an object',
    { 'db/c.metadata.json': '[1,2]' },
    ErrorCode.ARCHIVE_BAD_METADATA,
    /expected a JSON object/,
  ],
  [
    'a file cut inside a document, naming the file',
    { 'db/c.bson': TWO_DOCUMENTS.subarray(0, TWO_DOCUMENTS.length - 3) },
    ErrorCode.ARCHIVE_TRUNCATED,
    /db[/\\]c\.bson \(db\.c\) is truncated .* of the \d+ bytes of its last document/,
  ],
  [
    'stray bytes after the last document',
    { 'db/c.bson': Buffer.concat([TWO_DOCUMENTS, Buffer.from([1, 2])]) },
    ErrorCode.ARCHIVE_TRUNCATED,
    /2 stray byte/,
  ],
  [
    'a length below 5',
    { 'db/c.bson': badLength },
    ErrorCode.ARCHIVE_CORRUPT,
    /at byte 0: expected a BSON document length between 5 and 16777216, found 4/,
  ],
  [
    'a length above 16 MiB',
    { 'db/c.bson': Buffer.from([0xff, 0xff, 0xff, 0x7f, 0]) },
    ErrorCode.ARCHIVE_CORRUPT,
    /found 2147483647/,
  ],
  [
    'a document not ending with 0x00',
    { 'db/c.bson': noTrailingZero },
    ErrorCode.ARCHIVE_CORRUPT,
    /to end with 0x00, found 0x07/,
  ],
  [
    'a .gz file that is not gzip',
    { 'db/c.bson.gz': TWO_DOCUMENTS },
    ErrorCode.ARCHIVE_CORRUPT,
    /c\.bson\.gz is not valid gzip/,
  ],
  [
    'a cut gzip file',
    { 'db/c.bson.gz': truncatedGzip },
    ErrorCode.ARCHIVE_TRUNCATED,
    /c\.bson\.gz is truncated/,
  ],
  [
    'a folder name that cannot be a database',
    { 'not.a.db/c.bson': TWO_DOCUMENTS },
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /expected a database name without .*found "not\.a\.db"/,
  ],
  [
    'both c.bson and c.bson.gz',
    { 'db/c.bson': TWO_DOCUMENTS, 'db/c.bson.gz': gzipSync(TWO_DOCUMENTS) },
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /two bson files for the same collection/,
  ],
  [
    'two file names that unescape to the same collection',
    { 'db/a+b.bson': TWO_DOCUMENTS, 'db/a%20b.bson': TWO_DOCUMENTS },
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /two sets of files for the collection "a b"/,
  ],
  [
    'a file name that is not URL-escaped',
    { 'db/100%.bson': TWO_DOCUMENTS },
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /expected a URL-escaped collection name .*found "100%"/,
  ],
  [
    'timeseries documents under both layouts',
    {
      'db/weather.metadata.json': TIMESERIES_METADATA,
      'db/weather.bson': TWO_DOCUMENTS,
      'db/system.buckets.weather.bson': TWO_DOCUMENTS,
    },
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /has documents in both/,
  ],
  [
    'a prelude.json that is not JSON',
    { 'prelude.json': 'ServerVersion=7.0' },
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /prelude\.json is not a valid prelude: expected a JSON object/,
  ],
  [
    'a prelude.json without ServerVersion',
    { 'prelude.json': '{"ToolVersion":"x"}' },
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /expected a string "ServerVersion", found none/,
  ],
];

describe('readDirectoryDump errors', () => {
  it.each(errorCases)('%s', async (_description, files, code, message, options) => {
    const { error } = await eventsUntilError(readDirectoryDump(await dumpWith(files), options));
    expect(error).toBeInstanceOf(ArchiveError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
  });

  it('reports bad metadata before handing out any document', async () => {
    const dir = await dumpWith({ 'a/c.bson': TWO_DOCUMENTS, 'b/c.metadata.json': 'nope' });
    const { events, error } = await eventsUntilError(readDirectoryDump(dir));
    expect(error).toMatchObject({ code: ErrorCode.ARCHIVE_BAD_METADATA });
    expect(events).toEqual([]);
  });

  it('needs metadata to name a file with a hashed name (the made-up hash of the longcollectionname fixture)', async () => {
    const { error } = await eventsUntilError(
      readDirectoryDump(fixture('real-dirs/longcollectionname'), { db: 'db1' }),
    );
    expect(error).toMatchObject({ code: ErrorCode.DIRECTORY_DUMP_INVALID });
    expect((error as Error).message).toMatch(/shortened \(hashed\) name.*found no metadata file/);
  });

  it('reports a missing folder', async () => {
    const { error } = await eventsUntilError(readDirectoryDump(path.join(await tempDir(), 'missing')));
    expect(error).toMatchObject({ code: ErrorCode.DIRECTORY_DUMP_INVALID });
    expect((error as Error).message).toMatch(/Cannot read .*missing/);
  });

  it('rejects malformed options at once, before iterating', () => {
    expect(() => readDirectoryDump('dump', { batchBytes: 0 })).toThrow(MongoBackupConfigError);
    expect(() => readDirectoryDump('dump', { database: 'x' } as ReadDirectoryDumpOptions)).toThrow(
      /Unrecognized key: "database"/,
    );
  });
});
