import { Binary, type Document } from 'bson';
import type { Db } from 'mongodb';
import type { OrderedDocument } from '../archive/ordered-document.js';
import { toDriverValues } from '../driver/index.js';
import type { CollectionMetadata } from '../archive/types.js';
import { convertLegacyIndexes } from './legacy-indexes.js';

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
  const create = createCommand(collection, metadata, options.noOptionsRestore);
  try {
    if (options.preserveUUID && metadata?.uuid !== undefined) {
      const ui = new Binary(Buffer.from(metadata.uuid, 'hex'), Binary.SUBTYPE_UUID);
      await db.command(
        toDriverValues(db.client, {
          applyOps: [{ op: 'c', ns: `${db.databaseName}.$cmd`, ui, o: create }],
        }),
      );
    } else {
      await db.command(toDriverValues(db.client, create));
    }
  } catch (error) {
    if (codeOf(error) !== NAMESPACE_EXISTS) throw error;
  }
}

/**
 * The `create` command of a collection or view: its dumped options (timeseries, capped, validator, collation,
 * viewOn, pipeline...) with every nested document kept as its ordered `Map`; with `noOptionsRestore` only the
 * timeseries options, without which a timeseries collection cannot take its buckets back.
 */
export function createCommand(
  collection: string,
  metadata: CollectionMetadata | undefined,
  noOptionsRestore = false,
): Document {
  const options = metadata?.options ?? new Map<string, unknown>();
  const kept = noOptionsRestore ? new Map([...options].filter(([name]) => name === 'timeseries')) : options;
  return commandOf('create', collection, kept);
}

/** The `createIndexes` command of a collection and the dumped indexes it leaves out. */
export interface IndexPlan {
  /** The command, or `undefined` when there is no index to build. */
  readonly command: Document | undefined;
  /** Names of the indexes left out as duplicates after `convertLegacyIndexes` (as mongorestore does). */
  readonly leftOut: readonly string[];
}

/**
 * The `createIndexes` command of the dumped indexes (all but `_id_`, which comes with the collection). The index
 * version `v` is left to the server and the legacy `ns` field of old dumps is removed, as mongorestore does; specs
 * stay ordered `Map`s, so `{ z: 1, "5": 1 }` is built as written. With `convertLegacyIndexes`, specs whose converted
 * key duplicates an earlier one are left out, as mongorestore does.
 */
export function createIndexesCommand(
  collection: string,
  metadata: CollectionMetadata | undefined,
  options: IndexOptions,
): IndexPlan {
  const dumped = (metadata?.indexes ?? []).filter((spec) => spec.get('name') !== '_id_');
  const converted = options.convertLegacyIndexes
    ? convertLegacyIndexes(dumped)
    : { kept: dumped, duplicates: [] };
  const specs = converted.kept.map(
    (spec) => new Map([...spec].filter(([option]) => option !== 'v' && option !== 'ns')),
  );
  const command =
    specs.length === 0
      ? undefined
      : {
          createIndexes: collection,
          indexes: specs,
          ...(options.ignoreUnknownIndexOptions ? { ignoreUnknownIndexOptions: true } : {}),
        };
  return { command, leftOut: converted.duplicates };
}

/**
 * Builds the dumped indexes (see {@link createIndexesCommand}). Returns how many were built and the names of those
 * left out as duplicates.
 */
export async function buildIndexes(
  db: Db,
  collection: string,
  metadata: CollectionMetadata | undefined,
  options: IndexOptions,
): Promise<{ readonly built: number; readonly leftOut: readonly string[] }> {
  const { command, leftOut } = createIndexesCommand(collection, metadata, options);
  if (command !== undefined) await db.command(toDriverValues(db.client, command));
  return { built: command === undefined ? 0 : (command['indexes'] as unknown[]).length, leftOut };
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
    await db.command(toDriverValues(db.client, createCommand(name, metadata)));
  } catch (error) {
    if (codeOf(error) !== NAMESPACE_EXISTS) throw error;
  }
}

/**
 * A command document: its name first, then the options. The driver copies the top level into a plain object, so
 * option names must not be integer-like (they would move before the command name); nested documents are `Map`s and
 * keep their order.
 */
function commandOf(name: string, value: unknown, options: OrderedDocument): Document {
  const command: Document = { [name]: value };
  for (const [option, item] of options) {
    if (/^(0|[1-9]\d*)$/.test(option)) {
      throw new Error(`collection option "${option}" is not an option name; the metadata is not valid`);
    }
    if (option !== name) command[option] = item;
  }
  return command;
}

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
