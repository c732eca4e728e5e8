import { validate } from 'node-cron';
import { describe, expect, it } from 'vitest';

import {
  isKnownTimezone,
  isNthHour,
  nextNthHour,
  planSchedule,
} from '../../../src/scheduler/schedule-plan.js';

const HOUR = 3_600_000;

describe('planSchedule', () => {
  it.each([1, 2, 3, 4, 6, 8, 12, 24])('maps everyHours %i (a divisor of 24) to 0 */N * * *', (hours) => {
    const plan = planSchedule({ everyHours: hours }, 'Europe/Paris');
    expect(plan).toEqual({
      expression: `0 */${hours} * * *`,
      timezone: 'Europe/Paris',
      everyNthHour: undefined,
    });
    expect(validate(plan.expression)).toBe(true);
  });

  it.each([5, 7, 9, 10, 48, 168])(
    'maps everyHours %i to an hourly UTC tick that runs every N-th hour',
    (hours) => {
      const plan = planSchedule({ everyHours: hours }, 'Europe/Paris');
      expect(plan).toEqual({ expression: '0 * * * *', timezone: 'UTC', everyNthHour: hours });
      expect(validate(plan.expression)).toBe(true);
    },
  );

  it('passes cron expressions through, in the given time zone', () => {
    expect(planSchedule({ cron: '30 2 * * 1-5' }, undefined)).toEqual({
      expression: '30 2 * * 1-5',
      timezone: undefined,
      everyNthHour: undefined,
    });
  });
});

describe('every N-th hour', () => {
  it('runs exactly N hours apart, anchored at the Unix epoch', () => {
    const start = Date.parse('2026-11-21T00:00:00Z');
    for (const n of [5, 7, 48, 168]) {
      const runs: number[] = [];
      for (let hour = 0; hour < 24 * 30; hour += 1) {
        if (isNthHour(new Date(start + hour * HOUR), n)) runs.push(start + hour * HOUR);
      }
      const gaps = new Set(runs.slice(1).map((time, index) => (time - (runs[index] ?? 0)) / HOUR));
      expect([...gaps]).toEqual([n]);
    }
    expect(isNthHour(new Date('1970-01-08T00:00:00Z'), 168)).toBe(true);
    expect(isNthHour(new Date('2026-11-19T00:00:00Z'), 168)).toBe(true); // a Thursday
  });

  it('computes the next run from the next hourly tick', () => {
    const tick = new Date('2026-11-21T01:00:00Z');
    const next = nextNthHour(tick, 5);
    expect(isNthHour(next, 5)).toBe(true);
    expect(next.getTime() - tick.getTime()).toBeLessThan(5 * HOUR);
    expect(next.getTime()).toBeGreaterThanOrEqual(tick.getTime());
    const onTime = new Date(0 + 5 * 1000 * HOUR);
    expect(nextNthHour(onTime, 5)).toEqual(onTime);
  });
});

describe('isKnownTimezone', () => {
  it('accepts IANA names and rejects others', () => {
    expect(isKnownTimezone('UTC')).toBe(true);
    expect(isKnownTimezone('America/Sao_Paulo')).toBe(true);
    expect(isKnownTimezone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimezone('')).toBe(false);
  });
});
