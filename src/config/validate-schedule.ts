/**
 * Validating a schedule given on its own (to the scheduler), with the same rules and messages as the configuration.
 *
 * @packageDocumentation
 */
import { ErrorCode } from '../errors.js';
import { configError, formatIssues } from './issues.js';
import { KNOWN_OPTIONS, scheduleSchema } from './schema.js';
import type { ScheduleConfig } from './types.js';

/**
 * Returns a copy of `schedule` holding only `everyHours` or only `cron`, or throws.
 *
 * @throws {@link MongoBackupConfigError} (`INVALID_OPTIONS`) listing every problem, e.g.
 *   `schedule.everyHours: expected an integer from 1 to 168, got 0`.
 *
 * @internal
 */
export function validateSchedule(schedule: unknown): ScheduleConfig {
  const result = scheduleSchema.safeParse(schedule);
  if (!result.success) {
    const lines = formatIssues(
      result.error.issues.map((issue) => ({ ...issue, path: ['schedule', ...issue.path] })),
      { input: { schedule }, knownOptions: { schedule: KNOWN_OPTIONS['schedule'] ?? [] } },
    );
    throw configError('Invalid schedule', lines, ErrorCode.INVALID_OPTIONS, result.error);
  }
  return result.data;
}
