import type { TestContext } from 'vitest';
import { toolPath } from './paths.js';
import { runProcess, type ProcessRun } from './process.js';
import { isFerretDb } from './server.js';

/** The MongoDB Database Tools the interop tests run. */
export type ReferenceTool = 'mongodump' | 'mongorestore' | 'bsondump';

/** Returns the tool's path, or skips the test (with the reason) when it has not been built. */
export function requireTool(ctx: TestContext, name: ReferenceTool): string {
  const file = toolPath(name);
  if (!file) {
    if (process.env['CI'] === 'true')
      throw new Error(`${name} is missing: scripts/install-tools.sh did not build it`);
    ctx.skip(`${name} not built: run \`npm run tools\``);
  }
  return file;
}

/** Runs a reference tool to completion. */
export function runTool(
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<ProcessRun> {
  return runProcess(file, args, { timeoutMs: options.timeoutMs ?? 120_000 });
}

/** Runs a reference tool and throws, with its output, unless it exits 0. */
export async function runToolOk(file: string, args: readonly string[]): Promise<ProcessRun> {
  const run = await runTool(file, args);
  if (run.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited with ${run.code}:\n${run.stderr}\n${run.stdout}`);
  }
  return run;
}

/**
 * The real mongorestore's arguments for restoring a gzip `archive` file or `dir` dump folder with database `from`
 * renamed to `to`; with `--noIndexRestore` on FerretDB, which refuses the `ns` index option mongorestore sends.
 */
export function mongorestoreRenameArgs(
  uri: string,
  input: { readonly archive: string } | { readonly dir: string },
  from: string,
  to: string,
): string[] {
  return [
    `--uri=${uri}`,
    'archive' in input ? `--archive=${input.archive}` : `--dir=${input.dir}`,
    '--gzip',
    `--nsFrom=${from}.*`,
    `--nsTo=${to}.*`,
    ...(isFerretDb() ? ['--noIndexRestore'] : []),
  ];
}
