/**
 * The log of `schedule`: one line per event, as text (`<ISO time> <message>`) or as JSON lines.
 *
 * @packageDocumentation
 */
import type { ScheduleConfig } from '../config/index.js';
import { redactSecrets } from '../connections/index.js';
import { MongoBackupError } from '../errors.js';
import type { BackupRunResult } from '../mongo-backup-service.js';
import type { RunStartInfo, SkippedRunInfo } from '../scheduler/index.js';
import { formatBytes, formatDuration, plural, toJson } from './format.js';
import { writeLine, type CliOutput } from './io.js';

/** One logged event: its name, its fields (for JSON) and its sentence (for text). */
export interface ScheduleLogEvent {
  readonly event:
    'scheduled' | 'start' | 'success' | 'failure' | 'skipped' | 'stopping' | 'aborting' | 'stopped';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly text: string;
}

/** Writes events as lines; every line goes through credential redaction. */
export class ScheduleLog {
  readonly #output: CliOutput;
  readonly #json: boolean;
  readonly #secrets: readonly string[];
  readonly #now: () => number;

  constructor(
    output: CliOutput,
    options: { json: boolean; secrets: readonly string[]; now?: (() => number) | undefined },
  ) {
    this.#output = output;
    this.#json = options.json;
    this.#secrets = options.secrets;
    this.#now = options.now ?? Date.now;
  }

  /** Writes one event. */
  write(entry: ScheduleLogEvent): void {
    const time = new Date(this.#now()).toISOString();
    const line = this.#json
      ? toJson({ time, event: entry.event, ...entry.fields }, 0)
      : `${time} ${entry.text}`;
    writeLine(this.#output, redactSecrets(line, this.#secrets));
  }
}

/** `every 6 hours` or `cron "0 3 * * *"`. */
export function describeSchedule(schedule: ScheduleConfig): string {
  return 'cron' in schedule
    ? `cron ${JSON.stringify(schedule.cron)}`
    : `every ${plural(schedule.everyHours, 'hour')}`;
}

/** The scheduler was started. */
export function scheduledEvent(schedule: ScheduleConfig, nextRunAt: Date | undefined): ScheduleLogEvent {
  const next = nextRunAt?.toISOString();
  return {
    event: 'scheduled',
    fields: { schedule, nextRunAt: next ?? null },
    text: `scheduler started: ${describeSchedule(schedule)}; next run at ${next ?? '(unknown)'}; Ctrl-C stops`,
  };
}

/** A run started. */
export function startEvent(info: RunStartInfo): ScheduleLogEvent {
  return { event: 'start', fields: { trigger: info.trigger }, text: `backup started (${info.trigger})` };
}

/** The warnings of a run's dump and import (a misspelled database, a pattern that matched nothing). */
function warningsOf(result: BackupRunResult): string[] {
  return [...result.dump.warnings, ...(result.imported?.warnings ?? [])];
}

/** A run succeeded. */
export function successEvent(result: BackupRunResult, durationMs: number): ScheduleLogEvent {
  const { dump, imported, removedByRetention } = result;
  const removed = removedByRetention.map((backup) => backup.name);
  const parts = [
    `backup succeeded in ${formatDuration(durationMs)}: ${dump.path ?? '(stream)'}`,
    `${formatBytes(dump.sizeBytes)}, ${plural(dump.totalDocuments, 'document')} in ${plural(dump.collectionCount, 'namespace')}`,
    ...(imported === undefined
      ? []
      : [`imported ${imported.documentsInserted} documents (${imported.failures} failures)`]),
    ...(removed.length === 0 ? [] : [`retention removed ${removed.join(', ')}`]),
    ...warningsOf(result).map((warning) => `warning: ${warning}`),
  ];
  return {
    event: 'success',
    fields: {
      durationMs: Math.round(durationMs),
      path: dump.path ?? null,
      sizeBytes: dump.sizeBytes,
      totalDocuments: dump.totalDocuments,
      namespaces: dump.collectionCount,
      ...(imported === undefined
        ? {}
        : {
            imported: {
              documentsInserted: imported.documentsInserted,
              failures: imported.failures,
              duplicates: imported.duplicates,
            },
          }),
      removedByRetention: removed,
      warnings: warningsOf(result),
    },
    text: parts.join('; '),
  };
}

/** A run failed. */
export function failureEvent(error: Error, durationMs: number, consecutiveFailures = 1): ScheduleLogEvent {
  const code = error instanceof MongoBackupError ? error.code : undefined;
  return {
    event: 'failure',
    fields: {
      durationMs: Math.round(durationMs),
      ...(code === undefined ? {} : { code }),
      message: error.message,
      consecutiveFailures,
    },
    text:
      `backup failed after ${formatDuration(durationMs)}` +
      (consecutiveFailures > 1 ? ` (${consecutiveFailures} in a row)` : '') +
      `: error${code === undefined ? '' : ` [${code}]`}: ${error.message}`,
  };
}

/** A run was skipped. */
export function skippedEvent(info: SkippedRunInfo): ScheduleLogEvent {
  return {
    event: 'skipped',
    fields: { trigger: info.trigger, reason: info.reason, at: info.at.toISOString(), message: info.message },
    text: `backup skipped (${info.reason}): ${info.message}`,
  };
}

/** A signal asked to stop. */
export function stoppingEvent(signal: string, running: boolean): ScheduleLogEvent {
  return {
    event: 'stopping',
    fields: { signal, running },
    text: running
      ? `${signal}: stopping after the running backup (${signal} again aborts it)`
      : `${signal}: stopping`,
  };
}

/** A second signal aborts the running backup. */
export function abortingEvent(signal: string): ScheduleLogEvent {
  return { event: 'aborting', fields: { signal }, text: `${signal}: aborting the running backup` };
}

/** The scheduler stopped. */
export function stoppedEvent(status: { runs: number; failures: number; skipped: number }): ScheduleLogEvent {
  return {
    event: 'stopped',
    fields: { runs: status.runs, failures: status.failures, skipped: status.skipped },
    text: `scheduler stopped: ${plural(status.runs, 'run')}, ${status.failures} failed, ${status.skipped} skipped`,
  };
}
