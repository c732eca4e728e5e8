import { Binary, type Document } from 'bson';
import type { Db } from 'mongodb';
import type { CollectionMetadata } from '../archive/types.js';
import { convertLegacyIndex } from './legacy-indexes.js';

const NAMESPACE_NOT_FOUND = 26;
const NAMESPACE_EXISTS = 48;

/** How a target collection is prepared. */
export interface SetupOptions {
  readonly drop: boolean;
  readonly noOptionsRestore: boolean;
  readonly preserveUUID: boolean;
}

/** Drops a collection (or view); a missing one is fine. */
export async function dropIfExists(db: Db, collection: string): Promise<void> {
  try {
    await db.command({ drop: collection });
  } catch (error) {
    if (codeOf(error) !== NAMESPACE_NOT_FOUND) throw error;
  }
}

/**
 * Prepares a target collection before its documents: drops it when asked, then creates it with the dumped options
 * (timeseries, capped, validator, collation...) unless it already exists. With `preserveUUID` the collection is
 * created through `applyOps` with the dumped UUID, as mongorestore does.
 */
export async function prepareCollection(
  db: Db,
  collection: string,
  metadata: CollectionMetadata | undefined,
  options: SetupOptions,
): Promise<void> {
  if (options.drop) await dropIfExists(db, collection);
  const createOptions = options.noOptionsRestore
    ? keepTimeseriesOnly(metadata?.options)
    : { ...metadata?.options };
  try {
    if (options.preserveUUID && metadata?.uuid !== undefined) {
      const ui = new Binary(Buffer.from(metadata.uuid, 'hex'), Binary.SUBTYPE_UUID);
      await db.command({
        applyOps: [
          { op: 'c', ns: `${db.databaseName}.$cmd`, ui, o: { create: collection, ...createOptions } },
        ],
      });
    } else {
      await db.command({ create: collection, ...createOptions });
    }
  } catch (error) {
    if (codeOf(error) !== NAMESPACE_EXISTS) throw error;
  }
}

/**
 * Builds the dumped indexes (all but `_id_`, which comes with the collection). The index version `v` is left to
 * the server and the legacy `ns` field of old dumps is removed, as mongorestore does. Returns how many were built.
 */
export async function buildIndexes(
  db: Db,
  collection: string,
  metadata: CollectionMetadata | undefined,
  options: IndexOptions,
): Promise<number> {
  const specs = (metadata?.indexes ?? [])
    .filter((spec) => spec['name'] !== '_id_')
    .map((spec) => {
      const copy: Document = options.convertLegacyIndexes ? convertLegacyIndex(spec) : { ...spec };
      delete copy['v'];
      delete copy['ns'];
      return copy;
    });
  if (specs.length === 0) return 0;
  await db.command({
    createIndexes: collection,
    indexes: specs,
    ...(options.ignoreUnknownIndexOptions ? { ignoreUnknownIndexOptions: true } : {}),
  });
  return specs.length;
}

/** How indexes are built. */
export interface IndexOptions {
  /** Rewrite pre-3.4 index specs (see {@link convertLegacyIndex}). */
  readonly convertLegacyIndexes: boolean;
  /** Let the server drop options it does not know (MongoDB 4.1.9 and later). */
  readonly ignoreUnknownIndexOptions: boolean;
}

/** Creates a view from its dumped options (`viewOn`, `pipeline`, `collation`). */
export async function createView(
  db: Db,
  name: string,
  metadata: CollectionMetadata | undefined,
  drop: boolean,
): Promise<void> {
  if (drop) await dropIfExists(db, name);
  try {
    await db.command({ create: name, ...metadata?.options });
  } catch (error) {
    if (codeOf(error) !== NAMESPACE_EXISTS) throw error;
  }
}

function keepTimeseriesOnly(options: Readonly<Record<string, unknown>> | undefined): Document {
  // Without its timeseries options a timeseries collection cannot take its buckets back.
  return options?.['timeseries'] === undefined ? {} : { timeseries: options['timeseries'] };
}

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
