import { inject, type TestContext } from 'vitest';
import { MongoClient } from 'mongodb';
import type { TestServer } from './server-resolver.js';

/** The server resolved by the global setup for this run. */
export function testServer(): TestServer {
  return inject('testServer');
}

/** Skips the running test, with the reason, when the run has no server. Returns the URI otherwise. */
export function requireServer(ctx: TestContext): string {
  const server = testServer();
  if (server.kind === 'none') ctx.skip(`no test server: ${server.skipReason}`);
  return server.uri;
}

/** Whether the run's server is FerretDB (which lacks some MongoDB features; see docs/testing.md). */
export function isFerretDb(): boolean {
  return testServer().kind === 'ferretdb';
}

/** A connected client for the run's server; the caller closes it. */
export async function connectTestClient(): Promise<MongoClient> {
  return MongoClient.connect(testServer().uri);
}

/** A database name unique to this call, so tests never share state. */
export function uniqueDbName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
