import type { CommandStartedEvent } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { PlannedNamespace } from '../../../src/dump/catalog.js';
import { pumpCollection } from '../../../src/dump/collection-pump.js';
import { REPLY_BYTES_TARGET, batchSizeForReplyBytes } from '../../../src/dump/reply-size.js';
import type { NamespaceSink } from '../../../src/dump/sink.js';
import { DRIVER_MAJORS, useDriverClient } from '../../support/drivers.js';
import { requireServer } from '../../support/server.js';

/** Documents of about 16 KiB (32 to a reply) and of about 100 bytes (some 5,000 to a reply). */
const COLLECTIONS = {
  large: { count: 200, pad: 16_000 },
  small: { count: 12_000, pad: 60 },
} as const;

type Name = keyof typeof COLLECTIONS;

/** A sink that keeps copies of what it is given, to compare with what the driver reads. */
function collectingSink(into: Buffer[]): NamespaceSink {
  return {
    writeMany: async (documents) => {
      for (const document of documents) into.push(Buffer.from(document));
    },
    end: async () => undefined,
  };
}

function plannedCollection(db: string, collection: string): PlannedNamespace {
  return {
    db,
    collection,
    bodyCollection: collection,
    rawData: false,
    type: 'collection',
    metadata: undefined,
    metadataJson: '',
  };
}

/**
 * Without a batchSize, the dump sizes each server reply in bytes: every getMore after the first asks for as many
 * documents as fill about REPLY_BYTES_TARGET at the average size read so far. With both supported driver majors the
 * count must reach the server, and every document must still be read once, in order.
 */
describe.each(DRIVER_MAJORS)('reply sizes with a mongodb@$major client', (driver) => {
  const { dbName, seeder, client } = useDriverClient(driver, {
    prefix: 'reply',
    monitorCommands: true,
    seed: async (db) => {
      for (const [name, { count, pad }] of Object.entries(COLLECTIONS)) {
        const docs = Array.from({ length: count }, (_, i) => ({ _id: i, pad: 'x'.repeat(pad + (i % 7)) }));
        await db.collection<{ _id: number }>(name).insertMany(docs);
      }
    },
  });

  /** Pumps one collection, returning the documents read and the batchSize of each getMore sent. */
  async function pump(name: Name, batchSize?: number): Promise<{ documents: Buffer[]; getMores: unknown[] }> {
    const getMores: unknown[] = [];
    const listener = (event: CommandStartedEvent): void => {
      if (event.commandName === 'getMore' && event.command['collection'] === name) {
        getMores.push(event.command['batchSize']);
      }
    };
    client().on('commandStarted', listener);
    const documents: Buffer[] = [];
    try {
      const dumped = await pumpCollection(
        client(),
        plannedCollection(dbName, name),
        collectingSink(documents),
        {
          filter: new Map(),
          readPreference: undefined,
          batchSize,
          signal: new AbortController().signal,
          onProgress: undefined,
        },
      );
      expect(dumped.documents).toBe(documents.length);
    } finally {
      client().off('commandStarted', listener);
    }
    return { documents, getMores };
  }

  async function driverRead(name: Name): Promise<Buffer[]> {
    const read: Buffer[] = [];
    const cursor = seeder()
      .db(dbName)
      .collection(name)
      .find({}, { raw: true, hint: { $natural: 1 } });
    for await (const doc of cursor) read.push(Buffer.from(doc as unknown as Uint8Array));
    return read;
  }

  it.for(Object.keys(COLLECTIONS) as Name[])(
    'asks the server for replies of about REPLY_BYTES_TARGET from the %s collection, reading every document once',
    async (name, ctx) => {
      requireServer(ctx);
      const { documents, getMores } = await pump(name);
      const expected = await driverRead(name);
      expect(documents).toHaveLength(COLLECTIONS[name].count);
      documents.forEach((doc, i) => expect(Buffer.compare(doc, expected[i] as Buffer)).toBe(0));

      const average = expected.reduce((sum, doc) => sum + doc.length, 0) / expected.length;
      const wanted = batchSizeForReplyBytes(average);
      expect(wanted * average).toBeLessThanOrEqual(REPLY_BYTES_TARGET);
      expect(getMores.length).toBeGreaterThan(1);
      // The count follows the average read so far (within a document's size of the whole collection's).
      for (const sent of getMores) {
        expect(typeof sent).toBe('number');
        expect(Math.abs((sent as number) - wanted)).toBeLessThanOrEqual(Math.max(1, wanted * 0.01));
      }
    },
  );

  it("leaves the caller's batchSize as it is", async (ctx) => {
    requireServer(ctx);
    const { documents, getMores } = await pump('small', 700);
    expect(documents).toHaveLength(COLLECTIONS.small.count);
    expect(getMores.length).toBeGreaterThan(1);
    expect(new Set(getMores)).toEqual(new Set([700]));
  });
});
