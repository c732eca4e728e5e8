/**
 * Warnings for `MONGO_BACKUP_*` variables nobody reads: a typo (`MONGO_BACKUP_RETENTON=7`) would otherwise be
 * ignored silently and the default used.
 *
 * @packageDocumentation
 */
import { CONFIG_ENV_VARS, type Environment } from '../config/index.js';

/** Variables of the `MONGO_BACKUP_` family read outside the configuration schema. */
const OTHER_KNOWN_VARIABLES: readonly string[] = ['MONGO_BACKUP_DEBUG'];

/**
 * One warning line per `MONGO_BACKUP_*` variable that is set but not known, with the closest known name when one
 * is near (at most two edits away). A warning, not an error: a variable of a newer release must not stop an older
 * CLI.
 */
export function unknownVariableWarnings(env: Environment): string[] {
  const known = new Set<string>([...Object.values(CONFIG_ENV_VARS), ...OTHER_KNOWN_VARIABLES]);
  return Object.keys(env)
    .filter((name) => name.startsWith('MONGO_BACKUP_') && env[name] !== undefined && !known.has(name))
    .sort()
    .map((name) => {
      const near = [...known]
        .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
        .sort((a, b) => a.distance - b.distance)[0];
      const hint = near !== undefined && near.distance <= 2 ? ` (did you mean ${near.candidate}?)` : '';
      return `warning: ${name} is not a variable mongo-backup reads; it is ignored${hint}`;
    });
}

/** Levenshtein distance (names are short). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
