/**
 * Finding everything a directory dump holds, before any document is read.
 *
 * @packageDocumentation
 */

import path from 'node:path';
import { ArchiveError, ErrorCode } from '../../errors.js';
import { ARCHIVE_FORMAT_VERSION, DEFAULT_CONCURRENT_COLLECTIONS } from '../constants.js';
import { bodyCollection as bodyCollectionOf, parseServerVersion } from '../namespace-layout.js';
import type { ServerVersion } from '../namespace-layout.js';
import type { ArchiveHeader } from '../types.js';
import { listFolder } from './list-folder.js';
import { findPreludeJson } from './prelude-json.js';
import { scanDatabaseFolder } from './scan-database-folder.js';
import type { DirectoryNamespace } from './scan-database-folder.js';

/** The file name of the oplog at the top of a dump made with `--oplog`. */
export const OPLOG_FILE_NAME = 'oplog.bson';

/**
 * The server version assumed for a dump without a usable `prelude.json`: such dumps come from tools older than
 * 100.12, which predate servers that store timeseries data under the collection's own name.
 */
const VERSION_WITHOUT_PRELUDE: ServerVersion = Object.freeze({ major: 0, minor: 0 });

/** Characters mongorestore refuses in a database (folder) name. */
const INVALID_DB_NAME_CHARACTERS = /[/\\. "$\0]/;

/** Everything a directory dump announces, in reading order (the oplog, when present, last). */
export interface DirectoryLayout {
  /** The header an archive of the same dump would carry. */
  readonly header: ArchiveHeader;
  /** The namespaces, sorted by database then collection, the oplog last. */
  readonly namespaces: readonly DirectoryNamespace[];
}

/**
 * Reads the layout of a directory dump.
 *
 * - Without `db`: `dir` is a `mongodump --out` folder. Each sub-folder is a database; `oplog.bson` is the oplog
 *   (gzip detected from its first bytes); other top-level files are ignored. `prelude.json[.gz]` is looked for in
 *   `dir`, then in each database folder (`mongodump --db X` writes it there).
 * - With `db`: `dir` is one database folder (the `mongorestore --db X DIR/X` layout) read as database `db`.
 *   `prelude.json[.gz]` is looked for in `dir`, then in its parent, as mongorestore does.
 *
 * @throws {@link ArchiveError} `DIRECTORY_DUMP_INVALID` for an unreadable folder, an invalid database folder name or
 *   a malformed prelude, and whatever {@link scanDatabaseFolder} throws.
 * @internal
 */
export async function scanDirectoryDump(dir: string, db?: string): Promise<DirectoryLayout> {
  if (db !== undefined) {
    assertDatabaseName(db, dir);
    const header = toHeader(await findPreludeJson([dir, path.dirname(path.resolve(dir))]));
    const namespaces = await scanDatabaseFolder(dir, db, versionOf(header));
    return { header, namespaces };
  }

  const listing = await listFolder(dir);
  for (const folder of listing.folders) assertDatabaseName(folder.name, folder.path);
  const header = toHeader(await findPreludeJson([dir, ...listing.folders.map((folder) => folder.path)]));
  const namespaces: DirectoryNamespace[] = [];
  for (const folder of listing.folders) {
    namespaces.push(...(await scanDatabaseFolder(folder.path, folder.name, versionOf(header))));
  }
  const oplog = listing.files.find((file) => file.name === OPLOG_FILE_NAME);
  if (oplog !== undefined) {
    namespaces.push({
      entry: { db: '', collection: 'oplog', metadataJson: '', metadata: undefined, size: 0, type: '' },
      bodyCollection: 'oplog',
      dataFile: { path: oplog.path, compression: 'detect' },
    });
  }
  return { header, namespaces };
}

/**
 * Lays out one collection file (`<coll>.bson[.gz]`, the `mongorestore --db X --collection Y FILE` form) as a dump of
 * one namespace, `db.collection`: `collection` defaults to the file's (unescaped) name, the metadata comes from the
 * sibling `<coll>.metadata.json[.gz]` when there is one, `prelude.json` is looked for beside the file and in its
 * parent.
 *
 * @throws {@link ArchiveError} `DIRECTORY_DUMP_INVALID` when `file` is not a `.bson` file or `db` is not a valid
 *   database name, and whatever {@link scanDatabaseFolder} throws for the folder it sits in.
 * @internal
 */
export async function scanBsonFile(file: string, db: string, collection?: string): Promise<DirectoryLayout> {
  const folder = path.dirname(path.resolve(file));
  assertDatabaseName(db, folder);
  const header = toHeader(await findPreludeJson([folder, path.dirname(folder)]));
  const found = (await scanDatabaseFolder(folder, db, versionOf(header))).find(
    (namespace) =>
      namespace.dataFile !== undefined && path.resolve(namespace.dataFile.path) === path.resolve(file),
  );
  if (found === undefined) {
    throw new ArchiveError(
      ErrorCode.DIRECTORY_DUMP_INVALID,
      `${file}: expected an existing collection file, named <collection>.bson or <collection>.bson.gz`,
    );
  }
  if (collection === undefined || collection === found.entry.collection)
    return { header, namespaces: [found] };
  const renamed = { ...found.entry, collection };
  const bodyCollection =
    found.bodyCollection === found.entry.collection
      ? collection
      : bodyCollectionOf(renamed, versionOf(header));
  return { header, namespaces: [{ ...found, entry: renamed, bodyCollection }] };
}

function toHeader(prelude: { serverVersion: string; toolVersion: string } | undefined): ArchiveHeader {
  return {
    concurrentCollections: DEFAULT_CONCURRENT_COLLECTIONS,
    version: ARCHIVE_FORMAT_VERSION,
    serverVersion: prelude?.serverVersion ?? '',
    toolVersion: prelude?.toolVersion ?? '',
  };
}

function versionOf(header: ArchiveHeader): ServerVersion {
  return parseServerVersion(header.serverVersion) ?? VERSION_WITHOUT_PRELUDE;
}

function assertDatabaseName(name: string, where: string): void {
  const bad = INVALID_DB_NAME_CHARACTERS.exec(name);
  if (name === '' || bad !== null) {
    throw new ArchiveError(
      ErrorCode.DIRECTORY_DUMP_INVALID,
      `${where} cannot hold a database: expected a database name without "/", "\\", ".", " ", '"', "$" or NUL, ` +
        `found ${JSON.stringify(name)}. Pass the dump folder itself, or use the "db" option for a single database folder.`,
    );
  }
}
