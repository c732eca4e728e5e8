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
 * | `MONGO_BACKUP_SCHEDULE_ENABLED` | `scheduleEnabled` | `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`) |
 * | `MONGO_BACKUP_AUTO_IMPORT` | `autoImport.enabled` | `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`) |
 * | `MONGO_BACKUP_IMPORT_DATABASE` | `autoImport.targetDatabase` | database name |
 *
 * The variable names of the systems this library replaces are accepted as aliases: see {@link CONFIG_ENV_ALIASES}.
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
  SCHEDULE_ENABLED: 'MONGO_BACKUP_SCHEDULE_ENABLED',
  AUTO_IMPORT: 'MONGO_BACKUP_AUTO_IMPORT',
  IMPORT_DATABASE: 'MONGO_BACKUP_IMPORT_DATABASE',
} as const);

/**
 * Aliases: alias variable → the variable of {@link CONFIG_ENV_VARS} it stands for. These are the names used by the
 * Atlas-to-local backup service this library replaces (see `docs/migration.md`), so that its `.env` files work
 * unchanged. When an alias and its variable are both set they must agree (same text; same number or switch),
 * otherwise {@link resolveConfig} reports a conflict rather than pick one. An alias of `MONGO_BACKUP_SOURCE_URI`
 * wins over `MONGODB_URI`, as `MONGO_BACKUP_SOURCE_URI` does.
 *
 * | Alias | Stands for | Field |
 * | --- | --- | --- |
 * | `MONGO_URI_ATLAS` | `MONGO_BACKUP_SOURCE_URI` | `sourceUri` |
 * | `MONGO_URI_LOCAL` | `MONGO_BACKUP_TARGET_URI` | `targetUri` |
 * | `BACKUP_PATH` | `MONGO_BACKUP_DIR` | `backupDir` |
 * | `BACKUP_INTERVAL_HOURS` | `MONGO_BACKUP_EVERY_HOURS` | `schedule.everyHours` |
 * | `BACKUP_ENABLED` | `MONGO_BACKUP_SCHEDULE_ENABLED` | `scheduleEnabled` |
 * | `AUTO_IMPORT_TO_LOCAL` | `MONGO_BACKUP_AUTO_IMPORT` | `autoImport.enabled` |
 */
export const CONFIG_ENV_ALIASES = Object.freeze({
  MONGO_URI_ATLAS: CONFIG_ENV_VARS.SOURCE_URI,
  MONGO_URI_LOCAL: CONFIG_ENV_VARS.TARGET_URI,
  BACKUP_PATH: CONFIG_ENV_VARS.BACKUP_DIR,
  BACKUP_INTERVAL_HOURS: CONFIG_ENV_VARS.EVERY_HOURS,
  BACKUP_ENABLED: CONFIG_ENV_VARS.SCHEDULE_ENABLED,
  AUTO_IMPORT_TO_LOCAL: CONFIG_ENV_VARS.AUTO_IMPORT,
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
const TRUE_TEXT = /^\s*(?:true|1|yes|on)\s*$/i;
const FALSE_TEXT = /^\s*(?:false|0|no|off)\s*$/i;

/** How a variable's text becomes a value: trimmed text, an integer, or a switch. */
type Kind = 'text' | 'integer' | 'boolean';

/** A value read from one variable (or from an alias that agrees with it). */
interface ReadValue {
  /** The parsed value: numbers and switches parsed when they look right, left as text otherwise. */
  readonly value: unknown;
  /** The variable it came from, `A (alias of B)` style when only the alias was set. */
  readonly variable: string;
}

function parse(text: string, kind: Kind): unknown {
  if (kind === 'integer') return INTEGER_TEXT.test(text) ? Number(text) : text.trim();
  if (kind === 'boolean') return TRUE_TEXT.test(text) ? true : FALSE_TEXT.test(text) ? false : text.trim();
  return text.trim();
}

/**
 * Reads the configuration variables of {@link CONFIG_ENV_VARS} (and their {@link CONFIG_ENV_ALIASES}) from `env`.
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
  const aliasesOf = (variable: string): string[] =>
    Object.entries(CONFIG_ENV_ALIASES)
      .filter(([, target]) => target === variable)
      .map(([alias]) => alias);
  /** `variable` or its alias; both set and different is a conflict on `field` (values shown unless secret). */
  const readAliased = (
    field: string,
    variable: string,
    kind: Kind,
    secret = false,
  ): ReadValue | undefined => {
    const candidates = [variable, ...aliasesOf(variable)].flatMap((name) => {
      const text = read(name);
      return text === undefined ? [] : [{ name, value: parse(text, kind) }];
    });
    const [first, ...others] = candidates;
    if (first === undefined) return undefined;
    const disagreeing = others.find((other) => other.value !== first.value);
    if (disagreeing !== undefined) {
      const shown = secret
        ? 'two different connection strings'
        : `${JSON.stringify(first.value)} and ${JSON.stringify(disagreeing.value)}`;
      conflicts.set(
        field,
        `${field}: expected ${first.name} and ${disagreeing.name} (an alias of it) to agree, got ${shown}; ` +
          'set only one of them',
      );
    }
    const variableName = first.name === variable ? variable : `${first.name} (alias of ${variable})`;
    return { value: first.value, variable: variableName };
  };
  const set = (field: string, read: ReadValue | undefined): void => {
    if (read === undefined) return;
    values[field] = read.value;
    sources.set(field, read.variable);
  };
  const setPlain = (field: string, variable: string, kind: Kind): void => {
    const text = read(variable);
    if (text !== undefined) set(field, { value: parse(text, kind), variable });
  };

  set(
    'sourceUri',
    readAliased('sourceUri', CONFIG_ENV_VARS.SOURCE_URI, 'text', true) ??
      (read(CONFIG_ENV_VARS.MONGODB_URI) === undefined
        ? undefined
        : {
            value: parse(read(CONFIG_ENV_VARS.MONGODB_URI) ?? '', 'text'),
            variable: CONFIG_ENV_VARS.MONGODB_URI,
          }),
  );
  set('targetUri', readAliased('targetUri', CONFIG_ENV_VARS.TARGET_URI, 'text', true));
  set('backupDir', readAliased('backupDir', CONFIG_ENV_VARS.BACKUP_DIR, 'text'));
  setPlain('retention', CONFIG_ENV_VARS.RETENTION, 'integer');
  setPlain('gzipLevel', CONFIG_ENV_VARS.GZIP_LEVEL, 'integer');
  setPlain('parallelCollections', CONFIG_ENV_VARS.PARALLEL, 'integer');
  set('scheduleEnabled', readAliased('scheduleEnabled', CONFIG_ENV_VARS.SCHEDULE_ENABLED, 'boolean'));

  const cron = read(CONFIG_ENV_VARS.CRON);
  const everyHours = readAliased('schedule', CONFIG_ENV_VARS.EVERY_HOURS, 'integer');
  if (cron !== undefined && everyHours !== undefined) {
    const hoursVariable = everyHours.variable.split(' ')[0] ?? CONFIG_ENV_VARS.EVERY_HOURS;
    conflicts.set(
      'schedule',
      `schedule: expected ${CONFIG_ENV_VARS.CRON} or ${hoursVariable}, got both ` +
        `(${JSON.stringify(cron)} and ${JSON.stringify(read(hoursVariable))})`,
    );
  } else if (cron !== undefined) {
    set('schedule', { value: { cron: cron.trim() }, variable: CONFIG_ENV_VARS.CRON });
  } else if (everyHours !== undefined) {
    set('schedule', { value: { everyHours: everyHours.value }, variable: everyHours.variable });
  }

  const autoImport = readAliased('autoImport', CONFIG_ENV_VARS.AUTO_IMPORT, 'boolean');
  const importDatabase = read(CONFIG_ENV_VARS.IMPORT_DATABASE);
  if (autoImport !== undefined || importDatabase !== undefined) {
    // Naming the database alone never enables the import, which replaces data on the target.
    set('autoImport', {
      value: {
        enabled: autoImport?.value ?? false,
        ...(importDatabase === undefined ? {} : { targetDatabase: importDatabase.trim() }),
      },
      variable: [
        autoImport?.variable,
        importDatabase === undefined ? undefined : CONFIG_ENV_VARS.IMPORT_DATABASE,
      ]
        .filter((name) => name !== undefined)
        .join(', '),
    });
  }

  const databases = read(CONFIG_ENV_VARS.DATABASES);
  if (databases !== undefined) {
    const names = databases
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    set('databases', { value: names, variable: CONFIG_ENV_VARS.DATABASES });
  }
  return { values, sources, conflicts };
}
