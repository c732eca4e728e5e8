import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { ArchiveError, crc64, crc64ToInt64, inspectArchive } from '../../../src/archive/index.js';
import { anyFixture, fixture } from '../../support/paths.js';
import { REAL_ARCHIVES, VERDICTS } from './expected.js';
import { chunks, documentsByNamespace, readAll } from './helpers.js';

describe('real archives: documents, bytes and CRC equal EXPECTED.md', () => {
  for (const expected of REAL_ARCHIVES) {
    test(expected.file, async (ctx) => {
      const report = await inspectArchive(createReadStream(anyFixture(ctx, expected.file)));
      expect(report.error).toBeUndefined();
      expect(report.valid).toBe(true);
      expect(report.header?.serverVersion).toBe(expected.serverVersion);
      expect(report.header?.toolVersion).toBe(expected.toolVersion);
      expect(report.entries).toHaveLength(expected.entries);
      expect([...report.namespaces].sort(byName)).toEqual([...expected.namespaces].sort(byName));
    });
  }

  for (const expected of REAL_ARCHIVES) {
    test(`${expected.file}: document events carry exactly the bytes the CRC was computed on`, async (ctx) => {
      const events = await readAll(createReadStream(anyFixture(ctx, expected.file)));
      const docs = documentsByNamespace(events);
      for (const ns of expected.namespaces) {
        const list = docs.get(ns.namespace) ?? [];
        expect(list).toHaveLength(ns.documents);
        expect(crc64ToInt64(crc64(Buffer.concat(list)))).toBe(ns.crc);
      }
    });
  }

  test('gzip is detected from the bytes, and gzip: true / false are honoured', async () => {
    const gz = readFileSync(fixture('synthetic/dump-w-oplog.archive.gz'));
    expect((await inspectArchive(gz, { gzip: true })).valid).toBe(true);
    expect((await inspectArchive(gunzipSync(gz), { gzip: false })).valid).toBe(true);
    const plain = await inspectArchive(gz, { gzip: false });
    expect(plain.valid).toBe(false);
    expect(plain.error?.code).toBe('ARCHIVE_BAD_MAGIC');
    expect(plain.error?.message).toContain('looks gzipped; pass gzip');
  });

  test('any chunking of the input gives the same events (1-byte, 3-byte, 4 KiB chunks)', async () => {
    const bytes = readFileSync(fixture('real-archives/dump-w-oplog.archive'));
    const reference = summarize(await readAll([bytes]));
    for (const size of [1, 3, 4096]) {
      expect(summarize(await readAll(chunks(bytes, size)))).toEqual(reference);
    }
  });
});

describe('synthetic and negative files: same verdict as current mongorestore', () => {
  test('every synthetic file has a verdict in the table', () => {
    const files = [
      ...readdirSync(fixture('synthetic'))
        .filter((f) => /\.(archive|gz)$/.test(f))
        .map((f) => `synthetic/${f}`),
      ...readdirSync(fixture('synthetic/edge-cases')).map((f) => `synthetic/edge-cases/${f}`),
      'negative/bad-format.archive',
    ];
    expect(files.sort()).toEqual(VERDICTS.map((v) => v.file).sort());
  });

  for (const verdict of VERDICTS) {
    test(`${verdict.file}: ${verdict.accepts ? 'accepted' : `rejected with ${verdict.code}`}`, async () => {
      const report = await inspectArchive(createReadStream(fixture(verdict.file)));
      if (verdict.accepts) {
        expect(report.error).toBeUndefined();
        expect(report.valid).toBe(true);
      } else {
        expect(report.valid).toBe(false);
        expect(report.error).toBeInstanceOf(ArchiveError);
        expect(report.error?.code).toBe(verdict.code);
        expect(typeof report.error?.offset).toBe('number');
      }
    });
  }

  test('rejections carry the offset and namespace of the problem', async () => {
    const crc = await inspectArchive(createReadStream(fixture('synthetic/crc-mismatch.archive')));
    expect(crc.error?.namespace).toBe('test.bar');
    expect(crc.error?.offset).toBe(835);
    expect(crc.namespaces.map((n) => n.namespace)).toEqual(['admin.system.version']);

    const garbage = await inspectArchive(createReadStream(fixture('synthetic/trailing-garbage.archive')));
    expect(garbage.error?.offset).toBe(896);
    expect(garbage.error?.message).toContain('67305985');

    const truncated = await inspectArchive(createReadStream(fixture('synthetic/truncated.archive')));
    expect(truncated.error?.message).toContain('was the copy or the dump interrupted?');

    const noEof = await inspectArchive(createReadStream(fixture('synthetic/no-eof.archive')));
    expect(noEof.error?.message).toContain('test.bar');

    const ts83 = await inspectArchive(
      createReadStream(fixture('synthetic/edge-cases/timeseries-buckets-83.archive')),
    );
    expect(ts83.error?.message).toContain('8.3 or newer');
    expect(ts83.error?.namespace).toBe('d.system.buckets.c');

    const badMetadata = await inspectArchive(createReadStream(fixture('negative/bad-format.archive')));
    expect(badMetadata.error?.namespace).toBe('test.ixtest');
    expect(badMetadata.entries).toEqual([]);
  });

  test('bad metadata is rejected before any document event', async () => {
    const kinds: string[] = [];
    await expect(async () => {
      for await (const event of (await import('../../../src/archive/index.js')).readArchive(
        createReadStream(fixture('negative/bad-format.archive')),
      )) {
        kinds.push(event.kind);
      }
    }).rejects.toThrow(ArchiveError);
    expect(kinds).toEqual(['header']);
  });

  test('timeseries: below 8.3 data is under system.buckets, from 8.3 under the collection itself', async () => {
    const old = await inspectArchive(
      createReadStream(fixture('synthetic/edge-cases/timeseries-buckets-70.archive')),
    );
    expect(old.namespaces.map((n) => n.namespace)).toEqual(['d.system.buckets.c']);
    const viewless = await inspectArchive(
      createReadStream(fixture('synthetic/edge-cases/timeseries-viewless-83.archive')),
    );
    expect(viewless.namespaces.map((n) => n.namespace)).toEqual(['d.c']);
    expect(viewless.entries[0]?.type).toBe('timeseries');
  });

  test('old and lenient preludes decode with their defaults', async () => {
    const minimal = await inspectArchive(
      createReadStream(fixture('synthetic/edge-cases/md-minimal-db-collection-only.archive')),
    );
    expect(minimal.entries).toEqual([
      { db: 'd', collection: 'c', metadataJson: '', metadata: undefined, size: 0, type: 'collection' },
    ]);
    const size64 = await inspectArchive(
      createReadStream(fixture('synthetic/edge-cases/prelude-size-int64.archive')),
    );
    expect(size64.entries[0]?.size).toBe(123);
    const cc64 = await inspectArchive(
      createReadStream(fixture('synthetic/edge-cases/header-cc-int64.archive')),
    );
    expect(cc64.header?.concurrentCollections).toBe(4);
    const oplog = await inspectArchive(createReadStream(fixture('real-archives/dump-w-oplog.archive')));
    expect(oplog.entries.find((e) => e.collection === 'oplog')).toMatchObject({
      db: '',
      metadataJson: '',
      type: 'collection',
    });
  });
});

function byName(a: { namespace: string }, b: { namespace: string }): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
}

/** Events with documents concatenated per namespace, so that batching differences do not matter. */
function summarize(events: Awaited<ReturnType<typeof readAll>>): unknown {
  const docs = documentsByNamespace(events);
  return {
    others: events.filter((e) => e.kind !== 'documents'),
    documents: [...docs].map(([name, list]) => [name, Buffer.concat(list).toString('hex')]),
  };
}
