/**
 * Reading the service configuration from environment variables.
 *
 * @packageDocumentation
 */

/**
 * The environment variables {@link resolveConfig} reads. Options given in code win over every one of them.
 * Empty values count as unset.
 *
 * | Variable | Field | Format |
 * | --- | --- | --- |
 * | `MONGO_BACKUP_SOURCE_URI` | `sourceUri` | connection string; wins over `MONGODB_URI` |
 * | `MONGODB_URI` | `sourceUri` | connection string |
 * | `MONGO_BACKUP_TARGET_URI` | `targetUri` | connection string |
 * | `MONGO_BACKUP_DIR` | `backupDir` | path |
 * | `MONGO_BACKUP_RETENTION` | `retention` | integer >= 1 |
 * | `MONGO_BACKUP_CRON` | `schedule.cron` | cron expression; not with `MONGO_BACKUP_EVERY_HOURS` |
 * | `MONGO_BACKUP_EVERY_HOURS` | `schedule.everyHours` | integer 1..168; not with `MONGO_BACKUP_CRON` |
 * | `MONGO_BACKUP_GZIP_LEVEL` | `gzipLevel` | integer 0..9 |
 * | `MONGO_BACKUP_PARALLEL` | `parallelCollections` | integer 1..64 |
 * | `MONGO_BACKUP_DATABASES` | `databases` | comma-separated names |
 */
export const CONFIG_ENV_VARS = Object.freeze({
  SOURCE_URI: 'MONGO_BACKUP_SOURCE_URI',
  MONGODB_URI: 'MONGODB_URI',
  TARGET_URI: 'MONGO_BACKUP_TARGET_URI',
  BACKUP_DIR: 'MONGO_BACKUP_DIR',
  RETENTION: 'MONGO_BACKUP_RETENTION',
  CRON: 'MONGO_BACKUP_CRON',
  EVERY_HOURS: 'MONGO_BACKUP_EVERY_HOURS',
  GZIP_LEVEL: 'MONGO_BACKUP_GZIP_LEVEL',
  PARALLEL: 'MONGO_BACKUP_PARALLEL',
  DATABASES: 'MONGO_BACKUP_DATABASES',
} as const);

/**
 * What the environment contributes: raw field values, and which variable each top-level field came from.
 *
 * @internal
 */
export interface EnvContribution {
  /** Field values, numbers parsed when they look like integers (left as text otherwise, for validation to report). */
  readonly values: Record<string, unknown>;
  /** Top-level field name → the variable(s) it was read from. */
  readonly sources: ReadonlyMap<string, string>;
  /** Problems no schema can report, such as two variables for one field: field name → issue line. */
  readonly conflicts: ReadonlyMap<string, string>;
}

/** A process environment, or any object of the same shape. */
export type Environment = Readonly<Record<string, string | undefined>>;

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

/**
 * Reads the configuration variables of {@link CONFIG_ENV_VARS} from `env`.
 *
 * @internal
 */
export function readEnvironment(env: Environment): EnvContribution {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const conflicts = new Map<string, string>();
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const set = (field: string, variable: string, value: unknown): void => {
    values[field] = value;
    sources.set(field, variable);
  };
  const setText = (field: string, variable: string): void => {
    const value = read(variable);
    if (value !== undefined) set(field, variable, value.trim());
  };
  const setInteger = (field: string, variable: string): void => {
    const value = read(variable);
    if (value !== undefined) set(field, variable, INTEGER_TEXT.test(value) ? Number(value) : value);
  };

  const sourceVariable =
    read(CONFIG_ENV_VARS.SOURCE_URI) === undefined ? CONFIG_ENV_VARS.MONGODB_URI : CONFIG_ENV_VARS.SOURCE_URI;
  setText('sourceUri', sourceVariable);
  setText('targetUri', CONFIG_ENV_VARS.TARGET_URI);
  setText('backupDir', CONFIG_ENV_VARS.BACKUP_DIR);
  setInteger('retention', CONFIG_ENV_VARS.RETENTION);
  setInteger('gzipLevel', CONFIG_ENV_VARS.GZIP_LEVEL);
  setInteger('parallelCollections', CONFIG_ENV_VARS.PARALLEL);

  const cron = read(CONFIG_ENV_VARS.CRON);
  const everyHours = read(CONFIG_ENV_VARS.EVERY_HOURS);
  if (cron !== undefined && everyHours !== undefined) {
    conflicts.set(
      'schedule',
      `schedule: expected ${CONFIG_ENV_VARS.CRON} or ${CONFIG_ENV_VARS.EVERY_HOURS}, got both ` +
        `(${JSON.stringify(cron)} and ${JSON.stringify(everyHours)})`,
    );
  } else if (cron !== undefined) {
    set('schedule', CONFIG_ENV_VARS.CRON, { cron: cron.trim() });
  } else if (everyHours !== undefined) {
    const hours = INTEGER_TEXT.test(everyHours) ? Number(everyHours) : everyHours;
    set('schedule', CONFIG_ENV_VARS.EVERY_HOURS, { everyHours: hours });
  }

  const databases = read(CONFIG_ENV_VARS.DATABASES);
  if (databases !== undefined) {
    const names = databases
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    set('databases', CONFIG_ENV_VARS.DATABASES, names);
  }
  return { values, sources, conflicts };
}
