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
  ENCRYPTED_SUFFIX,
  formatBackupTimestamp,
  parseBackupName,
} from './naming.js';
export type { BackupKind, BackupNameParts, ParsedBackupName } from './naming.js';
export { resolveInside } from './safe-path.js';
export type { BackupStore, BackupUpload, BackupUploadOptions, ByteRange } from './backup-store.js';
export { createFolderStore } from './folder-store.js';
export { createS3Store, DEFAULT_ABORT_RETRY_MS, DEFAULT_PARTS_IN_FLIGHT } from './s3-store.js';
export type { S3ChecksumAlgorithm, S3Credentials, S3StoreOptions } from './s3-store.js';
export { isS3Url, parseS3Url } from './s3-location.js';
export type { S3Location } from './s3-location.js';
export {
  DEFAULT_PART_SIZE,
  MAX_PART_SIZE,
  MAX_UPLOAD_PARTS,
  MIN_PART_SIZE,
  partSizeFor,
} from './part-size.js';
