import { Double, Int32, Long, ObjectId, type Document } from 'bson';
import type { Db } from 'mongodb';
import { BSON_SAMPLES } from './bson-samples.js';
import { isFerretDb } from './server.js';

/** What {@link seedDatabase} created, to compare against. */
export interface SeededDatabase {
  /** Documents per collection. */
  readonly counts: Readonly<Record<string, number>>;
  /** Index names per collection (`_id_` included). */
  readonly indexes: Readonly<Record<string, readonly string[]>>;
}

/**
 * Fills a database with what a backup must carry faithfully: one document per BSON type the server supports,
 * nested and large documents, integer-like keys out of numeric order, an empty collection, a capped collection,
 * several index kinds, and a collection with a dot in its name.
 */
export async function seedDatabase(
  db: Db,
  options: { manyDocuments?: number } = {},
): Promise<SeededDatabase> {
  const samples = BSON_SAMPLES.filter((sample) => !(isFerretDb() && sample.ferretdbLacks));
  await db
    .collection<{ _id: number; [key: string]: unknown }>('types')
    .insertMany(samples.map((sample, i) => ({ _id: i, [sample.name]: sample.value })));

  const many = options.manyDocuments ?? 3000;
  const docs: Document[] = [];
  for (let i = 0; i < many; i += 1) {
    docs.push({
      _id: new ObjectId(),
      seq: new Int32(i),
      price: new Double(i / 4),
      big: Long.fromNumber(i * 1_000_003),
      sku: `SKU-${i.toString().padStart(6, '0')}`,
      tags: ['a', `t${i % 7}`],
      createdAt: new Date(1_700_000_000_000 + i * 1000),
      nested: { level: { deeper: { i, flag: i % 3 === 0 } } },
    });
  }
  await db.collection('orders').insertMany(docs);
  await db.collection('orders').createIndex({ sku: 1 }, { unique: true, name: 'sku_unique' });
  await db.collection('orders').createIndex({ 'nested.level.deeper.i': -1, seq: 1 }, { name: 'compound' });
  if (!isFerretDb()) {
    // FerretDB: "Index option expireAfterSeconds is not implemented yet".
    await db
      .collection('orders')
      .createIndex({ createdAt: 1 }, { expireAfterSeconds: 3600 * 24 * 365 * 50, name: 'ttl' });
  }

  await db.collection<{ _id: number; [key: string]: unknown }>('large').insertMany([
    { _id: 1, blob: 'x'.repeat(2 * 1024 * 1024) },
    { _id: 2, blob: 'y'.repeat(512 * 1024), list: Array.from({ length: 5000 }, (_, i) => i) },
  ]);
  // Keys a JavaScript object would reorder ("10" and "2" before "b"): written through Maps, kept only by raw bytes.
  const keyOrder = new Map<string, unknown>([
    ['_id', 1],
    ['b', 1],
    ['10', 'ten'],
    ['2', 'two'],
    [
      'a',
      new Map<string, unknown>([
        ['z', 1],
        ['1', 2],
      ]),
    ],
  ]);
  await db.command({ insert: 'keyorder', documents: [keyOrder] });
  await db.createCollection('empty');
  await db.createCollection('capped', { capped: true, size: 65536, max: 100 });
  await db
    .collection<{ _id: number; [key: string]: unknown }>('capped')
    .insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, line: `log ${i}` })));
  await db
    .collection<{ _id: string; [key: string]: unknown }>('dotted.name')
    .insertMany([{ _id: 'a' }, { _id: 'b' }]);

  const counts: Record<string, number> = {};
  const indexes: Record<string, string[]> = {};
  for (const info of await db.listCollections({}, { nameOnly: true }).toArray()) {
    counts[info.name] = await db.collection(info.name).countDocuments();
    indexes[info.name] = (await db.collection(info.name).listIndexes().toArray())
      .map((ix) => String(ix['name']))
      .sort();
  }
  return { counts, indexes };
}
