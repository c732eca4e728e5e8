import type { TestProject } from 'vitest/node';
import { resolveTestServer, type RunningServer, type TestServer } from './server-resolver.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testServer: TestServer;
  }
}

/**
 * Resolves one server for the whole run and stops it at the end. Vitest calls a global setup once per project,
 * each time from a fresh module instance, so the shared state lives on `globalThis` of the main process.
 * `MBS_SKIP_SERVER=1` (unit-only runs) resolves nothing. With `CI=true`, failing to get a server fails the run.
 */
interface SharedState {
  running: Promise<RunningServer> | undefined;
  users: number;
}
const shared: SharedState = ((globalThis as { __mbsTestServer?: SharedState }).__mbsTestServer ??= {
  running: undefined,
  users: 0,
});

const log = (line: string): void => {
  process.stdout.write(`[test-server] ${line}\n`);
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env['MBS_SKIP_SERVER'] === '1') {
    project.provide('testServer', {
      uri: '',
      kind: 'none',
      version: '',
      description: 'none',
      skipReason: 'MBS_SKIP_SERVER=1 (unit-only run)',
    });
    return async () => {};
  }
  shared.users += 1;
  if (!shared.running) {
    shared.running = resolveTestServer(log);
    const { server } = await shared.running;
    if (server.kind === 'none') {
      log(`NONE: ${server.skipReason}`);
      if (process.env['CI'] === 'true') {
        throw new Error(`CI=true and no test server could be had: ${server.skipReason}`);
      }
      log('integration and interop tests will be SKIPPED');
    } else {
      log(`using ${server.description} — server version ${server.version}`);
    }
  }
  const { server } = await shared.running;
  project.provide('testServer', server);
  return async () => {
    shared.users -= 1;
    if (shared.users === 0 && shared.running) {
      const current = shared.running;
      shared.running = undefined;
      await (await current).stop();
    }
  };
}
