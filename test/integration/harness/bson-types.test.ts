import { BSON } from 'bson';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON_SAMPLES } from '../../support/bson-samples.js';
import {
  connectTestClient,
  isFerretDb,
  requireServer,
  testServer,
  uniqueDbName,
} from '../../support/server.js';

/** Proves the harness is real: what the driver writes, the server gives back byte for byte. */
describe('test server stores every BSON type it supports byte for byte', () => {
  const dbName = uniqueDbName('smoke_types');
  let client: MongoClient | undefined;

  beforeAll(async () => {
    if (testServer().kind !== 'none') client = await connectTestClient();
  });
  afterAll(async () => {
    await client?.db(dbName).dropDatabase();
    await client?.close();
  });

  it.for(BSON_SAMPLES.map((sample, index) => ({ ...sample, index })))(
    '$name',
    async ({ name, value, ferretdbLacks, index }, ctx) => {
      requireServer(ctx);
      if (ferretdbLacks && isFerretDb()) ctx.skip(ferretdbLacks);
      const doc = { _id: index, [name]: value };
      const collection = client!.db(dbName).collection<{ _id: number; [key: string]: unknown }>('types');
      await collection.insertOne(doc);
      const raw = await collection.findOne({ _id: index }, { raw: true });
      expect(raw).not.toBeNull();
      expect(Buffer.from(raw as unknown as Uint8Array).equals(Buffer.from(BSON.serialize(doc)))).toBe(true);
    },
  );
});
