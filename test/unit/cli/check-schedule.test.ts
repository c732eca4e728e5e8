import { describe, expect, it } from 'vitest';

import { parseFlags } from '../../../src/cli/args.js';
import { checkCommand, connectionLines, parseCheckArgs } from '../../../src/cli/commands/check.js';
import { parseScheduleArgs, SCHEDULE_FLAGS } from '../../../src/cli/commands/schedule.js';
import { failureEvent, skippedEvent, successEvent } from '../../../src/cli/schedule-log.js';
import { ConnectionError, MongoBackupUsageError } from '../../../src/errors.js';
import type { BackupRunResult } from '../../../src/mongo-backup-service.js';
import { CapturedOutput, fakeSignals, runCaptured, waitForOutput } from './helpers.js';

const schedule = (argv: string[]) => parseScheduleArgs(parseFlags(argv, SCHEDULE_FLAGS, 0));
const UNREACHABLE = 'mongodb://127.0.0.1:1';

describe('check flags', () => {
  it('maps --uri, --targetUri and --timeoutMs', () => {
    expect(
      parseCheckArgs(
        parseFlags(
          ['--uri=mongodb://a', '--targetUri=mongodb://b', '--timeoutMs=900', '--json'],
          checkCommand.flags,
          0,
        ),
      ),
    ).toEqual({ sourceUri: 'mongodb://a', targetUri: 'mongodb://b', timeoutMs: 900, json: true });
    expect(parseCheckArgs(parseFlags([], checkCommand.flags, 0))).toEqual({ json: false });
  });

  it('rejects a bad timeout with exit 2', async () => {
    const run = await runCaptured(['check', '--timeoutMs=0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--timeoutMs: expected an integer from 1 to 600000, got "0"');
  });

  it('lays out both clusters', () => {
    const lines = connectionLines({
      source: { connected: true, host: 'db:27017', latencyMs: 1.5, version: '7.0.2' },
      target: { connected: false, host: 'mirror:27017', error: 'boom' },
    });
    expect(lines[0]).toMatch(/^CLUSTER\s+STATUS\s+HOST\s+LATENCY\s+VERSION\s+ERROR$/);
    expect(lines[1]).toMatch(/^source\s+connected\s+db:27017\s+1.5 ms\s+7.0.2$/);
    expect(lines[2]).toMatch(/^target\s+NOT CONNECTED\s+mirror:27017\s+-\s+-\s+boom$/);
  });
});

describe('schedule flags', () => {
  it('maps the schedule, the service configuration and the import', () => {
    const invocation = schedule([
      '--everyHours=6',
      '--uri=mongodb://a',
      '--targetUri=mongodb://b',
      '--backupDir=/b',
      '--retention=7',
      '--db=shop',
      '--autoImport',
      '--targetDb=shop_mirror',
      '--timezone=Europe/Paris',
      '--runNow',
      '--json',
    ]);
    expect(invocation).toEqual({
      service: {
        sourceUri: 'mongodb://a',
        targetUri: 'mongodb://b',
        backupDir: '/b',
        retention: 7,
        databases: ['shop'],
        schedule: { everyHours: 6 },
        autoImport: { enabled: true, targetDatabase: 'shop_mirror' },
      },
      timezone: 'Europe/Paris',
      runNow: true,
      json: true,
    });
    expect(schedule(['--cron=0 3 * * *', '--autoImport', '--nsFrom=shop.*', '--nsTo=m.*']).service).toEqual({
      schedule: { cron: '0 3 * * *' },
      autoImport: { enabled: true, nsFrom: 'shop.*', nsTo: 'm.*' },
    });
    expect(schedule([])).toEqual({ service: {}, runNow: false, json: false });
  });

  it.each([
    [['--everyHours=6', '--cron=* * * * *'], '--everyHours and --cron cannot be used together'],
    [['--everyHours=0'], '--everyHours: expected an integer from 1 to 168, got "0"'],
    [['--nsFrom=a.*'], '--nsFrom and --nsTo go together'],
    [
      ['--autoImport', '--nsFrom=a.*', '--nsTo=b.*', '--targetDb=c'],
      '--nsFrom/--nsTo and --targetDb cannot be used together',
    ],
    [['--targetDb=c'], '--targetDb applies to the import: add --autoImport'],
    [['--retention=0'], '--retention: expected an integer >= 1, got "0"'],
  ])('rejects %j', (argv, message) => {
    expect(() => schedule(argv)).toThrow(MongoBackupUsageError);
    expect(() => schedule(argv)).toThrow(message);
  });

  it('exits 2 without a schedule, and for an invalid cron expression', async () => {
    const none = await runCaptured(['schedule', `--uri=${UNREACHABLE}`]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No schedule');
    const bad = await runCaptured(['schedule', `--uri=${UNREACHABLE}`, '--cron=0 25 * * *']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('schedule.cron (--cron): expected a valid cron expression');
  });

  it('exits 2 when the import has no target cluster', async () => {
    const run = await runCaptured(['schedule', `--uri=${UNREACHABLE}`, '--everyHours=1', '--autoImport']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('targetUri (--targetUri)');
  });
});

describe('schedule in the foreground', () => {
  it('logs the start, waits for SIGINT, and stops with exit 0', async () => {
    const signals = fakeSignals();
    const stdout = new CapturedOutput();
    const running = runCaptured(['schedule', `--uri=${UNREACHABLE}`, '--everyHours=24'], { signals, stdout });
    await waitForOutput(stdout, /scheduler started/);
    expect(signals.listenerCount('SIGINT')).toBe(1);
    signals.emit('SIGINT');
    const run = await running;
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^\S+Z scheduler started: every 24 hours; next run at \d{4}-\d\d-\d\dT\d\d:\d\d:00.000Z; Ctrl-C stops$/,
    );
    expect(lines[1]).toMatch(/^\S+Z SIGINT: stopping$/);
    expect(lines[2]).toMatch(/^\S+Z scheduler stopped: 0 runs, 0 failed, 0 skipped$/);
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('logs JSON lines with --json, and stops on SIGTERM', async () => {
    const signals = fakeSignals();
    const stdout = new CapturedOutput();
    const running = runCaptured(['schedule', `--uri=${UNREACHABLE}`, '--cron=0 3 * * *', '--json'], {
      signals,
      stdout,
    });
    await waitForOutput(stdout, /"scheduled"/);
    signals.emit('SIGTERM');
    const run = await running;
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; time: string });
    expect(events.map((e) => e.event)).toEqual(['scheduled', 'stopping', 'stopped']);
    expect(events[0]).toMatchObject({ schedule: { cron: '0 3 * * *' } });
    expect(Number.isNaN(Date.parse(events[0]!.time))).toBe(false);
  });
});

describe('schedule log lines', () => {
  it('describes a success, a failure and a skip', () => {
    const result = {
      dump: {
        path: '/b/shop_dump.gz',
        sizeBytes: 2048,
        totalDocuments: 10,
        collectionCount: 2,
        warnings: [],
      },
      imported: { documentsInserted: 10, failures: 0, duplicates: 0, warnings: [] },
      removedByRetention: [{ name: 'old.gz' }],
    } as unknown as BackupRunResult;
    expect(successEvent(result, 1500).text).toBe(
      'backup succeeded in 1.50 s: /b/shop_dump.gz; 2.00 KiB, 10 documents in 2 namespaces; imported 10 documents (0 failures); retention removed old.gz',
    );
    const empty = {
      dump: {
        path: '/b/shpo_dump.gz',
        sizeBytes: 20,
        totalDocuments: 0,
        collectionCount: 0,
        warnings: ['no shpo'],
      },
      removedByRetention: [],
    } as unknown as BackupRunResult;
    expect(successEvent(empty, 10).text).toContain('; warning: no shpo');
    expect(successEvent(empty, 10).fields).toMatchObject({ warnings: ['no shpo'] });
    const failure = failureEvent(new ConnectionError('Could not connect'), 20);
    expect(failure.text).toBe('backup failed after 20 ms: error [CONNECTION_FAILED]: Could not connect');
    expect(failure.fields).toMatchObject({ code: 'CONNECTION_FAILED' });
    const skipped = skippedEvent({
      trigger: 'schedule',
      reason: 'overlap',
      message: 'busy',
      at: new Date(0),
    });
    expect(skipped.text).toBe('backup skipped (overlap): busy');
  });
});
