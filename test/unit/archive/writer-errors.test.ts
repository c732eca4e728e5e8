import { createWriteStream, existsSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { ArchiveError, MongoBackupConfigError, createArchiveWriter } from '../../../src/archive/index.js';
import type { ArchiveWriterOptions } from '../../../src/archive/index.js';
import { bson, collect } from './helpers.js';

describe('writer errors', () => {
  const make = (): ReturnType<typeof createArchiveWriter> => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [
        { db: 'd', collection: 'c' },
        { db: 'd', collection: 'v', type: 'view' },
        { db: '', collection: 'oplog' },
      ],
    });
    writer.stream.resume();
    return writer;
  };

  test('documents too large, too small or malformed', async () => {
    const ns = make().openNamespace('d', 'c');
    const huge = Buffer.alloc(16 * 1024 * 1024 + 1);
    huge.writeInt32LE(huge.length);
    await expect(ns.write(huge)).rejects.toMatchObject({ code: 'DOCUMENT_TOO_LARGE', namespace: 'd.c' });
    await expect(ns.write(Buffer.from([4, 0, 0, 0]))).rejects.toMatchObject({ code: 'ARCHIVE_WRITER_STATE' });
    const lying = bson({ a: 1 });
    await expect(ns.write(Buffer.concat([lying, Buffer.from([0])]))).rejects.toMatchObject({
      code: 'ARCHIVE_WRITER_STATE',
    });
    const noNul = Buffer.from(lying);
    noNul[noNul.length - 1] = 1;
    await expect(ns.write(noNul)).rejects.toMatchObject({ code: 'ARCHIVE_WRITER_STATE' });
    await expect(ns.write('text' as unknown as Uint8Array)).rejects.toBeInstanceOf(ArchiveError);
    // The namespace is still usable after a rejected document.
    await ns.write(lying);
    expect((await ns.end()).documents).toBe(1);
  });

  test('writeMany(): a malformed document rejects with the same codes; those before it are written', async () => {
    const ns = make().openNamespace('d', 'c');
    const good = bson({ a: 1 });
    const noNul = Buffer.from(good);
    noNul[noNul.length - 1] = 1;
    await expect(ns.writeMany([good, noNul, good])).rejects.toMatchObject({
      code: 'ARCHIVE_WRITER_STATE',
      namespace: 'd.c',
    });
    const huge = Buffer.alloc(16 * 1024 * 1024 + 1);
    huge.writeInt32LE(huge.length);
    await expect(ns.writeMany([huge])).rejects.toMatchObject({ code: 'DOCUMENT_TOO_LARGE' });
    expect((await ns.end()).documents).toBe(1);
    await expect(ns.writeMany([good])).rejects.toMatchObject({ code: 'ARCHIVE_WRITER_STATE' });
  });

  test('a 16 MiB document is accepted', async () => {
    const ns = make().openNamespace('d', 'c');
    const max = Buffer.alloc(16 * 1024 * 1024);
    max.writeInt32LE(max.length);
    await ns.write(max);
    expect((await ns.end()).bytes).toBe(max.length);
  });

  test('namespace not announced, opened twice, written after end, view with documents', async () => {
    const writer = make();
    expect(() => writer.openNamespace('d', 'nope')).toThrow(
      expect.objectContaining({ code: 'ARCHIVE_WRITER_STATE' }),
    );
    const ns = writer.openNamespace('d', 'c');
    expect(() => writer.openNamespace('d', 'c')).toThrow(/already opened/);
    await ns.end();
    await expect(ns.write(bson({ a: 1 }))).rejects.toMatchObject({ code: 'ARCHIVE_WRITER_STATE' });
    await expect(ns.end()).rejects.toMatchObject({ code: 'ARCHIVE_WRITER_STATE' });
    const view = writer.openNamespace('d', 'v');
    await expect(view.write(bson({ a: 1 }))).rejects.toThrow(/view/);
    await view.end();
    await writer.finish();
    expect(() => writer.openNamespace('', 'oplog')).toThrow(/finish/);
    await expect(writer.finish()).rejects.toMatchObject({ code: 'ARCHIVE_WRITER_STATE' });
  });

  test('finish() refuses while a namespace is open; the oplog must come last', async () => {
    const writer = make();
    const ns = writer.openNamespace('d', 'c');
    await expect(writer.finish()).rejects.toThrow(/still open/);
    expect(() => writer.openNamespace('', 'oplog')).toThrow(/must come last/);
    await ns.end();
    const oplog = writer.openNamespace('', 'oplog');
    // The view, never opened, was written empty before the oplog, and can no longer be opened.
    expect(() => writer.openNamespace('d', 'v')).toThrow(ArchiveError);
    await oplog.end();
    const summary = await writer.finish();
    expect(summary.namespaces.map((n) => `${n.db}.${n.collection}`)).toEqual(['d.c', 'd.v', '.oplog']);
  });

  test('invalid options are rejected at once', () => {
    const bad = (options: unknown): void => {
      expect(() => createArchiveWriter(options as ArchiveWriterOptions)).toThrow(MongoBackupConfigError);
    };
    bad({ header: { serverVersion: 'unknown' }, namespaces: [] });
    bad({ header: { serverVersion: '' }, namespaces: [] });
    bad({ header: { serverVersion: '7.0.0' }, namespaces: [{ db: 'd', collection: '' }] });
    bad({ header: { serverVersion: '7.0.0' }, namespaces: [{ db: '', collection: 'x' }] });
    bad({
      header: { serverVersion: '7.0.0' },
      namespaces: [
        { db: 'd', collection: 'c' },
        { db: 'd', collection: 'c' },
      ],
    });
    bad({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c', metadataJson: '{bad' }],
    });
    bad({ header: { serverVersion: '7.0.0' }, namespaces: [], gzip: { level: 12 } });
    bad({ header: { serverVersion: '7.0.0' }, namespaces: [], segmentSize: 0 });
    // The buckets namespace of a timeseries collection cannot be announced on its own as well.
    bad({
      header: { serverVersion: '7.0.0' },
      namespaces: [
        { db: 'm', collection: 'cpu', type: 'timeseries' },
        { db: 'm', collection: 'system.buckets.cpu' },
      ],
    });
  });

  test('abort() errors the stream and rejects pending and later writes', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
      segmentSize: 1024,
    });
    const ns = writer.openNamespace('d', 'c');
    const doc = bson({ pad: 'p'.repeat(2000) });
    // Nobody reads: past the stream's high-water mark (64 KiB) writes wait.
    const writes = Array.from({ length: 60 }, () => ns.write(doc));
    const reading = collect(writer.stream);
    writer.abort(new Error('disk full'));
    await expect(reading).rejects.toThrow('disk full');
    const settled = await Promise.allSettled(writes);
    expect(settled.filter((s) => s.status === 'rejected').length).toBeGreaterThan(0);
    expect(settled.at(-1)).toMatchObject({ status: 'rejected', reason: { code: 'OUTPUT_FAILED' } });
    await expect(ns.write(doc)).rejects.toThrow(/disk full/);
    expect(() => writer.openNamespace('d', 'c')).toThrow(/disk full/);
    await expect(writer.finish()).rejects.toThrow(/disk full/);
  });

  test('destroying the stream rejects pending writes instead of hanging', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
      segmentSize: 1024,
      gzip: true,
    });
    const ns = writer.openNamespace('d', 'c');
    const doc = bson({ pad: 'p'.repeat(2000) });
    let accepted = 0;
    const writing = (async () => {
      for (;;) {
        await ns.write(doc);
        accepted += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    writer.stream.destroy();
    await expect(writing).rejects.toMatchObject({ code: 'OUTPUT_FAILED' });
    expect(accepted).toBeGreaterThan(0);
  });
});

test.skipIf(!existsSync('/dev/full'))(
  'a full disk (/dev/full) is a runtime OUTPUT_FAILED error naming ENOSPC, not a writer misuse',
  async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
    });
    const flowing = pipeline(writer.stream, createWriteStream('/dev/full'));
    flowing.catch(() => undefined);
    const ns = writer.openNamespace('d', 'c');
    const doc = bson({ pad: 'p'.repeat(2000) });
    const writing = (async () => {
      for (let i = 0; i < 10_000; i += 1) await ns.write(doc);
      await ns.end();
      await writer.finish();
    })();
    await expect(writing).rejects.toMatchObject({
      code: 'OUTPUT_FAILED',
      message: expect.stringContaining('ENOSPC'),
    });
    await expect(flowing).rejects.toMatchObject({ code: 'ENOSPC' });
  },
);

describe('backpressure', () => {
  test('a writer whose stream is not read stops accepting after a bounded amount', async () => {
    const segmentSize = 16 * 1024;
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [
        { db: 'd', collection: 'a' },
        { db: 'd', collection: 'b' },
      ],
      segmentSize,
    });
    const doc = bson({ pad: 'x'.repeat(1000) });
    let accepted = 0;
    let stalled = 0;
    const pump = async (name: string): Promise<void> => {
      const ns = writer.openNamespace('d', name);
      for (let i = 0; i < 10_000; i++) {
        const write = ns.write(doc);
        const settled = await Promise.race([
          write.then(() => true),
          new Promise((r) => setTimeout(() => r(false), 50)),
        ]);
        if (!settled) {
          stalled += 1;
          return;
        }
        accepted += 1;
      }
    };
    await Promise.all([pump('a'), pump('b')]);
    expect(stalled).toBe(2);
    // High-water mark (64 KiB here) + about two segments per open namespace.
    expect(accepted * doc.length).toBeLessThan(64 * 1024 + 4 * segmentSize + 4 * doc.length);
    expect(accepted * doc.length).toBeGreaterThan(segmentSize);
    // Reading the stream releases the writers.
    writer.stream.resume();
    writer.abort();
  });
});
