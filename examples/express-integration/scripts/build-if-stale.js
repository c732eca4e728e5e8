#!/usr/bin/env node
/**
 * Compiles the example (tsc) only when dist/ is missing or older than a source file, tsconfig.json or
 * package.json; otherwise does nothing. `npm run client` uses it so that repeated calls start at once.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Modification times of the files under `dir` whose names end with `suffix` (none when `dir` is missing). */
function mtimes(dir, suffix) {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((name) => String(name).endsWith(suffix))
    .map((name) => statSync(path.join(root, dir, String(name))).mtimeMs);
}

const inputs = [
  ...mtimes('src', '.ts'),
  ...['tsconfig.json', 'package.json'].map((f) => statSync(path.join(root, f)).mtimeMs),
];
const outputs = mtimes('dist', '.js');
const stale = outputs.length < mtimes('src', '.ts').length || Math.min(...outputs) < Math.max(...inputs);
if (stale) {
  console.error('[build-if-stale] dist/ is missing or out of date: compiling');
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  process.exit(tsc.status ?? 1);
}
