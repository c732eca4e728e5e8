/**
 * Turning one database folder of a directory dump into prelude entries, each with the file holding its documents.
 *
 * @packageDocumentation
 */

import { ArchiveError, ErrorCode } from '../../errors.js';
import { parseMetadataJson } from '../metadata-json.js';
import { BUCKETS_PREFIX, bodyCollection, databaseAuthKind, namespaceString } from '../namespace-layout.js';
import type { ServerVersion } from '../namespace-layout.js';
import type { CollectionMetadata, NamespaceEntry, NamespaceType } from '../types.js';
import { readWholeFile } from './dump-file.js';
import type { DumpFile } from './dump-file.js';
import { collectionFileStem, isHashedFileStem, parseDumpFileName, queryUnescape } from './file-names.js';
import { listFolder } from './list-folder.js';

/** A prelude entry of a directory dump and where its documents are. */
export interface DirectoryNamespace {
  /** The entry, as an archive's prelude would announce it. */
  readonly entry: NamespaceEntry;
  /** The body collection holding the documents: `system.buckets.<coll>` for timeseries below 8.3. */
  readonly bodyCollection: string;
  /** The `.bson` file, or `undefined` when there is none (views, metadata-only collections). */
  readonly dataFile: DumpFile | undefined;
}

/** The files of one collection stem. */
interface StemFiles {
  bson?: DumpFile;
  metadata?: DumpFile;
}

/**
 * Reads the metadata files of a database folder and pairs every collection with its documents file.
 *
 * - `<stem>.metadata.json` and `<stem>.bson` (each possibly `.gz`) are one collection; a `.bson` without metadata
 *   is a collection with `metadata` undefined; metadata without `.bson` is a view or an empty collection.
 * - A timeseries metadata file `<coll>.metadata.json` takes `system.buckets.<coll>.bson` as its documents when that
 *   file exists (servers below 8.3), else `<coll>.bson` (8.3+). With neither, the body namespace follows
 *   `serverVersion`.
 * - Hashed (long) stems take their name from the metadata's `collectionName`.
 *
 * @throws {@link ArchiveError} `ARCHIVE_BAD_METADATA` (naming the file) for unparseable metadata;
 *   `DIRECTORY_DUMP_INVALID` for a file name that cannot be unescaped, a hashed name without a `collectionName`,
 *   two files for the same collection, or a timeseries collection with both documents layouts.
 * @internal
 */
export async function scanDatabaseFolder(
  folder: string,
  db: string,
  serverVersion: ServerVersion,
): Promise<DirectoryNamespace[]> {
  const stems = await groupFilesByStem(folder);

  /** Namespaces announced by a metadata file, by the stem of that file. */
  const described = new Map<string, DirectoryNamespace>();
  /** For each timeseries namespace, the stem its `system.buckets.<coll>.bson` file would have. */
  const bucketStems = new Map<string, string>();
  for (const [stem, files] of stems) {
    if (files.metadata === undefined) continue;
    const metadataJson = (await readWholeFile(files.metadata)).toString('utf8');
    const metadata = parseMetadataFile(
      metadataJson,
      files.metadata.path,
      namespaceString(db, queryUnescape(stem) ?? stem),
    );
    const collection = collectionName(stem, metadata, files.metadata.path);
    const entry: NamespaceEntry = {
      db,
      collection,
      metadataJson,
      metadata,
      size: 0,
      type: namespaceType(metadata),
    };
    if (entry.type === 'timeseries') bucketStems.set(collectionFileStem(BUCKETS_PREFIX + collection), stem);
    described.set(stem, { entry, bodyCollection: collection, dataFile: files.bson });
  }

  const undescribed: DirectoryNamespace[] = [];
  for (const [stem, files] of stems) {
    if (files.bson === undefined || files.metadata !== undefined) continue;
    const ownerStem = bucketStems.get(stem);
    const timeseries = ownerStem === undefined ? undefined : described.get(ownerStem);
    if (ownerStem !== undefined && timeseries !== undefined) {
      if (timeseries.dataFile !== undefined) {
        throw invalid(
          `timeseries collection ${db}.${timeseries.entry.collection} has documents in both ` +
            `${timeseries.dataFile.path} and ${files.bson.path}`,
        );
      }
      const buckets = BUCKETS_PREFIX + timeseries.entry.collection;
      described.set(ownerStem, { ...timeseries, bodyCollection: buckets, dataFile: files.bson });
      continue;
    }
    const collection = collectionName(stem, undefined, files.bson.path);
    const entry: NamespaceEntry = {
      db,
      collection,
      metadataJson: '',
      metadata: undefined,
      size: 0,
      // The users, roles and auth version of a one-database dump: typeless, as in an archive's prelude.
      type: databaseAuthKind(collection) === undefined ? 'collection' : '',
    };
    undescribed.push({ entry, bodyCollection: collection, dataFile: files.bson });
  }

  const namespaces = [...described.values(), ...undescribed];
  const seen = new Set<string>();
  for (const namespace of namespaces) {
    if (seen.has(namespace.entry.collection)) {
      throw invalid(
        `${folder} holds two sets of files for the collection ${JSON.stringify(namespace.entry.collection)}`,
      );
    }
    seen.add(namespace.entry.collection);
  }
  return namespaces
    .map((namespace) =>
      namespace.dataFile === undefined && namespace.entry.type === 'timeseries'
        ? { ...namespace, bodyCollection: bodyCollection(namespace.entry, serverVersion) }
        : namespace,
    )
    .sort((a, b) => compare(a.entry.collection, b.entry.collection));
}

/** The recognised files of a database folder, grouped by stem. */
async function groupFilesByStem(folder: string): Promise<Map<string, StemFiles>> {
  const stems = new Map<string, StemFiles>();
  for (const file of (await listFolder(folder)).files) {
    const name = parseDumpFileName(file.name);
    if (name === undefined) continue;
    const files = stems.get(name.stem) ?? {};
    const existing = files[name.kind];
    if (existing !== undefined) {
      throw invalid(
        `two ${name.kind} files for the same collection in ${folder}: ${existing.path} and ${file.path}`,
      );
    }
    files[name.kind] = { path: file.path, compression: name.gzip ? 'gzip' : 'none' };
    stems.set(name.stem, files);
  }
  return stems;
}

function parseMetadataFile(text: string, file: string, namespace: string): CollectionMetadata {
  try {
    return parseMetadataJson(text, namespace);
  } catch (error) {
    throw new ArchiveError(ErrorCode.ARCHIVE_BAD_METADATA, `${file}: ${(error as Error).message}`, {
      namespace,
      cause: error,
    });
  }
}

/** The collection name of a stem: unescaped, or the metadata's `collectionName` for a hashed stem. */
function collectionName(stem: string, metadata: CollectionMetadata | undefined, file: string): string {
  if (isHashedFileStem(stem)) {
    if (metadata?.collectionName === undefined) {
      throw invalid(
        `${file} has a shortened (hashed) name, so the collection name must come from the "collectionName" of its ` +
          `metadata file, found ${metadata === undefined ? 'no metadata file' : 'no "collectionName"'}`,
      );
    }
    return metadata.collectionName;
  }
  const name = queryUnescape(stem);
  if (name === undefined || name === '') {
    throw invalid(
      `${file}: expected a URL-escaped collection name before the suffix, found ${JSON.stringify(stem)}`,
    );
  }
  return name;
}

/** The entry type: the metadata's `type`, or guessed from the options for dumps that predate the field. */
function namespaceType(metadata: CollectionMetadata): NamespaceType {
  if (metadata.type !== undefined) return metadata.type;
  if (metadata.options.get('viewOn') !== undefined) return 'view';
  if (metadata.options.get('timeseries') !== undefined) return 'timeseries';
  return 'collection';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function invalid(message: string): ArchiveError {
  return new ArchiveError(ErrorCode.DIRECTORY_DUMP_INVALID, message);
}
