/**
 * Scheduled backups in the example server, as the Atlas-to-local service runs them: when `BACKUP_ENABLED=true`
 * (our `MONGO_BACKUP_SCHEDULE_ENABLED`), a cron job every `BACKUP_INTERVAL_HOURS` hours (`MONGO_BACKUP_EVERY_HOURS`,
 * or any cron expression in `MONGO_BACKUP_CRON`, seconds allowed), each run a full `service.backup()`: dump,
 * auto-import when `AUTO_IMPORT_TO_LOCAL=true`, retention. `BACKUP_RUN_ON_START=true` also runs one backup at once.
 * Every run, success, failure and skipped tick is logged.
 */
import path from 'node:path';

import { BackupScheduler, type BackupRunResult, type MongoBackupService } from 'mongo-backup-service';

import type { OperationLock } from './operation-lock.js';

/** The variable that asks for a first run when the server starts. */
export const RUN_ON_START_VARIABLE = 'BACKUP_RUN_ON_START';

/** Options of {@link startSeedScheduler}. */
export interface SeedSchedulerOptions {
  /** The service whose configuration says whether, and when, to run. */
  readonly service: Pick<MongoBackupService, 'config' | 'backup'>;
  /**
   * The lock the HTTP routes take (see `mountSeedRouters`): each run takes it too, so that a run never overlaps an
   * import, a clean or a dump made over HTTP (such a run fails with `OPERATION_IN_PROGRESS`, and is logged).
   */
  readonly lock?: OperationLock;
  /** Whether to run a backup at once, besides the schedule (`BACKUP_RUN_ON_START=true`). */
  readonly runOnStart?: boolean;
  /** Where the lines go. Defaults to `console.log`; failures go to `error` (default `console.error`). */
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
  /** Scrubs credentials from failure messages (the library's messages are redacted already). */
  readonly redact?: (text: string) => string;
}

/** Whether a switch variable is on: `true`, `1`, `yes` or `on`, in any case. */
export function isOn(value: string | undefined): boolean {
  return /^\s*(?:true|1|yes|on)\s*$/i.test(value ?? '');
}

/**
 * Starts the scheduler when the configuration enables it, and returns it (stop it on shutdown); `undefined` when
 * scheduled backups are disabled (that is logged too).
 */
export function startSeedScheduler(
  options: SeedSchedulerOptions,
): BackupScheduler<BackupRunResult> | undefined {
  const { service } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const error = options.error ?? ((line: string) => console.error(line));
  const redact = options.redact ?? ((text: string) => text);
  const { schedule, scheduleEnabled, autoImport } = service.config;
  if (!scheduleEnabled || schedule === undefined) {
    log('[backup] scheduled backups disabled (set BACKUP_ENABLED=true and BACKUP_INTERVAL_HOURS to enable)');
    return undefined;
  }
  const { lock } = options;
  const scheduler = new BackupScheduler<BackupRunResult>({
    schedule,
    task: (signal) =>
      lock === undefined ? service.backup({ signal }) : lock.run('backup', () => service.backup({ signal })),
  });
  scheduler.on('start', (info) =>
    log(`[backup] run started (${info.trigger}) at ${info.startedAt.toISOString()}`),
  );
  scheduler.on('success', (result, durationMs) => {
    const name = result.dump.path === undefined ? '(stream)' : path.basename(result.dump.path);
    const imported =
      result.imported === undefined ? 'no import' : `imported ${result.imported.documentsInserted} documents`;
    const removed = result.removedByRetention.length;
    log(
      `[backup] run succeeded in ${Math.round(durationMs)} ms: ${name}, ${result.dump.totalDocuments} documents, ` +
        `${result.dump.sizeBytes} bytes; ${imported}; ${removed} old backup${removed === 1 ? '' : 's'} removed`,
    );
  });
  scheduler.on('failure', (failure, durationMs) => {
    const code = (failure as { code?: unknown }).code;
    error(
      `[backup] run FAILED after ${Math.round(durationMs)} ms${typeof code === 'string' ? ` [${code}]` : ''}: ` +
        redact(failure.message),
    );
  });
  scheduler.on('skipped', (info) => error(`[backup] run skipped (${info.reason}): ${info.message}`));
  scheduler.start();
  const every =
    'everyHours' in schedule ? `every ${schedule.everyHours} hours` : `on cron "${schedule.cron}"`;
  const next = scheduler.status().nextRunAt?.toISOString() ?? 'unknown';
  log(
    `[backup] scheduled backups ${every} (next ${next}), auto-import ${autoImport.enabled ? 'on' : 'off'}` +
      `${options.runOnStart === true ? ', first run now' : ''}`,
  );
  // A failure is logged by the 'failure' listener; nothing else to do with it here.
  if (options.runOnStart === true) scheduler.runNow().catch(() => undefined);
  return scheduler;
}
