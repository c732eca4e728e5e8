import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/index.js';
import { MongoBackupConfigError } from '../../../src/errors.js';

const URI = 'mongodb://localhost:27017';

function issuesOf(input: Record<string, unknown>, env: Record<string, string> = {}): string[] {
  try {
    resolveConfig({ sourceUri: URI, ...input }, env);
  } catch (error) {
    expect(error).toBeInstanceOf(MongoBackupConfigError);
    return [...(error as MongoBackupConfigError).issues, (error as Error).message];
  }
  throw new Error('expected a configuration error');
}

describe('storage configuration', () => {
  it('accepts an s3:// backupDir with s3 settings from options or environment', () => {
    const config = resolveConfig(
      { sourceUri: URI, backupDir: 's3://backups/prod' },
      {
        MONGO_BACKUP_S3_ENDPOINT: 'http://127.0.0.1:7070',
        MONGO_BACKUP_S3_REGION: 'eu-west-3',
        MONGO_BACKUP_S3_FORCE_PATH_STYLE: 'true',
      },
    );
    expect(config.backupDir).toBe('s3://backups/prod');
    expect(config.s3).toEqual({
      endpoint: 'http://127.0.0.1:7070',
      region: 'eu-west-3',
      forcePathStyle: true,
    });
  });

  it('rejects a malformed s3 URL and bad s3 settings, each by name', () => {
    const lines = issuesOf({ backupDir: 's3://B/x', s3: { endpoint: 'nope', partsInFlight: 0 } }).join('\n');
    expect(lines).toMatch(/backupDir: expected an s3:\/\/bucket\[\/prefix\] location/);
    expect(lines).toMatch(/s3\.endpoint: expected an endpoint URL/);
    expect(lines).toMatch(/s3\.partsInFlight/);
  });

  it('never shows credentials or keys, valid or not', () => {
    const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const config = resolveConfig({
      sourceUri: URI,
      backupDir: 's3://backups',
      s3: { credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey } },
    });
    expect(JSON.stringify(config)).not.toContain(secretAccessKey);
    expect(inspect(config, { depth: 10 })).not.toContain(secretAccessKey);

    const key = randomBytes(32).toString('hex');
    const encrypted = resolveConfig({ sourceUri: URI }, { MONGO_BACKUP_ENCRYPTION_KEY: key });
    expect(encrypted.encryption?.keyId).toBe('default');
    expect(`${JSON.stringify(encrypted)} ${inspect(encrypted, { depth: 10 })}`).not.toContain(key);

    const badKey = `${key.slice(0, 60)}zz`;
    const lines = issuesOf({}, { MONGO_BACKUP_ENCRYPTION_KEY: badKey }).join('\n');
    expect(lines).toMatch(/encryption\.key \(from MONGO_BACKUP_ENCRYPTION_KEY\): expected a 32-byte key/);
    expect(lines).not.toContain(badKey);
    const both = issuesOf({ encryption: { key, keyFile: '/run/key' } }).join('\n');
    expect(both).toMatch(/exactly one of key, keyFile and keyProvider/);
    expect(both).not.toContain(key);
    const badCredentials = issuesOf({ s3: { credentials: { accessKeyId: 'A', secretAccessKey: 42 } } }).join(
      '\n',
    );
    expect(badCredentials).toMatch(/s3\.credentials\.secretAccessKey: .*got a value \(not shown\)/);
  });
});
