import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, REPO_ROOT } from '../../support/paths.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

/** What a child process using the built package reports. */
interface ChildReport {
  readonly exports: string[];
  readonly archiveExports: string[];
  readonly fidelity: string;
  readonly inserted: number;
  readonly usageErrorIsBackupError: boolean;
}

/** Runs `node` on a script in the repository root, so that `mongo-backup-service` resolves to this package. */
function runNode(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The same work in both module systems: list the exports, then restore a real mongodump archive. */
const body = `
  const usage = new m.MongoBackupUsageError(m.ErrorCode.INVALID_OPTIONS, 'x');
  const service = new m.MongoBackupService({ sourceUri: process.env.TEST_URI, env: {} });
  const report = await service.restore({
    from: process.env.TEST_ARCHIVE, into: 'source', nsFrom: ['test.*'], nsTo: [process.env.TEST_DB + '.*'],
  });
  await service.close();
  console.log(JSON.stringify({
    exports: Object.keys(m).sort(),
    archiveExports: Object.keys(archive).sort(),
    fidelity: report.fidelity,
    inserted: report.documentsInserted,
    usageErrorIsBackupError: usage instanceof m.MongoBackupError,
  }));
`;
const SCRIPTS = {
  esm: `import * as m from 'mongo-backup-service'; import * as archive from 'mongo-backup-service/archive'; ${body}`,
  cjs: `const m = require('mongo-backup-service'); const archive = require('mongo-backup-service/archive'); (async () => { ${body} })().catch((e) => { console.error(e); process.exit(1); });`,
} as const;

/**
 * The published shape: both builds (ESM and CommonJS) through the package's `exports` map, the same public names,
 * the `./archive` subpath, and raw-byte restores (the driver's document sequences found) in both; the CLI binary.
 */
describe('the built package', () => {
  let client: MongoClient | undefined;
  const targets: string[] = [];
  const reports: Partial<Record<keyof typeof SCRIPTS, ChildReport>> = {};

  beforeAll(async () => {
    if (testServer().kind !== 'none') client = await connectTestClient();
  });
  afterAll(async () => {
    for (const db of targets) await client?.db(db).dropDatabase();
    await client?.close();
  });

  for (const flavour of ['esm', 'cjs'] as const) {
    it(`${flavour}: imports through the exports map and restores raw bytes`, async (ctx) => {
      const uri = requireServer(ctx);
      if (!existsSync(path.join(REPO_ROOT, 'dist', 'index.cjs')))
        ctx.skip('dist/ is not built (npm run build)');
      const target = uniqueDbName(`pkg_${flavour}`);
      targets.push(target);
      const run = await runNode(
        flavour === 'esm' ? ['--input-type=module', '-e', SCRIPTS.esm] : ['-e', SCRIPTS.cjs],
        { TEST_URI: uri, TEST_DB: target, TEST_ARCHIVE: fixture('real-archives/test.bar.archive') },
      );
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as ChildReport;
      reports[flavour] = report;
      expect(report.fidelity).toBe('raw');
      expect(report.inserted).toBe(1);
      expect(report.usageErrorIsBackupError).toBe(true);
      expect(report.exports).toEqual(
        expect.arrayContaining(['MongoBackupService', 'ErrorCode', 'RestoreError']),
      );
      expect(report.archiveExports).toEqual(
        expect.arrayContaining(['readArchive', 'createArchiveWriter', 'inspectArchive']),
      );
      expect(await client!.db(target).collection('bar').countDocuments()).toBe(1);
    });
  }

  it('esm and cjs export the same names', (ctx) => {
    if (!reports.esm || !reports.cjs) ctx.skip('needs both builds measured above');
    expect(reports.cjs!.exports).toEqual(reports.esm!.exports);
    expect(reports.cjs!.archiveExports).toEqual(reports.esm!.archiveExports);
  });

  it('the mongo-backup binary prints its help and exits 0', async (ctx) => {
    const bin = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
    if (!existsSync(bin)) ctx.skip('dist/ is not built (npm run build)');
    const run = await runNode([bin, '--help']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/dump/);
    expect(run.stdout).toMatch(/restore/);
  });
});
