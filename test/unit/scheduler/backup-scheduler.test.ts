import { getTasks } from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { BackupScheduler } from '../../../src/scheduler/index.js';
import type { SkippedRunInfo } from '../../../src/scheduler/index.js';
import {
  AbortError,
  ErrorCode,
  MongoBackupConfigError,
  MongoBackupRuntimeError,
} from '../../../src/errors.js';

/** A promise with its resolve/reject handles. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending microtasks and promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const schedulers: BackupScheduler<unknown>[] = [];
function scheduler<T>(options: ConstructorParameters<typeof BackupScheduler<T>>[0]): BackupScheduler<T> {
  const created = new BackupScheduler<T>(options);
  schedulers.push(created as BackupScheduler<unknown>);
  return created;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(schedulers.splice(0).map((created) => created.stop({ abort: true })));
});

describe('BackupScheduler runs', () => {
  it('runs now, reports success with the result and duration, and counts', async () => {
    const task = vi.fn(async (signal: AbortSignal) => {
      expect(signal.aborted).toBe(false);
      return { file: 'shop.gz' };
    });
    const s = scheduler({ schedule: { everyHours: 24 }, task });
    const events: string[] = [];
    s.on('start', (info) => events.push(`start:${info.trigger}`));
    s.on('success', (result, durationMs) => {
      events.push(`success:${result.file}`);
      expect(durationMs).toBeGreaterThanOrEqual(0);
    });

    await expect(s.runNow()).resolves.toEqual({ file: 'shop.gz' });
    expect(events).toEqual(['start:manual', 'success:shop.gz']);
    const status = s.status();
    expect(status).toMatchObject({ running: false, scheduled: false, runs: 1, failures: 0, skipped: 0 });
    expect(status.lastRun).toMatchObject({ ok: true });
    expect(status.lastRun?.finishedAt.getTime()).toBeGreaterThanOrEqual(
      status.lastRun?.startedAt.getTime() ?? 0,
    );
    expect(status.lastRun).not.toHaveProperty('error');
    expect(status).not.toHaveProperty('nextRunAt');
  });

  it('counts failures in a row until a success, and when the last success was', async () => {
    let fail = true;
    const s = scheduler({
      schedule: { cron: '0 3 * * *' },
      task: () => (fail ? Promise.reject(new Error('target down')) : Promise.resolve('ok')),
      logger: false,
    });
    expect(s.status()).toMatchObject({ consecutiveFailures: 0 });
    expect(s.status()).not.toHaveProperty('lastSuccessAt');
    await s.tick();
    await s.tick();
    expect(s.status()).toMatchObject({ failures: 2, consecutiveFailures: 2 });
    fail = false;
    await s.tick();
    expect(s.status()).toMatchObject({ failures: 2, consecutiveFailures: 0 });
    expect(s.status().lastSuccessAt).toBeInstanceOf(Date);
    fail = true;
    await s.tick();
    expect(s.status()).toMatchObject({ failures: 3, consecutiveFailures: 1 });
  });

  it('logs a failure nobody listens to (console by default), redacted, and not when a listener handles it', async () => {
    const task = () => Promise.reject(new Error('auth failed for mongodb://backup:hunter2@db:27017'));
    const logged: string[] = [];
    const quiet = scheduler({
      schedule: { cron: '0 3 * * *' },
      task,
      logger: { error: (m) => logged.push(m) },
    });
    await quiet.tick();
    await quiet.tick();
    expect(logged).toEqual([
      '[mongo-backup-service] backup run failed (1 in a row): auth failed for mongodb://***:***@db:27017',
      '[mongo-backup-service] backup run failed (2 in a row): auth failed for mongodb://***:***@db:27017',
    ]);

    const listened = scheduler({
      schedule: { cron: '0 3 * * *' },
      task,
      logger: { error: (m) => logged.push(m) },
    });
    listened.on('failure', () => undefined);
    await listened.tick();
    expect(logged).toHaveLength(2);

    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await scheduler({ schedule: { cron: '0 3 * * *' }, task }).tick();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]?.[0])).toContain('backup run failed (1 in a row)');
      expect(String(spy.mock.calls[0]?.[0])).not.toContain('hunter2');
    } finally {
      spy.mockRestore();
    }
  });

  it('reports failures, rejects runNow with the task error and redacts it in the status', async () => {
    const error = new Error('auth failed for mongodb://backup:hunter2@db:27017');
    const s = scheduler({ schedule: { cron: '0 3 * * *' }, task: () => Promise.reject(error) });
    const failures: [Error, number][] = [];
    s.on('failure', (e, durationMs) => failures.push([e, durationMs]));

    await expect(s.runNow()).rejects.toBe(error);
    await s.tick();
    expect(failures.map(([e]) => e)).toEqual([error, error]);
    expect(s.status()).toMatchObject({ runs: 2, failures: 2, running: false });
    expect(s.status().lastRun).toMatchObject({
      ok: false,
      error: 'auth failed for mongodb://***:***@db:27017',
    });
  });

  it('turns a non-Error rejection into an Error', async () => {
    const s = scheduler({ schedule: { everyHours: 1 }, task: () => Promise.reject('plain string') });
    await expect(s.runNow()).rejects.toThrow('plain string');
  });

  it('never overlaps: ticks and runNow during a run are skipped and reported, never queued', async () => {
    const gate = deferred<string>();
    const task = vi.fn(() => gate.promise);
    const s = scheduler({ schedule: { everyHours: 6 }, task });
    const skipped: SkippedRunInfo[] = [];
    s.on('skipped', (info) => skipped.push(info));

    const first = s.tick();
    await settle();
    expect(s.status().running).toBe(true);
    const second = s.tick();
    await expect(second).resolves.toBeUndefined();
    const manual = await s.runNow().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(manual).toBeInstanceOf(MongoBackupRuntimeError);
    expect((manual as MongoBackupRuntimeError).code).toBe(ErrorCode.SCHEDULE_OVERLAP);

    expect(skipped.map((info) => [info.trigger, info.reason])).toEqual([
      ['schedule', 'overlap'],
      ['manual', 'overlap'],
    ]);
    expect(skipped[0]?.message).toContain('still in progress');
    expect(s.status()).toMatchObject({ running: true, runs: 0, skipped: 2 });

    gate.resolve('done');
    await first;
    await settle();
    expect(task).toHaveBeenCalledTimes(1);
    expect(s.status()).toMatchObject({ running: false, runs: 1, skipped: 2 });
    await expect(s.runNow()).resolves.toBe('done');
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('registers the run before the task starts, so a task calling runNow is skipped', async () => {
    let inner: unknown;
    const s: BackupScheduler<string> = scheduler({
      schedule: { everyHours: 1 },
      task: async () => {
        inner = await s.runNow().catch((e: unknown) => e);
        return 'outer';
      },
    });
    await expect(s.runNow()).resolves.toBe('outer');
    expect((inner as MongoBackupRuntimeError).code).toBe(ErrorCode.SCHEDULE_OVERLAP);
  });
});

describe('BackupScheduler.stop', () => {
  it('waits for a run in progress without aborting it', async () => {
    const gate = deferred<string>();
    let seen: AbortSignal | undefined;
    const s = scheduler({
      schedule: { everyHours: 1 },
      task: (signal) => {
        seen = signal;
        return gate.promise;
      },
    });
    const run = s.runNow();
    await settle();
    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    expect(seen?.aborted).toBe(false);
    gate.resolve('finished');
    await stopping;
    expect(stopped).toBe(true);
    await expect(run).resolves.toBe('finished');
    expect(s.status()).toMatchObject({ running: false, runs: 1, failures: 0 });
  });

  it('aborts a run in progress through its signal with { abort: true }', async () => {
    const s = scheduler({
      schedule: { everyHours: 1 },
      task: (signal) =>
        new Promise<never>((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        }),
    });
    const failures: Error[] = [];
    s.on('failure', (error) => failures.push(error));
    const run = s.runNow().catch((e: unknown) => e);
    await settle();
    await s.stop({ abort: true });
    const error = await run;
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).code).toBe(ErrorCode.ABORTED);
    expect(failures).toEqual([error]);
    expect(s.status()).toMatchObject({ running: false, runs: 1, failures: 1 });
  });

  it('resolves at once when nothing runs', async () => {
    await expect(
      scheduler({ schedule: { everyHours: 1 }, task: async () => 1 }).stop(),
    ).resolves.toBeUndefined();
  });
});

describe('BackupScheduler and node-cron', () => {
  it('registers one node-cron task on start() and unregisters it on stop()', async () => {
    const before = new Set(getTasks().keys());
    const s = scheduler({ schedule: { cron: '0 3 * * *' }, timezone: 'UTC', task: async () => 'x' });
    expect(getTasks().size).toBe(before.size);
    s.start();
    s.start();
    const added = [...getTasks().keys()].filter((id) => !before.has(id));
    expect(added).toHaveLength(1);
    const status = s.status();
    expect(status.scheduled).toBe(true);
    expect(status.nextRunAt?.getUTCHours()).toBe(3);
    expect(status.nextRunAt?.getUTCMinutes()).toBe(0);
    expect(status.nextRunAt?.getTime()).toBeGreaterThan(Date.now());
    await s.stop();
    expect(getTasks().has(added[0] ?? '')).toBe(false);
    expect(s.status().scheduled).toBe(false);
    expect(s.status()).not.toHaveProperty('nextRunAt');
  });

  it('runs on cron ticks (fake timers) and skips ticks that come during a run', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00.000Z') });
    const gate = deferred<string>();
    const task = vi.fn(() => gate.promise);
    const s = scheduler({ schedule: { cron: '*/10 * * * * *' }, task });
    const skipped: SkippedRunInfo[] = [];
    s.on('skipped', (info) => skipped.push(info));
    s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(task).toHaveBeenCalledTimes(1);
    expect(skipped.map((info) => [info.trigger, info.reason])).toEqual([
      ['schedule', 'overlap'],
      ['schedule', 'overlap'],
    ]);
    gate.resolve('ok');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).toHaveBeenCalledTimes(2);
    await s.stop();
  });

  it('reports runs missed while the process was asleep as skipped (fake timers)', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00.000Z') });
    const task = vi.fn(async () => 'ok');
    const s = scheduler({ schedule: { cron: '*/10 * * * * *' }, task });
    const skipped: SkippedRunInfo[] = [];
    s.on('skipped', (info) => skipped.push(info));
    s.start();
    vi.setSystemTime(new Date('2026-11-21T10:00:35.000Z'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((info) => info.trigger === 'schedule' && info.reason === 'missed')).toBe(true);
    expect(skipped[0]?.at.toISOString()).toBe('2026-11-21T10:00:10.000Z');
    expect(skipped[0]?.message).toContain('was missed');
    expect(s.status().skipped).toBe(skipped.length);
    await s.stop();
  });

  it('runs everyHours N not dividing 24 exactly every N hours (fake timers)', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-21T00:30:00.000Z') });
    const starts: Date[] = [];
    const s = scheduler({ schedule: { everyHours: 5 }, task: async () => 'ok' });
    s.on('start', (info) => starts.push(info.startedAt));
    s.start();
    const next = s.status().nextRunAt;
    expect(next).toBeDefined();
    expect(Math.floor((next?.getTime() ?? 0) / 3_600_000) % 5).toBe(0);
    await vi.advanceTimersByTimeAsync(26 * 3_600_000);
    expect(starts.map((date) => date.toISOString())).toEqual([
      '2026-11-21T03:00:00.000Z',
      '2026-11-21T08:00:00.000Z',
      '2026-11-21T13:00:00.000Z',
      '2026-11-21T18:00:00.000Z',
      '2026-11-21T23:00:00.000Z',
    ]);
    expect(next?.toISOString()).toBe('2026-11-21T03:00:00.000Z');
    await s.stop();
  });
});

describe('BackupScheduler options', () => {
  const invalid: { name: string; options: Record<string, unknown>; issues: string[] }[] = [
    {
      name: 'everyHours out of range',
      options: { schedule: { everyHours: 0 } },
      issues: ['schedule.everyHours: expected an integer from 1 to 168, got 0'],
    },
    {
      name: 'bad cron',
      options: { schedule: { cron: 'every day' } },
      issues: [
        'schedule.cron: expected a valid cron expression (expected 5 or 6 fields but got 2), got "every day"',
      ],
    },
    {
      name: 'both kinds',
      options: { schedule: { cron: '* * * * *', everyHours: 1 } },
      issues: [
        'schedule: expected exactly one of everyHours and cron, got an object {"cron":"* * * * *","everyHours":1}',
      ],
    },
    {
      name: 'no schedule',
      options: { schedule: undefined },
      issues: ['schedule: expected { everyHours: number } or { cron: string }, got nothing'],
    },
    {
      name: 'unknown time zone and no task',
      options: { schedule: { everyHours: 1 }, timezone: 'Nowhere/Land', task: undefined },
      issues: [
        'task: expected a function, got undefined',
        'timezone: expected an IANA time zone such as "Europe/Paris", got "Nowhere/Land"',
      ],
    },
  ];

  it.each(invalid)('rejects $name', ({ options, issues }) => {
    let thrown: unknown;
    try {
      new BackupScheduler({ task: async () => 1, ...options } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MongoBackupConfigError);
    expect((thrown as MongoBackupConfigError).code).toBe(ErrorCode.INVALID_OPTIONS);
    expect((thrown as MongoBackupConfigError).issues).toEqual(issues);
  });
});
