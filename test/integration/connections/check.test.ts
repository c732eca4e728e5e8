import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';

import { checkConnection, resolveClient } from '../../../src/connections/index.js';
import { requireServer } from '../../support/server.js';

describe('checkConnection against the test server', () => {
  it('connects from a URI and reports host, latency and version', async (ctx) => {
    const uri = requireServer(ctx);
    const result = await checkConnection(uri, { timeoutMs: 10_000 });
    expect(result.error).toBeUndefined();
    expect(result.connected).toBe(true);
    expect(result.host).toMatch(/:\d+$/);
    expect(result.host).not.toContain('@');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('checks a caller-provided client and leaves it open', async (ctx) => {
    const client = new MongoClient(requireServer(ctx));
    try {
      const result = await checkConnection(client, { timeoutMs: 10_000 });
      expect(result).toMatchObject({ connected: true });
      await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
    } finally {
      await client.close();
    }
  });
});

describe('resolveClient against the test server', () => {
  it('owns and closes a client it created from a URI', async (ctx) => {
    const resolved = await resolveClient(requireServer(ctx));
    expect(resolved.owned).toBe(true);
    await expect(resolved.client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
    let closed = false;
    resolved.client.on('topologyClosed', () => {
      closed = true;
    });
    await resolved.close();
    await resolved.close();
    expect(closed).toBe(true);
  });

  it('connects but never closes a client it was given', async (ctx) => {
    const client = new MongoClient(requireServer(ctx));
    try {
      const resolved = await resolveClient(client);
      expect(resolved.owned).toBe(false);
      expect(resolved.client).toBe(client);
      await resolved[Symbol.asyncDispose]();
      await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
    } finally {
      await client.close();
    }
  });
});
