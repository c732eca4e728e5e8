/**
 * `mongo-backup restore`: mongorestore's flags, into the target cluster when one is configured (as
 * `MongoBackupService.restore()`), else into the cluster of `--uri`.
 *
 * @packageDocumentation
 */
import { statSync } from 'node:fs';
import { RestoreError } from '../../errors.js';
import {
  LATEST_BACKUP,
  MongoBackupService,
  type MongoBackupServiceOptions,
  type RestoreTarget,
  type ServiceRestoreOptions,
} from '../../mongo-backup-service.js';
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
import type { RestorePlanSummary } from '../../restore/types.js';
import { toJson } from '../format.js';
import { onceOnSignal, writeLine, writeLines, type CliIo } from '../io.js';
import { createRestoreProgress } from '../progress.js';
import { hasFailures, restoreReportLines } from '../restore-report.js';
import { standardInput } from '../stdio.js';
import { parseWriteConcern } from '../write-concern.js';

const flag = (description: string): FlagSpecs[string] => ({ type: 'boolean', description });
const patterns = (description: string): FlagSpecs[string] => ({
  type: 'string',
  multiple: true,
  value: '<pattern>',
  description,
});

/** The flags of `restore`. */
export const RESTORE_FLAGS: FlagSpecs = {
  uri: {
    ...URI_FLAG,
    description:
      'The source cluster, written to when no target is configured or with --into source (default: ' +
      'MONGO_BACKUP_SOURCE_URI, else MONGODB_URI)',
  },
  ...CONNECTION_FLAGS,
  targetUri: {
    type: 'string',
    value: '<uri>',
    description: 'The target cluster, written to by default when given (default: MONGO_BACKUP_TARGET_URI)',
  },
  into: {
    type: 'string',
    value: 'target|source',
    description: 'Which cluster to write into (default: the target when one is configured, else the source)',
  },
  archive: {
    type: 'string',
    value: '<file>',
    bareValue: '-',
    description: 'Archive file to read; "-" or no value: standard input',
  },
  dir: { type: 'string', value: '<dir>', description: 'Directory dump to read' },
  from: {
    type: 'string',
    value: '<path|s3://bucket/prefix/name>',
    description: 'Backup to read: a path, or an object in a bucket (encrypted ones decrypted with the key)',
  },
  gzip: flag('Accepted for compatibility: gzip is detected from the content'),
  nsInclude: patterns('Restore only namespaces matching this pattern'),
  nsExclude: patterns('Leave out namespaces matching this pattern; exclusion wins'),
  nsFrom: patterns('Rename namespaces matching this pattern...'),
  nsTo: patterns('...to this one (pairs with --nsFrom, in order)'),
  db: { type: 'string', short: 'd', value: '<db>', description: 'Restore only this database' },
  collection: {
    type: 'string',
    short: 'c',
    value: '<collection>',
    description: 'Restore only this collection of --db',
  },
  drop: flag('Drop each target collection before restoring it'),
  dryRun: flag('Read and check everything, write nothing'),
  noIndexRestore: flag('Do not build indexes'),
  noOptionsRestore: flag('Create collections without their dumped options'),
  convertLegacyIndexes: flag(
    'Rewrite pre-3.4 index keys and options; leave out indexes that then duplicate another (as mongorestore)',
  ),
  stopOnError: flag('Stop at the first write error, duplicate keys included'),
  maintainInsertionOrder: flag('Insert in dump order, with ordered inserts (implies --stopOnError)'),
  numParallelCollections: {
    type: 'string',
    short: 'j',
    value: '<n>',
    description: 'Collections restored at once, 1-64 (default: 4)',
  },
  numInsertionWorkersPerCollection: {
    type: 'string',
    value: '<n>',
    description: 'Insert batches in flight per collection, 1-64 (default: 1)',
  },
  batchSize: {
    type: 'string',
    value: '<n>',
    description: 'Documents per insert batch, 1-100000 (default: 1000)',
  },
  bypassDocumentValidation: flag('Skip the validation rules of the target collections'),
  preserveUUID: flag('Keep the dumped collection UUIDs (needs --drop)'),
  restoreDbUsersAndRoles: flag('Restore the users and roles the backup holds (merged after the data)'),
  writeConcern: {
    type: 'string',
    value: '<wc>',
    description: "Write concern: majority, a number, or {w: 'majority', j: true, wtimeout: 500}",
  },
  verify: {
    type: 'string',
    value: 'before|during',
    description: 'Check the whole backup before writing (default for files), or while restoring',
  },
  backupDir: {
    ...BACKUP_DIR_FLAG,
    description: 'Without a path, restore the newest backup of this folder (default: ./backups)',
  },
  json: JSON_FLAG,
  quiet: QUIET_FLAG,
  verbose: VERBOSE_FLAG,
};

/** What the flags of `restore` ask for. */
export interface RestoreInvocation {
  /** Configuration of the service (the environment fills the rest). */
  readonly service: Omit<MongoBackupServiceOptions, 'env'>;
  /** Options of `service.restore()` without the stream, signal and progress; `from` absent for stdin. */
  readonly restore: Omit<ServiceRestoreOptions, 'from'> & { readonly from?: string };
  /** Whether the archive comes from standard input. */
  readonly fromStdin: boolean;
  /** `--json`: the report as one JSON document, no progress. */
  readonly json: boolean;
  /** `--quiet`, `-v` or neither. */
  readonly verbosity: Verbosity;
}

/**
 * Maps the flags of `restore` to service and restore options, and decides the cluster written to: `--into`, else
 * the target when one is configured (`--targetUri` or `MONGO_BACKUP_TARGET_URI` in `env`), else the source.
 *
 * @throws {@link MongoBackupUsageError} for `--into target` with no target, and for source connection flags
 *   (`--uri`, `--host`...) without `--into` while a target is configured: with mongorestore they would name the
 *   cluster written to, here the target would be, so the choice must be said.
 */
export function parseRestoreArgs(args: ParsedArgs, env: Environment = {}): RestoreInvocation {
  const archive = stringFlag(args, 'archive');
  const dir = stringFlag(args, 'dir');
  const fromFlag = stringFlag(args, 'from');
  const [positional] = args.positionals;
  exclusive({
    '--archive': archive !== undefined,
    '--dir': dir !== undefined,
    '--from': fromFlag !== undefined,
    [`"${positional}"`]: positional !== undefined,
  });
  if (dir === '-') throw usageError('--dir: a directory dump cannot come from standard input; use --archive');
  if (
    archive !== undefined &&
    archive !== '-' &&
    statSync(archive, { throwIfNoEntry: false })?.isDirectory()
  ) {
    throw usageError(
      `--archive=${archive} is a folder, not an archive: give --dir=${archive} for a directory dump`,
    );
  }
  const from = archive ?? dir ?? fromFlag ?? positional;
  const fromStdin = from === '-';
  const writeConcern = stringFlag(args, 'writeConcern');
  const restore: RestoreInvocation['restore'] = definedOnly({
    from: fromStdin ? undefined : (from ?? LATEST_BACKUP),
    into: destinationOf(args, env),
    nsInclude: stringsFlag(args, 'nsInclude'),
    nsExclude: stringsFlag(args, 'nsExclude'),
    nsFrom: stringsFlag(args, 'nsFrom'),
    nsTo: stringsFlag(args, 'nsTo'),
    db: stringFlag(args, 'db'),
    collection: stringFlag(args, 'collection'),
    drop: booleanFlag(args, 'drop'),
    dryRun: booleanFlag(args, 'dryRun'),
    noIndexRestore: booleanFlag(args, 'noIndexRestore'),
    noOptionsRestore: booleanFlag(args, 'noOptionsRestore'),
    convertLegacyIndexes: booleanFlag(args, 'convertLegacyIndexes'),
    stopOnError: booleanFlag(args, 'stopOnError'),
    maintainInsertionOrder: booleanFlag(args, 'maintainInsertionOrder'),
    parallelCollections: integerFlag(args, 'numParallelCollections', { min: 1, max: 64 }),
    insertionWorkersPerCollection: integerFlag(args, 'numInsertionWorkersPerCollection', { min: 1, max: 64 }),
    batchSize: integerFlag(args, 'batchSize', { min: 1, max: 100_000 }),
    bypassDocumentValidation: booleanFlag(args, 'bypassDocumentValidation'),
    preserveUUID: booleanFlag(args, 'preserveUUID'),
    usersAndRoles: booleanFlag(args, 'restoreDbUsersAndRoles'),
    writeConcern: writeConcern === undefined ? undefined : parseWriteConcern(writeConcern),
    verify: choiceFlag(args, 'verify', ['before', 'during'] as const),
  });
  const nsFrom = restore.nsFrom?.length ?? 0;
  const nsTo = restore.nsTo?.length ?? 0;
  if (nsFrom !== nsTo) {
    throw usageError(`--nsFrom and --nsTo come in pairs: got ${nsFrom} --nsFrom and ${nsTo} --nsTo`);
  }
  if (restore.collection !== undefined && restore.db === undefined)
    throw usageError('--collection needs --db');
  if (restore.preserveUUID === true && restore.drop !== true) throw usageError('--preserveUUID needs --drop');
  const service = definedOnly({
    sourceUri: connectionUri(args, env),
    targetUri: stringFlag(args, 'targetUri'),
    backupDir: stringFlag(args, 'backupDir'),
  });
  return { service, restore, fromStdin, json: wantsJson(args), verbosity: verbosityOf(args) };
}

function destinationOf(args: ParsedArgs, env: Environment): RestoreTarget {
  const into = choiceFlag(args, 'into', ['target', 'source'] as const);
  const targetFrom =
    stringFlag(args, 'targetUri') !== undefined
      ? '--targetUri'
      : env['MONGO_BACKUP_TARGET_URI'] !== undefined && env['MONGO_BACKUP_TARGET_URI'] !== ''
        ? 'MONGO_BACKUP_TARGET_URI'
        : undefined;
  if (into === 'target' && targetFrom === undefined)
    throw usageError('--into target: no target cluster; give --targetUri or set MONGO_BACKUP_TARGET_URI');
  if (into !== undefined) return into;
  if (targetFrom === undefined) return 'source';
  const sourceFlags = ['uri', 'host', 'port', 'username'].filter((name) => args.values[name] !== undefined);
  if (sourceFlags.length > 0) {
    throw usageError(
      `--${sourceFlags[0]} names the source cluster, but a target cluster is configured (${targetFrom}), ` +
        'which a restore writes into by default: say --into source to write into the source, or --into target',
    );
  }
  return 'target';
}

/** Runs a restore as the flags say; prints the report. Exit code 1 when a namespace failed. */
export async function runRestoreCommand(invocation: RestoreInvocation, io: CliIo): Promise<number> {
  const service = new MongoBackupService({ ...invocation.service, env: io.env });
  const controller = new AbortController();
  const release = onceOnSignal(io, () => controller.abort());
  const quiet = invocation.verbosity === 'quiet';
  const progress = createRestoreProgress(io.stderr, { enabled: !invocation.json && !quiet, now: io.now });
  const into = invocation.restore.into ?? 'source';
  const hosts = describeHosts(
    (into === 'target' ? service.config.targetUri : service.config.sourceUri) ?? '',
  );
  const where = `${hosts || 'an unnamed host'} (the ${into} cluster)`;
  // Where it writes, on stderr before anything is dropped or written (stdout may carry --json).
  if (!quiet)
    writeLine(io.stderr, `${invocation.restore.dryRun ? 'Checking against' : 'Restoring into'} ${where}`);
  const onPlan = (plan: RestorePlanSummary): void => {
    if (quiet) return;
    const databases = plan.databases.length === 0 ? '(none)' : plan.databases.join(', ');
    writeLine(
      io.stderr,
      `Writing into ${where}: database${plan.databases.length === 1 ? '' : 's'} ${databases}` +
        (invocation.restore.drop === true ? ' (each collection dropped first)' : ''),
    );
  };
  try {
    const report = await service.restore({
      ...invocation.restore,
      from: invocation.fromStdin ? standardInput(io.stdin) : (invocation.restore.from ?? LATEST_BACKUP),
      signal: controller.signal,
      onProgress: progress.onProgress,
      onPlan,
    });
    progress.finish();
    if (invocation.json) writeLine(io.stdout, toJson(report));
    else if (!quiet) writeLines(io.stdout, restoreReportLines(report));
    if (!invocation.json && !quiet)
      for (const warning of report.warnings) writeLine(io.stderr, `warning: ${warning}`);
    return hasFailures(report) ? 1 : 0;
  } catch (error) {
    progress.finish();
    // The report says exactly what was restored; the runner then prints the error (and, with --json, both).
    if (error instanceof RestoreError && !invocation.json && !quiet)
      writeLines(io.stdout, restoreReportLines(error.report));
    throw error;
  } finally {
    release();
    await service.close();
  }
}

/** `mongo-backup restore`. */
export const restoreCommand: CommandSpec = {
  name: 'restore',
  summary: 'Restore an archive, a directory dump or a .tar.gz into a cluster',
  usage: 'restore [--uri=<uri>] [--archive[=<file>] | --dir=<dir> | <path>] [options]',
  description: [
    'Reads archives (gzip detected), mongodump directory dumps and .tar.gz files; without a path, restores the',
    'newest backup of the backup folder. Follows mongorestore: collections are created with their options, data',
    'is inserted in unordered batches, indexes are built after the data, views last. Writes into the target',
    'cluster when one is configured (--targetUri, MONGO_BACKUP_TARGET_URI), else into --uri; --into decides',
    'explicitly. The cluster and databases written are printed before any write. Exits with 1 when a namespace',
    'failed. Ctrl-C stops between batches; the report says what was restored.',
  ],
  flags: RESTORE_FLAGS,
  maxPositionals: 1,
  examples: [
    'mongo-backup restore backups/shop_dump_2026-11-21T23-10-54-123Z.gz --nsFrom="shop.*" --nsTo="shop_copy.*"',
    'mongo-backup restore --uri=mongodb://localhost:27017 --dir=dump --drop',
    'mongo-backup restore --targetUri=mongodb://localhost:27018 backups/shop_dump_2026-11-21T23-10-54-123Z.gz --drop',
    'mongodump --archive --db=shop | mongo-backup restore --archive --dryRun',
  ],
  run: (args, io) => runRestoreCommand(parseRestoreArgs(args, io.env), io),
};
