/**
 * Backups as a table, for `list` and `clean`; and the configuration of the commands that need no server.
 *
 * @packageDocumentation
 */
import { resolveConfig, type ServiceConfig, type ServiceConfigInput } from '../config/index.js';
import type { BackupStore } from '../storage/backup-store.js';
import { s3Access, storeForLocation } from '../storage/configured-store.js';
import type { BackupInfo } from '../storage/index.js';
import { backupsBeyondRetention } from '../storage/retention.js';
import { formatBytes, formatDate, formatTable } from './format.js';
import type { CliIo } from './io.js';

/**
 * The configuration for a command that reads only the backup folder: flags over the environment, validated as
 * the service validates it, without requiring a connection string.
 */
export function offlineConfig(input: ServiceConfigInput, io: CliIo): ServiceConfig {
  return resolveConfig(input, io.env, { requireSourceUri: false });
}

/** The store of a command's configuration: the backup folder, or the bucket of an `s3://` backupDir. */
export function offlineStore(config: ServiceConfig, io: CliIo): BackupStore {
  return storeForLocation(config.backupDir, s3Access(config.s3 ?? {}, undefined, io.env));
}

/** Backups as table lines: name, database, kind, size, created. */
export function backupTableLines(backups: readonly BackupInfo[]): string[] {
  return formatTable(
    ['NAME', 'DATABASE', 'KIND', 'SIZE', 'CREATED'],
    backups.map((backup) => [
      backup.name,
      backup.database ?? '(all)',
      backup.kind,
      formatBytes(backup.sizeBytes),
      formatDate(backup.createdAt),
    ]),
    { align: ['left', 'left', 'left', 'right', 'left'] },
  );
}

/** Total size of some backups. */
export function totalSize(backups: readonly BackupInfo[]): number {
  return backups.reduce((sum, backup) => sum + backup.sizeBytes, 0);
}

/**
 * The backups that retention would delete: all but the `keep` newest of each database (backups of every database
 * form their own group), oldest first. The same rule as `applyRetention`, without deleting anything.
 */
export function retentionVictims(newestFirst: readonly BackupInfo[], keep: number): BackupInfo[] {
  return backupsBeyondRetention(newestFirst, keep);
}
