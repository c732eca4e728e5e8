import { z } from 'zod';
import { MongoBackupConfigError } from '../errors.js';
import { parseOptions } from '../util/parse-options.js';
import { matchNamespacePattern } from './pattern-matcher.js';
import { escapeNamespacePattern, invalidPattern, parseStarPattern } from './pattern.js';
import type { NamespacePattern, NamespacePatternRole } from './pattern.js';

/** The include list used when neither `include` nor `db` is given: every namespace. */
export const DEFAULT_NAMESPACE_INCLUDE: readonly string[] = Object.freeze(['*']);

/**
 * Which namespaces to keep, in mongorestore's terms. A namespace is kept when it matches at least one include
 * pattern and no exclude pattern: exclusion always wins.
 *
 * Patterns match the whole `db.collection` string; an unescaped `*` matches any run of characters, dots and the
 * empty string included; `\*` is a literal star and `\\` a literal backslash; `$` is not allowed.
 */
export interface NamespaceSelectorOptions {
  /**
   * nsInclude patterns. The `db`/`collection` pattern, when given, is added to this list (mongorestore does the
   * same). Defaults to {@link DEFAULT_NAMESPACE_INCLUDE} (`*`) when the resulting list is empty.
   */
  readonly include?: readonly string[];
  /** nsExclude patterns. Defaults to none. */
  readonly exclude?: readonly string[];
  /**
   * `--db X`: include `X.*`. The name is taken literally (a database named `a*b` is not a pattern).
   * Defaults to none.
   */
  readonly db?: string;
  /** `--collection Y` with `db`: include exactly `X.Y` (taken literally). Needs `db`. Defaults to none. */
  readonly collection?: string;
  /**
   * `--excludeCollection c`: exclude `*.c` (the name taken literally), in every database. Cannot be combined with
   * `collection`. Defaults to none.
   */
  readonly excludeCollections?: readonly string[];
}

/** Decides whether a `db.collection` namespace is selected. */
export type NamespaceSelector = (namespace: string) => boolean;

const selectorOptionsSchema = z.strictObject({
  include: z.array(z.string()).readonly().optional(),
  exclude: z.array(z.string()).readonly().optional(),
  db: z.string().min(1).optional(),
  collection: z.string().min(1).optional(),
  excludeCollections: z.array(z.string().min(1)).readonly().optional(),
});

/**
 * Builds mongorestore's include/exclude filter.
 *
 * @example
 * ```ts
 * import { createNamespaceSelector } from 'mongo-backup-service';
 * const selected = createNamespaceSelector({ include: ['shop.*'], exclude: ['shop.tmp*'] });
 * selected('shop.orders');     // true
 * selected('shop.orders.2024'); // true: `*` crosses dots
 * selected('shop.tmp_1');      // false: exclusion wins
 * selected('blog.posts');      // false: not included
 * ```
 * @throws {@link MongoBackupUsageError} `INVALID_NAMESPACE_PATTERN` when a pattern holds `$` or ends with a lone
 *   backslash; {@link MongoBackupConfigError} `INVALID_OPTIONS` for malformed options, `collection` without `db`,
 *   or `collection` together with `excludeCollections`.
 */
export function createNamespaceSelector(options: NamespaceSelectorOptions = {}): NamespaceSelector {
  const parsed = parseOptions(selectorOptionsSchema, options, 'namespace selector options');
  if (parsed.collection !== undefined && parsed.db === undefined) {
    throw new MongoBackupConfigError('Invalid namespace selector options: "collection" needs "db"', [
      'collection: expected "db" to be given too, found only "collection"',
    ]);
  }
  if (parsed.collection !== undefined && (parsed.excludeCollections ?? []).length > 0) {
    throw new MongoBackupConfigError(
      'Invalid namespace selector options: "collection" cannot be combined with "excludeCollections"',
      ['excludeCollections: expected none when "collection" is given'],
    );
  }

  const includes = (parsed.include ?? []).map((pattern) => parseFilterPattern(pattern, 'nsInclude'));
  if (parsed.db !== undefined) {
    const db = escapeNamespacePattern(parsed.db);
    const suffix = parsed.collection === undefined ? '*' : escapeNamespacePattern(parsed.collection);
    includes.push(parseStarPattern(`${db}.${suffix}`, 'nsInclude'));
  }
  if (includes.length === 0) {
    includes.push(...DEFAULT_NAMESPACE_INCLUDE.map((pattern) => parseFilterPattern(pattern, 'nsInclude')));
  }
  const excludes = (parsed.exclude ?? []).map((pattern) => parseFilterPattern(pattern, 'nsExclude'));
  for (const collection of parsed.excludeCollections ?? []) {
    excludes.push(parseStarPattern(`*.${escapeNamespacePattern(collection)}`, 'nsExclude'));
  }

  const matchesAny = (patterns: readonly NamespacePattern[], namespace: string): boolean =>
    patterns.some((pattern) => matchNamespacePattern(pattern, namespace) !== undefined);
  return (namespace) => matchesAny(includes, namespace) && !matchesAny(excludes, namespace);
}

function parseFilterPattern(pattern: string, role: NamespacePatternRole): NamespacePattern {
  const dollar = pattern.indexOf('$');
  if (dollar !== -1) {
    throw invalidPattern(
      role,
      pattern,
      `no "$" (include/exclude patterns only know "*" wildcards), found "$" at position ${dollar}`,
    );
  }
  return parseStarPattern(pattern, role);
}
