import { createServer } from 'node:net';

import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';

import {
  checkConnection,
  DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
  resolveClient,
} from '../../../src/connections/index.js';
import { ConnectionError, ErrorCode, MongoBackupConfigError } from '../../../src/errors.js';

const PASSWORD = 'n0t-4-r3al-p@ss';

/** A port on 127.0.0.1 that nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function unreachableUri(): Promise<string> {
  const port = await closedPort();
  return `mongodb://backup:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/?directConnection=true`;
}

function expectNoPassword(...texts: (string | undefined)[]): void {
  for (const text of texts) {
    expect(text ?? '').not.toContain(PASSWORD);
    expect(text ?? '').not.toContain(encodeURIComponent(PASSWORD));
  }
}

describe('checkConnection against a closed port', () => {
  it('returns connected:false with a redacted error, without throwing', async () => {
    const uri = await unreachableUri();
    const started = Date.now();
    const result = await checkConnection(uri, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.connected).toBe(false);
    expect(result.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(result.error).toEqual(expect.any(String));
    expect(result.latencyMs).toBeUndefined();
    expect(result.version).toBeUndefined();
    expectNoPassword(result.error, result.host);
  });

  it('reports a caller-provided client as not connected and leaves it usable', async () => {
    const client = new MongoClient(await unreachableUri(), { serverSelectionTimeoutMS: 200 });
    try {
      const result = await checkConnection(client, { timeoutMs: 300 });
      expect(result.connected).toBe(false);
      expect(result.host).toMatch(/^127\.0\.0\.1:\d+$/);
      expectNoPassword(result.error);
    } finally {
      await client.close();
    }
  });

  it('never throws, even for a string that is not a connection string', async () => {
    const result = await checkConnection(`https://user:${PASSWORD}@example.com`, { timeoutMs: 100 });
    expect(result).toMatchObject({ connected: false, host: '' });
    expectNoPassword(result.error);
  });
});

describe('resolveClient', () => {
  it('wraps a connection failure in a ConnectionError with no password in message, cause or stacks', async () => {
    const uri = await unreachableUri();
    const error = await resolveClient(uri, { clientOptions: { serverSelectionTimeoutMS: 200 } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    const connectionError = error as ConnectionError;
    expect(connectionError.code).toBe(ErrorCode.CONNECTION_FAILED);
    expect(connectionError.message).toMatch(
      /^Could not connect to mongodb:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+/,
    );
    expect(connectionError.message).toContain('is it running, and reachable from here?');
    const texts: (string | undefined)[] = [connectionError.message, connectionError.stack];
    for (let cause = connectionError.cause; cause instanceof Error; cause = cause.cause) {
      texts.push(cause.message, cause.stack);
    }
    expect(texts.length).toBeGreaterThan(2);
    expectNoPassword(...texts);
  });

  it(`gives up on an unreachable server after ${DEFAULT_SERVER_SELECTION_TIMEOUT_MS} ms by default (the driver waits 30 s), and follows the connection string's own timeout`, async () => {
    const uri = await unreachableUri();
    let started = Date.now();
    await expect(resolveClient(uri)).rejects.toBeInstanceOf(ConnectionError);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(DEFAULT_SERVER_SELECTION_TIMEOUT_MS - 500);
    expect(waited).toBeLessThan(20_000);
    started = Date.now();
    await expect(resolveClient(`${uri}&serverSelectionTimeoutMS=300`)).rejects.toBeInstanceOf(
      ConnectionError,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 40_000);

  it('rejects a malformed connection string as a usage error, redacted', async () => {
    const error = await resolveClient('mongodb://backup:sekr3t/pw@db').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MongoBackupConfigError);
    const configError = error as MongoBackupConfigError;
    expect(configError.code).toBe(ErrorCode.INVALID_OPTIONS);
    expect(configError.issues).toEqual([
      'uri: expected a valid MongoDB connection string (Password contains unescaped characters), ' +
        'got "mongodb://***:***@db"',
    ]);
    const cause = configError.cause as Error;
    for (const text of [configError.message, cause.message, cause.stack ?? ''])
      expect(text).not.toContain('sekr3t');
  });
});
