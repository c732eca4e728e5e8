import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON_SAMPLES } from '../../support/bson-samples.js';
import { expectSameDocuments } from '../../support/compare.js';
import {
  connectTestClient,
  isFerretDb,
  requireServer,
  testServer,
  uniqueDbName,
} from '../../support/server.js';
import { requireTool, runToolOk } from '../../support/tools.js';

/** Proves the reference tools are real and work against the test server: mongodump → mongorestore. */
describe('real mongodump and mongorestore against the test server', () => {
  const source = uniqueDbName('smoke_src');
  const target = uniqueDbName('smoke_dst');
  let client: MongoClient | undefined;
  let workDir = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-interop-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    const docs = BSON_SAMPLES.filter((s) => !(isFerretDb() && s.ferretdbLacks)).map((s, i) => ({
      _id: i,
      [s.name]: s.value,
    }));
    await client.db(source).collection<{ _id: number; [key: string]: unknown }>('types').insertMany(docs);
    await client
      .db(source)
      .collection<{ _id: number; [key: string]: unknown }>('many')
      .insertMany(
        Array.from({ length: 2500 }, (_, i) => ({
          _id: i,
          n: i,
          s: `doc ${i}`,
          nested: { i, even: i % 2 === 0 },
        })),
      );
    await client.db(source).createCollection('empty');
  });

  afterAll(async () => {
    await client?.db(source).dropDatabase();
    await client?.db(target).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('mongodump --archive --gzip, then mongorestore under another name, gives the same documents', async (ctx) => {
    const uri = requireServer(ctx);
    const mongodump = requireTool(ctx, 'mongodump');
    const mongorestore = requireTool(ctx, 'mongorestore');
    const archive = path.join(workDir, 'smoke.archive.gz');
    await runToolOk(mongodump, [`--uri=${uri}`, `--db=${source}`, `--archive=${archive}`, '--gzip']);
    // The real mongorestore sends an `ns` field in index specs, which FerretDB rejects; indexes are compared
    // only on a real mongod.
    const noIndexes = isFerretDb() ? ['--noIndexRestore'] : [];
    await runToolOk(mongorestore, [
      `--uri=${uri}`,
      `--archive=${archive}`,
      '--gzip',
      `--nsFrom=${source}.*`,
      `--nsTo=${target}.*`,
      ...noIndexes,
    ]);
    const compared = await expectSameDocuments(client!.db(source), client!.db(target));
    expect(compared).toBeGreaterThan(2500);
  });
});
