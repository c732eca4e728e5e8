import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Real mongodump output and edge cases, shared with the steering repo (read-only). */
export const FIXTURES_DIR = path.resolve(REPO_ROOT, '../shared/fixtures');

/** Where scripts/install-tools.sh puts FerretDB and the MongoDB Database Tools. */
export const TOOLS_DIR = path.join(REPO_ROOT, '.cache', 'tools');

/** Absolute path of a fixture file, e.g. `fixture('real-archives/test.bar.archive')`. */
export function fixture(relative: string): string {
  return path.join(FIXTURES_DIR, relative);
}

/** Absolute path of a reference tool, or `undefined` when it has not been built. */
export function toolPath(name: 'mongodump' | 'mongorestore' | 'bsondump' | 'ferretdb'): string | undefined {
  const file = path.join(TOOLS_DIR, name);
  return existsSync(file) ? file : undefined;
}
