import type { NamespacePattern } from './pattern.js';

/**
 * Matches `subject` against the whole of `pattern` and returns what each wildcard took, in pattern order, or
 * `undefined` when it does not match.
 *
 * Wildcards are resolved left to right, each taking the SHORTEST run that still lets the rest of the pattern match
 * (the result of lazy `(.*?)` groups in a backtracking regular expression, which is what mongorestore compiles).
 * So `*.*` splits `a.b.c` into `a` and `b.c`: a namespace is cut at its first dot, like the server does.
 *
 * No regular expression is built: a table of "can the rest of the pattern match from here" answers is filled from
 * the end, then the wildcards are placed in one pass. The cost is bounded by the subject length times the pattern
 * length, whatever the pattern, so a pattern with many stars cannot make matching explode.
 *
 * @example
 * ```ts
 * matchNamespacePattern(parseStarPattern('*.*', 'nsFrom'), 'a.b.c'); // ['a', 'b.c']
 * ```
 * @internal
 */
export function matchNamespacePattern(pattern: NamespacePattern, subject: string): string[] | undefined {
  const { literals } = pattern;
  const count = pattern.wildcards.length;
  const first = literals[0] ?? '';
  if (count === 0) return subject === first ? [] : undefined;
  const last = literals[count] ?? '';
  if (!subject.startsWith(first)) return undefined;
  const end = subject.length - last.length;
  if (end < first.length || !subject.endsWith(last)) return undefined;

  // reachable[i][p]: wildcards i..count-1 plus the literals that follow them can match subject[p..end), wildcard i
  // starting at p. The last wildcard matches any p <= end.
  const reachable: boolean[][] = new Array<boolean[]>(count);
  reachable[count - 1] = Array.from({ length: end + 1 }, () => true);
  for (let wildcard = count - 2; wildcard >= 0; wildcard -= 1) {
    const literal = literals[wildcard + 1] ?? '';
    const next = reachable[wildcard + 1] ?? [];
    const row = new Array<boolean>(end + 2).fill(false);
    for (let start = end; start >= 0; start -= 1) {
      const literalEnd = start + literal.length;
      row[start] =
        (row[start + 1] ?? false) ||
        (literalEnd <= end && next[literalEnd] === true && subject.startsWith(literal, start));
    }
    reachable[wildcard] = row;
  }
  if (reachable[0]?.[first.length] !== true) return undefined;

  const captures: string[] = [];
  let position = first.length;
  for (let wildcard = 0; wildcard < count - 1; wildcard += 1) {
    const literal = literals[wildcard + 1] ?? '';
    const next = reachable[wildcard + 1] ?? [];
    let stop = position;
    while (!(subject.startsWith(literal, stop) && next[stop + literal.length] === true)) stop += 1;
    captures.push(subject.slice(position, stop));
    position = stop + literal.length;
  }
  captures.push(subject.slice(position, end));
  return captures;
}
