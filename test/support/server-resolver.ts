import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { REPO_ROOT, toolPath } from './paths.js';

/** The server the suite runs against, as shared with the test workers. */
export interface TestServer {
  /** Connection string, or "" when no server could be had. */
  uri: string;
  /** Where the server came from. */
  kind: 'external' | 'mongod' | 'ferretdb' | 'none';
  /** `buildInfo.version` as the server reports it. */
  version: string;
  /** A human description, e.g. "FerretDB v1.24.2 (MongoDB 7.0.42 wire)". */
  description: string;
  /** Why there is no server (kind "none"). */
  skipReason: string;
}

/** A resolved server plus how to stop it. */
export interface RunningServer {
  server: TestServer;
  stop(): Promise<void>;
}

const NO_SERVER = (skipReason: string): RunningServer => ({
  server: { uri: '', kind: 'none', version: '', description: 'none', skipReason },
  stop: async () => {},
});

/**
 * Resolves the server for the run, in the order of docs/testing.md: `MONGODB_URI`; a real mongod through
 * mongodb-memory-server-core; FerretDB from .cache/tools; otherwise none, with the reasons.
 */
export async function resolveTestServer(log: (line: string) => void): Promise<RunningServer> {
  const reasons: string[] = [];

  const external = process.env['MONGODB_URI'];
  if (external) {
    const version = await serverVersion(external);
    const description = `external deployment from MONGODB_URI (${await describeKind(external, version)})`;
    return { server: { uri: external, kind: 'external', version, description, skipReason: '' }, stop: async () => {} };
  }

  try {
    return await startMemoryServer();
  } catch (error) {
    reasons.push(`mongodb-memory-server-core: ${firstLine(error)}`);
    log(`no mongod from mongodb-memory-server-core (${firstLine(error)}); trying FerretDB`);
  }

  try {
    return await startFerretDb();
  } catch (error) {
    reasons.push(`FerretDB: ${firstLine(error)}`);
  }
  return NO_SERVER(`no MongoDB-compatible server could be started: ${reasons.join('; ')}`);
}

async function startMemoryServer(): Promise<RunningServer> {
  process.env['MONGOMS_DOWNLOAD_DIR'] ??= path.join(REPO_ROOT, '.cache', 'mongodb-binaries');
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const mongod = await withTimeout(MongoMemoryServer.create(), 30_000, 'starting mongod timed out');
  const uri = mongod.getUri();
  const version = await serverVersion(uri);
  return {
    server: { uri, kind: 'mongod', version, description: `mongod ${version} (mongodb-memory-server-core)`, skipReason: '' },
    stop: async () => {
      await mongod.stop();
    },
  };
}

async function startFerretDb(): Promise<RunningServer> {
  const binary = toolPath('ferretdb');
  if (!binary) throw new Error('not built; run `npm run tools` (scripts/install-tools.sh)');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-ferretdb-'));
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--state-dir=${dataDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const uri = `mongodb://127.0.0.1:${port}/`;
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForServer(uri, child, () => stderr);
    const version = await serverVersion(uri);
    return {
      server: {
        uri,
        kind: 'ferretdb',
        version,
        description: `${await describeKind(uri, version)} on 127.0.0.1:${port}`,
        skipReason: '',
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function describeKind(uri: string, version: string): Promise<string> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    const build = await client.db('admin').command({ buildInfo: 1 });
    const ferretVersion = build['ferretdbVersion'] as string | undefined;
    return ferretVersion ? `FerretDB ${ferretVersion} (MongoDB ${version} wire)` : `MongoDB ${version}`;
  } finally {
    await client.close();
  }
}

async function serverVersion(uri: string): Promise<string> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const build = await client.db('admin').command({ buildInfo: 1 });
    return String(build['version']);
  } finally {
    await client.close();
  }
}

async function waitForServer(uri: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}: ${stderr().trim()}`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await client.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`did not answer within 30 s: ${firstLine(lastError)} ${stderr().trim()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
