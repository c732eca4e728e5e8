import { z } from 'zod';
import { MongoBackupConfigError } from '../errors.js';
import { parseOptions } from '../util/parse-options.js';
import { matchNamespacePattern } from './pattern-matcher.js';
import {
  assertDistinctVariables,
  invalidPattern,
  parseStarPattern,
  parseVariablePattern,
} from './pattern.js';
import type { NamespacePattern } from './pattern.js';

/** One `--nsFrom` / `--nsTo` pair. */
export interface NamespaceRename {
  /** The source pattern (`*` wildcards, or `$name$` variables). */
  readonly from: string;
  /** The target template, using the same number of `*`, or only variables that `from` defines. */
  readonly to: string;
}

/** Maps a source `db.collection` namespace to its target namespace (itself when no rename applies). */
export type NamespaceRenamer = (namespace: string) => string;

/** A compiled pair: the source pattern, and the target as literals around references to source wildcards. */
interface CompiledRename {
  readonly from: NamespacePattern;
  readonly toLiterals: readonly string[];
  /** For each wildcard of the target, the index of the source wildcard whose text it takes. */
  readonly toSources: readonly number[];
}

const renamesSchema = z.array(z.strictObject({ from: z.string(), to: z.string() })).readonly();

/**
 * Builds mongorestore's nsFrom/nsTo renamer.
 *
 * - Without `$` in `from`: `to` must hold as many unescaped `*` as `from`; the n-th `*` of `to` takes what the n-th
 *   `*` of `from` matched.
 * - With `$name$` variables in `from`: `*` and `\` are literal; each variable appears at most once in `from`; `to`
 *   may use (and repeat) only variables that `from` defines.
 * - Wildcards and variables match any run of characters, dots and the empty string included. They are resolved
 *   left to right, each taking the shortest run that lets the rest match: `*.*` splits `a.b.c` into `a` and `b.c`.
 * - When several pairs match, the LAST one given wins. A namespace no pair matches is returned unchanged.
 *
 * @example
 * ```ts
 * import { createNamespaceRenamer } from 'mongo-backup-service';
 * const rename = createNamespaceRenamer([
 *   { from: '*.*', to: '*_x.*' },
 *   { from: '$db$.$coll$', to: '$coll$.$db$' },
 * ]);
 * rename('a.b.c'); // 'b.c.a': the last matching pair wins
 * ```
 * @throws {@link MongoBackupUsageError} `INVALID_NAMESPACE_PATTERN` for unpaired `$`, a variable repeated in `from`,
 *   an unknown variable or a `$` in `to`, different numbers of `*`, or a trailing lone backslash;
 *   {@link MongoBackupConfigError} `INVALID_OPTIONS` when `pairs` is not a list of `{ from, to }` strings.
 */
export function createNamespaceRenamer(pairs: readonly NamespaceRename[]): NamespaceRenamer {
  const compiled = parseOptions(renamesSchema, pairs, 'namespace renames').map(compileRename).reverse();
  return (namespace) => {
    for (const rename of compiled) {
      const captures = matchNamespacePattern(rename.from, namespace);
      if (captures !== undefined) return render(rename, captures);
    }
    return namespace;
  };
}

/**
 * Pairs up separately given `--nsFrom` and `--nsTo` lists, in order.
 *
 * @example
 * ```ts
 * import { createNamespaceRenamer, pairNamespaceRenames } from 'mongo-backup-service';
 * const rename = createNamespaceRenamer(pairNamespaceRenames(['prod.*'], ['staging.*']));
 * ```
 * @throws {@link MongoBackupConfigError} `INVALID_OPTIONS` when the lists differ in length.
 */
export function pairNamespaceRenames(nsFrom: readonly string[], nsTo: readonly string[]): NamespaceRename[] {
  if (nsFrom.length !== nsTo.length) {
    throw new MongoBackupConfigError(
      `Invalid namespace renames: nsFrom and nsTo come in pairs, found ${nsFrom.length} nsFrom and ${nsTo.length} nsTo`,
      [`nsTo: expected ${nsFrom.length} value(s), one per nsFrom, found ${nsTo.length}`],
    );
  }
  return nsFrom.map((from, index) => ({ from, to: nsTo[index] ?? '' }));
}

function compileRename({ from, to }: NamespaceRename): CompiledRename {
  if (from.includes('$')) {
    const source = parseVariablePattern(from, 'nsFrom');
    assertDistinctVariables(source, from, 'nsFrom');
    const target = parseVariablePattern(to, 'nsTo');
    const toSources = target.wildcards.map((name) => {
      const index = source.wildcards.indexOf(name);
      if (index === -1) {
        const known = source.wildcards.map((variable) => `$${variable}$`).join(', ');
        throw invalidPattern(
          'nsTo',
          to,
          `only variables defined by nsFrom ${JSON.stringify(from)} (${known}), found $${name}$`,
        );
      }
      return index;
    });
    return { from: source, toLiterals: target.literals, toSources };
  }

  const source = parseStarPattern(from, 'nsFrom');
  const dollar = to.indexOf('$');
  if (dollar !== -1) {
    throw invalidPattern(
      'nsTo',
      to,
      `no "$" since nsFrom ${JSON.stringify(from)} defines no $variables$, found "$" at position ${dollar}`,
    );
  }
  const target = parseStarPattern(to, 'nsTo');
  if (target.wildcards.length !== source.wildcards.length) {
    throw invalidPattern(
      'nsTo',
      to,
      `as many unescaped "*" as nsFrom ${JSON.stringify(from)} (${source.wildcards.length}), found ${target.wildcards.length}`,
    );
  }
  return { from: source, toLiterals: target.literals, toSources: target.wildcards.map((_, index) => index) };
}

function render(rename: CompiledRename, captures: readonly string[]): string {
  let result = rename.toLiterals[0] ?? '';
  rename.toSources.forEach((source, index) => {
    result += (captures[source] ?? '') + (rename.toLiterals[index + 1] ?? '');
  });
  return result;
}
