/**
 * Configuration: options given in code, merged over environment variables and defaults, validated.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_AUTO_IMPORT,
  DEFAULT_BACKUP_DIR,
  DEFAULT_GZIP,
  DEFAULT_GZIP_LEVEL,
  DEFAULT_PARALLEL_COLLECTIONS,
  MAX_EVERY_HOURS,
  MAX_PARALLEL_COLLECTIONS,
} from './defaults.js';
export { CONFIG_ENV_ALIASES, CONFIG_ENV_VARS } from './env.js';
export type { Environment } from './env.js';
export { resolveConfig } from './resolve-config.js';
export type { ResolveConfigOptions } from './resolve-config.js';
export type {
  AutoImportConfig,
  AutoImportInput,
  CronSchedule,
  EveryHoursSchedule,
  S3Config,
  S3ConfigInput,
  ScheduleConfig,
  ServiceConfig,
  ServiceConfigInput,
} from './types.js';
