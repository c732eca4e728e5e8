/**
 * Which backups retention removes, whatever the store: the same rule for a folder and a bucket.
 *
 * @packageDocumentation
 */
import { ErrorCode, MongoBackupConfigError } from '../errors.js';
import type { BackupInfo } from './catalog.js';

/**
 * The backups that keeping the `keep` newest of each database leaves out, oldest first. `backups` must be newest
 * first, as listed. Backups of every database (`all_dump_...`) form their own group.
 *
 * @throws {@link MongoBackupConfigError} (`INVALID_OPTIONS`) when `keep` is not an integer of at least 1.
 * @internal
 */
export function backupsBeyondRetention(backups: readonly BackupInfo[], keep: number): BackupInfo[] {
  assertRetentionCount(keep);
  const seen = new Map<string, number>();
  return backups
    .filter((backup) => {
      const group = backup.database ?? '';
      const count = (seen.get(group) ?? 0) + 1;
      seen.set(group, count);
      return count > keep;
    })
    .reverse();
}

/**
 * Checks a retention count before any listing or deletion.
 *
 * @throws {@link MongoBackupConfigError} (`INVALID_OPTIONS`) when `keep` is not an integer of at least 1.
 * @internal
 */
export function assertRetentionCount(keep: number): void {
  if (!Number.isInteger(keep) || keep < 1) {
    const issue = `keep: expected an integer >= 1, got ${String(keep)}`;
    throw new MongoBackupConfigError(`Invalid retention:\n  ${issue}`, [issue], {
      code: ErrorCode.INVALID_OPTIONS,
    });
  }
}
