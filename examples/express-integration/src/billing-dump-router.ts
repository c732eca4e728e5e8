/**
 * The billing backend's dump endpoint, as its documentation shows it (docs/migration.md at the repository root):
 *
 *   POST /auth/api/dump/create   (Authorization: Bearer <admin JWT>)
 *
 * writes a gzip mongodump archive of every collection of the configured database into the dump folder (default
 * `api/dumps/`), named `<db>_dump_<ISO time with - for : and .>.gz`, which `mongorestore --gzip --archive=<file>`
 * restores. Mount it at `/auth/api/dump`.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import type { Router } from 'express';
import { backupFileName } from 'mongo-backup-service';

import type { BackupService } from './app.js';
import { HttpError } from './http-error.js';
import type { OperationLock } from './operation-lock.js';
import { parseEmptyBody } from './seed-request-bodies.js';
import { finishSeedRouter, seedSuccess, startSeedRouter, type SeedRouterBase } from './seed-envelope.js';

/** The billing backend's dump folder, relative to the working directory. */
export const DEFAULT_DUMP_DIR = 'api/dumps';

/** Options of {@link createBillingDumpRouter}. */
export interface BillingDumpRouterOptions extends SeedRouterBase {
  /** The service the dump runs on. */
  readonly service: Pick<BackupService, 'config' | 'dump'>;
  /** The database to dump: see {@link billingDatabase}. `undefined` makes the route answer 503. */
  readonly database: string | undefined;
  /** Where dumps go. Defaults to {@link DEFAULT_DUMP_DIR}. */
  readonly dumpDir?: string;
  /** Shared with the other routers, so that dumps, backups and imports never overlap. */
  readonly lock: OperationLock;
}

/** The `data` of a successful answer. */
export interface BillingDumpData {
  /** `<db>_dump_<timestamp>.gz`. */
  readonly fileName: string;
  /** The file, under the dump folder as configured (relative paths stay relative). */
  readonly filePath: string;
  /** Size of the compressed file in bytes. */
  readonly fileSize: number;
  /** Documents written, every collection together. */
  readonly totalRecords: number;
  /** The collections included, in dump order. */
  readonly collections: readonly string[];
  /** Documents per collection, in dump order (a list, so that names such as `"1"` keep their place). */
  readonly recordsPerCollection: readonly { readonly collection: string; readonly records: number }[];
  /** The database dumped. */
  readonly database: string;
  /** When the dump was taken (the timestamp in its name), ISO 8601. */
  readonly createdAt: string;
}

/**
 * The database the dump endpoint dumps: the one database configured (`MONGO_BACKUP_DATABASES`), else the database
 * named in the source connection string's path (`mongodb://host/billing_system`), as `mongodump --uri` does.
 */
export function billingDatabase(config: BackupService['config']): string | undefined {
  if (config.databases?.length === 1) return config.databases[0];
  if (config.databases !== undefined || config.sourceUri === undefined) return undefined;
  return databaseInUri(config.sourceUri);
}

/** The database in a connection string's path, if any (`mongodb+srv://u:p@host/db?x=y` → `db`). */
export function databaseInUri(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]+)/.exec(uri);
  if (match?.[1] === undefined) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/** The router; mount it at `/auth/api/dump`. */
export function createBillingDumpRouter(options: BillingDumpRouterOptions): Router {
  const { service, database, lock } = options;
  const dumpDir = options.dumpDir ?? DEFAULT_DUMP_DIR;
  const router = startSeedRouter(options);

  router.post('/create', async (req, res) => {
    parseEmptyBody(req.body);
    if (database === undefined) {
      throw new HttpError(
        503,
        'DATABASE_NOT_CONFIGURED',
        'No database to dump: name one in the connection string (mongodb://host/billing_system) or set ' +
          'MONGO_BACKUP_DATABASES to exactly one database',
      );
    }
    const createdAt = new Date();
    const fileName = backupFileName({ database, date: createdAt, kind: 'archive-gzip' });
    const filePath = path.join(dumpDir, fileName);
    const report = await lock.run('dump', async () => {
      await mkdir(dumpDir, { recursive: true, mode: 0o700 });
      return service.dump({ databases: [database], format: 'archive', gzip: true, output: filePath });
    });
    const collections = report.namespaces.map((ns) => ns.namespace.slice(database.length + 1));
    const data: BillingDumpData = {
      fileName,
      filePath,
      fileSize: report.sizeBytes,
      totalRecords: report.totalDocuments,
      collections,
      recordsPerCollection: report.namespaces.map((ns, i) => ({
        collection: collections[i] ?? ns.namespace,
        records: ns.documents,
      })),
      database,
      createdAt: createdAt.toISOString(),
    };
    res.json(seedSuccess(data, 'Database dump created successfully'));
  });

  return finishSeedRouter(router, options);
}
