/**
 * The Atlas-to-local backup service's admin endpoints, as its documentation shows them (docs/migration.md at the
 * repository root). Mount it at `/api/backups`. Every answer is `{ success, message?, data }`; every failure
 * `{ success: false, message, code }`.
 *
 * | Method and path                     | Body                           | Calls                                        |
 * | ----------------------------------- | ------------------------------ | -------------------------------------------- |
 * | `GET  /api/backups/status`          |                                | `config`, `listBackups()`, scheduler status  |
 * | `POST /api/backups/create`          |                                | `scheduler.runNow()`, else `service.backup()` |
 * | `POST /api/backups/import`          | `{ backupPath, databaseName }` | `service.restore({ into: 'target', ... })`   |
 * | `POST /api/backups/clean`           | `{ keepCount }`                | `service.cleanBackups(keepCount)`            |
 * | `GET  /api/backups/test-connections` |                               | `service.checkConnections()`                 |
 */
import path from 'node:path';

import type { Router } from 'express';
import {
  ErrorCode,
  MongoBackupError,
  MongoBackupUsageError,
  type BackupRunResult,
  type BackupScheduler,
  type ConnectionCheckResult,
} from 'mongo-backup-service';

import type { BackupService } from './app.js';
import { findBackup } from './backup-names.js';
import { HttpError } from './http-error.js';
import type { OperationLock } from './operation-lock.js';
import { parseEmptyBody, parseSeedCleanRequest, parseSeedImportRequest } from './seed-request-bodies.js';
import { finishSeedRouter, seedSuccess, startSeedRouter, type SeedRouterBase } from './seed-envelope.js';

/** Options of {@link createAtlasBackupsRouter}. */
export interface AtlasBackupsRouterOptions extends SeedRouterBase {
  /** The service the routes drive; `config` gives the status (enabled, interval, autoImport, backupPath). */
  readonly service: BackupService;
  /**
   * The running scheduler, when scheduled backups are enabled: manual backups then go through it. Build it with
   * the same {@link AtlasBackupsRouterOptions.lock} (`startSeedScheduler({ lock })`), so that its runs never
   * overlap an import or a clean.
   */
  readonly scheduler?: BackupScheduler<BackupRunResult> | undefined;
  /** Shared with the other routers, so that dumps, backups and imports never overlap. */
  readonly lock: OperationLock;
}

/** One backup in `GET /api/backups/status`: the seed's fields, plus ours. */
export interface SeedBackupEntry {
  readonly name: string;
  /** `<backupPath>/<name>`, as the seed shows it (`./backups/...`). */
  readonly path: string;
  /** ISO 8601, from the timestamp in the name. */
  readonly created: string;
  /** Bytes. */
  readonly size: number;
  /** The database backed up; absent for a backup of every database. */
  readonly database?: string;
  /** `archive-gzip`, `archive`, `directory` or `tar.gz`. */
  readonly kind: string;
}

/** One cluster in `GET /api/backups/test-connections`. */
export interface SeedConnection {
  readonly connected: boolean;
  /** Hosts without credentials; `''` when the cluster is not configured. */
  readonly host: string;
  readonly latencyMs?: number;
  readonly version?: string;
  /** Why it is not connected (credentials redacted). */
  readonly error?: string;
}

/** The router; mount it at `/api/backups`. */
export function createAtlasBackupsRouter(options: AtlasBackupsRouterOptions): Router {
  const { service, scheduler, lock, redact } = options;
  const backupDir = service.config.backupDir;
  const router = startSeedRouter(options);
  /** Where a backup is, as the seed shows it: `<backupPath>/<name>` (`./backups/...`). */
  const shown = (name: string): string => `${backupDir.replace(/[/\\]+$/, '')}/${name}`;

  router.get('/status', async (_req, res) => {
    const { config } = service;
    const schedule = config.schedule;
    const backups = (await service.listBackups()).map((backup): SeedBackupEntry => ({
      name: backup.name,
      path: shown(backup.name),
      created: backup.createdAt.toISOString(),
      size: backup.sizeBytes,
      ...(backup.database === undefined ? {} : { database: backup.database }),
      kind: backup.kind,
    }));
    const status = scheduler?.status();
    res.json(
      seedSuccess({
        enabled: config.scheduleEnabled,
        interval: schedule !== undefined && 'everyHours' in schedule ? schedule.everyHours : null,
        ...(schedule !== undefined && 'cron' in schedule ? { cron: schedule.cron } : {}),
        autoImport: config.autoImport.enabled,
        backupPath: backupDir,
        backups,
        ...(status === undefined
          ? {}
          : {
              scheduler: {
                running: status.running,
                runs: status.runs,
                failures: status.failures,
                skipped: status.skipped,
                ...(status.lastRun === undefined ? {} : { lastRun: status.lastRun }),
                ...(status.nextRunAt === undefined ? {} : { nextRunAt: status.nextRunAt.toISOString() }),
              },
            }),
      }),
    );
  });

  router.post('/create', async (req, res) => {
    parseEmptyBody(req.body);
    // Through the scheduler when it runs, so that a manual and a scheduled backup never overlap; its runs take
    // the lock themselves (see startSeedScheduler).
    const result =
      scheduler === undefined
        ? await lock.run('backup', () => service.backup())
        : await scheduler.runNow().catch((error: unknown) => {
            if (error instanceof MongoBackupError && error.code === ErrorCode.SCHEDULE_OVERLAP) {
              throw new HttpError(409, 'OPERATION_IN_PROGRESS', redact(error.message));
            }
            throw error;
          });
    const name = result.dump.path === undefined ? '' : path.basename(result.dump.path);
    res.json(
      seedSuccess(
        {
          backupPath: shown(name),
          imported: result.imported !== undefined,
          name,
          size: result.dump.sizeBytes,
          totalRecords: result.dump.totalDocuments,
          ...(result.imported === undefined ? {} : { importedRecords: result.imported.documentsInserted }),
          removedByRetention: result.removedByRetention.map((backup) => backup.name),
        },
        'Manual backup completed successfully',
      ),
    );
  });

  router.post('/import', async (req, res) => {
    const { backupPath, databaseName } = parseSeedImportRequest(req.body);
    const report = await lock.run('import', async () => {
      const backup = await findBackup(service, nameInBackupDir(backupDir, backupPath));
      if (databaseName !== undefined && backup.database === undefined) {
        throw new HttpError(
          400,
          'INVALID_REQUEST',
          `${backup.name} holds every database: leave "databaseName" out to restore them under their own names`,
        );
      }
      const rename =
        databaseName === undefined || backup.database === undefined
          ? {}
          : { nsFrom: [`${backup.database}.*`], nsTo: [`${databaseName}.*`] };
      return service.restore({ from: backup.path, into: 'target', drop: true, ...rename });
    });
    res.json(
      seedSuccess(
        {
          backupPath,
          databaseName: databaseName ?? null,
          documentsInserted: report.documentsInserted,
          collections: report.namespaces.map((ns) => ns.target),
        },
        'Backup imported to local successfully',
      ),
    );
  });

  router.post('/clean', async (req, res) => {
    const { keepCount } = parseSeedCleanRequest(req.body);
    const removed = await lock.run('clean', () => service.cleanBackups(keepCount));
    const remaining = await service.listBackups();
    res.json(
      seedSuccess(
        {
          removed: removed.map((backup) => backup.name),
          removedCount: removed.length,
          remaining: remaining.length,
          keepCount: keepCount ?? service.config.retention ?? null,
        },
        `Removed ${removed.length} old backup${removed.length === 1 ? '' : 's'}`,
      ),
    );
  });

  router.get('/test-connections', async (_req, res) => {
    const { source, target } = await service.checkConnections();
    res.json(
      seedSuccess({
        atlas: seedConnection(source, redact),
        local:
          target === undefined
            ? { connected: false, host: '', error: 'No local cluster configured (MONGO_URI_LOCAL)' }
            : seedConnection(target, redact),
      }),
    );
  });

  return finishSeedRouter(router, options);
}

/**
 * The name of the backup that `backupPath` designates, which must be an entry directly inside `backupDir`: a bare
 * name, or a path (relative to the working directory, as the status shows it, or absolute) into the folder.
 *
 * @throws `PATH_OUTSIDE_ROOT` (400) for anything else.
 */
export function nameInBackupDir(backupDir: string, backupPath: string): string {
  const outside = (why: string): never => {
    throw new MongoBackupUsageError(
      ErrorCode.PATH_OUTSIDE_ROOT,
      `Expected a backup in the backup folder, got ${JSON.stringify(backupPath)}: ${why}`,
    );
  };
  if (backupPath.includes('\0')) outside('it contains a NUL byte');
  if (!/[/\\]/.test(backupPath)) return backupPath;
  const resolved = path.resolve(backupPath);
  if (path.dirname(resolved) !== path.resolve(backupDir))
    outside('it is not directly inside the backup folder');
  return path.basename(resolved);
}

function seedConnection(result: ConnectionCheckResult, redact: (text: string) => string): SeedConnection {
  return {
    connected: result.connected,
    host: redact(result.host),
    ...(result.latencyMs === undefined ? {} : { latencyMs: result.latencyMs }),
    ...(result.version === undefined ? {} : { version: result.version }),
    ...(result.error === undefined ? {} : { error: redact(result.error) }),
  };
}
