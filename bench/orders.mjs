// Shared by the codec benchmarks: the generated order documents (raw BSON), the same for every run.

import { BSON, Double, Int32, Long, ObjectId } from 'bson';
import { generator, WORDS } from './data.mjs';

const MB = 1e6;
const UNIQUE_MB = 32;

/** One generated order document. */
export function orderDocument(random, i) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  return BSON.serialize({
    _id: new ObjectId(),
    orderNumber: new Int32(100000 + i),
    customer: {
      name: `${pick(WORDS)} ${pick(WORDS)}`,
      email: `user${Math.floor(random() * 1e6)}@example.com`,
      address: {
        street: `${Math.floor(random() * 999)} ${pick(WORDS)} street`,
        city: pick(WORDS),
        zip: String(10000 + Math.floor(random() * 89999)),
      },
    },
    status: pick(['pending', 'shipped', 'delivered', 'cancelled']),
    createdAt: new Date(1.6e12 + Math.floor(random() * 1e11)),
    total: new Double(Math.round(random() * 1e6) / 100),
    quantity: Long.fromNumber(Math.floor(random() * 1e9)),
    tags: Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(WORDS)),
    items: Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
      sku: `SKU-${Math.floor(random() * 1e6)}`,
      price: new Double(Math.round(random() * 1e5) / 100),
      qty: new Int32(1 + Math.floor(random() * 9)),
    })),
    notes: Array.from({ length: 5 + Math.floor(random() * 40) }, () => pick(WORDS)).join(' '),
  });
}

/**
 * Raw BSON documents totalling at least `megabytes`, in one contiguous buffer. The first 32 MB are generated; the
 * rest repeats them with a distinct `_id` each (the repetition is far beyond gzip's 32 KiB window, so compression
 * ratio and speed stay those of the generated data).
 */
export function generateDocuments(megabytes) {
  const random = generator(42);
  const unique = [];
  let uniqueBytes = 0;
  while (uniqueBytes < Math.min(megabytes, UNIQUE_MB) * MB) {
    const doc = orderDocument(random, unique.length);
    unique.push(doc);
    uniqueBytes += doc.length;
  }
  const copies = Math.ceil((megabytes * MB) / uniqueBytes);
  const all = Buffer.allocUnsafe(uniqueBytes * copies);
  const docs = new Array(unique.length * copies);
  let offset = 0;
  for (let copy = 0; copy < copies; copy++) {
    for (let k = 0; k < unique.length; k++) {
      const doc = unique[k];
      all.set(doc, offset);
      all.writeUInt32BE(copy, offset + 9 + 8); // last 4 bytes of the _id ObjectId (first field, value at byte 9)
      docs[copy * unique.length + k] = all.subarray(offset, offset + doc.length);
      offset += doc.length;
    }
  }
  return { all, docs };
}
