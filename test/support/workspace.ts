import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { connectTestClient, testServer, uniqueDbName } from './server.js';

/** What a test file shares with its tests: a temporary folder, a client and the databases to drop at the end. */
export interface TestWorkspace {
  /** A fresh folder under the system temp folder, removed at the end. */
  readonly workDir: string;
  /** Whether the run has a server (tests still call `requireServer` to skip with the reason). */
  readonly connected: boolean;
  /** The client to the run's server; throws when there is none (guard with `requireServer`). */
  readonly client: MongoClient;
  /** A database name unique to this call, dropped at the end. */
  database(prefix: string): string;
}

/**
 * The set-up every server test file repeats, in one place: registers a `beforeAll` that makes the temporary folder
 * and connects (when the run has a server), and an `afterAll` that drops every database named by
 * {@link TestWorkspace.database}, closes the client and removes the folder. Call it before the file's own hooks:
 * its `beforeAll` then runs first and its `afterAll` last.
 *
 * @param tempPrefix - The temporary folder's name prefix, e.g. `mbs-cli-`.
 */
export function useTestWorkspace(tempPrefix: string): TestWorkspace {
  const databases: string[] = [];
  let workDir: string | undefined;
  let client: MongoClient | undefined;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), tempPrefix));
    if (testServer().kind !== 'none') client = await connectTestClient();
  });

  afterAll(async () => {
    for (const db of databases) await client?.db(db).dropDatabase();
    await client?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  return {
    get workDir(): string {
      if (workDir === undefined) throw new Error('useTestWorkspace: workDir is made in beforeAll');
      return workDir;
    },
    get connected(): boolean {
      return client !== undefined;
    },
    get client(): MongoClient {
      if (client === undefined) throw new Error('useTestWorkspace: no server in this run');
      return client;
    },
    database(prefix: string): string {
      const name = uniqueDbName(prefix);
      databases.push(name);
      return name;
    },
  };
}
