import { BSON } from 'bson';
import { describe, expect, test } from 'vitest';
import {
  ArchiveError,
  createArchiveWriter,
  encodeArchiveHeader,
  inspectArchive,
  readArchive,
  type ArchiveHeader,
} from '../../../src/archive/index.js';
import { collect } from './helpers.js';

/** The most namespaces in progress at once in an archive body, counted from the reader's events. */
async function interleaving(archive: Buffer): Promise<{ max: number; documents: Map<string, number> }> {
  const inProgress = new Set<string>();
  const documents = new Map<string, number>();
  let max = 0;
  for await (const event of readArchive(archive)) {
    if (event.kind === 'documents') {
      const name = `${event.db}.${event.collection}`;
      inProgress.add(name);
      documents.set(name, (documents.get(name) ?? 0) + event.documents.length);
      max = Math.max(max, inProgress.size);
    } else if (event.kind === 'namespace-end') {
      inProgress.delete(`${event.db}.${event.collection}`);
    }
  }
  return { max, documents };
}

/** Writes `count` namespaces at once, each from its own producer, as a parallel dump does. */
async function parallelArchive(count: number, concurrentCollections: number): Promise<Buffer> {
  const names = Array.from({ length: count }, (_, i) => `c${i}`);
  const writer = createArchiveWriter({
    header: { serverVersion: '7.0.14', concurrentCollections },
    namespaces: names.map((collection) => ({ db: 'd', collection })),
    segmentSize: 64,
  });
  const bytes = collect(writer.stream);
  await Promise.all(
    names.map(async (collection, n) => {
      const namespace = writer.openNamespace('d', collection);
      for (let i = 0; i < 20 + n; i += 1) await namespace.write(Buffer.from(BSON.serialize({ n, i })));
      await namespace.end();
    }),
  );
  await writer.finish();
  return bytes;
}

describe('archive writer: never more namespaces in progress than concurrent_collections', () => {
  for (const limit of [1, 3, 4]) {
    test(`12 namespaces written in parallel interleave at most ${limit} (the header's value)`, async () => {
      const archive = await parallelArchive(12, limit);
      const { max, documents } = await interleaving(archive);
      expect(max).toBeGreaterThan(0);
      expect(max).toBeLessThanOrEqual(limit);
      expect([...documents.values()]).toEqual(Array.from({ length: 12 }, (_, n) => 20 + n));
      const inspection = await inspectArchive(archive);
      expect(inspection).toMatchObject({ valid: true, maxInterleaved: max, warnings: [] });
    });
  }

  test('an abort rejects the writes waiting for their turn', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.14', concurrentCollections: 1 },
      namespaces: [
        { db: 'd', collection: 'a' },
        { db: 'd', collection: 'b' },
      ],
    });
    void collect(writer.stream).catch(() => undefined);
    await writer.openNamespace('d', 'a').write(Buffer.from(BSON.serialize({ a: 1 })));
    const waiting = writer.openNamespace('d', 'b').write(Buffer.from(BSON.serialize({ b: 1 })));
    writer.abort();
    await expect(waiting).rejects.toBeInstanceOf(ArchiveError);
  });

  test('inspect warns about an archive interleaving more namespaces than its header announces', async () => {
    const archive = await parallelArchive(6, 6);
    const { max } = await interleaving(archive);
    expect(max).toBeGreaterThan(2);
    // The same body under a header announcing 1 (same length: concurrent_collections is an int32).
    const header = BSON.deserialize(archive.subarray(4), {
      promoteValues: true,
      allowObjectSmallerThanBufferSize: true,
    } as never);
    const original = encodeArchiveHeader(toHeader(header, 6));
    const lowered = encodeArchiveHeader(toHeader(header, 1));
    expect(archive.subarray(4, 4 + original.length).equals(original)).toBe(true);
    const relabelled = Buffer.concat([
      archive.subarray(0, 4),
      lowered,
      archive.subarray(4 + original.length),
    ]);
    const inspection = await inspectArchive(relabelled);
    expect(inspection.valid).toBe(true);
    expect(inspection.maxInterleaved).toBe(max);
    expect(inspection.warnings).toHaveLength(1);
    expect(inspection.warnings[0]).toMatch(/mongorestore hangs/);
  });
});

function toHeader(fields: Record<string, unknown>, concurrentCollections: number): ArchiveHeader {
  return {
    concurrentCollections,
    version: String(fields['version']),
    serverVersion: String(fields['server_version']),
    toolVersion: String(fields['tool_version']),
  };
}
