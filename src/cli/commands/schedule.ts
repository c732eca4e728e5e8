/**
 * `mongo-backup schedule`: the scheduler in the foreground until SIGINT/SIGTERM.
 *
 * @packageDocumentation
 */
import type { AutoImportInput, ScheduleConfig } from '../../config/index.js';
import { MongoBackupService, type MongoBackupServiceOptions } from '../../mongo-backup-service.js';
import {
  booleanFlag,
  definedOnly,
  exclusive,
  integerFlag,
  stringFlag,
  stringsFlag,
  usageError,
  type FlagSpecs,
  type ParsedArgs,
} from '../args.js';
import { BACKUP_DIR_FLAG, URI_FLAG, wantsJson, type CommandSpec } from '../command.js';
import { onceOnSignal, type CliIo, type CliSignal } from '../io.js';
import { knownSecrets } from '../report-error.js';
import * as log from '../schedule-log.js';

/** The flags of `schedule`. */
export const SCHEDULE_FLAGS: FlagSpecs = {
  everyHours: {
    type: 'string',
    value: '<n>',
    description: 'Run every N hours, 1-168 (default: MONGO_BACKUP_EVERY_HOURS)',
  },
  cron: {
    type: 'string',
    value: '<expr>',
    description: 'Run on this cron expression (default: MONGO_BACKUP_CRON)',
  },
  timezone: {
    type: 'string',
    value: '<zone>',
    description: 'IANA time zone of the cron expression (default: local)',
  },
  uri: URI_FLAG,
  db: {
    type: 'string',
    short: 'd',
    multiple: true,
    value: '<db>',
    description: 'Database to back up (default: all; MONGO_BACKUP_DATABASES)',
  },
  backupDir: BACKUP_DIR_FLAG,
  retention: {
    type: 'string',
    value: '<n>',
    description: 'Keep the N newest backups per database (default: MONGO_BACKUP_RETENTION)',
  },
  targetUri: {
    type: 'string',
    value: '<uri>',
    description: 'Cluster to import each backup into (default: MONGO_BACKUP_TARGET_URI)',
  },
  autoImport: {
    type: 'boolean',
    description: 'Restore each new backup into --targetUri (drops target collections first)',
  },
  nsFrom: {
    type: 'string',
    value: '<pattern>',
    description: 'With --autoImport: rename from this pattern...',
  },
  nsTo: { type: 'string', value: '<pattern>', description: '...to this one' },
  targetDb: {
    type: 'string',
    value: '<db>',
    description: 'With --autoImport: restore the one --db under this name',
  },
  runNow: { type: 'boolean', description: 'Also run one backup right away' },
  json: { type: 'boolean', description: 'Log JSON lines instead of text' },
};

/** What the flags of `schedule` ask for. */
export interface ScheduleInvocation {
  /** Configuration of the service: schedule, retention, import (the environment fills the rest). */
  readonly service: Omit<MongoBackupServiceOptions, 'env'>;
  /** `--timezone`: IANA zone of the schedule. */
  readonly timezone?: string;
  /** `--runNow`: one backup right away. */
  readonly runNow: boolean;
  /** `--json`: JSON lines instead of text. */
  readonly json: boolean;
}

/** Maps the flags of `schedule` to the service configuration. */
export function parseScheduleArgs(args: ParsedArgs): ScheduleInvocation {
  const everyHours = integerFlag(args, 'everyHours', { min: 1, max: 168 });
  const cron = stringFlag(args, 'cron');
  exclusive({ '--everyHours': everyHours !== undefined, '--cron': cron !== undefined });
  const schedule: ScheduleConfig | undefined =
    everyHours !== undefined ? { everyHours } : cron !== undefined ? { cron } : undefined;
  const nsFrom = stringFlag(args, 'nsFrom');
  const nsTo = stringFlag(args, 'nsTo');
  const targetDatabase = stringFlag(args, 'targetDb');
  const autoImport = booleanFlag(args, 'autoImport') === true;
  if ((nsFrom === undefined) !== (nsTo === undefined)) throw usageError('--nsFrom and --nsTo go together');
  exclusive({ '--nsFrom/--nsTo': nsFrom !== undefined, '--targetDb': targetDatabase !== undefined });
  if (!autoImport && (nsFrom !== undefined || targetDatabase !== undefined)) {
    throw usageError(
      `${nsFrom === undefined ? '--targetDb' : '--nsFrom/--nsTo'} applies to the import: add --autoImport`,
    );
  }
  const importConfig: AutoImportInput | undefined = autoImport
    ? { enabled: true, ...definedOnly({ nsFrom, nsTo, targetDatabase }) }
    : undefined;
  const service = definedOnly({
    sourceUri: stringFlag(args, 'uri'),
    targetUri: stringFlag(args, 'targetUri'),
    backupDir: stringFlag(args, 'backupDir'),
    retention: integerFlag(args, 'retention', { min: 1 }),
    databases: stringsFlag(args, 'db'),
    schedule,
    autoImport: importConfig,
  });
  return {
    service,
    ...definedOnly({ timezone: stringFlag(args, 'timezone') }),
    runNow: booleanFlag(args, 'runNow') === true,
    json: wantsJson(args),
  };
}

/** Runs the scheduler until a signal; a second signal aborts the running backup. */
export async function runScheduleCommand(
  invocation: ScheduleInvocation,
  io: CliIo,
  argv: readonly string[],
): Promise<number> {
  const service = new MongoBackupService({ ...invocation.service, env: io.env });
  const logger = new log.ScheduleLog(io.stdout, {
    json: invocation.json,
    secrets: knownSecrets(argv, io),
    now: io.now,
  });
  try {
    const scheduler = service.createScheduler(
      invocation.timezone === undefined ? {} : { timezone: invocation.timezone },
    );
    scheduler.on('start', (info) => logger.write(log.startEvent(info)));
    scheduler.on('success', (result, ms) => logger.write(log.successEvent(result, ms)));
    scheduler.on('failure', (error, ms) =>
      logger.write(log.failureEvent(error, ms, scheduler.status().consecutiveFailures)),
    );
    scheduler.on('skipped', (info) => logger.write(log.skippedEvent(info)));

    let received: (signal: CliSignal) => void = () => undefined;
    const firstSignal = new Promise<CliSignal>((resolve) => {
      received = resolve;
    });
    const releaseFirst = onceOnSignal(io, (signal) => received(signal));
    try {
      scheduler.start();
      logger.write(
        log.scheduledEvent(service.config.schedule as ScheduleConfig, scheduler.status().nextRunAt),
      );
      if (invocation.runNow) scheduler.runNow().catch(() => undefined); // reported through the events
      const signal = await firstSignal;
      logger.write(log.stoppingEvent(signal, scheduler.status().running));
    } finally {
      releaseFirst();
    }
    const releaseSecond = onceOnSignal(io, (again) => {
      logger.write(log.abortingEvent(again));
      void scheduler.stop({ abort: true });
    });
    try {
      await scheduler.stop();
    } finally {
      releaseSecond();
    }
    logger.write(log.stoppedEvent(scheduler.status()));
    return 0;
  } finally {
    await service.close();
  }
}

/** `mongo-backup schedule`. */
export const scheduleCommand: CommandSpec = {
  name: 'schedule',
  summary: 'Run backups on a schedule, in the foreground, until Ctrl-C or SIGTERM',
  usage:
    'schedule [--everyHours=<n> | --cron=<expr>] [--uri=<uri>] [--retention=<n>] [--autoImport ...] [--json]',
  description: [
    'Each run dumps (an archive in the backup folder), then imports into --targetUri when --autoImport is given,',
    'then applies retention. Runs never overlap: a tick that comes while a backup runs is skipped and logged.',
    'Logs one line per event on stdout (JSON lines with --json). The first SIGINT/SIGTERM waits for the',
    'running backup and exits; a second one aborts it (its partial output is removed).',
  ],
  flags: SCHEDULE_FLAGS,
  maxPositionals: 0,
  examples: [
    'mongo-backup schedule --everyHours=6 --db=shop --retention=7',
    'mongo-backup schedule --cron="0 3 * * *" --db=shop --targetUri=mongodb://mirror:27017 --autoImport --targetDb=shop_mirror',
  ],
  run: (args, io) => runScheduleCommand(parseScheduleArgs(args), io, args.argv),
};
