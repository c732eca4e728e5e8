// Starts a local MongoDB-compatible server for the demo and the test suite, in this order:
//   1. MONGODB_URI, when set (an existing deployment; nothing is started or stopped);
//   2. a real mongod through mongodb-memory-server-core (system binary, cache, or download where there is internet);
//   3. FerretDB built by scripts/install-tools.sh into .cache/tools, on a free loopback port, data in a temp folder.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FERRETDB = path.join(ROOT, '.cache', 'tools', 'ferretdb');

/**
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<import('./local-server.d.mts').LocalServer>}
 */
export async function startLocalServer(options = {}) {
  const log = options.log ?? (() => {});
  const reasons = [];
  const external = process.env.MONGODB_URI;
  if (external) {
    const { version, ferretdbVersion } = await buildInfo(external);
    return {
      uri: external,
      kind: 'external',
      version,
      description: `external deployment from MONGODB_URI (${describe(version, ferretdbVersion)})`,
      stop: async () => {},
    };
  }
  try {
    return await startMongod();
  } catch (error) {
    reasons.push(`mongodb-memory-server-core: ${firstLine(error)}`);
    log(`no mongod from mongodb-memory-server-core (${firstLine(error)}); trying FerretDB`);
  }
  try {
    return await startFerretDb();
  } catch (error) {
    reasons.push(`FerretDB: ${firstLine(error)}`);
  }
  const failure = new Error(`no MongoDB-compatible server could be started: ${reasons.join('; ')}`);
  failure.reasons = reasons;
  throw failure;
}

async function startMongod() {
  process.env.MONGOMS_DOWNLOAD_DIR ??= path.join(ROOT, '.cache', 'mongodb-binaries');
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  // It prints its own stack trace when it cannot start; the caller logs one line with the reason instead.
  const { warn, error } = console;
  console.warn = console.error = () => {};
  let mongod;
  try {
    mongod = await withTimeout(MongoMemoryServer.create(), 30_000, 'starting mongod timed out');
  } finally {
    Object.assign(console, { warn, error });
  }
  const uri = mongod.getUri();
  const { version } = await buildInfo(uri);
  return {
    uri,
    kind: 'mongod',
    version,
    description: `mongod ${version} (mongodb-memory-server-core)`,
    stop: async () => {
      await mongod.stop();
    },
  };
}

/**
 * Starts a private FerretDB (from .cache/tools) on a free loopback port. With `auth`, FerretDB's SCRAM
 * authentication and user commands are on (`--test-enable-new-auth`), `auth` is the first user (of `admin`), and
 * the returned URI carries its credentials.
 */
export async function startFerretDb(options = {}) {
  if (!existsSync(FERRETDB)) throw new Error('not built; run `npm run tools` (scripts/install-tools.sh)');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-ferretdb-'));
  const port = await freePort();
  const auth = options.auth;
  const child = spawn(
    FERRETDB,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--state-dir=${dataDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
      ...(auth
        ? [
            '--test-enable-new-auth',
            `--setup-username=${auth.username}`,
            `--setup-password=${auth.password}`,
            '--setup-database=admin',
          ]
        : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const credentials = auth
    ? `${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@`
    : '';
  const uri = `mongodb://${credentials}127.0.0.1:${port}/${auth ? '?authSource=admin' : ''}`;
  const stop = async () => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  // A crash, not a shutdown: FerretDB finishes serving open cursors on SIGTERM.
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await waitForServer(uri, child, () => stderr);
    const { version, ferretdbVersion } = await buildInfo(uri);
    return {
      uri,
      kind: 'ferretdb',
      version,
      description: `${describe(version, ferretdbVersion)} on 127.0.0.1:${port}`,
      stop,
      kill,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function describe(version, ferretdbVersion) {
  return ferretdbVersion ? `FerretDB ${ferretdbVersion} (MongoDB ${version} wire)` : `MongoDB ${version}`;
}

async function buildInfo(uri) {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return { version: String(info.version), ferretdbVersion: info.ferretdbVersion };
  } finally {
    await client.close();
  }
}

async function waitForServer(uri, child, stderr) {
  const deadline = Date.now() + 30_000;
  let lastError;
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

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(error) {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
