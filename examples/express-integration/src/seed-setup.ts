/**
 * Wiring the seed systems' contracts into the example (docs/migration.md at the repository root): the environment
 * they are configured with, and their routers on an app.
 */
import type { Express } from 'express';
import { redactSecrets, type BackupRunResult, type BackupScheduler } from 'mongo-backup-service';

import type { BackupService } from './app.js';
import { createAtlasBackupsRouter } from './atlas-backups-router.js';
import {
  billingDatabase,
  createBillingDumpRouter,
  databaseInUri,
  DEFAULT_DUMP_DIR,
} from './billing-dump-router.js';
import { OperationLock } from './operation-lock.js';
import { seedNotFound, seedErrorHandler } from './seed-envelope.js';

/** The variable naming the billing dump folder. */
export const DUMP_DIR_VARIABLE = 'DUMP_DIR';

type Env = Readonly<Record<string, string | undefined>>;

const set = (env: Env, name: string): boolean => (env[name] ?? '').trim() !== '';

/**
 * The environment with what the Atlas-to-local service took from its connection strings made explicit, as
 * `mongodump --uri`/`mongorestore --uri` do: the database in `MONGO_URI_ATLAS`'s path is the one backed up
 * (`MONGO_BACKUP_DATABASES`), and a different database in `MONGO_URI_LOCAL`'s path is where imports go
 * (`MONGO_BACKUP_IMPORT_DATABASE`). Variables already set are left alone; nothing else changes.
 */
export function seedEnvironment(env: Env): Env {
  const derived: Record<string, string> = {};
  const atlas = env['MONGO_URI_ATLAS'];
  const sourceDb = atlas === undefined ? undefined : databaseInUri(atlas.trim());
  if (sourceDb !== undefined && !set(env, 'MONGO_BACKUP_DATABASES'))
    derived['MONGO_BACKUP_DATABASES'] = sourceDb;
  const local = env['MONGO_URI_LOCAL'];
  const localDb = local === undefined ? undefined : databaseInUri(local.trim());
  if (
    localDb !== undefined &&
    localDb !== sourceDb &&
    sourceDb !== undefined &&
    !set(env, 'MONGO_BACKUP_IMPORT_DATABASE')
  ) {
    derived['MONGO_BACKUP_IMPORT_DATABASE'] = localDb;
  }
  return { ...env, ...derived };
}

/** Options of {@link mountSeedRouters}. */
export interface MountSeedRoutersOptions {
  readonly service: BackupService;
  readonly jwtSecret: string;
  /** The running scheduler, when any: manual backups go through it and the status shows it. */
  readonly scheduler?: BackupScheduler<BackupRunResult> | undefined;
  /** The lock the routes take; give the scheduler the same one. Defaults to a new lock. */
  readonly lock?: OperationLock | undefined;
  /** The billing dump folder. Defaults to `DUMP_DIR`, else `api/dumps`. */
  readonly dumpDir?: string | undefined;
  /** Where server-side failures are logged. Defaults to `console.error`. */
  readonly log?: (line: string) => void;
}

/**
 * Mounts `POST /auth/api/dump/create` and `/api/backups/*` on `app`, then a JSON 404 for every other path (so that
 * no caller ever gets Express's HTML page). Call it after mounting your own routes.
 */
export function mountSeedRouters(app: Express, options: MountSeedRoutersOptions): void {
  const { service } = options;
  const knownUris = [service.config.sourceUri, service.config.targetUri].filter((uri) => uri !== undefined);
  const redact = (text: string): string => redactSecrets(text, knownUris);
  const log = options.log ?? ((line: string) => console.error(line));
  const lock = options.lock ?? new OperationLock();
  const base = { jwtSecret: options.jwtSecret, redact, log, service, lock };
  app.use(
    '/auth/api/dump',
    createBillingDumpRouter({
      ...base,
      database: billingDatabase(service.config),
      dumpDir: options.dumpDir ?? DEFAULT_DUMP_DIR,
    }),
  );
  app.use('/api/backups', createAtlasBackupsRouter({ ...base, scheduler: options.scheduler }));
  app.use(seedNotFound, seedErrorHandler(redact, log));
}
