import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { REPO_ROOT } from './paths.js';

/** The Express example's folder. */
export const EXAMPLE_DIR = path.join(REPO_ROOT, 'examples', 'express-integration');

/** Why the Express example cannot be loaded (library not built, example not installed), or `undefined`. */
export function missingExamplePrerequisites(): string | undefined {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'index.js')))
    return 'the library is not built (run `npx tsup` at the repo root)';
  for (const dependency of ['mongo-backup-service', 'express', 'jsonwebtoken']) {
    if (!existsSync(path.join(EXAMPLE_DIR, 'node_modules', dependency))) {
      return `examples/express-integration/node_modules/${dependency} is missing (run \`npm ci\` in examples/express-integration)`;
    }
  }
  return undefined;
}

/**
 * When the example cannot run: prints `SKIPPED` with the reason and registers one test that skips (or fails with
 * `CI=true`, where the test script installs everything). Returns whether the suite can run.
 */
export function exampleCanRun(suite: string): boolean {
  const missing = missingExamplePrerequisites();
  if (missing === undefined) return true;
  if (process.env['CI'] !== 'true') process.stderr.write(`\n[${suite}] SKIPPED: ${missing}\n`);
  describe(`${suite} prerequisites`, () => {
    it('are installed', (ctx) => {
      if (process.env['CI'] === 'true')
        throw new Error(`CI=true and the Express example cannot run: ${missing}`);
      ctx.skip(`the Express example cannot run: ${missing}`);
    });
  });
  return false;
}

/** Seconds since the epoch, as JWT claims count time. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Makes JWTs by hand (HS256 is a few lines of node:crypto), so that the example is checked against the JWT spec
 * rather than against the library it uses to verify tokens. The signer uses `defaultSecret` unless given another;
 * `alg: 'none'` makes an unsigned token.
 */
export function jwtSigner(
  defaultSecret: string,
): (payload: object, secret?: string, alg?: 'HS256' | 'none') => string {
  return (payload, secret = defaultSecret, alg = 'HS256') => {
    const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
    const unsigned = `${encode({ alg, typ: 'JWT' })}.${encode(payload)}`;
    if (alg === 'none') return `${unsigned}.`;
    return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
  };
}
