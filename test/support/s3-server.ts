import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { TOOLS_DIR } from './paths.js';

/** Where scripts/install-tools.sh puts Versity S3 Gateway. */
export const VERSITYGW = path.join(TOOLS_DIR, 'versitygw');

/** A private versitygw on a free loopback port over a fresh temporary folder. */
export interface S3TestServer {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The folder the gateway stores buckets in (one sub-folder per bucket). */
  readonly dir: string;
  /** A client signed with the root credentials (region us-east-1, path-style). */
  readonly client: S3Client;
  /** Creates a bucket with a fresh name and returns the name. */
  createBucket(prefix?: string): Promise<string>;
  /** Kills the gateway with SIGKILL (a crash). */
  kill(): Promise<void>;
  /** Starts the gateway again on the same port and folder (after {@link S3TestServer.kill}). */
  restart(): Promise<void>;
  /** Stops the gateway and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Returns the versitygw binary, or skips the test (with the reason) when it has not been built; under CI=true a
 * missing binary fails instead.
 */
export function requireVersityGw(ctx: TestContext): string {
  if (!existsSync(VERSITYGW)) {
    if (process.env['CI'] === 'true')
      throw new Error('versitygw is missing: scripts/install-tools.sh did not build it');
    ctx.skip('versitygw not built: run `npm run tools`');
  }
  return VERSITYGW;
}

/**
 * One versitygw for the test file: started before its tests when built, stopped after them. Each test calls the
 * returned function with its context: it gets the server, or is skipped with the reason when versitygw is missing.
 */
export function useS3TestServer(): (ctx: TestContext) => S3TestServer {
  let server: S3TestServer | undefined;
  beforeAll(async () => {
    if (existsSync(VERSITYGW)) server = await startS3TestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return (ctx) => {
    requireVersityGw(ctx);
    return server as S3TestServer;
  };
}

/** Starts versitygw (`ROOT_ACCESS_KEY=... ROOT_SECRET_KEY=... versitygw --port 127.0.0.1:PORT posix DIR`). */
export async function startS3TestServer(binary: string = VERSITYGW): Promise<S3TestServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mbs-versitygw-'));
  const port = await freePort();
  const credentials = {
    accessKeyId: `test${randomBytes(6).toString('hex')}`,
    secretAccessKey: randomBytes(24).toString('base64url'),
  };
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stderr = '';
  const launch = async (): Promise<void> => {
    stderr = '';
    const started = spawn(binary, ['--port', `127.0.0.1:${port}`, '--quiet', 'posix', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '',
        ROOT_ACCESS_KEY: credentials.accessKeyId,
        ROOT_SECRET_KEY: credentials.secretAccessKey,
      },
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child = started;
    await waitForPort(port, started, () => stderr);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await launch();
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...credentials }, // the SDK annotates the object it is given
    maxAttempts: 1,
  });
  return {
    endpoint,
    credentials,
    dir,
    client,
    async createBucket(prefix = 'mbs'): Promise<string> {
      const bucket = `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    kill,
    restart: launch,
    async stop(): Promise<void> {
      client.destroy();
      const running = child;
      if (running !== undefined && running.exitCode === null && running.signalCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`versitygw exited with code ${child.exitCode}: ${stderr().trim()}`);
    if (await connects(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`versitygw did not listen on 127.0.0.1:${port} within 20 s: ${stderr().trim()}`);
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
