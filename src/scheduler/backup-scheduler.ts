/**
 * Cron-driven runs of a task (a backup), never overlapping, with typed events and a status.
 *
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';

import { createTask } from 'node-cron';
import type { ScheduledTask, TaskContext } from 'node-cron';

import { validateSchedule } from '../config/validate-schedule.js';
import type { ScheduleConfig } from '../config/types.js';
import { redactSecrets } from '../connections/redact.js';
import { AbortError, ErrorCode, MongoBackupConfigError, MongoBackupRuntimeError } from '../errors.js';
import { isKnownTimezone, isNthHour, nextNthHour, planSchedule } from './schedule-plan.js';
import type { SchedulePlan } from './schedule-plan.js';

/** Options of {@link BackupScheduler}. */
export interface BackupSchedulerOptions<T> {
  /**
   * When to run: `{ everyHours: N }` (1..168) or `{ cron: '0 3 * * *' }`. An N that divides 24 runs at the
   * wall-clock hours that are multiples of N; any other N runs exactly N hours apart, counted from
   * 1970-01-01T00:00Z.
   */
  readonly schedule: ScheduleConfig;
  /** The work to run. It should stop, and reject, soon after `signal` is aborted. */
  readonly task: (signal: AbortSignal) => Promise<T>;
  /**
   * IANA time zone the cron expression (and the wall-clock hours of `everyHours` dividing 24) is evaluated in.
   * Defaults to the process's local time zone.
   */
  readonly timezone?: string;
  /**
   * Where a failed run is reported when no `failure` listener is attached, so that failures are never silent:
   * one line with the number of failures in a row and the error message (credentials scrubbed). Defaults to
   * `console`; `false` turns it off.
   */
  readonly logger?: SchedulerLogger | false;
}

/** What {@link BackupSchedulerOptions.logger} needs: `console` fits. */
export interface SchedulerLogger {
  error(message: string): void;
}

/** What started a run. */
export type RunTrigger = 'schedule' | 'manual';

/** Payload of the `start` event. */
export interface RunStartInfo {
  /** What started the run. */
  readonly trigger: RunTrigger;
  /** When it started. */
  readonly startedAt: Date;
}

/** Payload of the `skipped` event. */
export interface SkippedRunInfo {
  /** What asked for the run. */
  readonly trigger: RunTrigger;
  /**
   * `overlap`: a run was still in progress (code `SCHEDULE_OVERLAP`); `missed`: the process could not act at the
   * scheduled time (asleep, or its event loop blocked).
   */
  readonly reason: 'overlap' | 'missed';
  /** A sentence for logs. */
  readonly message: string;
  /** The time of the skipped run. */
  readonly at: Date;
}

/**
 * The events of a {@link BackupScheduler} and their listener arguments. Listeners must not throw: an exception
 * from a listener propagates like from any `EventEmitter` (out of `runNow()`, or as an unhandled rejection for a
 * scheduled run).
 */
export type SchedulerEventMap<T> = {
  /** A run started. */
  start: [info: RunStartInfo];
  /** A run resolved. */
  success: [result: T, durationMs: number];
  /** A run rejected (an aborted run rejects too, usually with an `AbortError`). */
  failure: [error: Error, durationMs: number];
  /** A run was not started; see {@link SkippedRunInfo}. */
  skipped: [info: SkippedRunInfo];
};

/** The last finished run. */
export interface LastRunInfo {
  /** When it started. */
  readonly startedAt: Date;
  /** When it finished. */
  readonly finishedAt: Date;
  /** Whether it resolved. */
  readonly ok: boolean;
  /** Why it failed (credentials scrubbed); absent when `ok`. */
  readonly error?: string;
}

/** A snapshot returned by {@link BackupScheduler.status}. */
export interface SchedulerStatus {
  /** Whether a run is in progress. */
  readonly running: boolean;
  /** Whether the schedule is active (between `start()` and `stop()`). */
  readonly scheduled: boolean;
  /** Finished runs, successful or not. */
  readonly runs: number;
  /** Finished runs that failed. */
  readonly failures: number;
  /** Runs that failed since the last success (0 after a success): alert on this one. */
  readonly consecutiveFailures: number;
  /** When the last successful run finished; absent until one has. */
  readonly lastSuccessAt?: Date;
  /** Runs that were skipped (overlap or missed). */
  readonly skipped: number;
  /** The last finished run, when any. */
  readonly lastRun?: LastRunInfo;
  /** The next scheduled run, while scheduled. */
  readonly nextRunAt?: Date;
}

/** Options of {@link BackupScheduler.stop}. */
export interface StopOptions {
  /**
   * `true` to abort a run in progress through its `AbortSignal` (with an `AbortError` as reason) before waiting for
   * it; `false` to let it finish. Defaults to `false`.
   */
  readonly abort?: boolean;
}

type Outcome<T> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: Error };

interface ActiveRun<T> {
  readonly controller: AbortController;
  readonly startedAt: Date;
  readonly done: Promise<Outcome<T>>;
}

/**
 * Runs a task on a schedule, one run at a time. A tick (or `runNow()`) that comes while a run is in progress is
 * skipped and reported through the `skipped` event; it is never queued.
 *
 * @example
 * ```ts
 * import { BackupScheduler } from 'mongo-backup-service';
 * const scheduler = new BackupScheduler({
 *   schedule: { cron: '0 3 * * *' },
 *   timezone: 'Europe/Paris',
 *   task: (signal) => service.backup({ signal }),
 * });
 * // Without a 'failure' listener, failures are logged through `console.error` (see the `logger` option).
 * scheduler.on('failure', (error) => logger.error(error.message));
 * scheduler.on('skipped', (info) => logger.warn(info.message));
 * scheduler.start();
 * process.once('SIGTERM', () => void scheduler.stop({ abort: true }));
 * ```
 */
export class BackupScheduler<T = unknown> extends EventEmitter<SchedulerEventMap<T>> {
  readonly #task: (signal: AbortSignal) => Promise<T>;
  readonly #plan: SchedulePlan;
  #cronTask: ScheduledTask | undefined;
  #active: ActiveRun<T> | undefined;
  #runs = 0;
  #failures = 0;
  #consecutiveFailures = 0;
  #lastSuccessAt: Date | undefined;
  readonly #logger: SchedulerLogger | false;
  #skipped = 0;
  #lastRun: LastRunInfo | undefined;

  /**
   * @throws {@link MongoBackupConfigError} (`INVALID_OPTIONS`) when the schedule, the time zone or the task is
   *   invalid, listing every problem.
   */
  constructor(options: BackupSchedulerOptions<T>) {
    super();
    const problems: string[] = [];
    if (typeof options.task !== 'function')
      problems.push(`task: expected a function, got ${typeof options.task}`);
    if (options.timezone !== undefined && !isKnownTimezone(options.timezone)) {
      problems.push(
        `timezone: expected an IANA time zone such as "Europe/Paris", got ${JSON.stringify(options.timezone)}`,
      );
    }
    let schedule: ScheduleConfig | undefined;
    try {
      schedule = validateSchedule(options.schedule);
    } catch (error) {
      if (!(error instanceof MongoBackupConfigError)) throw error;
      problems.push(...error.issues);
    }
    if (problems.length > 0 || schedule === undefined) {
      const message = `Invalid scheduler options:\n${problems.map((line) => `  - ${line}`).join('\n')}`;
      throw new MongoBackupConfigError(message, problems, { code: ErrorCode.INVALID_OPTIONS });
    }
    this.#task = options.task;
    this.#logger = options.logger ?? console;
    this.#plan = planSchedule(schedule, options.timezone);
  }

  /** Registers the schedule with node-cron. Does nothing when already started. */
  start(): void {
    if (this.#cronTask !== undefined) return;
    const { expression, timezone } = this.#plan;
    const task = createTask(expression, (context: TaskContext) => this.#onCronTick(context.date), {
      ...(timezone === undefined ? {} : { timezone }),
      name: 'mongo-backup-service',
    });
    task.on('execution:missed', (context) => this.#onCronMissed(context.date));
    this.#cronTask = task;
    void task.start();
  }

  /**
   * Unregisters the schedule, then waits for a run in progress to settle; with `{ abort: true }` the run is first
   * aborted through its `AbortSignal`. A task that ignores its signal is still waited for.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    const task = this.#cronTask;
    this.#cronTask = undefined;
    if (task !== undefined) await task.destroy();
    const active = this.#active;
    if (active === undefined) return;
    if (options.abort === true) {
      active.controller.abort(new AbortError('The backup scheduler was stopped while a run was in progress'));
    }
    // A listener that threw is the caller's problem, not a reason for stop() to fail.
    await active.done.then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * Runs the task now, outside the schedule (whether started or not).
   *
   * @returns The task's result.
   * @throws {@link MongoBackupRuntimeError} (`SCHEDULE_OVERLAP`) when a run is already in progress; the request
   *   is also reported through `skipped`.
   * @throws Whatever the task rejects with (also reported through `failure`).
   */
  async runNow(): Promise<T> {
    const done = this.#begin('manual');
    if (done === undefined) {
      const startedAt = this.#active?.startedAt.toISOString() ?? 'just now';
      throw new MongoBackupRuntimeError(
        ErrorCode.SCHEDULE_OVERLAP,
        `A run is already in progress (started ${startedAt}); this one was skipped rather than queued`,
      );
    }
    const outcome = await done;
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  }

  /**
   * What a scheduled tick does: starts a run, or reports it skipped when one is in progress. Resolves when the run
   * settles (immediately when skipped); never rejects because of the task.
   *
   * @internal
   */
  async tick(): Promise<void> {
    await this.#begin('schedule');
  }

  /** A snapshot of the counters, the last run and the next scheduled run. */
  status(): SchedulerStatus {
    const nextRunAt = this.#nextRunAt();
    return {
      running: this.#active !== undefined,
      scheduled: this.#cronTask !== undefined,
      runs: this.#runs,
      failures: this.#failures,
      consecutiveFailures: this.#consecutiveFailures,
      ...(this.#lastSuccessAt === undefined ? {} : { lastSuccessAt: this.#lastSuccessAt }),
      skipped: this.#skipped,
      ...(this.#lastRun === undefined ? {} : { lastRun: this.#lastRun }),
      ...(nextRunAt === undefined ? {} : { nextRunAt }),
    };
  }

  #onCronTick(slot: Date): void {
    const nth = this.#plan.everyNthHour;
    if (nth !== undefined && !isNthHour(slot, nth)) return;
    void this.tick();
  }

  #onCronMissed(slot: Date): void {
    const nth = this.#plan.everyNthHour;
    if (nth !== undefined && !isNthHour(slot, nth)) return;
    this.#skip({
      trigger: 'schedule',
      reason: 'missed',
      message: `The run scheduled for ${slot.toISOString()} was missed: the process was busy or asleep at that time`,
      at: slot,
    });
  }

  #nextRunAt(): Date | undefined {
    const next = this.#cronTask?.getNextRun() ?? null;
    if (next === null) return undefined;
    const nth = this.#plan.everyNthHour;
    return nth === undefined ? next : nextNthHour(next, nth);
  }

  #skip(info: SkippedRunInfo): void {
    this.#skipped += 1;
    this.emit('skipped', info);
  }

  /** Starts a run, or reports a skip and returns `undefined` when one is in progress. */
  #begin(trigger: RunTrigger): Promise<Outcome<T>> | undefined {
    const active = this.#active;
    if (active !== undefined) {
      this.#skip({
        trigger,
        reason: 'overlap',
        message:
          `A ${trigger === 'manual' ? 'manual' : 'scheduled'} run was skipped: the run started ` +
          `${active.startedAt.toISOString()} is still in progress (${ErrorCode.SCHEDULE_OVERLAP})`,
        at: new Date(),
      });
      return undefined;
    }
    const controller = new AbortController();
    const startedAt = new Date();
    const clock = performance.now();
    // The task is called from a microtask, so that this run is registered before any of its code runs.
    const done = Promise.resolve()
      .then(() => this.#task(controller.signal))
      .then(
        (result): Outcome<T> => ({ ok: true, result }),
        (error: unknown): Outcome<T> => ({ ok: false, error: toError(error) }),
      )
      .then((outcome) => this.#finish(outcome, startedAt, performance.now() - clock));
    this.#active = { controller, startedAt, done };
    this.emit('start', { trigger, startedAt });
    return done;
  }

  #finish(outcome: Outcome<T>, startedAt: Date, durationMs: number): Outcome<T> {
    this.#active = undefined;
    this.#runs += 1;
    const finishedAt = new Date();
    if (outcome.ok) {
      this.#consecutiveFailures = 0;
      this.#lastSuccessAt = finishedAt;
      this.#lastRun = Object.freeze({ startedAt, finishedAt, ok: true });
      this.emit('success', outcome.result, durationMs);
    } else {
      this.#failures += 1;
      this.#consecutiveFailures += 1;
      const error = redactSecrets(outcome.error.message);
      this.#lastRun = Object.freeze({ startedAt, finishedAt, ok: false, error });
      if (this.listenerCount('failure') === 0 && this.#logger !== false) {
        this.#logger.error(
          `[mongo-backup-service] backup run failed (${this.#consecutiveFailures} in a row): ${error}`,
        );
      }
      this.emit('failure', outcome.error, durationMs);
    }
    return outcome;
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
