/**
 * Flag parsing on top of `util.parseArgs`: command flag specifications, usage errors that name the flag, and typed
 * accessors (integers with bounds, choices, lists).
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';

import { ErrorCode, MongoBackupUsageError } from '../errors.js';

/** One flag of a command. */
export interface FlagSpec {
  /** `string` flags take a value (`--db=shop` or `--db shop`); `boolean` flags do not. */
  readonly type: 'string' | 'boolean';
  /** Whether the flag may be repeated, each value kept. Defaults to `false` (the last value wins). */
  readonly multiple?: boolean;
  /** One-letter alias, as mongodump has (`-d`, `-c`, `-o`...). */
  readonly short?: string;
  /** Placeholder of the value in the help, e.g. `<uri>`. */
  readonly value?: string;
  /** Boolean flags that are also shown as `--no-<name>` in the help. */
  readonly negatable?: boolean;
  /**
   * For a string flag, the value it takes when given bare (`--archive` alone, or followed by another flag), as
   * mongorestore's `--archive` reads standard input. Defaults to none: a bare string flag is an error.
   */
  readonly bareValue?: string;
  /** One line for the help. */
  readonly description: string;
}

/** The flags of a command, by long name. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** A flag value as `util.parseArgs` returns it. */
export type FlagValue = string | boolean | readonly (string | boolean)[] | undefined;

/** Parsed flags and positional arguments of one command. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, FlagValue>>;
  readonly positionals: readonly string[];
  /** The arguments as given, for redaction of the connection strings among them. */
  readonly argv: readonly string[];
}

/** Builds the usage error every flag problem becomes (exit code 2). */
export function usageError(message: string): MongoBackupUsageError {
  return new MongoBackupUsageError(ErrorCode.INVALID_OPTIONS, message);
}

/**
 * Parses `argv` against `flags`. Long flags take their value as `--flag=value` or `--flag value`; `--no-<flag>`
 * turns a boolean off; `--` ends the flags.
 *
 * @throws {@link MongoBackupUsageError} for an unknown flag, a missing or unexpected value, or too many positional
 *   arguments.
 */
export function parseFlags(argv: readonly string[], flags: FlagSpecs, maxPositionals: number): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.multiple === true ? { multiple: true } : {}),
        ...(spec.short === undefined ? {} : { short: spec.short }),
      },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: applyBareValues(argv, flags),
      options,
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
  } catch (error) {
    throw translateParseError(error);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).map((p) => JSON.stringify(p));
    throw usageError(
      maxPositionals === 0
        ? `unexpected argument ${extra.join(' ')}: this command takes only flags`
        : `unexpected argument ${extra.join(' ')}: expected at most ${maxPositionals}`,
    );
  }
  return { values: parsed.values as Record<string, FlagValue>, positionals: parsed.positionals, argv };
}

/** Rewrites a bare `--flag` whose spec has a {@link FlagSpec.bareValue} into `--flag=<bareValue>`. */
function applyBareValues(argv: readonly string[], flags: FlagSpecs): string[] {
  const result: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--') {
      result.push(...argv.slice(index));
      break;
    }
    const spec = arg.startsWith('--') ? flags[arg.slice(2)] : undefined;
    const next = argv[index + 1];
    const nextIsValue = next !== undefined && (next === '-' || !next.startsWith('-'));
    result.push(spec?.bareValue !== undefined && !nextIsValue ? `${arg}=${spec.bareValue}` : arg);
  }
  return result;
}

function translateParseError(error: unknown): Error {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return usageError(`unknown option ${flag}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (message.includes('does not take an argument')) return usageError(`${flag}: expected no value`);
      return usageError(`${flag}: expected a value (${flag}=<value>)`);
    default:
      return usageError(message);
  }
}

/** The value of a string flag; an empty value is an error. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof text !== 'string') return undefined;
  if (text.trim() === '') throw usageError(`--${name}: expected a value, got ""`);
  return text;
}

/** Every value of a repeatable string flag, or `undefined` when it was not given. */
export function stringsFlag(args: ParsedArgs, name: string): string[] | undefined {
  const value = args.values[name];
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
  if (list.some((text) => text.trim() === '')) throw usageError(`--${name}: expected a value, got ""`);
  return list;
}

/** A boolean flag: `true`, `false` (`--no-<flag>`), or `undefined` when not given. */
export function booleanFlag(args: ParsedArgs, name: string): boolean | undefined {
  const value = args.values[name];
  return typeof value === 'boolean' ? value : undefined;
}

/** An integer flag within bounds. */
export function integerFlag(
  args: ParsedArgs,
  name: string,
  bounds: { readonly min: number; readonly max?: number },
): number | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  const expected =
    bounds.max === undefined
      ? `an integer >= ${bounds.min}`
      : `an integer from ${bounds.min} to ${bounds.max}`;
  const value = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (
    !Number.isSafeInteger(value) ||
    value < bounds.min ||
    (bounds.max !== undefined && value > bounds.max)
  ) {
    throw usageError(`--${name}: expected ${expected}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** A string flag restricted to a few values. */
export function choiceFlag<T extends string>(
  args: ParsedArgs,
  name: string,
  choices: readonly T[],
): T | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) {
    throw usageError(`--${name}: expected one of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return text as T;
}

/** Throws unless at most one of the named flags (or pseudo-flags) is present. */
export function exclusive(present: Readonly<Record<string, boolean>>): void {
  const given = Object.entries(present)
    .filter(([, isPresent]) => isPresent)
    .map(([name]) => name);
  if (given.length > 1) throw usageError(`${given.join(' and ')} cannot be used together`);
}

type DefinedOnly<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/** A copy of `fields` without its `undefined` entries, as optional properties want them. */
export function definedOnly<T extends Record<string, unknown>>(fields: T): DefinedOnly<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as DefinedOnly<T>;
}
