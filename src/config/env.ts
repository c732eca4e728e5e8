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
 * | `MONGO_BACKUP_S3_REGION` | `s3.region` | region name |
 * | `MONGO_BACKUP_S3_ENDPOINT` | `s3.endpoint` | URL |
 * | `MONGO_BACKUP_S3_FORCE_PATH_STYLE` | `s3.forcePathStyle` | `true` or `false` |
 * | `MONGO_BACKUP_ENCRYPTION_KEY` | `encryption.key` | 32 bytes as hex or base64; never shown |
 * | `MONGO_BACKUP_ENCRYPTION_KEY_FILE` | `encryption.keyFile` | path; not with `MONGO_BACKUP_ENCRYPTION_KEY` |
 * | `MONGO_BACKUP_ENCRYPTION_KEY_ID` | `encryption.keyId` | text |
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
  S3_REGION: 'MONGO_BACKUP_S3_REGION',
  S3_ENDPOINT: 'MONGO_BACKUP_S3_ENDPOINT',
  S3_FORCE_PATH_STYLE: 'MONGO_BACKUP_S3_FORCE_PATH_STYLE',
  ENCRYPTION_KEY: 'MONGO_BACKUP_ENCRYPTION_KEY',
  ENCRYPTION_KEY_FILE: 'MONGO_BACKUP_ENCRYPTION_KEY_FILE',
  ENCRYPTION_KEY_ID: 'MONGO_BACKUP_ENCRYPTION_KEY_ID',
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
  /** The text as set, trimmed. */
  readonly text: string;
  /** The variable it was read from (an alias when only the alias was set). */
  readonly name: string;
  /** How messages name it: the variable, or `ALIAS, alias of VARIABLE`. */
  readonly label: string;
}

function parse(text: string, kind: Kind): unknown {
  if (kind === 'integer') return INTEGER_TEXT.test(text) ? Number(text) : text;
  if (kind === 'boolean') return TRUE_TEXT.test(text) ? true : FALSE_TEXT.test(text) ? false : text;
  return text;
}

/** The aliases of one of our variables, in {@link CONFIG_ENV_ALIASES} order. */
function aliasesOf(variable: string): string[] {
  return Object.entries(CONFIG_ENV_ALIASES)
    .filter(([, target]) => target === variable)
    .map(([alias]) => alias);
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
  const set = (field: string, variable: string, value: unknown): void => {
    values[field] = value;
    sources.set(field, variable);
  };
  const readOne = (name: string, kind: Kind, label = name): ReadValue | undefined => {
    const text = read(name)?.trim();
    return text === undefined ? undefined : { value: parse(text, kind), text, name, label };
  };
  /**
   * `variable`, else its alias. Both set to different values is a conflict on `field`, reported with the values
   * unless they are `secret` (connection strings).
   */
  const readAliased = (
    field: string,
    variable: string,
    kind: Kind,
    secret = false,
  ): ReadValue | undefined => {
    const [first, ...others] = [variable, ...aliasesOf(variable)].flatMap((name) => {
      const found = readOne(name, kind, name === variable ? name : `${name}, alias of ${variable}`);
      return found === undefined ? [] : [found];
    });
    const disagreeing = others.find((other) => other.value !== first?.value);
    if (first !== undefined && disagreeing !== undefined) {
      const shown = secret
        ? 'two different connection strings'
        : `${JSON.stringify(first.value)} and ${JSON.stringify(disagreeing.value)}`;
      conflicts.set(
        field,
        `${field}: expected ${first.name} and ${disagreeing.name} (an alias of it) to agree, got ${shown}; ` +
          'set only one of them',
      );
    }
    return first;
  };
  const setFound = (field: string, found: ReadValue | undefined, value: unknown = found?.value): void => {
    if (found !== undefined) set(field, found.label, value);
  };

  setFound(
    'sourceUri',
    readAliased('sourceUri', CONFIG_ENV_VARS.SOURCE_URI, 'text', true) ??
      readOne(CONFIG_ENV_VARS.MONGODB_URI, 'text'),
  );
  setFound('targetUri', readAliased('targetUri', CONFIG_ENV_VARS.TARGET_URI, 'text', true));
  setFound('backupDir', readAliased('backupDir', CONFIG_ENV_VARS.BACKUP_DIR, 'text'));
  setFound('retention', readOne(CONFIG_ENV_VARS.RETENTION, 'integer'));
  setFound('gzipLevel', readOne(CONFIG_ENV_VARS.GZIP_LEVEL, 'integer'));
  setFound('parallelCollections', readOne(CONFIG_ENV_VARS.PARALLEL, 'integer'));
  setFound('scheduleEnabled', readAliased('scheduleEnabled', CONFIG_ENV_VARS.SCHEDULE_ENABLED, 'boolean'));

  const cron = readOne(CONFIG_ENV_VARS.CRON, 'text');
  const everyHours = readAliased('schedule', CONFIG_ENV_VARS.EVERY_HOURS, 'integer');
  if (cron !== undefined && everyHours !== undefined) {
    conflicts.set(
      'schedule',
      `schedule: expected ${cron.name} or ${everyHours.name}, got both ` +
        `(${JSON.stringify(cron.text)} and ${JSON.stringify(everyHours.text)})`,
    );
  } else {
    setFound('schedule', cron, { cron: cron?.text });
    setFound('schedule', everyHours, { everyHours: everyHours?.value });
  }

  const autoImport = readAliased('autoImport', CONFIG_ENV_VARS.AUTO_IMPORT, 'boolean');
  const importDatabase = readOne(CONFIG_ENV_VARS.IMPORT_DATABASE, 'text');
  const importFrom = autoImport ?? importDatabase;
  if (importFrom !== undefined) {
    // Naming the database alone never enables the import, which replaces data on the target.
    const value = {
      enabled: autoImport?.value ?? false,
      ...(importDatabase === undefined ? {} : { targetDatabase: importDatabase.text }),
    };
    const label = [autoImport?.label, importDatabase?.label]
      .filter((name) => name !== undefined)
      .join(' and ');
    setFound('autoImport', { ...importFrom, label }, value);
  }

  const databases = readOne(CONFIG_ENV_VARS.DATABASES, 'text');
  const names = databases?.text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  setFound('databases', databases, names);
  readStorageEnvironment(read, set);
  return { values, sources, conflicts };
}

/** The `s3` and `encryption` variables, each object set when at least one of its variables is. */
function readStorageEnvironment(
  read: (name: string) => string | undefined,
  set: (field: string, variable: string, value: unknown) => void,
): void {
  const s3: Record<string, unknown> = {};
  const s3Variables: string[] = [];
  const region = read(CONFIG_ENV_VARS.S3_REGION);
  const endpoint = read(CONFIG_ENV_VARS.S3_ENDPOINT);
  const pathStyle = read(CONFIG_ENV_VARS.S3_FORCE_PATH_STYLE);
  if (region !== undefined) {
    s3['region'] = region.trim();
    s3Variables.push(CONFIG_ENV_VARS.S3_REGION);
  }
  if (endpoint !== undefined) {
    s3['endpoint'] = endpoint.trim();
    s3Variables.push(CONFIG_ENV_VARS.S3_ENDPOINT);
  }
  if (pathStyle !== undefined) {
    const text = pathStyle.trim().toLowerCase();
    s3['forcePathStyle'] = text === 'true' ? true : text === 'false' ? false : pathStyle;
    s3Variables.push(CONFIG_ENV_VARS.S3_FORCE_PATH_STYLE);
  }
  if (s3Variables.length > 0) set('s3', s3Variables.join(', '), s3);

  const encryption: Record<string, unknown> = {};
  const encryptionVariables: string[] = [];
  for (const [field, variable] of [
    ['key', CONFIG_ENV_VARS.ENCRYPTION_KEY],
    ['keyFile', CONFIG_ENV_VARS.ENCRYPTION_KEY_FILE],
    ['keyId', CONFIG_ENV_VARS.ENCRYPTION_KEY_ID],
  ] as const) {
    const value = read(variable);
    if (value === undefined) continue;
    encryption[field] = value.trim();
    encryptionVariables.push(variable);
  }
  if (encryptionVariables.length > 0) set('encryption', encryptionVariables.join(', '), encryption);
}
