/**
 * The shape of a command, and the flags several commands share.
 *
 * @packageDocumentation
 */
import { usageError, type FlagSpec, type FlagSpecs, type ParsedArgs } from './args.js';
import type { CliIo } from './io.js';

/** A sub-command of `mongo-backup`. */
export interface CommandSpec {
  /** The name typed after `mongo-backup`. */
  readonly name: string;
  /** Other names that run the same command (`verify` for `inspect`). */
  readonly aliases?: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** The synopsis after `mongo-backup `, e.g. `inspect <archive|dir|tar.gz> [--json]`. */
  readonly usage: string;
  /** Lines of text for the command's help, after the summary. */
  readonly description: readonly string[];
  /** Its flags (`--help` is added by the runner). */
  readonly flags: FlagSpecs;
  /** How many positional arguments it accepts. */
  readonly maxPositionals: number;
  /** Command lines shown under "Examples". */
  readonly examples: readonly string[];
  /** Runs the command; resolves with the exit code. Throws errors for the runner to report. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** `--uri`: the cluster a command reads from or writes to. */
export const URI_FLAG: FlagSpec = {
  type: 'string',
  value: '<uri>',
  description: 'Connection string (default: MONGO_BACKUP_SOURCE_URI, else MONGODB_URI)',
};

/** `--backupDir`: the backup folder. */
export const BACKUP_DIR_FLAG: FlagSpec = {
  type: 'string',
  value: '<dir>',
  description: 'Backup folder or s3://bucket/prefix (default: MONGO_BACKUP_DIR, else ./backups)',
};

/** `--json`: one JSON document on standard output, no progress. */
export const JSON_FLAG: FlagSpec = {
  type: 'boolean',
  description: 'Print one JSON document on stdout (bigints as strings, dates ISO 8601), no progress',
};

/** `--quiet`: no progress, no report (errors and `--json` output still print), as mongodump's. */
export const QUIET_FLAG: FlagSpec = {
  type: 'boolean',
  description: 'Print nothing but errors (and the --json document)',
};

/** `-v/--verbose`: say more (where it connects, what it writes); repeatable as mongodump's `-vvv`. */
export const VERBOSE_FLAG: FlagSpec = {
  type: 'boolean',
  short: 'v',
  multiple: true,
  description: 'Say more: where it connects and what it writes',
};

/** How talkative a command is: `quiet` (`--quiet`), `normal`, or `verbose` (`-v`). */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** The verbosity the flags ask for; `--quiet` with `-v` is a usage error. */
export function verbosityOf(args: ParsedArgs): Verbosity {
  const quiet = args.values['quiet'] === true;
  const verbose = args.values['verbose'] !== undefined;
  if (quiet && verbose) throw usageError('--quiet and --verbose cannot be used together');
  return quiet ? 'quiet' : verbose ? 'verbose' : 'normal';
}

/** Whether `--json` was given. */
export function wantsJson(args: ParsedArgs): boolean {
  return args.values['json'] === true;
}
