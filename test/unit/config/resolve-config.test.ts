import { describe, expect, it } from 'vitest';

import {
  CONFIG_ENV_VARS,
  DEFAULT_AUTO_IMPORT,
  DEFAULT_BACKUP_DIR,
  DEFAULT_GZIP,
  DEFAULT_GZIP_LEVEL,
  DEFAULT_PARALLEL_COLLECTIONS,
  resolveConfig,
} from '../../../src/config/index.js';
import type { ServiceConfigInput } from '../../../src/config/index.js';
import { ErrorCode, MongoBackupConfigError } from '../../../src/errors.js';

const SOURCE = 'mongodb://backup:s3cr%40t-pw@db1.example.com:27017,db2.example.com:27018/shop?replicaSet=rs0';
const ENV = { MONGODB_URI: 'mongodb://localhost:27017' };

/** Resolves and returns the thrown config error (failing the test when nothing is thrown). */
function configErrorOf(
  input: unknown,
  env: Record<string, string | undefined> = ENV,
): MongoBackupConfigError {
  try {
    resolveConfig(input as ServiceConfigInput, env);
  } catch (error) {
    expect(error).toBeInstanceOf(MongoBackupConfigError);
    return error as MongoBackupConfigError;
  }
  throw new Error('expected resolveConfig to throw');
}

describe('resolveConfig: defaults', () => {
  it('applies every default when only the source is given', () => {
    const config = resolveConfig({ sourceUri: 'mongodb://localhost' }, {});
    expect(config).toEqual({
      sourceUri: 'mongodb://localhost',
      backupDir: DEFAULT_BACKUP_DIR,
      scheduleEnabled: false,
      gzip: DEFAULT_GZIP,
      gzipLevel: DEFAULT_GZIP_LEVEL,
      parallelCollections: DEFAULT_PARALLEL_COLLECTIONS,
      autoImport: { enabled: false, drop: true },
    });
    expect(config).not.toHaveProperty('retention');
    expect(config).not.toHaveProperty('schedule');
    expect(config).not.toHaveProperty('databases');
  });

  it('exposes frozen defaults and returns a deeply frozen configuration', () => {
    expect(DEFAULT_BACKUP_DIR).toBe('./backups');
    expect(DEFAULT_GZIP_LEVEL).toBe(6);
    expect(DEFAULT_PARALLEL_COLLECTIONS).toBe(4);
    expect(Object.isFrozen(DEFAULT_AUTO_IMPORT)).toBe(true);
    expect(Object.isFrozen(CONFIG_ENV_VARS)).toBe(true);
    const config = resolveConfig({ databases: ['shop'], schedule: { everyHours: 6 } }, ENV);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.databases)).toBe(true);
    expect(Object.isFrozen(config.schedule)).toBe(true);
    expect(Object.isFrozen(config.autoImport)).toBe(true);
  });

  it('reads process.env when no environment is passed', () => {
    const saved = process.env['MONGO_BACKUP_SOURCE_URI'];
    process.env['MONGO_BACKUP_SOURCE_URI'] = 'mongodb://from-process-env:27017';
    try {
      expect(resolveConfig().sourceUri).toBe('mongodb://from-process-env:27017');
    } finally {
      if (saved === undefined) delete process.env['MONGO_BACKUP_SOURCE_URI'];
      else process.env['MONGO_BACKUP_SOURCE_URI'] = saved;
    }
  });

  it('does not require a source when told a client is given in code', () => {
    const config = resolveConfig({}, {}, { requireSourceUri: false });
    expect(config.sourceUri).toBeUndefined();
  });
});

describe('resolveConfig: environment', () => {
  const env = {
    MONGODB_URI: 'mongodb://ignored:27017',
    MONGO_BACKUP_SOURCE_URI: SOURCE,
    MONGO_BACKUP_TARGET_URI: 'mongodb://mirror.local:27017',
    MONGO_BACKUP_DIR: '/var/backups/mongo',
    MONGO_BACKUP_RETENTION: '7',
    MONGO_BACKUP_EVERY_HOURS: ' 12 ',
    MONGO_BACKUP_GZIP_LEVEL: '9',
    MONGO_BACKUP_PARALLEL: '8',
    MONGO_BACKUP_DATABASES: ' shop, blog ,,',
  };

  it('parses every variable', () => {
    expect(resolveConfig({}, env)).toEqual({
      sourceUri: SOURCE,
      targetUri: 'mongodb://mirror.local:27017',
      backupDir: '/var/backups/mongo',
      retention: 7,
      schedule: { everyHours: 12 },
      scheduleEnabled: true,
      gzip: true,
      gzipLevel: 9,
      parallelCollections: 8,
      databases: ['shop', 'blog'],
      autoImport: { enabled: false, drop: true },
    });
  });

  it('prefers MONGO_BACKUP_SOURCE_URI over MONGODB_URI, and falls back to MONGODB_URI', () => {
    expect(resolveConfig({}, env).sourceUri).toBe(SOURCE);
    expect(resolveConfig({}, { MONGODB_URI: 'mongodb://fallback' }).sourceUri).toBe('mongodb://fallback');
  });

  it('reads a cron schedule', () => {
    expect(resolveConfig({}, { ...ENV, MONGO_BACKUP_CRON: '30 2 * * *' }).schedule).toEqual({
      cron: '30 2 * * *',
    });
  });

  it('treats empty variables as unset', () => {
    const config = resolveConfig(
      {},
      { ...ENV, MONGO_BACKUP_DIR: '', MONGO_BACKUP_RETENTION: '  ', MONGO_BACKUP_CRON: '' },
    );
    expect(config.backupDir).toBe(DEFAULT_BACKUP_DIR);
    expect(config.retention).toBeUndefined();
    expect(config.schedule).toBeUndefined();
  });

  it('lets options given in code win over the environment, field by field', () => {
    const config = resolveConfig(
      {
        sourceUri: 'mongodb://code:27017',
        backupDir: './mine',
        retention: 2,
        schedule: { cron: '0 4 * * *' },
        gzipLevel: 1,
        parallelCollections: undefined,
        databases: ['only'],
      },
      env,
    );
    expect(config).toMatchObject({
      sourceUri: 'mongodb://code:27017',
      targetUri: 'mongodb://mirror.local:27017',
      backupDir: './mine',
      retention: 2,
      schedule: { cron: '0 4 * * *' },
      gzipLevel: 1,
      parallelCollections: 8,
      databases: ['only'],
    });
  });

  it('rejects both MONGO_BACKUP_CRON and MONGO_BACKUP_EVERY_HOURS, unless a schedule is given in code', () => {
    const both = { ...ENV, MONGO_BACKUP_CRON: '0 3 * * *', MONGO_BACKUP_EVERY_HOURS: '6' };
    expect(configErrorOf({}, both).issues).toEqual([
      'schedule: expected MONGO_BACKUP_CRON or MONGO_BACKUP_EVERY_HOURS, got both ("0 3 * * *" and "6")',
    ]);
    expect(resolveConfig({ schedule: { everyHours: 1 } }, both).schedule).toEqual({ everyHours: 1 });
  });

  it('names the variable a bad value came from', () => {
    const error = configErrorOf(
      {},
      { ...ENV, MONGO_BACKUP_RETENTION: 'seven', MONGO_BACKUP_PARALLEL: '2.5' },
    );
    expect(error.issues).toEqual([
      'retention (from MONGO_BACKUP_RETENTION): expected an integer >= 1, got "seven"',
      'parallelCollections (from MONGO_BACKUP_PARALLEL): expected an integer from 1 to 64, got "2.5"',
    ]);
  });
});

describe('resolveConfig: validation', () => {
  const cases: { name: string; input: Record<string, unknown>; issue: string }[] = [
    { name: 'retention 0', input: { retention: 0 }, issue: 'retention: expected an integer >= 1, got 0' },
    {
      name: 'retention 1.5',
      input: { retention: 1.5 },
      issue: 'retention: expected an integer >= 1, got 1.5',
    },
    {
      name: 'gzipLevel 10',
      input: { gzipLevel: 10 },
      issue: 'gzipLevel: expected an integer from 0 to 9, got 10',
    },
    {
      name: 'gzipLevel -1',
      input: { gzipLevel: -1 },
      issue: 'gzipLevel: expected an integer from 0 to 9, got -1',
    },
    { name: 'gzip "yes"', input: { gzip: 'yes' }, issue: 'gzip: expected true or false, got "yes"' },
    {
      name: 'parallelCollections 0',
      input: { parallelCollections: 0 },
      issue: 'parallelCollections: expected an integer from 1 to 64, got 0',
    },
    {
      name: 'backupDir ""',
      input: { backupDir: '' },
      issue: 'backupDir: expected a non-empty folder path, got ""',
    },
    { name: 'backupDir 42', input: { backupDir: 42 }, issue: 'backupDir: expected a folder path, got 42' },
    {
      name: 'backupDir with NUL',
      input: { backupDir: 'a\0b' },
      issue: 'backupDir: expected a folder path without NUL bytes, got "a\\u0000b"',
    },
    {
      name: 'everyHours 0',
      input: { schedule: { everyHours: 0 } },
      issue: 'schedule.everyHours: expected an integer from 1 to 168, got 0',
    },
    {
      name: 'everyHours 169',
      input: { schedule: { everyHours: 169 } },
      issue: 'schedule.everyHours: expected an integer from 1 to 168, got 169',
    },
    {
      name: 'bad cron',
      input: { schedule: { cron: '0 25 * * *' } },
      issue:
        'schedule.cron: expected a valid cron expression (25 is a invalid expression for hour), got "0 25 * * *"',
    },
    {
      name: 'cron and everyHours',
      input: { schedule: { cron: '0 3 * * *', everyHours: 2 } },
      issue:
        'schedule: expected exactly one of everyHours and cron, got an object {"cron":"0 3 * * *","everyHours":2}',
    },
    {
      name: 'empty schedule',
      input: { schedule: {} },
      issue: 'schedule: expected exactly one of everyHours and cron, got an object {}',
    },
    {
      name: 'schedule as text',
      input: { schedule: 'daily' },
      issue: 'schedule: expected { everyHours: number } or { cron: string }, got "daily"',
    },
    {
      name: 'databases as text',
      input: { databases: 'shop' },
      issue: 'databases: expected a list of database names, got "shop"',
    },
    {
      name: 'databases empty',
      input: { databases: [] },
      issue:
        'databases: expected at least one database name (leave databases out to back up every database), got an array []',
    },
    {
      name: 'database with a dot',
      input: { databases: ['ok', 'a.b'] },
      issue:
        'databases[1]: expected a valid database name (it must not contain any of / \\ . " $ * < > : | ? space or NUL), got "a.b"',
    },
    {
      name: 'unknown option',
      input: { retension: 3 },
      issue:
        'retension: expected one of sourceUri, targetUri, backupDir, retention, schedule, scheduleEnabled, gzip, gzipLevel, ' +
        'parallelCollections, databases, autoImport, s3, encryption, got an unknown option',
    },
    {
      name: 'unknown schedule option',
      input: { schedule: { cron: '0 3 * * *', timezone: 'UTC' } },
      issue: 'schedule.timezone: expected one of everyHours, cron, got an unknown option',
    },
    {
      name: 'autoImport without target',
      input: { autoImport: { nsFrom: 'shop.*', nsTo: 'mirror.*' } },
      issue:
        'targetUri: expected a mongodb:// or mongodb+srv:// connection string to import into, since autoImport is ' +
        'enabled (option targetUri, or MONGO_BACKUP_TARGET_URI / MONGO_URI_LOCAL), got nothing',
    },
    {
      name: 'nsFrom without nsTo',
      input: { targetUri: 'mongodb://mirror', autoImport: { nsFrom: 'shop.*' } },
      issue:
        'autoImport.nsTo: expected nsTo too, since nsFrom and nsTo only make sense together, got nothing',
    },
    {
      name: 'targetDatabase with nsFrom/nsTo',
      input: {
        targetUri: 'mongodb://mirror',
        databases: ['shop'],
        autoImport: { nsFrom: 'shop.*', nsTo: 'x.*', targetDatabase: 'copy' },
      },
      issue: 'autoImport.targetDatabase: expected either targetDatabase or nsFrom/nsTo, not both, got "copy"',
    },
    {
      name: 'targetDatabase with every database',
      input: { targetUri: 'mongodb://mirror', autoImport: { targetDatabase: 'copy' } },
      issue:
        'autoImport.targetDatabase: expected databases to name exactly one database when renaming into ' +
        'targetDatabase (use nsFrom/nsTo for several), got every database',
    },
    {
      name: 'autoImport enabled as text',
      input: { targetUri: 'mongodb://mirror', autoImport: { enabled: 'yes' } },
      issue: 'autoImport.enabled: expected true or false, got "yes"',
    },
    {
      name: 'import onto the source itself',
      input: { sourceUri: 'mongodb://Mongo.local', targetUri: 'mongodb://mongo.local:27017', autoImport: {} },
      issue:
        'autoImport: expected nsFrom/nsTo or targetDatabase when targetUri reaches the same servers as sourceUri, ' +
        'got neither (the import would drop and overwrite the data it just backed up)',
    },
    {
      name: 'sourceUri with another scheme',
      input: { sourceUri: 'postgres://localhost' },
      issue:
        'sourceUri: expected a mongodb:// or mongodb+srv:// connection string, got "postgres://localhost"',
    },
    {
      name: 'sourceUri without host',
      input: { sourceUri: 'mongodb:///shop' },
      issue:
        'sourceUri: expected a mongodb:// or mongodb+srv:// connection string with at least one host, got "mongodb:///shop"',
    },
    {
      name: 'sourceUri with an unknown option',
      input: { sourceUri: 'mongodb://localhost/?bogusOption=1' },
      issue:
        'sourceUri: expected a mongodb:// or mongodb+srv:// connection string (option bogusoption is not supported), ' +
        'got "mongodb://localhost/?bogusOption=1"',
    },
    {
      name: 'srv with a port',
      input: { sourceUri: 'mongodb+srv://cluster0.example.net:27017' },
      issue:
        'sourceUri: expected a mongodb:// or mongodb+srv:// connection string (mongodb+srv URI cannot have port ' +
        'number), got "mongodb+srv://cluster0.example.net:27017"',
    },
    {
      name: 'sourceUri as a number',
      input: { sourceUri: 27017 },
      issue: 'sourceUri: expected a mongodb:// or mongodb+srv:// connection string, got 27017',
    },
  ];

  it.each(cases)('$name', ({ input, issue }) => {
    const error = configErrorOf({ sourceUri: 'mongodb://localhost', ...input }, {});
    expect(error.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(error.issues).toEqual([issue]);
    expect(error.message).toContain(`  - ${issue}`);
    expect(error.cause).toBeDefined();
  });

  it('requires a source connection string, saying where it can come from', () => {
    expect(configErrorOf({}, {}).issues).toEqual([
      'sourceUri: expected a mongodb:// or mongodb+srv:// connection string (option sourceUri, or ' +
        'MONGO_BACKUP_SOURCE_URI / MONGO_URI_ATLAS / MONGODB_URI in the environment), got nothing',
    ]);
  });

  it('reports every problem at once, with the ZodError as cause', () => {
    const error = configErrorOf({
      retention: 0,
      gzipLevel: 11,
      parallelCollections: 'many',
      schedule: { everyHours: 0 },
    });
    expect(error.issues).toHaveLength(4);
    expect(error.message).toMatch(/^Invalid configuration \(4 problems\):\n {2}- /);
    expect((error.cause as Error).name).toBe('ZodError');
  });

  it('rejects input that is not an object', () => {
    expect(configErrorOf('mongodb://localhost').issues).toEqual([
      '(options): expected an object of options, got "mongodb://localhost"',
    ]);
  });

  it('accepts a complete auto-import configuration', () => {
    const config = resolveConfig(
      {
        sourceUri: 'mongodb+srv://app:pw@cluster0.example.net/shop',
        targetUri: 'mongodb://localhost:27017',
        databases: ['shop'],
        autoImport: { targetDatabase: 'shop_mirror', drop: false },
      },
      {},
    );
    expect(config.autoImport).toEqual({ enabled: true, targetDatabase: 'shop_mirror', drop: false });
  });
});
