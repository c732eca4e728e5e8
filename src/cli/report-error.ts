/**
 * How failures reach the user: usage and configuration errors with every issue and exit code 2; runtime errors as
 * `error [CODE]: message` and exit code 1. Credentials never appear; stacks only with `MONGO_BACKUP_DEBUG=1`.
 *
 * @packageDocumentation
 */
import { splitMongoUri } from '../connections/uri.js';
import { redactSecrets } from '../connections/index.js';
import { passwordsIn } from './connection-flags.js';
import {
  ArchiveError,
  ErrorCode,
  MongoBackupConfigError,
  MongoBackupError,
  MongoBackupUsageError,
  RestoreError,
} from '../errors.js';
import { toJson } from './format.js';
import { PROGRAM } from './help.js';
import { isDebug, writeLine, writeLines, type CliIo } from './io.js';

/** Exit codes of the CLI. */
export const ExitCode = Object.freeze({
  /** Everything worked. */
  OK: 0,
  /** A runtime failure: unreachable server, corrupt archive, failed namespace, invalid archive. */
  FAILURE: 1,
  /** Bad flags or configuration: nothing was done. */
  USAGE: 2,
} as const);

/** Configuration fields and the flags that set them, so that issue lines name what the user can type. */
const FIELD_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  sourceUri: '--uri',
  targetUri: '--targetUri',
  backupDir: '--backupDir',
  retention: '--retention',
  gzipLevel: '--gzipLevel',
  parallelCollections: '--numParallelCollections',
  databases: '--db',
  'schedule.everyHours': '--everyHours',
  'schedule.cron': '--cron',
  'autoImport.targetDatabase': '--targetDb',
  'autoImport.nsFrom': '--nsFrom',
  'autoImport.nsTo': '--nsTo',
  autoImport: '--autoImport',
});

/** Usage errors about paths and names, where the flags are not the problem: no "Run --help" hint. */
const NO_USAGE_HINT: ReadonlySet<string> = new Set([ErrorCode.BACKUP_NOT_FOUND, ErrorCode.PATH_OUTSIDE_ROOT]);

/** Where the error happened, for the hint and the redaction. */
export interface ErrorContext {
  /** The command that failed, when known. */
  readonly command?: string | undefined;
  /** Whether `--json` was given: a JSON document describing the error is then printed on stdout too. */
  readonly json: boolean;
  /** The command line, scanned for connection strings to scrub. */
  readonly argv: readonly string[];
}

/**
 * Prints `error` and returns the exit code: {@link ExitCode.USAGE} for a {@link MongoBackupUsageError} (bad flags,
 * configuration, patterns), {@link ExitCode.FAILURE} for anything else.
 */
export function reportError(error: unknown, io: CliIo, context: ErrorContext): number {
  const secrets = knownSecrets(context.argv, io);
  const redact = (text: string): string => redactSecrets(text, secrets);
  const usage = error instanceof MongoBackupUsageError;
  const code = error instanceof MongoBackupError ? error.code : undefined;
  const message = redact(error instanceof Error ? error.message : String(error));
  const issues =
    error instanceof MongoBackupConfigError ? error.issues.map((issue) => redact(withFlag(issue))) : [];

  if (usage) {
    const [title = '', ...rest] = message.split('\n');
    const details = issues.length > 0 ? issues.map((issue) => `  - ${issue}`) : rest;
    writeLine(io.stderr, `error${code === undefined ? '' : ` [${code}]`}: ${title}`);
    writeLines(io.stderr, details);
    if (code === undefined || !NO_USAGE_HINT.has(code)) {
      const help =
        context.command === undefined ? `${PROGRAM} --help` : `${PROGRAM} ${context.command} --help`;
      writeLine(io.stderr, `Run "${help}" for usage.`);
    }
  } else {
    writeLine(io.stderr, `error${code === undefined ? '' : ` [${code}]`}: ${message}`);
  }
  if (isDebug(io) && error instanceof Error && error.stack !== undefined) {
    writeLine(io.stderr, redact(causeChainStack(error)));
  }
  if (context.json) {
    const described = {
      error: {
        ...(code === undefined ? {} : { code }),
        message,
        ...(issues.length > 0 ? { issues } : {}),
        ...(error instanceof ArchiveError && error.offset !== undefined ? { offset: error.offset } : {}),
        ...(error instanceof ArchiveError && error.namespace !== undefined
          ? { namespace: error.namespace }
          : {}),
      },
      ...(error instanceof RestoreError ? { report: error.report } : {}),
    };
    writeLine(io.stdout, redact(toJson(described)));
  }
  return usage ? ExitCode.USAGE : ExitCode.FAILURE;
}

/** `sourceUri: expected ...` → `sourceUri (--uri): expected ...`. */
function withFlag(issue: string): string {
  const match = /^([\w.[\]]+)/.exec(issue);
  const field = match?.[1];
  const flag = field === undefined ? undefined : FIELD_FLAGS[field];
  return flag === undefined || field === undefined ? issue : `${field} (${flag})${issue.slice(field.length)}`;
}

function causeChainStack(error: Error): string {
  const lines = [error.stack ?? String(error)];
  let cause: unknown = error.cause;
  for (let depth = 0; cause !== undefined && depth < 8; depth += 1) {
    lines.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return lines.join('\n');
}

/**
 * Connection strings the user gave (on the command line or in the environment): their passwords and secret options
 * are scrubbed from anything printed, even out of context.
 */
export function knownSecrets(argv: readonly string[], io: CliIo): string[] {
  const fromArgs = argv.flatMap((arg) => {
    const value = arg.startsWith('--') && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
    return splitMongoUri(value) === undefined ? [] : [value];
  });
  const fromEnv = Object.values(io.env).filter(
    (value): value is string => value !== undefined && splitMongoUri(value) !== undefined,
  );
  return [...new Set([...fromArgs, ...fromEnv, ...passwordsIn(argv)])];
}
