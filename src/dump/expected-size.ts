import type { MongoClient } from 'mongodb';
import type { DumpPlan } from './catalog.js';

/** Headroom over the source's data size: data written meanwhile, archive framing, encryption tags. */
const GROWTH_FACTOR = 1.5;
const FIXED_HEADROOM = 256 * 1024 * 1024;

/**
 * The most bytes a dump of `plan` is expected to write, for sizing multipart upload parts: the data size the
 * server reports for the databases dumped (an upper bound when only some collections are), with headroom. gzip
 * only makes the archive smaller, so the uncompressed size bounds it.
 */
export async function estimateDumpBytes(client: MongoClient, plan: DumpPlan): Promise<number> {
  const databases = [...new Set(plan.namespaces.map((ns) => ns.readFrom?.db ?? ns.db))];
  const sizes = await Promise.all(
    databases.map(async (db) => {
      const stats = await client.db(db).command({ dbStats: 1 });
      return Number(stats['dataSize'] ?? 0);
    }),
  );
  const total = sizes.reduce((sum, size) => sum + (Number.isFinite(size) ? size : 0), 0);
  return Math.ceil(total * GROWTH_FACTOR) + FIXED_HEADROOM;
}
