/**
 * How a schedule becomes node-cron ticks.
 *
 * @packageDocumentation
 */
import type { ScheduleConfig } from '../config/types.js';

const HOUR_MS = 3_600_000;

/** What to register with node-cron for a schedule. @internal */
export interface SchedulePlan {
  /** The cron expression to register. */
  readonly expression: string;
  /** The time zone to evaluate it in; `undefined` for the process's local time. */
  readonly timezone: string | undefined;
  /** Interval in hours when only every N-th hourly tick runs; `undefined` when every tick runs. */
  readonly everyNthHour: number | undefined;
}

/**
 * Maps a schedule to node-cron:
 * - `{ cron }` is registered as is, in `timezone`;
 * - `{ everyHours: N }` with N dividing 24 becomes `0 *\/N * * *` in `timezone`: on the hour, at the wall-clock
 *   hours that are multiples of N;
 * - any other N becomes an hourly tick in UTC of which only the hours whose count since 1970-01-01T00:00Z is a
 *   multiple of N run, so runs are exactly N hours apart whatever the day length, DST or restarts.
 *
 * @internal
 */
export function planSchedule(schedule: ScheduleConfig, timezone: string | undefined): SchedulePlan {
  if ('cron' in schedule) return { expression: schedule.cron, timezone, everyNthHour: undefined };
  const hours = schedule.everyHours;
  if (24 % hours === 0) return { expression: `0 */${hours} * * *`, timezone, everyNthHour: undefined };
  return { expression: '0 * * * *', timezone: 'UTC', everyNthHour: hours };
}

/**
 * Whether an hourly slot is one of the every-N-hours runs.
 *
 * @internal
 */
export function isNthHour(slot: Date, everyNthHour: number): boolean {
  return Math.floor(slot.getTime() / HOUR_MS) % everyNthHour === 0;
}

/**
 * The first every-N-hours run at or after `nextHourlyTick` (a top of the hour in UTC).
 *
 * @internal
 */
export function nextNthHour(nextHourlyTick: Date, everyNthHour: number): Date {
  const hour = Math.floor(nextHourlyTick.getTime() / HOUR_MS);
  const wait = (everyNthHour - (hour % everyNthHour)) % everyNthHour;
  return new Date(nextHourlyTick.getTime() + wait * HOUR_MS);
}

/**
 * Whether `timezone` is an IANA time zone name this runtime knows.
 *
 * @internal
 */
export function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
