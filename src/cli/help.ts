/**
 * Help texts, generated from the command specifications so that they never drift from the parser.
 *
 * @packageDocumentation
 */
import type { FlagSpec } from './args.js';
import type { CommandSpec } from './command.js';
import { formatTable } from './format.js';

/** The program name, as installed by the package's `bin`. */
export const PROGRAM = 'mongo-backup';

/** The help of `mongo-backup --help`: every command with its summary. */
export function globalHelp(commands: readonly CommandSpec[]): string[] {
  const rows = commands.map((command) => [
    command.name,
    command.aliases?.length ? `${command.summary} (alias: ${command.aliases.join(', ')})` : command.summary,
  ]);
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Back up and restore MongoDB with nothing but the official driver; archives are mongodump archives.',
    '',
    'Commands:',
    ...indent(formatTable(['', ''], rows).slice(1)),
    '',
    'Options:',
    ...indent(
      formatTable(
        ['', ''],
        [
          ['-h, --help', `Show help (${PROGRAM} <command> --help for a command's options)`],
          ['-V, --version', 'Print the version'],
        ],
      ).slice(1),
    ),
    '',
    'Configuration is also read from the environment: MONGODB_URI, MONGO_BACKUP_SOURCE_URI,',
    'MONGO_BACKUP_TARGET_URI, MONGO_BACKUP_DIR, MONGO_BACKUP_RETENTION, MONGO_BACKUP_CRON, MONGO_BACKUP_EVERY_HOURS,',
    'MONGO_BACKUP_GZIP_LEVEL, MONGO_BACKUP_PARALLEL, MONGO_BACKUP_DATABASES. Flags win over the environment.',
    'MONGO_BACKUP_DEBUG=1 prints stack traces. Exit codes: 0 success, 1 failure, 2 usage or configuration error.',
  ];
}

/** The help of `mongo-backup <command> --help`: synopsis, description, flags, examples. */
export function commandHelp(command: CommandSpec): string[] {
  const rows = [
    ...Object.entries(command.flags).map(([name, spec]) => [flagLabel(name, spec), describe(spec)]),
    [
      Object.values(command.flags).some((spec) => spec.short === 'h') ? '--help' : '-h, --help',
      'Show this help',
    ],
  ];
  return [
    `Usage: ${PROGRAM} ${command.usage}`,
    '',
    command.summary + (command.aliases?.length ? ` (alias: ${command.aliases.join(', ')})` : ''),
    ...(command.description.length === 0 ? [] : ['', ...command.description]),
    '',
    'Options:',
    ...indent(formatTable(['', ''], rows).slice(1)),
    ...(command.examples.length === 0 ? [] : ['', 'Examples:', ...indent(command.examples)]),
  ];
}

function flagLabel(name: string, spec: FlagSpec): string {
  const short = spec.short === undefined ? '' : `-${spec.short}, `;
  if (spec.type === 'boolean') return `${short}--${name}${spec.negatable === true ? `, --no-${name}` : ''}`;
  const value = spec.value ?? '<value>';
  return `${short}--${name}=${spec.bareValue === undefined ? value : `[${value}]`}`;
}

function describe(spec: FlagSpec): string {
  return spec.multiple === true ? `${spec.description} (repeatable)` : spec.description;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `  ${line}`);
}
