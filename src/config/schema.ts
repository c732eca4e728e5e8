/**
 * The zod schemas behind {@link resolveConfig}. Internal: zod types never reach the public API.
 *
 * Every check carries its own message, phrased as what was expected ("expected an integer from 0 to 9"); the
 * issue formatter adds the field path and what was found.
 *
 * @packageDocumentation
 */
import { MongoClient } from 'mongodb';
import { validate as validateCron, validateDetailed as validateCronDetailed } from 'node-cron';
import { z } from 'zod';

import { redactSecrets } from '../connections/redact.js';
import { splitMongoUri } from '../connections/uri.js';
import { databaseNameProblem } from '../storage/naming.js';
import {
  DEFAULT_BACKUP_DIR,
  DEFAULT_GZIP,
  DEFAULT_GZIP_LEVEL,
  DEFAULT_PARALLEL_COLLECTIONS,
  MAX_EVERY_HOURS,
  MAX_PARALLEL_COLLECTIONS,
} from './defaults.js';
import { backupLocationProblem, encryptionSchema, s3Schema } from './storage-schema.js';
import type { ScheduleConfig } from './types.js';

const URI_EXPECTED = 'expected a mongodb:// or mongodb+srv:// connection string';

function integer(min: number, max?: number): z.ZodInt {
  const expected =
    max === undefined ? `expected an integer >= ${min}` : `expected an integer from ${min} to ${max}`;
  const schema = z.int({ error: expected }).min(min, { error: expected });
  return max === undefined ? schema : schema.max(max, { error: expected });
}

/**
 * Why a connection string is unusable, or `undefined` when the driver accepts it. Parsing with the driver itself
 * (a `MongoClient` is constructed, never connected) catches what a pattern cannot: unescaped characters in the
 * password, unknown options, a port on an SRV name.
 */
function uriProblem(uri: string): string | undefined {
  const parts = splitMongoUri(uri);
  if (parts === undefined) return URI_EXPECTED;
  if (parts.hosts.length === 0 || parts.hosts.some((host) => host.trim() === '')) {
    return `${URI_EXPECTED} with at least one host`;
  }
  try {
    new MongoClient(uri);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `${URI_EXPECTED} (${redactSecrets(reason, [uri])})`;
  }
  return undefined;
}

const connectionString = z.string({ error: URI_EXPECTED }).superRefine((uri, ctx) => {
  const problem = uriProblem(uri);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const databaseName = z.string({ error: 'expected a database name' }).superRefine((name, ctx) => {
  const problem = databaseNameProblem(name);
  if (problem !== undefined)
    ctx.addIssue({ code: 'custom', message: `expected a valid database name (it ${problem})` });
});

const cronExpression = z.string({ error: 'expected a cron expression' }).superRefine((expression, ctx) => {
  if (validateCron(expression)) return;
  const reasons = validateCronDetailed(expression)
    .errors.map((error) => error.message)
    .join('; ');
  ctx.addIssue({
    code: 'custom',
    message: `expected a valid cron expression (${reasons || 'not understood'})`,
  });
});

const scheduleShape = {
  everyHours: integer(1, MAX_EVERY_HOURS).optional(),
  cron: cronExpression.optional(),
};

/** The schedule: exactly one of `everyHours` and `cron`, output as a {@link ScheduleConfig}. @internal */
export const scheduleSchema = z
  .strictObject(scheduleShape, { error: 'expected { everyHours: number } or { cron: string }' })
  .transform(({ everyHours, cron }, ctx): ScheduleConfig => {
    if (cron !== undefined && everyHours === undefined) return { cron };
    if (everyHours !== undefined && cron === undefined) return { everyHours };
    ctx.addIssue({ code: 'custom', message: 'expected exactly one of everyHours and cron' });
    return z.NEVER;
  });

const nsPattern = z
  .string({ error: 'expected a namespace pattern such as "shop.*"' })
  .min(1, { error: 'expected a namespace pattern such as "shop.*"' });

const autoImportSchema = z.strictObject(
  {
    enabled: z.boolean({ error: 'expected true or false' }).default(true),
    nsFrom: nsPattern.optional(),
    nsTo: nsPattern.optional(),
    targetDatabase: databaseName.optional(),
    drop: z.boolean({ error: 'expected true or false' }).default(true),
  },
  { error: 'expected an object such as { enabled: true, nsFrom: "shop.*", nsTo: "mirror.*" }' },
);

/** The fields of the service configuration, before cross-field checks. */
const serviceConfigShape = {
  sourceUri: connectionString.optional(),
  targetUri: connectionString.optional(),
  backupDir: z
    .string({ error: 'expected a folder path' })
    .min(1, { error: 'expected a non-empty folder path' })
    .refine((dir) => !dir.includes('\0'), { error: 'expected a folder path without NUL bytes' })
    .superRefine((dir, ctx) => {
      const problem = backupLocationProblem(dir);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(DEFAULT_BACKUP_DIR),
  retention: integer(1).optional(),
  schedule: scheduleSchema.optional(),
  scheduleEnabled: z.boolean({ error: 'expected true or false' }).optional(),
  gzip: z.boolean({ error: 'expected true or false' }).default(DEFAULT_GZIP),
  gzipLevel: integer(0, 9).default(DEFAULT_GZIP_LEVEL),
  parallelCollections: integer(1, MAX_PARALLEL_COLLECTIONS).default(DEFAULT_PARALLEL_COLLECTIONS),
  databases: z
    .array(databaseName, { error: 'expected a list of database names' })
    .min(1, { error: 'expected at least one database name (leave databases out to back up every database)' })
    .optional(),
  autoImport: autoImportSchema.optional(),
  s3: s3Schema.optional(),
  encryption: encryptionSchema.optional(),
};

/** The names of the options accepted at each level, for "unknown option" messages. @internal */
export const KNOWN_OPTIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '': Object.keys(serviceConfigShape),
  schedule: Object.keys(scheduleShape),
  autoImport: Object.keys(autoImportSchema.shape),
  s3: Object.keys(s3Schema.shape),
  's3.credentials': ['accessKeyId', 'secretAccessKey', 'sessionToken'],
  encryption: ['key', 'keyFile', 'keyProvider', 'keyId'],
});

/** A normalised `host:port` list, to tell whether two connection strings reach the same servers. */
function hostKey(uri: string): string | undefined {
  const parts = splitMongoUri(uri);
  if (parts === undefined) return undefined;
  const hosts = parts.hosts.map((host) => {
    const lower = host.toLowerCase();
    return parts.scheme === 'mongodb' && !/:\d+$/.test(lower) ? `${lower}:27017` : lower;
  });
  return `${parts.scheme}://${hosts.sort().join(',')}`;
}

/**
 * Builds the service configuration schema, with the checks that span several fields.
 *
 * @internal
 */
export function serviceConfigSchema(requireSourceUri: boolean) {
  return z
    .strictObject(serviceConfigShape, { error: 'expected an object of options' })
    .superRefine((config, ctx) => {
      if (requireSourceUri && config.sourceUri === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['sourceUri'],
          message: `${URI_EXPECTED} (option sourceUri, or MONGO_BACKUP_SOURCE_URI / MONGO_URI_ATLAS / MONGODB_URI in the environment)`,
        });
      }
      if (config.scheduleEnabled === true && config.schedule === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['schedule'],
          message:
            'expected a schedule since scheduleEnabled is true (option schedule, or MONGO_BACKUP_EVERY_HOURS / ' +
            'BACKUP_INTERVAL_HOURS or MONGO_BACKUP_CRON in the environment)',
        });
      }
      const autoImport = config.autoImport;
      if (autoImport === undefined) return;
      if ((autoImport.nsFrom === undefined) !== (autoImport.nsTo === undefined)) {
        const missing = autoImport.nsFrom === undefined ? 'nsFrom' : 'nsTo';
        ctx.addIssue({
          code: 'custom',
          path: ['autoImport', missing],
          message: `expected ${missing} too, since nsFrom and nsTo only make sense together`,
        });
      }
      if (autoImport.targetDatabase !== undefined) {
        if (autoImport.nsFrom !== undefined || autoImport.nsTo !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['autoImport', 'targetDatabase'],
            message: 'expected either targetDatabase or nsFrom/nsTo, not both',
          });
        }
        if (config.databases?.length !== 1) {
          ctx.addIssue({
            code: 'custom',
            path: ['autoImport', 'targetDatabase'],
            message:
              'expected databases to name exactly one database when renaming into targetDatabase ' +
              `(use nsFrom/nsTo for several), got ${config.databases === undefined ? 'every database' : `${config.databases.length} databases`}`,
          });
        }
      }
      if (!autoImport.enabled) return;
      if (config.targetUri === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['targetUri'],
          message: `${URI_EXPECTED} to import into, since autoImport is enabled (option targetUri, or MONGO_BACKUP_TARGET_URI / MONGO_URI_LOCAL)`,
        });
      } else if (
        config.sourceUri !== undefined &&
        hostKey(config.sourceUri) === hostKey(config.targetUri) &&
        autoImport.nsTo === undefined &&
        autoImport.targetDatabase === undefined
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['autoImport'],
          message:
            'expected nsFrom/nsTo or targetDatabase when targetUri reaches the same servers as sourceUri, ' +
            'got neither (the import would drop and overwrite the data it just backed up)',
        });
      }
    });
}
