/**
 * mongo-backup-service: back up and restore MongoDB with nothing but the official driver, in archives that the real
 * `mongorestore` reads. The archive codec alone (no database) is also available as `mongo-backup-service/archive`.
 *
 * @packageDocumentation
 * @module mongo-backup-service
 */

// The facade
export { LATEST_BACKUP, MongoBackupService } from './mongo-backup-service.js';
export type {
  BackupRunResult,
  ConnectionsStatus,
  MongoBackupServiceOptions,
  RestoreTarget,
  ServiceRestoreOptions,
} from './mongo-backup-service.js';
export type { MongoClientLike } from './driver/index.js';

// Dump and restore
export { DEFAULT_GZIP_LEVEL, DEFAULT_PARALLEL_COLLECTIONS } from './dump/types.js';
export type {
  DumpedNamespace,
  DumpFormat,
  DumpOptions,
  DumpProgress,
  DumpReport,
  DumpReportFields,
  PathDumpReport,
  StreamDumpReport,
} from './dump/types.js';
export {
  DEFAULT_RESTORE_BATCH_BYTES,
  DEFAULT_RESTORE_BATCH_SIZE,
  DEFAULT_RESTORE_PARALLEL_COLLECTIONS,
} from './restore/types.js';
export type {
  NamespaceRestoreReport,
  NamespaceRestoreStatus,
  RestoreOptions,
  RestorePlanSummary,
  RestoreProgress,
  RestoreReport,
  RestoreSource,
} from './restore/types.js';

// Configuration
export { CONFIG_ENV_ALIASES, CONFIG_ENV_VARS, DEFAULT_BACKUP_DIR, resolveConfig } from './config/index.js';
export type {
  AutoImportConfig,
  AutoImportInput,
  CronSchedule,
  Environment,
  EveryHoursSchedule,
  ResolveConfigOptions,
  S3Config,
  S3ConfigInput,
  ScheduleConfig,
  ServiceConfig,
  ServiceConfigInput,
} from './config/index.js';

// Operations
export { BackupScheduler } from './scheduler/index.js';
export type {
  BackupSchedulerOptions,
  LastRunInfo,
  RunStartInfo,
  RunTrigger,
  SchedulerEventMap,
  SchedulerLogger,
  SchedulerStatus,
  SkippedRunInfo,
  StopOptions,
} from './scheduler/index.js';
export {
  checkConnection,
  DEFAULT_CHECK_TIMEOUT_MS,
  redactSecrets,
  redactUri,
  UNPARSEABLE_URI_PLACEHOLDER,
} from './connections/index.js';
export type { CheckConnectionOptions, ConnectionCheckResult } from './connections/index.js';
export {
  applyRetention,
  backupFileName,
  listBackups,
  parseBackupName,
  removeBackup,
  resolveInside,
} from './storage/index.js';
export type { BackupInfo, BackupKind, BackupNameParts, ParsedBackupName } from './storage/index.js';
export {
  createDecryptStream,
  createEncryptStream,
  DEFAULT_ENCRYPTION_CHUNK_SIZE,
  DEFAULT_KEY_ID,
  EncryptionKeyring,
  KEY_BYTES,
  looksEncrypted,
} from './crypto/index.js';
export type { EncryptionKeyOptions, KeyProvider } from './crypto/index.js';
export {
  ENCRYPTED_SUFFIX,
  createFolderStore,
  createS3Store,
  DEFAULT_ABORT_RETRY_MS,
  DEFAULT_PART_SIZE,
  DEFAULT_PARTS_IN_FLIGHT,
  isS3Url,
  MAX_PART_SIZE,
  MAX_UPLOAD_PARTS,
  MIN_PART_SIZE,
  parseS3Url,
  partSizeFor,
} from './storage/index.js';
export type {
  BackupStore,
  BackupUpload,
  BackupUploadOptions,
  ByteRange,
  S3ChecksumAlgorithm,
  S3Credentials,
  S3Location,
  S3StoreOptions,
} from './storage/index.js';

// Namespace rules
export {
  createNamespaceRenamer,
  createNamespaceSelector,
  DEFAULT_NAMESPACE_INCLUDE,
  pairNamespaceRenames,
} from './namespaces/index.js';
export type {
  NamespaceRename,
  NamespaceRenamer,
  NamespaceSelector,
  NamespaceSelectorOptions,
} from './namespaces/index.js';

// Errors
export {
  AbortError,
  ArchiveError,
  ConnectionError,
  EncryptionError,
  ErrorCode,
  MongoBackupConfigError,
  MongoBackupError,
  MongoBackupRuntimeError,
  MongoBackupUsageError,
  RestoreError,
} from './errors.js';
export type { ArchiveErrorOptions, MongoBackupErrorOptions } from './errors.js';
