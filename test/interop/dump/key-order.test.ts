import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createReadStream } from 'node:fs';
import { Int32 } from 'bson';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive } from '../../../src/archive/reader.js';
import {
  decodeOrderedDocument,
  parseMetadataJson,
  type NamespaceEntry,
  type OrderedDocument,
} from '../../../src/archive/index.js';
import { MongoBackupService } from '../../../src/index.js';
import {
  connectTestClient,
  isFerretDb,
  requireServer,
  testServer,
  uniqueDbName,
} from '../../support/server.js';
import { requireTool, runToolOk } from '../../support/tools.js';

/** The filter of issue 9: an embedded document whose integer-like keys come after a letter. */
const QUERY = '{"b": {"9": 1, "a": 2, "1": 3}}';
const MATCHING = 5;

const ordered = (entries: [string, unknown][]): Map<string, unknown> => new Map(entries);
const one = new Int32(1);

/**
 * Integer-like field names keep their place, as with mongodump/mongorestore: a query on an embedded document
 * `{"9": 1, "a": 2, "1": 3}` matches what mongodump's matches, and a compound index `{ z: 1, "5": 1 }` is dumped,
 * written and restored as that index, not as `{ "5": 1, z: 1 }`.
 */
describe('key order of queries and index keys (side by side with mongodump)', () => {
  const source = uniqueDbName('order_src');
  const created = [source];
  let client: MongoClient | undefined;
  let service: MongoBackupService;
  let workDir = '';

  /** The `key` of an index as the server lists it, decoded in order. */
  async function indexKeyOrder(db: Db, collection: string, name: string): Promise<string[] | undefined> {
    for (const raw of await db.collection(collection).listIndexes({ raw: true }).toArray()) {
      const spec = decodeOrderedDocument(raw as unknown as Uint8Array);
      if (spec.get('name') === name) return [...(spec.get('key') as OrderedDocument).keys()];
    }
    return undefined;
  }

  async function preludeOf(archive: string): Promise<readonly NamespaceEntry[]> {
    for await (const event of readArchive(createReadStream(archive))) {
      if (event.kind === 'prelude') return event.entries;
    }
    throw new Error(`${archive} has no prelude`);
  }

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-key-order-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    service = new MongoBackupService({ source: client, env: {} });
    const db = client.db(source);
    // Maps keep the order on the way in; a plain object literal would not.
    const matching = ordered([
      ['9', one],
      ['a', new Int32(2)],
      ['1', new Int32(3)],
    ]);
    const reordered = ordered([
      ['1', new Int32(3)],
      ['9', one],
      ['a', new Int32(2)],
    ]);
    await db
      .collection('docs')
      .insertMany(
        Array.from({ length: 12 }, (_, i) => ({ _id: i, b: i < MATCHING ? matching : reordered }) as never),
      );
    await db.command({
      createIndexes: 'docs',
      indexes: [
        ordered([
          [
            'key',
            ordered([
              ['z', one],
              ['5', one],
            ]),
          ],
          ['name', 'z_1_5_1'],
        ]),
      ],
    });
    expect(await indexKeyOrder(db, 'docs', 'z_1_5_1')).toEqual(['z', '5']);
  });

  afterAll(async () => {
    for (const db of created) await client?.db(db).dropDatabase();
    await service?.close();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('a query on {"9":1,"a":2,"1":3} dumps the documents mongodump dumps', async (ctx) => {
    const uri = requireServer(ctx);
    const ours = path.join(workDir, 'query.archive');
    const report = await service.dump({ databases: [source], query: QUERY, output: ours, gzip: false });
    expect(report.totalDocuments).toBe(MATCHING);

    const mongodump = requireTool(ctx, 'mongodump');
    const theirs = path.join(workDir, 'query-mongodump.archive');
    await runToolOk(mongodump, [
      `--uri=${uri}`,
      `--db=${source}`,
      `--collection=docs`,
      `--query=${QUERY}`,
      `--archive=${theirs}`,
    ]);
    let theirCount = 0;
    for await (const event of readArchive(createReadStream(theirs))) {
      if (event.kind === 'documents') theirCount += event.documents.length;
    }
    expect(theirCount).toBe(MATCHING);
  });

  it('index {z: 1, "5": 1}: our metadata is in order and equals mongodump’s; both restores build it in order', async (ctx) => {
    const uri = requireServer(ctx);
    const mongodump = requireTool(ctx, 'mongodump');
    const ours = path.join(workDir, 'index.archive');
    await service.dump({ databases: [source], output: ours, gzip: false });
    const entry = (await preludeOf(ours)).find((e) => e.collection === 'docs');
    const spec = entry?.metadata?.indexes.find((ix) => ix.get('name') === 'z_1_5_1');
    expect([...((spec?.get('key') as OrderedDocument | undefined)?.keys() ?? [])]).toEqual(['z', '5']);
    expect(entry?.metadataJson).toContain('"key":{"z":{"$numberInt":"1"},"5":{"$numberInt":"1"}}');

    // mongodump's metadata of the same collection, written by the real tool: the same text.
    const out = path.join(workDir, 'mongodump-out');
    await runToolOk(mongodump, [`--uri=${uri}`, `--db=${source}`, `--out=${out}`]);
    const theirText = await readFile(path.join(out, source, 'docs.metadata.json'), 'utf8');
    expect(entry?.metadataJson).toBe(theirText);
    const theirSpec = parseMetadataJson(theirText).indexes.find((ix) => ix.get('name') === 'z_1_5_1');
    expect([...((theirSpec?.get('key') as OrderedDocument | undefined)?.keys() ?? [])]).toEqual(['z', '5']);

    // Our restore of our archive, and of mongodump's directory dump, builds {z: 1, "5": 1}.
    for (const [label, from] of [
      ['our archive', ours],
      ['mongodump directory', out],
    ] as const) {
      const target = uniqueDbName('order_dst');
      created.push(target);
      const report = await service.restore({
        from,
        into: 'source',
        nsFrom: [`${source}.*`],
        nsTo: [`${target}.*`],
      });
      expect(
        report.namespaces.every((ns) => ns.status === 'restored'),
        label,
      ).toBe(true);
      expect(await indexKeyOrder(client!.db(target), 'docs', 'z_1_5_1'), label).toEqual(['z', '5']);
    }
  });

  it('the real mongorestore builds {z: 1, "5": 1} from our archive', async (ctx) => {
    const uri = requireServer(ctx);
    const mongorestore = requireTool(ctx, 'mongorestore');
    if (isFerretDb()) {
      ctx.skip(
        'FerretDB rejects the ns field mongorestore sends in index specs; our metadata is compared byte for byte ' +
          "with mongodump's in the test above instead",
      );
    }
    const ours = path.join(workDir, 'index-for-mongorestore.archive');
    await service.dump({ databases: [source], output: ours, gzip: false });
    const target = uniqueDbName('order_mr');
    created.push(target);
    await runToolOk(mongorestore, [
      `--uri=${uri}`,
      `--archive=${ours}`,
      `--nsFrom=${source}.*`,
      `--nsTo=${target}.*`,
    ]);
    expect(await indexKeyOrder(client!.db(target), 'docs', 'z_1_5_1')).toEqual(['z', '5']);
  });
});
