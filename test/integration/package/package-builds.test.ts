import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { fixture, REPO_ROOT } from '../../support/paths.js';
import { runProcess, type ProcessRun } from '../../support/process.js';
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
function runNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessRun> {
  return runProcess(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env } });
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

/** The first fenced block of `language` in a Markdown text. */
function firstCodeBlock(markdown: string, language: string): string | undefined {
  return new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'm').exec(markdown)?.[1];
}

/** Relative link targets of a Markdown text (no URLs, no in-page anchors), without their `#fragment`. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0]!);
}

/**
 * What a user gets from npm: `npm pack`, then `npm install <tarball>` in a fresh app. The README and the docs it
 * links to are in the package with every relative link resolving inside it, and the README's plain-JavaScript
 * example runs as written (an ES module, no `await using`) on this Node (20 in CI).
 */
describe('the packed package, installed in a fresh app', () => {
  let workDir = '';
  let installed = '';
  let setupError: string | undefined;
  let client: MongoClient | undefined;
  const databases: string[] = [];
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

  beforeAll(async () => {
    if (!existsSync(path.join(REPO_ROOT, 'dist', 'index.js'))) return;
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-pack-'));
    const packed = await runProcess(npm, ['pack', '--silent', '--pack-destination', workDir], {
      cwd: REPO_ROOT,
    });
    if (packed.code !== 0) {
      setupError = `npm pack failed: ${packed.stderr}`;
      return;
    }
    const tarball = (await readdir(workDir)).find((file) => file.endsWith('.tgz'));
    const app = path.join(workDir, 'app');
    await mkdir(app);
    await writeFile(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'fresh-app', version: '1.0.0', private: true, type: 'module' }),
    );
    const install = await runProcess(
      npm,
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        path.join(workDir, tarball!),
      ],
      { cwd: app, timeoutMs: 240_000 },
    );
    if (install.code !== 0) {
      setupError = `npm install <tarball> failed: ${install.stderr}`;
      return;
    }
    installed = path.join(app, 'node_modules', 'mongo-backup-service');
    if (testServer().kind !== 'none') client = await connectTestClient();
  }, 300_000);
  afterAll(async () => {
    for (const db of databases) await client?.db(db).dropDatabase();
    await client?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const requireInstalled = (ctx: TestContext): string => {
    if (setupError) throw new Error(setupError);
    if (!installed) ctx.skip('dist/ is not built (npm run build)');
    return installed;
  };

  it('the README and the docs it links to are in the package; every relative link resolves inside it', async (ctx) => {
    const root = requireInstalled(ctx);
    const pages = ['README.md', ...(await readdir(path.join(root, 'docs'))).map((f) => `docs/${f}`)];
    expect(pages).toEqual(expect.arrayContaining(['docs/cli.md', 'docs/configuration.md']));
    const dead: string[] = [];
    for (const page of pages.filter((p) => p.endsWith('.md'))) {
      const text = await readFile(path.join(root, page), 'utf8');
      for (const target of relativeLinks(text)) {
        if (!existsSync(path.join(root, path.dirname(page), target))) dead.push(`${page} -> ${target}`);
      }
    }
    expect(dead).toEqual([]);
    const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      repository: { url: expect.stringMatching(/^git\+https:\/\//) as unknown },
      homepage: expect.stringMatching(/^https:\/\//) as unknown,
      bugs: { url: expect.stringMatching(/^https:\/\//) as unknown },
    });
  });

  it(`the README's plain-JavaScript example runs as written on Node ${process.versions.node}`, async (ctx) => {
    const uri = requireServer(ctx);
    const root = requireInstalled(ctx);
    const example = firstCodeBlock(await readFile(path.join(root, 'README.md'), 'utf8'), 'js');
    expect(example, 'a ```js block in the README').toBeDefined();
    expect(example).not.toMatch(/\bawait using\b/);
    // Its database, `shop`, becomes one of this test's own.
    const db = uniqueDbName('readme');
    databases.push(db, `${db}_copy`);
    await client!
      .db(db)
      .collection('orders')
      .insertMany([{ n: 1 }, { n: 2 }]);
    await client!
      .db(db)
      .collection('events')
      .insertOne({ at: new Date('2026-02-01T00:00:00Z') });
    const app = path.dirname(path.dirname(root));
    await writeFile(path.join(app, 'example.mjs'), example!.replaceAll('shop', db));
    const result = await runProcess(process.execPath, ['example.mjs'], {
      cwd: app,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], MONGODB_URI: uri },
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${db}.orders -> ${db}_copy.orders restored 2`);
    expect(await client!.db(`${db}_copy`).collection('orders').countDocuments()).toBe(2);
    expect(await client!.db(`${db}_copy`).collection('events').countDocuments()).toBe(1);
  });
});
