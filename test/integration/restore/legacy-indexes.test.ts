import { Readable } from 'node:stream';
import { BSON, Int32 } from 'bson';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiveWriter, toOrderedDocument } from '../../../src/archive/index.js';
import { MongoBackupService, RestoreError } from '../../../src/index.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

/** An archive of one collection whose metadata holds a legacy `{a: 0}` index beside `{a: 1}` (pre-3.4 servers). */
async function legacyArchive(db: string): Promise<Buffer> {
  const spec = (key: Record<string, unknown>, name: string): Map<string, unknown> =>
    new Map<string, unknown>([
      ['v', new Int32(1)],
      ['key', toOrderedDocument(key)],
      ['name', name],
      ['ns', `${db}.legacy`],
    ]);
  const writer = createArchiveWriter({
    header: { serverVersion: '3.2.22' },
    namespaces: [
      {
        db,
        collection: 'legacy',
        metadata: {
          options: new Map(),
          indexes: [
            spec({ _id: new Int32(1) }, '_id_'),
            spec({ a: new Int32(1) }, 'a_1'),
            spec({ a: new Int32(0) }, 'a_0'),
            spec({ b: '' }, 'b_'),
          ],
        },
      },
    ],
  });
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of writer.stream) chunks.push(chunk as Buffer);
  })();
  const namespace = writer.openNamespace(db, 'legacy');
  for (let i = 0; i < 3; i += 1) {
    await namespace.write(Buffer.from(BSON.serialize({ _id: i, a: i, b: i })));
  }
  await namespace.end();
  await writer.finish();
  await collected;
  return Buffer.concat(chunks);
}

describe('restore convertLegacyIndexes (real server)', () => {
  const source = uniqueDbName('legacy_src');
  const created: string[] = [];
  let client: MongoClient | undefined;
  let service: MongoBackupService;

  beforeAll(async () => {
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    service = new MongoBackupService({ source: client, env: {} });
  });

  afterAll(async () => {
    for (const db of created) await client?.db(db).dropDatabase();
    await service?.close();
    await client?.close();
  });

  it('converts {a: 0} into {a: 1}, leaves it out as a duplicate of a_1, and builds the rest', async (ctx) => {
    requireServer(ctx);
    const target = uniqueDbName('legacy_dst');
    created.push(target);
    const report = await service.restore({
      from: Readable.from([await legacyArchive(source)]),
      into: 'source',
      nsFrom: [`${source}.*`],
      nsTo: [`${target}.*`],
      convertLegacyIndexes: true,
    });
    const line = report.namespaces[0];
    expect(line).toMatchObject({ status: 'restored', documentsInserted: 3, indexesBuilt: 2 });
    expect(report.warnings).toEqual([
      `${target}.legacy: index(es) a_0 left out: after convertLegacyIndexes their key duplicates another index ` +
        '(as mongorestore does)',
    ]);
    const names = (await client!.db(target).collection('legacy').listIndexes().toArray()).map(
      (ix) => ix.name,
    );
    expect(names.sort()).toEqual(['_id_', 'a_1', 'b_']);
  });

  it('without it, the server refuses the legacy keys and the restore says so', async (ctx) => {
    requireServer(ctx);
    const target = uniqueDbName('legacy_raw');
    created.push(target);
    const outcome = await service
      .restore({
        from: Readable.from([await legacyArchive(source)]),
        into: 'source',
        nsFrom: [`${source}.*`],
        nsTo: [`${target}.*`],
      })
      .then(
        (report) => report,
        (error: unknown) => (error as RestoreError).report,
      );
    expect(outcome.namespaces[0]?.status).toBe('failed');
  });
});
