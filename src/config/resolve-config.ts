/**
 * Resolving the service configuration: options given in code, over environment variables, over defaults.
 *
 * @packageDocumentation
 */
import { splitMongoUri } from '../connections/uri.js';
import { ErrorCode } from '../errors.js';
import { DEFAULT_AUTO_IMPORT } from './defaults.js';
import { readEnvironment } from './env.js';
import type { Environment } from './env.js';
import { configError, describeValue, formatIssues } from './issues.js';
import { KNOWN_OPTIONS, serviceConfigSchema } from './schema.js';
import type { S3Config, ServiceConfig, ServiceConfigInput } from './types.js';
import { EncryptionKeyring, type EncryptionKeyOptions } from '../crypto/keys.js';

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions {
  /**
   * Whether a source connection string is required. Set to `false` when a `MongoClient` is given in code instead.
   * Defaults to `true`.
   */
  readonly requireSourceUri?: boolean;
}

/**
 * Merges the options given in code over the environment variables (see {@link CONFIG_ENV_VARS} and
 * `docs/configuration.md`), applies the defaults (`DEFAULT_*`) and validates the result.
 *
 * @param input - Options given in code; a field that is missing or `undefined` is read from `env`.
 * @param env - The environment to read. Defaults to `process.env`.
 * @param options - See {@link ResolveConfigOptions}.
 * @returns The configuration, deeply frozen.
 * @throws {@link MongoBackupConfigError} with code `INVALID_CONFIG`, whose `issues` hold one line per problem,
 *   `<field path>: <what was expected>, got <what was found>` (naming the variable when the value came from the
 *   environment), and whose `cause` is the validation error. Connection strings are never shown with credentials.
 *
 * @example
 * ```ts
 * import { resolveConfig } from 'mongo-backup-service';
 * // MONGODB_URI=mongodb://localhost:27017 MONGO_BACKUP_RETENTION=7 node app.js
 * const config = resolveConfig({ schedule: { cron: '0 3 * * *' }, databases: ['shop'] });
 * config.retention; // 7, from the environment
 * config.gzipLevel; // 6, the default
 * ```
 */
export function resolveConfig(
  input: ServiceConfigInput = {},
  env: Environment = process.env,
  options: ResolveConfigOptions = {},
): ServiceConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    const line = `(options): expected an object of options, got ${describeValue(input)}`;
    throw configError('Invalid configuration', [line], ErrorCode.INVALID_CONFIG, undefined);
  }
  const fromEnv = readEnvironment(env);
  const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const merged: Record<string, unknown> = { ...fromEnv.values, ...given };
  const sources = new Map([...fromEnv.sources].filter(([field]) => !(field in given)));
  // Only connection strings: anything else is scrubbed by pattern, and still shown for what it is.
  const knownUris = [merged['sourceUri'], merged['targetUri']].filter(
    (uri): uri is string => typeof uri === 'string' && splitMongoUri(uri) !== undefined,
  );
  const conflicted = [...fromEnv.conflicts].filter(([field]) => !(field in given));
  const conflicts = conflicted.map(([, line]) => line);
  // A field whose variables disagree is reported once, as a conflict, not again as missing.
  const isConflicted = (field: PropertyKey | undefined): boolean =>
    conflicted.some(([name]) => name === field);

  const result = serviceConfigSchema(options.requireSourceUri ?? true).safeParse(merged);
  if (!result.success || conflicts.length > 0) {
    const lines = [
      ...conflicts,
      ...(result.success
        ? []
        : formatIssues(
            result.error.issues.filter((issue) => !isConflicted(issue.path[0])),
            {
              input: merged,
              sources,
              knownOptions: KNOWN_OPTIONS,
              knownUris,
            },
          )),
    ];
    throw configError('Invalid configuration', lines, ErrorCode.INVALID_CONFIG, result.error, knownUris);
  }

  const data = result.data;
  const autoImport = data.autoImport ?? DEFAULT_AUTO_IMPORT;
  const { credentials: _credentials, ...s3 } = data.s3 ?? {};
  const encryption =
    data.encryption === undefined
      ? undefined
      : new EncryptionKeyring(data.encryption as EncryptionKeyOptions);
  return deepFreeze({
    ...definedOnly({
      sourceUri: data.sourceUri,
      targetUri: data.targetUri,
      retention: data.retention,
      schedule: data.schedule,
      databases: data.databases,
      s3: data.s3 === undefined ? undefined : (definedOnly(s3) as S3Config),
      encryption,
    }),
    backupDir: data.backupDir,
    scheduleEnabled: data.scheduleEnabled ?? data.schedule !== undefined,
    gzip: data.gzip,
    gzipLevel: data.gzipLevel,
    parallelCollections: data.parallelCollections,
    autoImport: {
      ...definedOnly({
        nsFrom: autoImport.nsFrom,
        nsTo: autoImport.nsTo,
        targetDatabase: autoImport.targetDatabase,
      }),
      enabled: autoImport.enabled,
      drop: autoImport.drop,
    },
  });
}

type DefinedOnly<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/** A copy without the `undefined` fields, as `exactOptionalPropertyTypes` wants for optional fields. */
function definedOnly<T extends Record<string, unknown>>(fields: T): DefinedOnly<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as DefinedOnly<T>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}
