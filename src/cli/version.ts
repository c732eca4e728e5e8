/**
 * The package version, read from package.json at run time (from `src/cli` in development, from `dist/cli` once
 * built: both are two folders below the package root).
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name in package.json that identifies this package's manifest while walking up. */
const PACKAGE_NAME = 'mongo-backup-service';

/** How many folders to walk up from this module before giving up. */
const MAX_LEVELS = 5;

/**
 * Returns the `version` field of this package's package.json, or `unknown` when it cannot be found.
 *
 * @param from - The folder to start from. Defaults to the folder of this module.
 */
export function readPackageVersion(from: string = moduleDirectory()): string {
  let dir = from;
  for (let level = 0; level < MAX_LEVELS; level += 1) {
    const version = versionIn(path.join(dir, 'package.json'));
    if (version !== undefined) return version;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return 'unknown';
}

function versionIn(file: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return manifest.name === PACKAGE_NAME && typeof manifest.version === 'string'
      ? manifest.version
      : undefined;
  } catch {
    return undefined;
  }
}

/** This module's folder: `__filename` in the CommonJS build, `import.meta.url` in the ES module build. */
function moduleDirectory(): string {
  if (typeof __filename === 'string' && __filename !== '') return path.dirname(__filename);
  return path.dirname(fileURLToPath(import.meta.url));
}
