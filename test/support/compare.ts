import { BSON } from 'bson';
import type { Db } from 'mongodb';
import { expect } from 'vitest';

/** Every document of a collection as raw BSON, keyed by the canonical Extended JSON of its `_id`. */
export async function rawDocumentsById(db: Db, collection: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const cursor = db.collection(collection).find({}, { raw: true });
  for await (const raw of cursor) {
    const bytes = Buffer.from(raw as unknown as Uint8Array);
    const id = BSON.deserialize(bytes, { promoteValues: false })['_id'];
    out.set(BSON.EJSON.stringify({ id }, { relaxed: false }), bytes);
  }
  return out;
}

/** Names of the ordinary collections of a database, sorted (system collections left out). */
export async function collectionNames(db: Db): Promise<string[]> {
  const infos = await db.listCollections({}, { nameOnly: true }).toArray();
  return infos
    .map((info) => info.name)
    .filter((name) => !name.startsWith('system.'))
    .sort();
}

/** Asserts that two databases hold the same collections with byte-identical documents. */
export async function expectSameDocuments(
  source: Db,
  target: Db,
  collections?: readonly string[],
): Promise<number> {
  const names = collections ?? (await collectionNames(source));
  expect(await collectionNames(target)).toEqual(expect.arrayContaining([...names]));
  let compared = 0;
  for (const name of names) {
    const expected = await rawDocumentsById(source, name);
    const actual = await rawDocumentsById(target, name);
    expect([...actual.keys()].sort(), `documents of ${name}`).toEqual([...expected.keys()].sort());
    for (const [id, bytes] of expected) {
      const got = actual.get(id);
      expect(got?.equals(bytes), `document ${id} of ${name} differs`).toBe(true);
      compared += 1;
    }
  }
  return compared;
}
