import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { COMMANDS, findCommand } from '../../../src/cli/run-cli.js';
import { readPackageVersion } from '../../../src/cli/version.js';
import { REPO_ROOT } from '../../support/paths.js';
import { runCaptured } from './helpers.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

describe('global help and version', () => {
  it('--help lists every command and exits 0', async () => {
    const run = await runCaptured(['--help']);
    expect(run.code).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command.name} `);
    expect(run.stdout).toContain('alias: verify');
    expect(run.stderr).toBe('');
  });

  it('no command prints the help on stderr and exits 2', async () => {
    const run = await runCaptured([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: mongo-backup <command>');
    expect(run.stdout).toBe('');
  });

  it('--version prints the version of package.json', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runCaptured([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(PACKAGE_VERSION);
    }
    expect(readPackageVersion(path.join(REPO_ROOT, 'dist', 'cli'))).toBe(PACKAGE_VERSION);
    expect(readPackageVersion('/')).toBe('unknown');
  });

  it('<command> --help and help <command> print the options of the command', async () => {
    for (const command of COMMANDS) {
      const run = await runCaptured([command.name, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: mongo-backup ${command.usage}`);
      for (const flag of Object.keys(command.flags)) expect(run.stdout).toContain(`--${flag}`);
      expect((await runCaptured(['help', command.name])).stdout).toBe(run.stdout);
    }
    // --help wins over anything else on the line, even flags that would be errors.
    expect((await runCaptured(['dump', '--nope', '--help'])).code).toBe(0);
    // -h is help only for commands without a host to connect to.
    expect((await runCaptured(['inspect', '--nope', '-h'])).code).toBe(0);
  });

  it('-h is the host for dump and restore, as in mongodump: it never prints help and exits 0', async () => {
    for (const command of ['dump', 'restore']) {
      const run = await runCaptured([command, '-h']);
      expect(run.stdout).not.toContain('Usage:');
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('-h');
    }
    expect((await runCaptured(['dump', '--help'])).stdout).toContain('--help');
  });

  it('finds commands by alias', () => {
    expect(findCommand('verify')?.name).toBe('inspect');
    expect(findCommand('nope')).toBeUndefined();
  });
});

describe('usage errors', () => {
  it('an unknown command exits 2 and names the commands', async () => {
    const run = await runCaptured(['bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "bogus": expected one of dump, restore, inspect');
    expect(run.stderr).toContain('Run "mongo-backup --help" for usage.');
  });

  it('options before the command exit 2', async () => {
    const run = await runCaptured(['--json', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected a command before the options, got --json');
  });

  it('an unknown flag exits 2 with the command help hint, and --json adds a JSON document', async () => {
    const run = await runCaptured(['list', '--nope', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error [INVALID_OPTIONS]: unknown option --nope');
    expect(run.stderr).toContain('Run "mongo-backup list --help" for usage.');
    expect(run.json()).toEqual({ error: { code: 'INVALID_OPTIONS', message: 'unknown option --nope' } });
  });

  it('a missing connection string is a configuration error naming the flag and the variables', async () => {
    const run = await runCaptured(['dump']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error [INVALID_CONFIG]: Invalid configuration (1 problem):');
    expect(run.stderr).toMatch(/ {2}- sourceUri \(--uri\): expected a mongodb:\/\/ .*MONGODB_URI/);
  });

  it('an invalid environment variable is reported with its name, and credentials are scrubbed', async () => {
    const env = { MONGODB_URI: 'mongodb://app:hunter2@db.example:27017', MONGO_BACKUP_GZIP_LEVEL: 'max' };
    const run = await runCaptured(['dump', '--json'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'gzipLevel (--gzipLevel) (from MONGO_BACKUP_GZIP_LEVEL): expected an integer',
    );
    expect(run.stdout + run.stderr).not.toContain('hunter2');
    expect(run.json<{ error: { issues: string[] } }>().error.issues).toHaveLength(1);
  });

  it('never prints a stack trace, unless MONGO_BACKUP_DEBUG=1', async () => {
    const quiet = await runCaptured(['inspect', '/definitely/not/here']);
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).toBe('error [BACKUP_NOT_FOUND]: No file or folder at /definitely/not/here\n');
    const debug = await runCaptured(['inspect', '/definitely/not/here'], {
      env: { MONGO_BACKUP_DEBUG: '1' },
    });
    expect(debug.stderr).toMatch(/\n {4}at /);
    expect(debug.stderr).toContain('caused by: Error: ENOENT');
  });
});
