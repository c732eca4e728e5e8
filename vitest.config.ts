import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (no server), `integration` (a real server through the driver) and `interop` (a real
 * server plus the real mongodump/mongorestore/bsondump). One global setup resolves the server once for the run.
 */
export default defineConfig({
  test: {
    globalSetup: ['./test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'interop', include: ['test/interop/**/*.test.ts'] } },
    ],
  },
});
