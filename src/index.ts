/**
 * mongo-backup-service: back up and restore MongoDB with nothing but the official driver.
 *
 * @packageDocumentation
 */
export {
  AbortError,
  ArchiveError,
  ConnectionError,
  ErrorCode,
  MongoBackupConfigError,
  MongoBackupError,
  MongoBackupRuntimeError,
  MongoBackupUsageError,
} from './errors.js';
export type { ArchiveErrorOptions, MongoBackupErrorOptions } from './errors.js';
