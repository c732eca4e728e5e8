import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc64, crc64ToInt64 } from '../../../../src/archive/crc64.js';
import { readDirectoryDump } from '../../../../src/archive/directory/index.js';
import type { ReadDirectoryDumpOptions } from '../../../../src/archive/directory/index.js';
import type { ArchiveEvent, NamespaceType } from '../../../../src/archive/types.js';
import { anyFixture, fixture } from '../../../support/paths.js';
import { collectEvents, documentsByNamespace, endsByNamespace, walkBsonFile } from './helpers.js';
import { plainOf } from '../../../support/ordered.js';

const LONG_NAME =
  'a' + 'Very'.repeat(44) + 'LongCollectionNameConsistingOfExactlyTwoHundredAndFortySevenCharacters';
const LONG_STEM = `${LONG_NAME.slice(0, 208)}%24xFO0VquRn7cg3QooSZD5sglTddU`;

interface FixtureCase {
  /** Folder under the shared fixtures. */
  readonly dir: string;
  readonly options?: ReadDirectoryDumpOptions;
  readonly serverVersion: string;
  /** Prelude entries: namespace, type, whether a metadata file was found. */
  readonly entries: readonly (readonly [namespace: string, type: NamespaceType, metadata: boolean])[];
  /** Body namespaces in reading order, with the data file (relative to `dir`) or null. */
  readonly bodies: readonly (readonly [namespace: string, file: string | null])[];
}

const ADMIN_VERSION = ['admin.system.version', 'collection', true] as const;

const FIXTURES: readonly FixtureCase[] = [
  {
    dir: 'real-dirs/collMod_ttl_index',
    serverVersion: '',
    entries: [ADMIN_VERSION, ['mongodump_test_db.coll1', 'collection', true], ['.oplog', '', false]],
    bodies: [
      ['admin.system.version', 'admin/system.version.bson'],
      ['mongodump_test_db.coll1', 'mongodump_test_db/coll1.bson'],
      ['.oplog', 'oplog.bson'],
    ],
  },
  {
    dir: 'real-dirs/coll_with_index',
    serverVersion: '',
    entries: [['test.foo', 'collection', true]],
    bodies: [['test.foo', 'test/foo.bson']],
  },
  {
    dir: 'real-dirs/coll_with_ttl_index',
    serverVersion: '',
    entries: [['test.foo', 'collection', true]],
    bodies: [['test.foo', 'test/foo.bson']],
  },
  {
    dir: 'real-dirs/dump_local_oplog',
    serverVersion: '',
    entries: [['local.oplog.rs', 'collection', true]],
    bodies: [['local.oplog.rs', 'local/oplog.rs.bson']],
  },
  {
    dir: 'real-dirs/duplicate_index_key_with_oplog',
    serverVersion: '',
    entries: [
      ['test.foo', 'collection', true],
      ['.oplog', '', false],
    ],
    bodies: [
      ['test.foo', 'test/foo.bson'],
      ['.oplog', 'oplog.bson'],
    ],
  },
  {
    dir: 'real-dirs/foodump',
    serverVersion: '',
    entries: [['test.foo', 'collection', true]],
    bodies: [['test.foo', 'test/foo.bson']],
  },
  {
    dir: 'real-dirs/indextestdump',
    serverVersion: '',
    entries: [['indextest.test_collection', 'collection', true]],
    bodies: [['indextest.test_collection', 'indextest/test_collection.bson']],
  },
  {
    // The top-level .bson (with a made-up hash) is not in a database folder: ignored, as mongorestore does.
    dir: 'real-dirs/longcollectionname',
    serverVersion: '',
    entries: [[`db1.${LONG_NAME}`, 'collection', true]],
    bodies: [[`db1.${LONG_NAME}`, `db1/${LONG_STEM}.bson`]],
  },
  {
    dir: 'real-dirs/oplogdump',
    serverVersion: '',
    entries: [ADMIN_VERSION, ['db1.c1', 'collection', true], ['.oplog', '', false]],
    bodies: [
      ['admin.system.version', 'admin/system.version.bson'],
      ['db1.c1', 'db1/c1.bson'],
      ['.oplog', 'oplog.bson'],
    ],
  },
  {
    // `mongodump --db test` writes prelude.json inside the database folder.
    dir: 'real-dirs/prelude_test/prelude_db_target',
    serverVersion: '7.0.16',
    entries: [['test.foo', 'collection', true]],
    bodies: [['test.foo', 'test/foo.bson']],
  },
  {
    dir: 'real-dirs/prelude_test/prelude_db_target/test',
    options: { db: 'test' },
    serverVersion: '7.0.16',
    entries: [['test.foo', 'collection', true]],
    bodies: [['test.foo', 'foo.bson']],
  },
  {
    dir: 'real-dirs/prelude_test/prelude_top_level',
    serverVersion: '7.0.16',
    entries: [['test.foo', 'collection', true]],
    bodies: [['test.foo', 'test/foo.bson']],
  },
  {
    // A database folder read alone finds prelude.json in its parent, as mongorestore does.
    dir: 'real-dirs/prelude_test/prelude_top_level/test',
    options: { db: 'renamed' },
    serverVersion: '7.0.16',
    entries: [['renamed.foo', 'collection', true]],
    bodies: [['renamed.foo', 'foo.bson']],
  },
  {
    dir: 'real-dirs/prelude_test/prelude_gzip',
    serverVersion: '7.0.16',
    entries: [['test.foo', 'collection', true]],
    bodies: [['test.foo', 'test/foo.bson.gz']],
  },
  {
    dir: 'real-dirs/prelude_test/server_version_unknown',
    serverVersion: 'unknown',
    entries: [['test.foo', 'collection', true]],
    bodies: [['test.foo', 'test/foo.bson']],
  },
  {
    dir: 'real-dirs/specialcharacter',
    serverVersion: '',
    entries: [['db1.cafés', 'collection', true]],
    bodies: [['db1.cafés', 'db1/caf%C3%A9s.bson']],
  },
  {
    dir: 'real-dirs/timeseries_tests/ts_dump',
    serverVersion: '',
    entries: [
      ADMIN_VERSION,
      ['admin.system.views', 'collection', true],
      ['timeseries_test.foo_ts', 'timeseries', true],
    ],
    bodies: [
      ['admin.system.version', 'admin/system.version.bson'],
      ['admin.system.views', 'admin/system.views.bson'],
      ['timeseries_test.system.buckets.foo_ts', 'timeseries_test/system.buckets.foo_ts.bson'],
    ],
  },
  {
    dir: 'real-dirs/timeseries_tests/ts_dump_with_oplog',
    serverVersion: '',
    entries: [
      ADMIN_VERSION,
      ['admin.system.views', 'collection', true],
      ['config.external_validation_keys', 'collection', true],
      ['config.tenantMigrationDonors', 'collection', true],
      ['config.tenantMigrationRecipients', 'collection', true],
      ['timeseries_test.foo_ts', 'timeseries', true],
      ['.oplog', '', false],
    ],
    bodies: [
      ['admin.system.version', 'admin/system.version.bson'],
      ['admin.system.views', 'admin/system.views.bson'],
      ['config.external_validation_keys', 'config/external_validation_keys.bson'],
      ['config.tenantMigrationDonors', 'config/tenantMigrationDonors.bson'],
      ['config.tenantMigrationRecipients', 'config/tenantMigrationRecipients.bson'],
      ['timeseries_test.system.buckets.foo_ts', 'timeseries_test/system.buckets.foo_ts.bson'],
      ['.oplog', 'oplog.bson'],
    ],
  },
  {
    dir: 'real-dirs/usersdump',
    serverVersion: '',
    entries: [
      ['admin.system.roles', 'collection', true],
      ['admin.system.users', 'collection', true],
      ADMIN_VERSION,
    ],
    bodies: [
      ['admin.system.roles', 'admin/system.roles.bson'],
      ['admin.system.users', 'admin/system.users.bson'],
      ['admin.system.version', 'admin/system.version.bson'],
    ],
  },
  {
    // A single database's files at the top of the folder: read with the `db` option.
    dir: 'real-dirs/youtube-sharing-gzip',
    options: { db: 'youtube' },
    serverVersion: '',
    entries: [['youtube.resources', 'collection', true]],
    bodies: [['youtube.resources', 'resources.bson.gz']],
  },
  {
    // Mixed: db1 gzipped with .gz names, admin plain, oplog.bson gzipped under its plain name.
    dir: 'synthetic/gzip-dir',
    serverVersion: '',
    entries: [ADMIN_VERSION, ['db1.c1', 'collection', true], ['.oplog', '', false]],
    bodies: [
      ['admin.system.version', 'admin/system.version.bson'],
      ['db1.c1', 'db1/c1.bson.gz'],
      ['.oplog', 'oplog.bson'],
    ],
  },
];

describe('readDirectoryDump on real and synthetic directory dumps', () => {
  it.for(FIXTURES.map((fixtureCase) => [fixtureCase.dir, fixtureCase] as const))(
    '%s',
    async ([, expected], ctx) => {
      const root = anyFixture(ctx, expected.dir);
      const events = await collectEvents(readDirectoryDump(root, expected.options));

      expect(events[0]).toEqual({
        kind: 'header',
        header: {
          concurrentCollections: 4,
          version: '0.1',
          serverVersion: expected.serverVersion,
          toolVersion: '',
        },
      });
      const prelude = events[1];
      if (prelude?.kind !== 'prelude') throw new Error('expected the prelude as the second event');
      expect(
        prelude.entries.map((entry) => [
          `${entry.db}.${entry.collection}`,
          entry.type,
          entry.metadata !== undefined,
        ]),
      ).toEqual(expected.entries.map((entry) => [...entry]));
      expect(prelude.entries.every((entry) => entry.size === 0)).toBe(true);
      expect(
        events.slice(2).every((event) => event.kind === 'documents' || event.kind === 'namespace-end'),
      ).toBe(true);

      // Each body namespace: its documents, then its end, in the expected order.
      const order = events
        .slice(2)
        .map((event) => event.kind === 'namespace-end' && `${event.db}.${event.collection}`);
      expect(order.filter(Boolean)).toEqual(expected.bodies.map(([namespace]) => namespace));
      const documents = documentsByNamespace(events);
      const ends = endsByNamespace(events);
      for (const [namespace, file] of expected.bodies) {
        const walked = file === null ? [] : await walkBsonFile(path.join(root, file));
        const got = documents.get(namespace) ?? [];
        expect(got.length, namespace).toBe(walked.length);
        expect(Buffer.concat(got).equals(Buffer.concat(walked)), `${namespace} bytes`).toBe(true);
        expect(ends.get(namespace)).toMatchObject({
          documents: walked.length,
          bytes: Buffer.concat(walked).length,
          crc: crc64(Buffer.concat(walked)),
        });
      }
    },
  );

  it('agrees with the reference tools: EXPECTED.md counts and CRC of the same timeseries data', async () => {
    const ends = endsByNamespace(
      await collectEvents(readDirectoryDump(fixture('real-dirs/timeseries_tests/ts_dump'))),
    );
    // real-archives/timeseries_dump.archive holds the same admin.system.version document.
    expect(crc64ToInt64(ends.get('admin.system.version')?.crc ?? 0n)).toBe(5808966695042502227n);
    expect(ends.get('timeseries_test.system.buckets.foo_ts')).toMatchObject({ documents: 10, bytes: 38020 });
    expect(ends.get('admin.system.views')).toMatchObject({ documents: 0, bytes: 0, crc: 0n });
  });

  it('reads a gzipped dump exactly like the same dump uncompressed', async () => {
    const plain = await collectEvents(readDirectoryDump(fixture('real-dirs/oplogdump')));
    const gzipped = await collectEvents(readDirectoryDump(fixture('synthetic/gzip-dir')));
    expect(gzipped).toEqual(plain);
  });

  it('takes a hashed file name from collectionName, and unescapes ordinary names', async () => {
    const long = await collectEvents(readDirectoryDump(fixture('real-dirs/longcollectionname')));
    const special = await collectEvents(readDirectoryDump(fixture('real-dirs/specialcharacter')));
    const entry = (events: ArchiveEvent[]) =>
      events[1]?.kind === 'prelude' ? events[1].entries[0] : undefined;
    expect(entry(long)?.collection).toBe(LONG_NAME);
    expect(entry(long)?.collection).toHaveLength(247);
    expect(entry(special)?.collection).toBe('cafés');
  });

  it('gives the metadata text exactly as stored, and parsed', async () => {
    const root = fixture('real-dirs/timeseries_tests/ts_dump');
    const events = await collectEvents(readDirectoryDump(root));
    const prelude = events[1]?.kind === 'prelude' ? events[1].entries : [];
    const timeseries = prelude.find((entry) => entry.collection === 'foo_ts');
    expect(timeseries?.metadataJson).toBe(
      await readFile(path.join(root, 'timeseries_test/foo_ts.metadata.json'), 'utf8'),
    );
    expect(plainOf(timeseries?.metadata?.options.get('timeseries'))).toMatchObject({
      timeField: 'ts',
      metaField: 'meta',
    });
    expect(timeseries?.metadata?.indexes).toHaveLength(2);
  });

  it('hands out documents in batches of bounded size', async () => {
    const root = fixture('real-dirs/indextestdump');
    const events = await collectEvents(readDirectoryDump(root, { batchBytes: 100 }));
    const batches = events.filter((event) => event.kind === 'documents');
    expect(batches.length).toBeGreaterThan(10);
    for (const batch of batches) {
      const size = batch.documents.reduce((sum, document) => sum + document.length, 0);
      expect(size <= 100 || batch.documents.length === 1).toBe(true);
    }
    const all = batches.flatMap((batch) => batch.documents);
    expect(all).toHaveLength(100);
    expect(Buffer.concat(all).equals(await readFile(path.join(root, 'indextest/test_collection.bson')))).toBe(
      true,
    );
  });
});
