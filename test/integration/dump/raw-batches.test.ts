import { Binary, Double, Long, ObjectId, Timestamp } from 'bson';
import { describe, expect, it } from 'vitest';
import { RAW_BATCH_DOCUMENTS, rawBatches, takeBuffered } from '../../../src/dump/raw-batches.js';
import { DRIVER_MAJORS, useDriverClient } from '../../support/drivers.js';
import { requireServer } from '../../support/server.js';

const COUNT = 2600;

/**
 * The dump reads each server reply's documents straight from the driver's located elements. With both supported
 * driver majors that path must be the one taken, and give exactly the bytes the driver's own iteration gives.
 */
describe.each(DRIVER_MAJORS)('raw batches with a mongodb@$major client', (driver) => {
  const { dbName, client } = useDriverClient(driver, {
    prefix: 'rawb',
    seed: async (db) => {
      const docs = Array.from({ length: COUNT }, (_, i) => ({
        _id: i,
        d: new Double(i + 0.5),
        l: Long.fromNumber(i * 1e9),
        o: new ObjectId(),
        t: new Timestamp({ t: i, i: 1 }),
        bin: new Binary(Buffer.from([i & 0xff, 1, 2]), 0),
        nested: { z: 1, a: [1, 'two', { three: 3 }] },
        pad: 'x'.repeat(i % 300),
      }));
      await db.collection<{ _id: number }>('c').insertMany(docs);
    },
  });

  const find = (batchSize?: number) =>
    client()
      .db(dbName)
      .collection('c')
      .find({}, { raw: true, sort: { _id: 1 }, ...(batchSize === undefined ? {} : { batchSize }) });

  it('takes the documents from the reply directly, the same bytes as the driver iterates', async (ctx) => {
    requireServer(ctx);
    const expected: Buffer[] = [];
    for await (const doc of find()) expected.push(Buffer.from(doc as unknown as Uint8Array));
    expect(expected).toHaveLength(COUNT);

    for (const batchSize of [undefined, 700]) {
      const cursor = find(batchSize);
      expect(await cursor.hasNext()).toBe(true);
      // The fast path is available with this driver (a driver update that changes its internals shows here).
      const first = takeBuffered(cursor);
      expect(first).toBeDefined();
      const got: Uint8Array[] = [...(first as Uint8Array[])];
      for await (const batch of rawBatches(cursor)) {
        expect(batch.length).toBeGreaterThan(0);
        expect(batch.length).toBeLessThanOrEqual(RAW_BATCH_DOCUMENTS);
        got.push(...batch);
      }
      await cursor.close();
      expect(got).toHaveLength(COUNT);
      got.forEach((doc, i) => expect(Buffer.compare(doc, expected[i] as Buffer)).toBe(0));
    }
  });

  it('falls back to the driver when its reply is not in the expected shape', async (ctx) => {
    requireServer(ctx);
    const cursor = find(300);
    const fake = Object.create(cursor) as typeof cursor;
    Object.defineProperty(fake, 'documents', { get: () => ({ unexpected: true }) });
    expect(takeBuffered(fake)).toBeUndefined();
    let count = 0;
    for await (const batch of rawBatches(cursor)) count += batch.length;
    expect(count).toBe(COUNT);
  });
});
