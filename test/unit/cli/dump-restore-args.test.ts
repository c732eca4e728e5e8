import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { parseFlags } from '../../../src/cli/args.js';
import { DUMP_FLAGS, parseDumpArgs } from '../../../src/cli/commands/dump.js';
import { parseRestoreArgs, RESTORE_FLAGS } from '../../../src/cli/commands/restore.js';
import { parseWriteConcern } from '../../../src/cli/write-concern.js';
import { MongoBackupUsageError } from '../../../src/errors.js';
import { runCaptured } from './helpers.js';

const dump = (argv: string[]) => parseDumpArgs(parseFlags(argv, DUMP_FLAGS, 0));
const restore = (argv: string[]) => parseRestoreArgs(parseFlags(argv, RESTORE_FLAGS, 1));

describe('dump flags → options', () => {
  it('maps mongodump flags to service and dump options', () => {
    const invocation = dump([
      '--uri=mongodb://h:1',
      '--db=shop',
      '-d',
      'crm',
      '--collection=orders',
      '--gzipLevel=9',
      '-j',
      '8',
      '--query={"n":{"$gt":1}}',
      '--readPreference=secondaryPreferred',
      '--excludeCollection=sessions',
      '--excludeCollectionsWithPrefix=tmp_',
      '--nsInclude=shop.*',
      '--nsExclude=shop.tmp*',
      '--nsExclude=crm.logs',
      '--backupDir=/b',
      '--no-gzip',
      '--dumpDbUsersAndRoles',
    ]);
    expect(invocation.service).toEqual({
      sourceUri: 'mongodb://h:1',
      backupDir: '/b',
      gzipLevel: 9,
      parallelCollections: 8,
    });
    expect(invocation.dump).toEqual({
      databases: ['shop', 'crm'],
      collection: 'orders',
      nsInclude: ['shop.*'],
      nsExclude: ['shop.tmp*', 'crm.logs'],
      excludeCollections: ['sessions'],
      excludeCollectionPrefixes: ['tmp_'],
      usersAndRoles: true,
      query: '{"n":{"$gt":1}}',
      readPreference: 'secondaryPreferred',
      gzip: false,
      format: 'archive',
    });
    expect(invocation).toMatchObject({ toStdout: false, json: false });
  });

  it('chooses the output from --archive, --out and --tarball', () => {
    expect(dump([]).dump).toEqual({ format: 'archive' });
    expect(dump(['--archive=x.gz']).dump).toEqual({ format: 'archive', output: 'x.gz' });
    expect(dump(['--archive'])).toMatchObject({ toStdout: true, dump: { format: 'archive' } });
    expect(dump(['--archive=-']).dump.output).toBeUndefined();
    expect(dump(['--out=dump']).dump).toEqual({ format: 'directory', output: 'dump' });
    expect(dump(['-o', 'd.tar.gz', '--tarball']).dump).toEqual({
      format: 'directory',
      tarball: true,
      output: 'd.tar.gz',
    });
    expect(dump(['--tarball']).dump).toEqual({ format: 'directory', tarball: true });
    expect(dump(['--gzip', '--json'])).toMatchObject({ json: true, dump: { gzip: true } });
  });

  it.each([
    [['--archive=a', '--out=b'], '--archive and --out cannot be used together'],
    [['--archive=a', '--tarball'], '--archive and --tarball cannot be used together'],
    [['--out=-'], '--out: a directory dump cannot go to standard output; use --archive instead'],
    [
      ['--archive', '--json'],
      '--json and --archive to standard output cannot be used together: both would write on stdout',
    ],
    [['--gzipLevel=10'], '--gzipLevel: expected an integer from 0 to 9, got "10"'],
    [['--numParallelCollections=0'], '--numParallelCollections: expected an integer from 1 to 64, got "0"'],
    [
      ['--readPreference=fast'],
      '--readPreference: expected one of primary, primaryPreferred, secondary, secondaryPreferred, nearest, got "fast"',
    ],
  ])('rejects %j', (argv, message) => {
    expect(() => dump(argv)).toThrow(MongoBackupUsageError);
    expect(() => dump(argv)).toThrow(message);
  });

  it('exits 2 for bad flags, before connecting', async () => {
    const run = await runCaptured(['dump', '--uri=mongodb://127.0.0.1:1', '--archive=a', '--out=b']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--archive and --out cannot be used together');
    const positional = await runCaptured(['dump', 'shop']);
    expect(positional.code).toBe(2);
    expect(positional.stderr).toContain('unexpected argument "shop"');
  });

  it.each([
    [['--collection=x'], '"collection" needs exactly one database'],
    [['--collection=x', '--db=a', '--db=b'], '"collection" needs exactly one database'],
    [['--nsInclude=a$b'], 'nsInclude'],
    [['--query={"a":'], 'query: expected an Extended JSON object'],
    [['--query=[1]'], 'query: expected an Extended JSON object, got "[1]"'],
  ])(
    'checks %j before connecting (exit 2 at once, the server is unreachable)',
    async (argv, message) => {
      const run = await runCaptured([
        'dump',
        '--uri=mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=60000',
        ...argv,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
    },
    5000,
  );

  it('takes the database of --collection from the environment', async () => {
    const env = { MONGO_BACKUP_DATABASES: 'a,b' };
    const run = await runCaptured(['dump', '--uri=mongodb://127.0.0.1:1', '--collection=x'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"collection" needs exactly one database');
  });
});

describe('restore flags → options', () => {
  it('maps mongorestore flags to restore options, into the --uri cluster', () => {
    const invocation = restore([
      '--uri=mongodb://h:1',
      '--archive=x.gz',
      '--gzip',
      '--nsInclude=shop.*',
      '--nsExclude=shop.tmp',
      '--nsFrom=shop.*',
      '--nsTo=copy.*',
      '--nsFrom=crm.$c$',
      '--nsTo=crm2.$c$',
      '--drop',
      '--dryRun',
      '--noIndexRestore',
      '--noOptionsRestore',
      '--convertLegacyIndexes',
      '--stopOnError',
      '--maintainInsertionOrder',
      '--numParallelCollections=2',
      '--numInsertionWorkersPerCollection=3',
      '--batchSize=500',
      '--bypassDocumentValidation',
      '--preserveUUID',
      '--restoreDbUsersAndRoles',
      '--writeConcern=majority',
      '--verify=during',
      '--backupDir=/b',
      '--json',
    ]);
    expect(invocation.service).toEqual({ sourceUri: 'mongodb://h:1', backupDir: '/b' });
    expect(invocation.restore).toEqual({
      from: 'x.gz',
      into: 'source',
      nsInclude: ['shop.*'],
      nsExclude: ['shop.tmp'],
      nsFrom: ['shop.*', 'crm.$c$'],
      nsTo: ['copy.*', 'crm2.$c$'],
      drop: true,
      dryRun: true,
      noIndexRestore: true,
      noOptionsRestore: true,
      convertLegacyIndexes: true,
      stopOnError: true,
      maintainInsertionOrder: true,
      parallelCollections: 2,
      insertionWorkersPerCollection: 3,
      batchSize: 500,
      bypassDocumentValidation: true,
      preserveUUID: true,
      usersAndRoles: true,
      writeConcern: { w: 'majority' },
      verify: 'during',
    });
    expect(invocation).toMatchObject({ fromStdin: false, json: true });
  });

  it('reads a positional path, --dir, or standard input (--archive alone or "-")', () => {
    expect(restore(['dump.gz']).restore).toEqual({ from: 'dump.gz', into: 'source' });
    expect(restore(['--dir=dump']).restore).toEqual({ from: 'dump', into: 'source' });
    // No path: the newest backup of the backup folder, said explicitly to the library.
    expect(restore(['--db=shop', '--collection=orders']).restore).toEqual({
      from: 'latest',
      into: 'source',
      db: 'shop',
      collection: 'orders',
    });
    for (const argv of [['--archive'], ['--archive', '--drop'], ['--archive=-'], ['-']]) {
      const invocation = restore(argv);
      expect(invocation.fromStdin).toBe(true);
      expect(invocation.restore.from).toBeUndefined();
    }
  });

  it.each([
    [['--archive=a', '--dir=b'], '--archive and --dir cannot be used together'],
    [['--archive=a', 'b'], '--archive and "b" cannot be used together'],
    [['--dir=-'], '--dir: a directory dump cannot come from standard input'],
    [['--nsFrom=a.*'], '--nsFrom and --nsTo come in pairs: got 1 --nsFrom and 0 --nsTo'],
    [['--collection=c'], '--collection needs --db'],
    [['--preserveUUID'], '--preserveUUID needs --drop'],
    [['--verify=after'], '--verify: expected one of before, during, got "after"'],
    [['--batchSize=0'], '--batchSize: expected an integer from 1 to 100000, got "0"'],
    [
      ['--numInsertionWorkersPerCollection=65'],
      '--numInsertionWorkersPerCollection: expected an integer from 1 to 64',
    ],
    [['--writeConcern={w: "all"}'], '--writeConcern: expected fields w'],
  ])('rejects %j', (argv, message) => {
    expect(() => restore(argv)).toThrow(MongoBackupUsageError);
    expect(() => restore(argv)).toThrow(message);
  });

  it.each([
    [['--nsFrom=a.$x', '--nsTo=b.*'], 'INVALID_NAMESPACE_PATTERN'],
    [['--nsInclude=a$'], 'INVALID_NAMESPACE_PATTERN'],
  ])(
    'checks %j before connecting',
    async (argv, code) => {
      const run = await runCaptured([
        'restore',
        '--uri=mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=60000',
        'x',
        ...argv,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(code);
    },
    5000,
  );

  it('exits 2 for a bad flag value and for two paths', async () => {
    expect((await runCaptured(['restore', '--writeConcern=foo'])).code).toBe(2);
    const two = await runCaptured(['restore', 'a', 'b']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('unexpected argument "b": expected at most 1');
  });

  it('--archive=<folder> is a usage error (exit 2), not a restore of nothing', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'mbs-archive-dir-'));
    try {
      expect(() => restore([`--archive=${folder}`])).toThrow(/is a folder, not an archive: give --dir=/);
      const run = await runCaptured(['restore', `--archive=${folder}`]);
      expect(run.code).toBe(2);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('parseWriteConcern', () => {
  it.each([
    ['majority', { w: 'majority' }],
    ['2', { w: 2 }],
    ['{"w": 1, "j": true}', { w: 1, j: true }],
    ["{w: 'majority', j: false, wtimeout: 500}", { w: 'majority', j: false, wtimeoutMS: 500 }],
    ['{ wtimeoutMS: 10 }', { wtimeoutMS: 10 }],
  ])('%s', (text, expected) => {
    expect(parseWriteConcern(text)).toEqual(expected);
  });

  it.each(['nope', '{w: }', '[1]', '-1', '{w: -1}', '{fsync: true}'])('rejects %s', (text) => {
    expect(() => parseWriteConcern(text)).toThrow(MongoBackupUsageError);
  });
});
