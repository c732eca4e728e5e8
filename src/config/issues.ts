/**
 * Turns zod issues into the lines of a {@link MongoBackupConfigError}: `<field path>: <expected>, got <found>`.
 *
 * @packageDocumentation
 */
import type { z } from 'zod';

import { MongoBackupConfigError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { redactSecrets } from '../connections/redact.js';

const MAX_SHOWN_LENGTH = 100;

/** What the formatter needs besides the issues. @internal */
export interface IssueContext {
  /** The value that was validated, to show what was found at each path. */
  readonly input: unknown;
  /** Top-level field → the environment variable it came from, named in the issue lines. */
  readonly sources?: ReadonlyMap<string, string>;
  /** The names accepted at each object path ('' for the top level), listed in "unknown option" lines. */
  readonly knownOptions?: Readonly<Record<string, readonly string[]>>;
  /** Connection strings whose secrets must not appear (they are also scrubbed when they appear as values). */
  readonly knownUris?: readonly string[];
}

/**
 * One line per problem.
 *
 * @internal
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], context: IssueContext): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = context.knownOptions?.[issue.path.join('.')];
      const expected =
        known === undefined ? 'expected no such option' : `expected one of ${known.join(', ')}`;
      return issue.keys.map(
        (key) => `${label([...issue.path, key], context)}: ${expected}, got an unknown option`,
      );
    }
    const found = issue.message.includes(', got ')
      ? ''
      : `, got ${describeValue(valueAt(context.input, issue.path), context)}`;
    return [`${label(issue.path, context)}: ${issue.message}${found}`];
  });
}

/**
 * Builds the error thrown for invalid configuration or options: every line in the message and in `issues`,
 * credentials redacted, and the original error (a ZodError) as `cause`.
 *
 * @internal
 */
export function configError(
  title: string,
  lines: readonly string[],
  code: ErrorCode,
  cause: unknown,
  knownUris: readonly string[] = [],
): MongoBackupConfigError {
  const issues = lines.map((line) => redactSecrets(line, knownUris));
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const message = `${title} (${count}):\n${issues.map((line) => `  - ${line}`).join('\n')}`;
  return new MongoBackupConfigError(message, issues, { code, cause });
}

function label(path: readonly PropertyKey[], context: IssueContext): string {
  const text = path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    const name = String(key);
    return acc === '' ? name : `${acc}.${name}`;
  }, '');
  const field = typeof path[0] === 'string' ? path[0] : undefined;
  const variable = field === undefined ? undefined : context.sources?.get(field);
  const shown = text === '' ? '(options)' : text;
  return variable === undefined ? shown : `${shown} (from ${variable})`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Describes a found value for an error message: strings quoted (credentials scrubbed, long ones shortened),
 * numbers and booleans as written, `nothing` for a missing value, and arrays and objects as JSON.
 *
 * @internal
 */
export function describeValue(value: unknown, context: Pick<IssueContext, 'knownUris'> = {}): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    return JSON.stringify(shorten(redactSecrets(value, context.knownUris)));
  }
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint' ||
    value === null
  ) {
    return String(value);
  }
  if (typeof value === 'object' && !isPlain(value)) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object';
  }
  if (typeof value === 'object') {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    const kind = Array.isArray(value) ? 'an array' : 'an object';
    return json === undefined ? kind : `${kind} ${shorten(redactSecrets(json, context.knownUris))}`;
  }
  return `a ${typeof value}`;
}

function shorten(text: string): string {
  return text.length <= MAX_SHOWN_LENGTH ? text : `${text.slice(0, MAX_SHOWN_LENGTH - 1)}…`;
}

function isPlain(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return Array.isArray(value) || prototype === Object.prototype || prototype === null;
}
