import { matchNamespacePattern } from './pattern-matcher.js';
import { parseStarPattern, parseVariablePattern } from './pattern.js';

/** The pattern lists of a restore (or dump) whose silent no-ops are worth a warning. */
export interface NamespacePatternLists {
  readonly nsInclude?: readonly string[] | undefined;
  readonly nsExclude?: readonly string[] | undefined;
  readonly nsFrom?: readonly string[] | undefined;
}

const EFFECT = {
  nsInclude: 'nothing was selected by it',
  nsExclude: 'nothing was left out by it',
  nsFrom: 'nothing was renamed by it',
} as const;

/**
 * One warning per pattern that matches none of `namespaces` (a misspelled database, a pattern meant for another
 * backup): mongorestore accepts them silently, and the restore then does something else than meant. Patterns are
 * already validated by the selector and the renamer.
 *
 * @example
 * ```ts
 * unmatchedPatternWarnings({ nsFrom: ['shpo.*'] }, ['shop.orders']);
 * // ['nsFrom "shpo.*" matched no namespace of the backup: nothing was renamed by it']
 * ```
 */
export function unmatchedPatternWarnings(
  lists: NamespacePatternLists,
  namespaces: readonly string[],
  where = 'the backup',
): string[] {
  const warnings: string[] = [];
  for (const role of ['nsInclude', 'nsExclude', 'nsFrom'] as const) {
    for (const text of lists[role] ?? []) {
      const pattern =
        role === 'nsFrom' && text.includes('$')
          ? parseVariablePattern(text, role)
          : parseStarPattern(text, role);
      if (!namespaces.some((namespace) => matchNamespacePattern(pattern, namespace) !== undefined)) {
        warnings.push(`${role} ${JSON.stringify(text)} matched no namespace of ${where}: ${EFFECT[role]}`);
      }
    }
  }
  return warnings;
}
