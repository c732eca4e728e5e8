/**
 * Default values of the service configuration. Every constant is frozen.
 *
 * @packageDocumentation
 */
import type { AutoImportConfig } from './types.js';

/** Default of `backupDir`: `./backups`, relative to the working directory of the process. */
export const DEFAULT_BACKUP_DIR = './backups';

/** Default of `gzip`: archives are gzipped (`.gz`), as `mongodump --archive --gzip` writes them. */
export const DEFAULT_GZIP = true;

/** Default of `gzipLevel`: 6, zlib's balance of speed and size. */
export const DEFAULT_GZIP_LEVEL = 6;

/** Default of `parallelCollections`: how many collections are read (or restored) at once. */
export const DEFAULT_PARALLEL_COLLECTIONS = 4;

/** Upper bound of `parallelCollections`. */
export const MAX_PARALLEL_COLLECTIONS = 64;

/** Upper bound of `schedule.everyHours`: one week. */
export const MAX_EVERY_HOURS = 168;

/**
 * Default of `autoImport`: disabled; when enabled, target collections are dropped before they are restored.
 * Setting `targetUri` alone never enables the import, because it replaces data on the target.
 */
export const DEFAULT_AUTO_IMPORT: Readonly<AutoImportConfig> = Object.freeze({ enabled: false, drop: true });
