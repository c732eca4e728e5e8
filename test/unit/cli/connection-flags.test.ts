import { describe, expect, it } from 'vitest';

import { parseFlags } from '../../../src/cli/args.js';
import { DUMP_FLAGS, parseDumpArgs } from '../../../src/cli/commands/dump.js';
import { parseRestoreArgs, RESTORE_FLAGS } from '../../../src/cli/commands/restore.js';
import { passwordsIn } from '../../../src/cli/connection-flags.js';
import type { Environment } from '../../../src/config/index.js';
import { MongoBackupUsageError } from '../../../src/errors.js';
import { runCaptured } from './helpers.js';

const sourceUri = (argv: string[], env: Environment = {}): string | undefined =>
  parseDumpArgs(parseFlags(argv, DUMP_FLAGS, 0), env).service.sourceUri;
const restore = (argv: string[], env: Environment = {}) =>
  parseRestoreArgs(parseFlags(argv, RESTORE_FLAGS, 1), env);

describe('mongodump connection flags → connection string', () => {
  it('-h/--host in every mongodump form, --port for the hosts that name none', () => {
    expect(sourceUri(['-h', 'db1:27018'])).toBe('mongodb://db1:27018/');
    expect(sourceUri(['--host=db1', '--port=27019'])).toBe('mongodb://db1:27019/');
    expect(sourceUri(['--host', 'db1,db2:2', '--port', '3'])).toBe('mongodb://db1:3,db2:2/');
    expect(sourceUri(['-h', 'rs0/db1:1,db2:2'])).toBe('mongodb://db1:1,db2:2/?replicaSet=rs0');
    expect(sourceUri(['--port', '27020'])).toBe('mongodb://localhost:27020/');
  });

  it('-u/-p/--authenticationDatabase/--authenticationMechanism, percent-encoded, on --uri or the environment', () => {
    expect(sourceUri(['-h', 'db1', '-u', 'back up', '-p', 'p@ss:/w', '--authenticationDatabase=admin'])).toBe(
      'mongodb://back%20up:p%40ss%3A%2Fw@db1/?authSource=admin',
    );
    expect(
      sourceUri(['--uri=mongodb://db1/shop?tls=true', '-u', 'u', '--authenticationMechanism=SCRAM-SHA-256']),
    ).toBe('mongodb://u@db1/shop?tls=true&authMechanism=SCRAM-SHA-256');
    expect(sourceUri(['-u', 'u', '-p', 'p'], { MONGODB_URI: 'mongodb://envhost:1' })).toBe(
      'mongodb://u:p@envhost:1',
    );
    expect(sourceUri(['--authenticationDatabase=admin'], { MONGODB_URI: 'mongodb://a:b@h/' })).toBe(
      'mongodb://a:b@h/?authSource=admin',
    );
    expect(sourceUri([])).toBeUndefined();
  });

  it('conflicting flags are usage errors', () => {
    for (const argv of [
      ['--uri=mongodb://h', '-h', 'x'],
      ['--uri=mongodb://h', '--port=1'],
      ['-h', 'x', '-p', 'secret'],
      ['--uri=mongodb://a:b@h', '-u', 'c'],
      ['-h', 'rs0/'],
      ['--port=0'],
      ['--quiet', '-v'],
    ]) {
      expect(() => sourceUri(argv), argv.join(' ')).toThrow(MongoBackupUsageError);
    }
  });

  it('finds every -p/--password value, to scrub', () => {
    expect(passwordsIn(['-p', 'a', '--password=b', '--password', 'c', '-pd', '-u', 'x'])).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('a password given with -p never appears in an error', async () => {
    const run = await runCaptured(['dump', '-h', 'bad host', '-u', 'u', '-p', 'sekret-123']);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).not.toContain('sekret-123');
  });
});

describe('restore destination', () => {
  const target = { MONGO_BACKUP_TARGET_URI: 'mongodb://target:1' };

  it('the target when one is configured, else the source; --into decides explicitly', () => {
    expect(restore(['a.gz']).restore.into).toBe('source');
    expect(restore(['a.gz'], target).restore.into).toBe('target');
    expect(restore(['a.gz', '--targetUri=mongodb://t:2']).restore.into).toBe('target');
    expect(restore(['a.gz', '--targetUri=mongodb://t:2']).service.targetUri).toBe('mongodb://t:2');
    expect(restore(['a.gz', '--into=source', '--drop'], target).restore.into).toBe('source');
    expect(
      restore(['a.gz', '--uri=mongodb://s', '--into', 'source', '--drop'], target).restore,
    ).toMatchObject({
      into: 'source',
      drop: true,
    });
  });

  it('naming the source without --into while a target is configured is a usage error', () => {
    for (const argv of [
      ['a.gz', '--uri=mongodb://s', '--drop'],
      ['a.gz', '-h', 's:1'],
      ['a.gz', '--targetUri=mongodb://t', '--uri=mongodb://s'],
    ]) {
      expect(() => restore(argv, target), argv.join(' ')).toThrow(/--into source/);
    }
    expect(() => restore(['a.gz', '--into=target'])).toThrow(/no target cluster/);
    expect(() => restore(['a.gz', '--into=elsewhere'], target)).toThrow(MongoBackupUsageError);
  });
});
