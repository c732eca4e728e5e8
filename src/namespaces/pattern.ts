import { ErrorCode, MongoBackupUsageError } from '../errors.js';

/**
 * A namespace pattern split into literal text and wildcards, in mongorestore's syntax.
 *
 * The pattern reads `literals[0] wildcards[0] literals[1] wildcards[1] ... literals[n]`: there is always one more
 * literal than wildcards (literals may be empty). A wildcard matches any run of characters, dots and the empty
 * string included.
 *
 * @example
 * ```ts
 * parseStarPattern('sales.*', 'nsInclude'); // { literals: ['sales.', ''], wildcards: ['1'], usesVariables: false }
 * ```
 * @internal
 */
export interface NamespacePattern {
  /** The literal runs around the wildcards; `wildcards.length + 1` of them. */
  readonly literals: readonly string[];
  /**
   * The wildcard names, in pattern order: `"1"`, `"2"`... for `*` patterns, the variable names for `$name$`
   * patterns.
   */
  readonly wildcards: readonly string[];
  /** `true` when the wildcards are `$name$` variables rather than `*`. */
  readonly usesVariables: boolean;
}

/**
 * Which option a pattern came from; used in error messages.
 *
 * @internal
 */
export type NamespacePatternRole = 'nsInclude' | 'nsExclude' | 'nsFrom' | 'nsTo';

/**
 * Escapes `\` and `*` so that `text` is matched literally inside a `*` pattern, e.g. to build `db.*` from a
 * database name that contains a star.
 *
 * @example
 * ```ts
 * import { escapeNamespacePattern } from 'mongo-backup-service';
 * escapeNamespacePattern('a*b'); // 'a\\*b' (matches only the database literally named "a*b")
 * ```
 */
export function escapeNamespacePattern(text: string): string {
  return text.replace(/[\\*]/g, (character) => `\\${character}`);
}

/**
 * Parses a `*` pattern: an unescaped `*` is a wildcard, a backslash makes the next character literal (`\*` is a
 * star, `\\` a backslash), everything else is literal. `$` is NOT interpreted here; callers decide whether it is
 * allowed.
 *
 * @throws {@link MongoBackupUsageError} `INVALID_NAMESPACE_PATTERN` when the pattern ends with a lone backslash.
 * @internal
 */
export function parseStarPattern(pattern: string, role: NamespacePatternRole): NamespacePattern {
  const literals: string[] = [];
  const wildcards: string[] = [];
  let literal = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern.charAt(index);
    if (character === '\\') {
      if (index === pattern.length - 1) {
        throw invalidPattern(
          role,
          pattern,
          'a character after the final backslash (write "\\\\" for a literal backslash), found the end of the pattern',
        );
      }
      index += 1;
      literal += pattern.charAt(index);
    } else if (character === '*') {
      literals.push(literal);
      literal = '';
      wildcards.push(String(wildcards.length + 1));
    } else {
      literal += character;
    }
  }
  literals.push(literal);
  return { literals, wildcards, usesVariables: false };
}

/**
 * Parses a `$name$` pattern: each pair of `$` delimits a variable (the name may be empty and may hold any
 * character but `$`); everything else, `*` and `\` included, is literal, as mongorestore reads it.
 *
 * Duplicate variable names are reported by {@link assertDistinctVariables}, since they are only an error in nsFrom.
 *
 * @throws {@link MongoBackupUsageError} `INVALID_NAMESPACE_PATTERN` when the `$` signs do not pair up.
 * @internal
 */
export function parseVariablePattern(pattern: string, role: NamespacePatternRole): NamespacePattern {
  const parts = pattern.split('$');
  if (parts.length % 2 === 0) {
    throw invalidPattern(
      role,
      pattern,
      `an even number of "$" (each variable is written $name$), found ${parts.length - 1}`,
    );
  }
  // parts alternate literal, variable name, literal, ..., literal.
  const literals = parts.filter((_, index) => index % 2 === 0);
  const wildcards = parts.filter((_, index) => index % 2 === 1);
  return { literals, wildcards, usesVariables: true };
}

/**
 * Checks that no variable name appears twice in an nsFrom pattern.
 *
 * @throws {@link MongoBackupUsageError} `INVALID_NAMESPACE_PATTERN` naming the repeated variable.
 * @internal
 */
export function assertDistinctVariables(
  parsed: NamespacePattern,
  pattern: string,
  role: NamespacePatternRole,
): void {
  const seen = new Set<string>();
  for (const name of parsed.wildcards) {
    if (seen.has(name)) {
      throw invalidPattern(role, pattern, `each $variable$ at most once, found $${name}$ more than once`);
    }
    seen.add(name);
  }
}

/**
 * Builds the usage error thrown for a malformed pattern.
 *
 * @param expected - what the pattern should have held, then what was found instead.
 * @internal
 */
export function invalidPattern(
  role: NamespacePatternRole,
  pattern: string,
  expected: string,
): MongoBackupUsageError {
  return new MongoBackupUsageError(
    ErrorCode.INVALID_NAMESPACE_PATTERN,
    `Invalid ${role} pattern ${JSON.stringify(pattern)}: expected ${expected}.`,
  );
}
