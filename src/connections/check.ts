/**
 * A connection health check that never throws: suitable for a `/health` endpoint or a CLI `check` command.
 *
 * @packageDocumentation
 */
import { performance } from 'node:perf_hooks';

import type { MongoClientLike } from '../driver/index.js';

import { describeHosts, knownSecretsOf, resolveClient } from './client.js';
import type { ResolvedClient } from './client.js';
import { redactSecrets } from './redact.js';

/** Default of {@link CheckConnectionOptions.timeoutMs}. */
export const DEFAULT_CHECK_TIMEOUT_MS = 5000;

/** Options of {@link checkConnection}. */
export interface CheckConnectionOptions {
  /**
   * How long the whole check (connect, `ping`, `buildInfo`) may take, in milliseconds.
   * Defaults to {@link DEFAULT_CHECK_TIMEOUT_MS} (5000).
   */
  readonly timeoutMs?: number;
}

/** The outcome of {@link checkConnection}. */
export interface ConnectionCheckResult {
  /** `true` when the server answered `ping` within the timeout. */
  readonly connected: boolean;
  /** The host list, `host:port` entries joined by commas (the SRV name for `mongodb+srv://`). No credentials. */
  readonly host: string;
  /** Round trip of the `ping` command in milliseconds, when connected. */
  readonly latencyMs?: number;
  /** The server version from `buildInfo`, when connected and allowed to run it. */
  readonly version?: string;
  /** Why the check failed, with credentials redacted; absent when connected. */
  readonly error?: string;
}

/**
 * Connects (or reuses the given client), runs `ping` and `buildInfo`, and reports. Never throws: every failure,
 * including a timeout, is reported through `error`. A client created here is closed before returning; a client
 * given by the caller is left open.
 *
 * @example
 * ```ts
 * import { checkConnection } from 'mongo-backup-service';
 * const health = await checkConnection(process.env.MONGODB_URI ?? '', { timeoutMs: 2000 });
 * if (!health.connected) console.error(`MongoDB at ${health.host} is down: ${health.error}`);
 * ```
 */
export async function checkConnection(
  clientOrUri: MongoClientLike | string,
  options: CheckConnectionOptions = {},
): Promise<ConnectionCheckResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const knownSecrets = typeof clientOrUri === 'string' ? [clientOrUri] : knownSecretsOf(clientOrUri);
  let host = '';
  try {
    host = describeHosts(clientOrUri);
    const pending = resolveClient(clientOrUri, {
      clientOptions: { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs },
    });
    const outcome = await withTimeout(pending.then(probe), timeoutMs);
    if (outcome === undefined) {
      void pending.then((resolved) => resolved.close()).catch(() => undefined);
      return { connected: false, host, error: `No answer within ${timeoutMs} ms` };
    }
    return { connected: true, host, ...outcome };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { connected: false, host, error: redactSecrets(message, knownSecrets) };
  }
}

async function probe(resolved: ResolvedClient): Promise<{ latencyMs: number; version?: string }> {
  try {
    const admin = resolved.client.db('admin');
    const started = performance.now();
    await admin.command({ ping: 1 });
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const version = await admin.command({ buildInfo: 1 }).then(
      (info) => (typeof info['version'] === 'string' ? info['version'] : undefined),
      () => undefined,
    );
    return version === undefined ? { latencyMs } : { latencyMs, version };
  } finally {
    await resolved.close().catch(() => undefined);
  }
}

/** Resolves with the promise's value, or with `undefined` when it takes longer than `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
