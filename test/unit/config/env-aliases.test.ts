/**
 * The seed systems' variable names (MONGO_URI_ATLAS, MONGO_URI_LOCAL, BACKUP_PATH, BACKUP_INTERVAL_HOURS,
 * BACKUP_ENABLED, AUTO_IMPORT_TO_LOCAL) as aliases of ours, and the switches only code could set before
 * (scheduleEnabled, autoImport.enabled, autoImport.targetDatabase).
 */
import { describe, expect, it } from 'vitest';

import { CONFIG_ENV_ALIASES, CONFIG_ENV_VARS, resolveConfig } from '../../../src/config/index.js';
import { MongoBackupConfigError } from '../../../src/errors.js';

const ATLAS =
  'mongodb+srv://atlasUser:Atl4s-S3cret@cluster0.example.mongodb.net/artisan_management?retryWrites=true&w=majority';
const LOCAL = 'mongodb://localhost:27017/artisan_management';

/** The seed's .env, as its documentation shows it. */
const SEED_ENV = {
  MONGO_URI_ATLAS: ATLAS,
  MONGO_URI_LOCAL: LOCAL,
  BACKUP_ENABLED: 'true',
  BACKUP_INTERVAL_HOURS: '6',
  BACKUP_PATH: './backups',
  AUTO_IMPORT_TO_LOCAL: 'true',
};

function configErrorOf(env: Record<string, string>, input = {}): MongoBackupConfigError {
  try {
    resolveConfig(input, env);
  } catch (error) {
    expect(error).toBeInstanceOf(MongoBackupConfigError);
    return error as MongoBackupConfigError;
  }
  throw new Error('expected resolveConfig to throw');
}

describe('seed variable names as aliases', () => {
  it('maps each alias to one of our variables, frozen', () => {
    expect(Object.isFrozen(CONFIG_ENV_ALIASES)).toBe(true);
    const ours = new Set<string>(Object.values(CONFIG_ENV_VARS));
    for (const target of Object.values(CONFIG_ENV_ALIASES)) expect(ours.has(target)).toBe(true);
  });

  it("resolves the seed's .env unchanged", () => {
    const config = resolveConfig(
      { autoImport: undefined },
      { ...SEED_ENV, MONGO_BACKUP_DATABASES: 'artisan_management', MONGO_BACKUP_IMPORT_DATABASE: 'mirror' },
    );
    expect(config).toMatchObject({
      sourceUri: ATLAS,
      targetUri: LOCAL,
      backupDir: './backups',
      schedule: { everyHours: 6 },
      scheduleEnabled: true,
      autoImport: { enabled: true, drop: true, targetDatabase: 'mirror' },
    });
  });

  it('lets the Atlas alias win over MONGODB_URI, as MONGO_BACKUP_SOURCE_URI does', () => {
    const config = resolveConfig({}, { MONGODB_URI: 'mongodb://elsewhere:27017', MONGO_URI_ATLAS: LOCAL });
    expect(config.sourceUri).toBe(LOCAL);
  });

  it('accepts an alias and our variable set to the same value', () => {
    const config = resolveConfig(
      {},
      {
        ...SEED_ENV,
        AUTO_IMPORT_TO_LOCAL: 'false',
        MONGO_BACKUP_SOURCE_URI: ATLAS,
        MONGO_BACKUP_TARGET_URI: LOCAL,
        MONGO_BACKUP_DIR: ' ./backups ',
        MONGO_BACKUP_EVERY_HOURS: '06',
        MONGO_BACKUP_SCHEDULE_ENABLED: 'yes',
        MONGO_BACKUP_AUTO_IMPORT: '0',
      },
    );
    expect(config).toMatchObject({
      sourceUri: ATLAS,
      backupDir: './backups',
      schedule: { everyHours: 6 },
      scheduleEnabled: true,
      autoImport: { enabled: false },
    });
  });

  it('reports each alias that disagrees with our variable, never showing a connection string', () => {
    const error = configErrorOf({
      ...SEED_ENV,
      MONGO_BACKUP_SOURCE_URI: 'mongodb://otherUser:0ther-S3cret@db.example.com/x',
      MONGO_BACKUP_TARGET_URI: 'mongodb://127.0.0.1:27018',
      MONGO_BACKUP_DIR: '/var/backups',
      MONGO_BACKUP_EVERY_HOURS: '12',
      MONGO_BACKUP_SCHEDULE_ENABLED: 'false',
      MONGO_BACKUP_AUTO_IMPORT: 'false',
    });
    expect(error.issues).toEqual([
      expect.stringMatching(/^sourceUri: expected MONGO_BACKUP_SOURCE_URI and MONGO_URI_ATLAS .* to agree/),
      expect.stringMatching(/^targetUri: expected MONGO_BACKUP_TARGET_URI and MONGO_URI_LOCAL/),
      'backupDir: expected MONGO_BACKUP_DIR and BACKUP_PATH (an alias of it) to agree, got "/var/backups" and "./backups"; set only one of them',
      'scheduleEnabled: expected MONGO_BACKUP_SCHEDULE_ENABLED and BACKUP_ENABLED (an alias of it) to agree, got false and true; set only one of them',
      'schedule: expected MONGO_BACKUP_EVERY_HOURS and BACKUP_INTERVAL_HOURS (an alias of it) to agree, got 12 and 6; set only one of them',
      'autoImport: expected MONGO_BACKUP_AUTO_IMPORT and AUTO_IMPORT_TO_LOCAL (an alias of it) to agree, got false and true; set only one of them',
    ]);
    for (const secret of ['Atl4s-S3cret', '0ther-S3cret', 'atlasUser', 'otherUser']) {
      expect(error.message).not.toContain(secret);
    }
  });

  it('lets a field given in code settle a disagreement in the environment', () => {
    const config = resolveConfig(
      { backupDir: '/srv/backups' },
      { ...SEED_ENV, MONGO_BACKUP_DIR: '/var/backups' },
    );
    expect(config.backupDir).toBe('/srv/backups');
  });

  it('refuses BACKUP_INTERVAL_HOURS with MONGO_BACKUP_CRON', () => {
    const error = configErrorOf({ ...SEED_ENV, MONGO_BACKUP_CRON: '*/5 * * * * *' });
    expect(error.issues).toEqual([
      expect.stringMatching(/^schedule: expected MONGO_BACKUP_CRON or BACKUP_INTERVAL_HOURS, got both/),
    ]);
  });

  it('names the alias a bad value came from', () => {
    const error = configErrorOf({
      MONGO_URI_ATLAS: 'http://atlasUser:Atl4s-S3cret@example.com',
      BACKUP_INTERVAL_HOURS: 'six',
      BACKUP_ENABLED: 'sometimes',
      AUTO_IMPORT_TO_LOCAL: 'maybe',
    });
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^sourceUri \(from MONGO_URI_ATLAS, alias of MONGO_BACKUP_SOURCE_URI\): expected a mongodb/,
        ),
        'schedule.everyHours (from BACKUP_INTERVAL_HOURS, alias of MONGO_BACKUP_EVERY_HOURS): expected an integer from 1 to 168, got "six"',
        'scheduleEnabled (from BACKUP_ENABLED, alias of MONGO_BACKUP_SCHEDULE_ENABLED): expected true or false, got "sometimes"',
        'autoImport.enabled (from AUTO_IMPORT_TO_LOCAL, alias of MONGO_BACKUP_AUTO_IMPORT): expected true or false, got "maybe"',
      ]),
    );
    expect(error.message).not.toContain('Atl4s-S3cret');
  });
});

describe('switches from the environment', () => {
  const source = { MONGODB_URI: 'mongodb://localhost:27017' };

  it('scheduleEnabled defaults to whether a schedule is configured', () => {
    expect(resolveConfig({}, source).scheduleEnabled).toBe(false);
    expect(resolveConfig({}, { ...source, MONGO_BACKUP_EVERY_HOURS: '6' }).scheduleEnabled).toBe(true);
    expect(
      resolveConfig({}, { ...source, MONGO_BACKUP_CRON: '0 3 * * *', BACKUP_ENABLED: 'false' })
        .scheduleEnabled,
    ).toBe(false);
    expect(
      resolveConfig({ scheduleEnabled: false, schedule: { everyHours: 1 } }, source).scheduleEnabled,
    ).toBe(false);
  });

  it('refuses scheduleEnabled without a schedule', () => {
    const error = configErrorOf({ ...source, BACKUP_ENABLED: 'true' });
    expect(error.issues).toEqual([
      expect.stringMatching(/^schedule: expected a schedule since scheduleEnabled is true/),
    ]);
  });

  it('enables auto-import from the environment, with the checks of the option', () => {
    const config = resolveConfig(
      {},
      { ...source, MONGO_BACKUP_TARGET_URI: 'mongodb://mirror:27017', MONGO_BACKUP_AUTO_IMPORT: 'on' },
    );
    expect(config.autoImport).toEqual({ enabled: true, drop: true });
    const error = configErrorOf({ ...source, AUTO_IMPORT_TO_LOCAL: 'true' });
    expect(error.issues).toEqual([expect.stringMatching(/^targetUri: .* since autoImport is enabled/)]);
  });

  it('never enables the import just because the import database is named', () => {
    const config = resolveConfig(
      {},
      { ...source, MONGO_BACKUP_DATABASES: 'shop', MONGO_BACKUP_IMPORT_DATABASE: 'shop_mirror' },
    );
    expect(config.autoImport).toEqual({ enabled: false, drop: true, targetDatabase: 'shop_mirror' });
  });

  it('lets an autoImport object given in code replace the environment', () => {
    const config = resolveConfig(
      { autoImport: { enabled: false } },
      { ...source, MONGO_BACKUP_AUTO_IMPORT: 'true', MONGO_BACKUP_IMPORT_DATABASE: 'x' },
    );
    expect(config.autoImport).toEqual({ enabled: false, drop: true });
  });
});
