import { Binary } from 'bson';
import type { MongoClient } from 'mongodb';
import { formatMetadataJson } from '../archive/metadata-json.js';
import {
  decodeOrderedDocument,
  isOrderedDocument,
  type OrderedDocument,
} from '../archive/ordered-document.js';
import {
  bodyCollection,
  DATABASE_AUTH_COLLECTIONS,
  parseServerVersion,
  usesBucketsNamespace,
} from '../archive/namespace-layout.js';
import type { CollectionMetadata, NamespaceType } from '../archive/types.js';
import { isDumpedCollection, isDumpedWhenAll } from './system-namespaces.js';

/** One namespace a dump will write, with everything the prelude needs. */
export interface PlannedNamespace {
  readonly db: string;
  /** Collection name as announced in the prelude (the timeseries name, not its buckets). */
  readonly collection: string;
  /** The collection the documents are read from and written under (`system.buckets.x` for old timeseries). */
  readonly bodyCollection: string;
  /**
   * Read the collection's raw storage (`rawData`): the buckets of a timeseries collection on servers from 8.3,
   * which have no `system.buckets` namespace, as mongodump reads them.
   */
  readonly rawData: boolean;
  readonly type: NamespaceType;
  /** Parsed metadata; `undefined` for the users, roles and auth-version namespaces of a database dump. */
  readonly metadata: CollectionMetadata | undefined;
  /** The prelude's metadata text ("" when there is none). */
  readonly metadataJson: string;
  /**
   * Where the documents come from when it is not `db.bodyCollection`: the users, roles and auth version of one
   * database are read from `admin`, with their own filter (the dump's query does not apply).
   */
  readonly readFrom?: { readonly db: string; readonly collection: string; readonly filter: OrderedDocument };
}

/** What the source holds that the dump will write. */
export interface DumpPlan {
  readonly serverVersion: string;
  readonly namespaces: readonly PlannedNamespace[];
  /** Every namespace of the databases listed that the system-collection rules keep, before the namespace filter. */
  readonly candidates: readonly string[];
}

/** Which databases and namespaces to plan for. */
export interface CatalogSelection {
  /** Databases to dump; when absent, all but `local` and the internal ones (see {@link isDumpedWhenAll}). */
  readonly databases?: readonly string[];
  /** Namespace filter (`db.collection` → keep?), applied after the system-collection rules. */
  readonly select: (namespace: string) => boolean;
  /**
   * Add the users and roles defined on this database, and the auth schema version, as mongodump's
   * `--dumpDbUsersAndRoles` does (ignored for `admin`, whose dump holds them as ordinary collections).
   */
  readonly usersAndRolesOf?: string;
}

/**
 * Lists what a dump of the source will contain, skipping what mongodump skips (see {@link isDumpedCollection}):
 * `local` and the server's internal databases unless named, `config` but its sharding metadata unless named,
 * `<db>.system.*` except `system.js` (in `admin`, all but `system.keys`), bucket collections (dumped through their
 * timeseries collection). Catalog answers are read as raw BSON and decoded in order ({@link decodeOrderedDocument}):
 * values keep their BSON types (`size: 4096` stays an Int32, `{ a: 1.0 }` a Double) and keys their order
 * (`{ z: 1, "5": 1 }` stays that index).
 */
export async function planDump(client: MongoClient, selection: CatalogSelection): Promise<DumpPlan> {
  const build = await client.db('admin').command({ buildInfo: 1 });
  const serverVersion = String(build['version'] ?? '');
  const version = parseServerVersion(serverVersion);
  const databases = selection.databases ?? (await listDatabaseNames(client));
  const configNamed = selection.databases?.includes('config') ?? false;
  const namespaces: PlannedNamespace[] = [];
  const candidates: string[] = [];
  for (const db of databases) {
    const infos = (await client.db(db).listCollections({}, { raw: true }).toArray()).map(decodeRaw);
    const sorted = [...infos].sort((a, b) => String(a.get('name')).localeCompare(String(b.get('name'))));
    for (const info of sorted) {
      const name = String(info.get('name'));
      const type = namespaceType(info);
      if (type === undefined || !isDumpedCollection(db, name, configNamed)) continue;
      candidates.push(`${db}.${name}`);
      if (!selection.select(`${db}.${name}`)) continue;
      const indexes = type === 'view' ? [] : await listIndexes(client, db, name);
      const metadata = collectionMetadata(name, type, info, indexes);
      namespaces.push({
        db,
        collection: name,
        bodyCollection: version ? bodyCollection({ collection: name, type }, version) : name,
        rawData: type === 'timeseries' && version !== undefined && !usesBucketsNamespace(version),
        type,
        metadata,
        metadataJson: formatMetadataJson(metadata),
      });
    }
  }
  if (selection.usersAndRolesOf !== undefined && selection.usersAndRolesOf !== 'admin') {
    namespaces.push(...databaseAuthNamespaces(selection.usersAndRolesOf));
  }
  return { serverVersion, namespaces, candidates };
}

/**
 * The users and roles defined on `db` (read from `admin.system.users`/`admin.system.roles` where `db` matches) and
 * the whole `admin.system.version`, announced as `<db>.$admin.system.*` with no metadata, as mongodump writes them.
 */
function databaseAuthNamespaces(db: string): PlannedNamespace[] {
  return (['users', 'roles', 'version'] as const).map((kind) => {
    const collection = DATABASE_AUTH_COLLECTIONS[kind];
    return {
      db,
      collection,
      bodyCollection: collection,
      rawData: false,
      type: '',
      metadata: undefined,
      metadataJson: '',
      readFrom: {
        db: 'admin',
        collection: `system.${kind}`,
        filter: new Map(kind === 'version' ? [] : [['db', db]]),
      },
    };
  });
}

async function listDatabaseNames(client: MongoClient): Promise<string[]> {
  const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
  return databases
    .map((d) => d.name)
    .filter(isDumpedWhenAll)
    .sort();
}

function namespaceType(info: OrderedDocument): NamespaceType | undefined {
  switch (info.get('type')) {
    case undefined:
    case 'collection':
      return 'collection';
    case 'view':
      return 'view';
    case 'timeseries':
      return 'timeseries';
    default:
      return undefined;
  }
}

/** Index specs as the server lists them; for timeseries, on the timeseries collection (the server translates). */
async function listIndexes(client: MongoClient, db: string, collection: string): Promise<OrderedDocument[]> {
  const raw = await client.db(db).collection(collection).listIndexes({ raw: true }).toArray();
  return raw.map(decodeRaw);
}

/**
 * Decodes a catalog entry the driver returned as raw BSON (`raw: true`), keys in order. A driver that decoded it
 * anyway would have put integer-like keys first: refused, rather than dumping reordered index keys or options.
 */
function decodeRaw(entry: unknown): OrderedDocument {
  if (!(entry instanceof Uint8Array)) {
    throw new Error(
      'the MongoDB driver returned catalog entries decoded although raw BSON was asked for, so their key order ' +
        'cannot be kept; use a driver version that honours `raw` on listCollections/listIndexes cursors',
    );
  }
  return decodeOrderedDocument(entry);
}

/** The metadata of one collection from its `listCollections` entry and its index specs, keys in server order. */
export function collectionMetadata(
  name: string,
  type: NamespaceType,
  info: OrderedDocument,
  indexes: OrderedDocument[],
): CollectionMetadata {
  const given = info.get('options');
  const options = isOrderedDocument(given) ? given : new Map<string, unknown>();
  const details = info.get('info');
  const uuid = isOrderedDocument(details) ? details.get('uuid') : undefined;
  return {
    options,
    indexes,
    ...(uuid instanceof Binary ? { uuid: Buffer.from(uuid.buffer).toString('hex') } : {}),
    collectionName: name,
    type,
  };
}
