/**
 * The command-line program as a function: arguments and I/O in, exit code out. `main.ts` calls it with the real
 * process; tests call it in-process with captured output.
 *
 * @packageDocumentation
 */
import { parseFlags, usageError } from './args.js';
import type { CommandSpec } from './command.js';
import { checkCommand } from './commands/check.js';
import { cleanCommand } from './commands/clean.js';
import { decryptCommand } from './commands/decrypt.js';
import { dumpCommand } from './commands/dump.js';
import { inspectCommand } from './commands/inspect.js';
import { listCommand } from './commands/list.js';
import { restoreCommand } from './commands/restore.js';
import { scheduleCommand } from './commands/schedule.js';
import { commandHelp, globalHelp } from './help.js';
import { unknownVariableWarnings } from './env-typos.js';
import { writeLine, writeLines, type CliIo } from './io.js';
import { ExitCode, reportError } from './report-error.js';
import { readPackageVersion } from './version.js';

/** Every command, in the order of the help. */
export const COMMANDS: readonly CommandSpec[] = Object.freeze([
  dumpCommand,
  restoreCommand,
  inspectCommand,
  listCommand,
  cleanCommand,
  checkCommand,
  scheduleCommand,
  decryptCommand,
]);

/** The command called `name` (or one of its aliases). */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name || command.aliases?.includes(name) === true);
}

/**
 * Runs `mongo-backup` with `argv` (the arguments after the program name) and resolves with the exit code:
 * 0 success, 1 failure (runtime error, failed namespace, invalid archive, cluster not connected), 2 usage or
 * configuration error. Never rejects.
 *
 * @example
 * ```ts
 * import { runCli } from './run-cli.js';
 * const out: string[] = [];
 * const io = { stdout: { write: (s: string) => out.push(s) }, stderr: process.stderr, env: {} };
 * const code = await runCli(['inspect', 'dump.archive', '--json'], io);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    writeLines(io.stderr, globalHelp(COMMANDS));
    return ExitCode.USAGE;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' && rest[0] !== undefined ? findCommand(rest[0]) : undefined;
    writeLines(io.stdout, topic === undefined ? globalHelp(COMMANDS) : commandHelp(topic));
    return ExitCode.OK;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    writeLine(io.stdout, readPackageVersion());
    return ExitCode.OK;
  }
  const command = findCommand(first);
  const json = flagsOf(rest).includes('--json');
  if (command === undefined) {
    const message = first.startsWith('-')
      ? `expected a command before the options, got ${first}`
      : `unknown command ${JSON.stringify(first)}: expected one of ${COMMANDS.map((c) => c.name).join(', ')}`;
    return reportError(usageError(message), io, { json, argv });
  }
  // `-h` is the host for commands that connect (as in mongodump); `--help` is always the help.
  const hostFlag = Object.values(command.flags).some((spec) => spec.short === 'h');
  if (flagsOf(rest).some((arg) => arg === '--help' || (arg === '-h' && !hostFlag))) {
    writeLines(io.stdout, commandHelp(command));
    return ExitCode.OK;
  }
  writeLines(io.stderr, unknownVariableWarnings(io.env));
  try {
    return await command.run(parseFlags(rest, command.flags, command.maxPositionals), io);
  } catch (error) {
    return reportError(error, io, { command: command.name, json, argv });
  }
}

/** The arguments before `--`. */
function flagsOf(args: readonly string[]): readonly string[] {
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
}
