/**
 * `mongo-backup dump`: mongodump's flags, the service's defaults (gzip on, the backup folder).
 *
 * @packageDocumentation
 */
import type { ReadPreferenceMode } from 'mongodb';

import type { DumpFormat, DumpOptions, DumpReport } from '../../dump/types.js';
import { MongoBackupService, type MongoBackupServiceOptions } from '../../mongo-backup-service.js';
import {
  booleanFlag,
  choiceFlag,
  definedOnly,
  exclusive,
  integerFlag,
  stringFlag,
  stringsFlag,
  usageError,
  type FlagSpecs,
  type ParsedArgs,
} from '../args.js';
import {
  BACKUP_DIR_FLAG,
  JSON_FLAG,
  QUIET_FLAG,
  URI_FLAG,
  VERBOSE_FLAG,
  verbosityOf,
  wantsJson,
  type CommandSpec,
  type Verbosity,
} from '../command.js';
import { CONNECTION_FLAGS, connectionUri } from '../connection-flags.js';
import type { Environment } from '../../config/index.js';
import { describeHosts } from '../../connections/client.js';
import { formatBytes, formatDuration, formatTable, plural, toJson } from '../format.js';
import { onceOnSignal, writeLine, writeLines, type CliIo, type CliOutput } from '../io.js';
import { createDumpProgress } from '../progress.js';
import { createUploadProgress } from '../upload-progress.js';
import { binaryWritable } from '../stdio.js';

const READ_PREFERENCES: readonly ReadPreferenceMode[] = [
  'primary',
  'primaryPreferred',
  'secondary',
  'secondaryPreferred',
  'nearest',
];

/** The flags of `dump`. */
export const DUMP_FLAGS: FlagSpecs = {
  uri: URI_FLAG,
  ...CONNECTION_FLAGS,
  db: {
    type: 'string',
    short: 'd',
    multiple: true,
    value: '<db>',
    description:
      'Database to dump (default: all but local, config only its sharding metadata; MONGO_BACKUP_DATABASES)',
  },
  collection: {
    type: 'string',
    short: 'c',
    value: '<collection>',
    description: 'The one collection to dump; needs exactly one --db',
  },
  archive: {
    type: 'string',
    value: '<file>',
    bareValue: '-',
    description: 'Write an archive to this file; "-" or no value: standard output',
  },
  out: {
    type: 'string',
    short: 'o',
    value: '<dir>',
    description: 'Write a directory dump here (with --tarball: the .tar.gz file)',
  },
  to: {
    type: 'string',
    value: '<dir|s3://bucket/prefix>',
    description: 'Write a new, timestamped archive into this folder or bucket (streamed: no local copy)',
  },
  tarball: { type: 'boolean', description: 'Pack the directory dump into one .tar.gz file' },
  gzip: { type: 'boolean', negatable: true, description: 'Compress the output (default: on)' },
  gzipLevel: {
    type: 'string',
    value: '<0-9>',
    description: 'zlib level (default: MONGO_BACKUP_GZIP_LEVEL, else 6)',
  },
  query: {
    type: 'string',
    short: 'q',
    value: '<ejson>',
    description: 'Filter every collection with this Extended JSON query',
  },
  readPreference: {
    type: 'string',
    value: '<mode>',
    description: `Read preference: ${READ_PREFERENCES.join(', ')}`,
  },
  numParallelCollections: {
    type: 'string',
    short: 'j',
    value: '<n>',
    description: 'Collections dumped at once, 1-64 (default: MONGO_BACKUP_PARALLEL, else 4)',
  },
  excludeCollection: {
    type: 'string',
    multiple: true,
    value: '<collection>',
    description: 'Leave this collection out, in every database',
  },
  excludeCollectionsWithPrefix: {
    type: 'string',
    multiple: true,
    value: '<prefix>',
    description: 'Leave out collections whose name starts with this, in every database',
  },
  nsInclude: {
    type: 'string',
    multiple: true,
    value: '<pattern>',
    description: 'Dump only namespaces matching this pattern (db.coll, * wildcards)',
  },
  nsExclude: {
    type: 'string',
    multiple: true,
    value: '<pattern>',
    description: 'Leave out namespaces matching this pattern; exclusion wins',
  },
  dumpDbUsersAndRoles: {
    type: 'boolean',
    description: 'Also dump the users and roles defined on the one --db',
  },
  backupDir: BACKUP_DIR_FLAG,
  json: JSON_FLAG,
  quiet: QUIET_FLAG,
  verbose: VERBOSE_FLAG,
};

/** What the flags of `dump` ask for. */
export interface DumpInvocation {
  /** Configuration of the service (the environment fills the rest). */
  readonly service: Omit<MongoBackupServiceOptions, 'env'>;
  /** Options of `service.dump()`, without the output stream, signal and progress. */
  readonly dump: DumpOptions;
  /** Whether the archive goes to standard output (`--archive` without a file, or `--archive=-`). */
  readonly toStdout: boolean;
  /** `--json`: the report as one JSON document, no progress. */
  readonly json: boolean;
  /** `--quiet`, `-v` or neither. */
  readonly verbosity: Verbosity;
}

/** Maps the flags of `dump` to service and dump options; `env` completes credential flags given without a host. */
export function parseDumpArgs(args: ParsedArgs, env: Environment = {}): DumpInvocation {
  const archive = stringFlag(args, 'archive');
  const out = stringFlag(args, 'out');
  const tarball = booleanFlag(args, 'tarball') === true;
  const json = wantsJson(args);
  const to = stringFlag(args, 'to');
  exclusive({ '--archive': archive !== undefined, '--out': out !== undefined, '--to': to !== undefined });
  exclusive({ '--to': to !== undefined, '--backupDir': args.values['backupDir'] !== undefined });
  exclusive({ '--archive': archive !== undefined, '--tarball': tarball });
  if (out === '-')
    throw usageError('--out: a directory dump cannot go to standard output; use --archive instead');
  const toStdout = archive === '-';
  if (toStdout && json) {
    throw usageError(
      '--json and --archive to standard output cannot be used together: both would write on stdout',
    );
  }
  const format: DumpFormat = out !== undefined || tarball ? 'directory' : 'archive';
  const output = toStdout ? undefined : (archive ?? out);
  const service = definedOnly({
    sourceUri: connectionUri(args, env),
    backupDir: to ?? stringFlag(args, 'backupDir'),
    gzipLevel: integerFlag(args, 'gzipLevel', { min: 0, max: 9 }),
    parallelCollections: integerFlag(args, 'numParallelCollections', { min: 1, max: 64 }),
  });
  const dump: DumpOptions = definedOnly({
    databases: stringsFlag(args, 'db'),
    collection: stringFlag(args, 'collection'),
    nsInclude: stringsFlag(args, 'nsInclude'),
    nsExclude: stringsFlag(args, 'nsExclude'),
    excludeCollections: stringsFlag(args, 'excludeCollection'),
    excludeCollectionPrefixes: stringsFlag(args, 'excludeCollectionsWithPrefix'),
    usersAndRoles: booleanFlag(args, 'dumpDbUsersAndRoles'),
    query: stringFlag(args, 'query'),
    readPreference: choiceFlag(args, 'readPreference', READ_PREFERENCES),
    gzip: booleanFlag(args, 'gzip'),
    format,
    tarball: tarball ? true : undefined,
    output,
  });
  return { service, dump, toStdout, json, verbosity: verbosityOf(args) };
}

/** Runs a dump as the flags say; prints the report. */
export async function runDumpCommand(invocation: DumpInvocation, io: CliIo): Promise<number> {
  const service = new MongoBackupService({ ...invocation.service, env: io.env });
  const controller = new AbortController();
  const release = onceOnSignal(io, () => controller.abort());
  const quiet = invocation.verbosity === 'quiet';
  const progress = createDumpProgress(io.stderr, { enabled: !invocation.json && !quiet, now: io.now });
  const uploaded = createUploadProgress(io.stderr, {
    enabled: !invocation.json && !quiet && service.store.kind === 's3',
    now: io.now,
  });
  if (invocation.verbosity === 'verbose')
    writeLine(
      io.stderr,
      `Dumping from ${describeHosts(service.config.sourceUri ?? '') || 'the source cluster'}`,
    );
  try {
    const report = await service.dump({
      ...invocation.dump,
      ...(invocation.toStdout ? { output: binaryWritable(io.stdout) } : {}),
      signal: controller.signal,
      // No listener with --json: the dump then skips the per-collection count that only feeds progress.
      ...(invocation.json ? {} : { onProgress: progress.onProgress, onBytesStored: uploaded.onProgress }),
    });
    progress.finish();
    if (invocation.json) writeLine(io.stdout, toJson(report));
    else if (!quiet) printDumpReport(invocation.toStdout ? io.stderr : io.stdout, report);
    if (!invocation.json && !quiet)
      for (const warning of report.warnings) writeLine(io.stderr, `warning: ${warning}`);
    return 0;
  } finally {
    progress.finish();
    release();
    await service.close();
  }
}

/** The human-readable dump report. */
export function dumpReportLines(report: DumpReport): string[] {
  const layout =
    report.format === 'archive' ? 'archive' : report.tarball ? 'directory packed as .tar.gz' : 'directory';
  const rows = report.namespaces.map((ns) => [
    ns.namespace,
    ns.type || 'oplog',
    String(ns.documents),
    formatBytes(ns.bytes),
  ]);
  return [
    `Dump written to ${report.path ?? 'standard output'}`,
    `  format    ${layout}${report.gzip ? ', gzip' : ''}`,
    `  size      ${formatBytes(report.sizeBytes)} (${formatBytes(report.uncompressedBytes)} uncompressed)`,
    `  server    ${report.serverVersion}`,
    `  duration  ${formatDuration(report.durationMs)}`,
    '',
    ...formatTable(['NAMESPACE', 'TYPE', 'DOCUMENTS', 'SIZE'], rows, {
      align: ['left', 'left', 'right', 'right'],
    }),
    '',
    `total: ${plural(report.collectionCount, 'namespace')}, ${plural(report.totalDocuments, 'document')}`,
  ];
}

function printDumpReport(output: CliOutput, report: DumpReport): void {
  writeLines(output, dumpReportLines(report));
}

/** `mongo-backup dump`. */
export const dumpCommand: CommandSpec = {
  name: 'dump',
  summary: 'Dump databases into an archive, a directory dump or a .tar.gz',
  usage: 'dump [--uri=<uri>] [--db=<db>]... [--archive=<file> | --out=<dir> [--tarball]] [options]',
  description: [
    'Without --archive or --out, writes a gzipped archive named <db>_dump_<timestamp>.gz (all_dump_... for every',
    'database) in the backup folder. Outputs are written atomically: an interrupted dump leaves nothing behind.',
    'Unlike mongodump, gzip is on by default: give --no-gzip for an uncompressed archive. Ctrl-C aborts cleanly.',
  ],
  flags: DUMP_FLAGS,
  maxPositionals: 0,
  examples: [
    'mongo-backup dump --uri=mongodb://localhost:27017 --db=shop',
    'mongo-backup dump -h rs0/db1:27017,db2:27017 -u backup -p "$PASSWORD" --authenticationDatabase=admin --db=shop',
    'mongo-backup dump --db=shop --archive=shop.archive --no-gzip',
    'mongo-backup dump --db=shop --out=dump --tarball',
    'mongo-backup dump --db=shop --to=s3://backups/prod   # MONGO_BACKUP_S3_ENDPOINT etc., AWS credentials chain',
    'mongo-backup dump --db=shop --archive | mongorestore --archive --gzip --nsFrom="shop.*" --nsTo="copy.*"',
  ],
  run: (args, io) => runDumpCommand(parseDumpArgs(args, io.env), io),
};
