/**
 * Storage: where backups live. Naming, confinement to the backup folder, atomic writes, listing and retention.
 *
 * @packageDocumentation
 */
export { createAtomicFile, DEFAULT_DIR_MODE, DEFAULT_FILE_MODE, PARTIAL_SUFFIX } from './atomic-file.js';
export type { AtomicFile } from './atomic-file.js';
export { applyRetention, listBackups, removeBackup } from './catalog.js';
export type { BackupInfo } from './catalog.js';
export {
  ALL_DATABASES_NAME,
  BACKUP_EXTENSIONS,
  backupFileName,
  formatBackupTimestamp,
  parseBackupName,
} from './naming.js';
export type { BackupKind, BackupNameParts, ParsedBackupName } from './naming.js';
export { resolveInside } from './safe-path.js';
