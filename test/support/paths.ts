import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { TestContext } from 'vitest';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Fixtures that live in the repository: mongo-tools test data (Apache-2.0) and our own (test/fixtures/SOURCES.md). */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');

/**
 * Third-party real dumps we may not redistribute: read from `MONGO_BACKUP_FIXTURES`, by default
 * `../shared/fixtures` beside the clone (relative paths are taken from the repository root).
 */
export const THIRD_PARTY_FIXTURES_DIR = path.resolve(
  REPO_ROOT,
  process.env['MONGO_BACKUP_FIXTURES'] || '../shared/fixtures',
);

/** The third-party fixtures (paths relative to {@link THIRD_PARTY_FIXTURES_DIR}), listed in test/fixtures/SOURCES.md. */
export const THIRD_PARTY_FIXTURES: readonly string[] = [
  'real-archives/BenSauerlaender_gipfel-server-2.backup.archive',
  'real-archives/rnadigital_agentcloud.dump.gz',
  'real-archives/uRuiz_Kenjo_Code_Challenge.dump.gz',
  'real-dirs/youtube-sharing-gzip',
];

/** Where scripts/install-tools.sh puts FerretDB and the MongoDB Database Tools. */
export const TOOLS_DIR = path.join(REPO_ROOT, '.cache', 'tools');

/** Whether `relative` is (inside) one of the {@link THIRD_PARTY_FIXTURES}. */
export function isThirdPartyFixture(relative: string): boolean {
  const normalized = path.posix.normalize(relative.split(path.sep).join('/'));
  return THIRD_PARTY_FIXTURES.some((entry) => normalized === entry || normalized.startsWith(`${entry}/`));
}

/**
 * Absolute path of a fixture in the repository (test/fixtures), e.g. `fixture('real-archives/test.bar.archive')`.
 * Throws for a third-party fixture: those go through {@link thirdPartyFixture}, which skips when they are absent.
 */
export function fixture(relative: string): string {
  if (isThirdPartyFixture(relative)) {
    throw new Error(
      `${relative} is a third-party fixture, not in the repository: use thirdPartyFixture(ctx, ...)`,
    );
  }
  return path.join(FIXTURES_DIR, relative);
}

/**
 * Why a third-party fixture cannot be read, or `undefined` when it is there. With `CI=true` a missing one throws
 * instead: CI runs every case.
 */
export function thirdPartyFixtureMissing(relative: string): string | undefined {
  const file = path.join(THIRD_PARTY_FIXTURES_DIR, relative);
  if (existsSync(file)) return undefined;
  const reason =
    `third-party fixture ${relative} not found in ${THIRD_PARTY_FIXTURES_DIR} ` +
    '(set MONGO_BACKUP_FIXTURES; see test/fixtures/SOURCES.md)';
  if (process.env['CI'] === 'true') throw new Error(`CI=true and ${reason}`);
  return reason;
}

/**
 * Absolute path of a third-party fixture (see {@link THIRD_PARTY_FIXTURES}); skips the running test, with the
 * reason, when it is absent, and fails it when `CI=true`.
 */
export function thirdPartyFixture(ctx: TestContext, relative: string): string {
  if (!isThirdPartyFixture(relative))
    throw new Error(`${relative} is not a third-party fixture: use fixture()`);
  const missing = thirdPartyFixtureMissing(relative);
  if (missing !== undefined) ctx.skip(missing);
  return path.join(THIRD_PARTY_FIXTURES_DIR, relative);
}

/** Either kind of fixture: {@link fixture} for ours, {@link thirdPartyFixture} (which may skip) for the others. */
export function anyFixture(ctx: TestContext, relative: string): string {
  return isThirdPartyFixture(relative) ? thirdPartyFixture(ctx, relative) : fixture(relative);
}

/** Absolute path of a reference tool, or `undefined` when it has not been built. */
export function toolPath(name: 'mongodump' | 'mongorestore' | 'bsondump' | 'ferretdb'): string | undefined {
  const file = path.join(TOOLS_DIR, name);
  return existsSync(file) ? file : undefined;
}
