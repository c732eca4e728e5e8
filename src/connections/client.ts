/**
 * Turns "a MongoClient or a connection string" into a connected client, remembering whether we own it.
 *
 * @packageDocumentation
 */
import { MongoClient } from 'mongodb';
import type { MongoClientOptions } from 'mongodb';

import { asDriverClient, type MongoClientLike } from '../driver/index.js';
import { ConnectionError, ErrorCode, MongoBackupConfigError } from '../errors.js';
import { redactError, redactSecrets, redactUri } from './redact.js';
import { splitMongoUri } from './uri.js';

/** The `appName` given to clients this library creates, unless the options name another. */
export const DEFAULT_APP_NAME = 'mongo-backup-service';

/**
 * The `serverSelectionTimeoutMS` of clients this library creates, unless the connection string or the options set
 * it: a server that dies mid-run surfaces in about 10 seconds instead of the driver's 30, while a replica-set
 * election (usually under 10 s) still completes.
 */
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 10_000;

/** Options of {@link resolveClient}. */
export interface ResolveClientOptions {
  /**
   * Options for the client created from a connection string; ignored when a `MongoClient` is given.
   * Defaults to `{ appName: DEFAULT_APP_NAME, serverSelectionTimeoutMS: DEFAULT_SERVER_SELECTION_TIMEOUT_MS }`
   * (the timeout only when the connection string does not set it).
   */
  readonly clientOptions?: MongoClientOptions;
}

/** A connected client, and whether closing it is our business. */
export interface ResolvedClient {
  /** The connected client. */
  readonly client: MongoClient;
  /** `true` when the client was created from a connection string here; `false` when the caller gave it. */
  readonly owned: boolean;
  /** Closes the client if it is {@link ResolvedClient.owned}; does nothing otherwise. Safe to call twice. */
  close(): Promise<void>;
  /** Same as {@link ResolvedClient.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Returns a connected client for a `MongoClient` or a connection string. A client created here is owned, and
 * closed by `close()`; a client given by the caller is only connected (a no-op when it already is) and never closed.
 *
 * @throws {@link MongoBackupConfigError} (`INVALID_OPTIONS`) when the connection string cannot be parsed.
 * @throws {@link ConnectionError} when the server cannot be reached or refuses the credentials. Neither its
 *   message nor its `cause` chain contains credentials: the cause is a scrubbed copy of the driver's error.
 *
 * @example
 * ```ts
 * import { resolveClient } from 'mongo-backup-service';
 * await using source = await resolveClient(process.env.MONGODB_URI ?? 'mongodb://localhost:27017');
 * const names = await source.client.db().admin().listDatabases({ nameOnly: true });
 * ```
 */
export async function resolveClient(
  clientOrUri: MongoClientLike | string,
  options: ResolveClientOptions = {},
): Promise<ResolvedClient> {
  if (typeof clientOrUri !== 'string') {
    const given = asDriverClient(clientOrUri);
    await connect(given, describeClient(clientOrUri), knownSecretsOf(clientOrUri));
    return resolved(given, false);
  }
  const client = createClient(clientOrUri, options.clientOptions);
  try {
    await connect(client, redactUri(clientOrUri), [clientOrUri]);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return resolved(client, true);
}

function createClient(uri: string, clientOptions: MongoClientOptions | undefined): MongoClient {
  try {
    const selection = /[?&]serverSelectionTimeoutMS=/i.test(uri)
      ? {}
      : { serverSelectionTimeoutMS: DEFAULT_SERVER_SELECTION_TIMEOUT_MS };
    return new MongoClient(uri, { appName: DEFAULT_APP_NAME, ...selection, ...clientOptions });
  } catch (error) {
    const reason = redactSecrets(error instanceof Error ? error.message : String(error), [uri]);
    const issue = `uri: expected a valid MongoDB connection string (${reason}), got ${describeUri(uri)}`;
    throw new MongoBackupConfigError(`Invalid connection string:\n  ${issue}`, [issue], {
      code: ErrorCode.INVALID_OPTIONS,
      cause: redactError(error, [uri]),
    });
  }
}

async function connect(client: MongoClient, target: string, knownSecrets: readonly string[]): Promise<void> {
  try {
    await client.connect();
  } catch (error) {
    const reason = redactSecrets(error instanceof Error ? error.message : String(error), knownSecrets);
    throw new ConnectionError(`Could not connect to ${target}: ${reason}${hintFor(error)}`, {
      cause: redactError(error, knownSecrets),
    });
  }
}

function hintFor(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (name === 'MongoServerSelectionError') {
    return ' (no server answered in time: is it running, and reachable from here? Check host, port, TLS and firewall)';
  }
  if (code === 18) return ' (the server refused the credentials: check user name, password and authSource)';
  return '';
}

function resolved(client: MongoClient, owned: boolean): ResolvedClient {
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (!owned) return Promise.resolve();
    closing ??= client.close();
    return closing;
  };
  return { client, owned, close, [Symbol.asyncDispose]: close };
}

/**
 * The host list of a client or connection string, as `host:port` entries joined by commas (the SRV name for a
 * `mongodb+srv://` string). Never contains credentials; empty when nothing can be told.
 *
 * @internal
 */
export function describeHosts(clientOrUri: MongoClientLike | string): string {
  if (typeof clientOrUri !== 'string') return describeClient(clientOrUri);
  return splitMongoUri(clientOrUri)?.hosts.join(',') ?? '';
}

function describeClient(client: MongoClientLike): string {
  return client.options.srvHost ?? client.options.hosts.map((host) => host.toString()).join(',');
}

/**
 * The secrets a caller-provided client holds, so that they can be scrubbed from its errors.
 *
 * @internal
 */
export function knownSecretsOf(client: MongoClientLike): string[] {
  const password = client.options.credentials?.password;
  return password === undefined || password === '' ? [] : [password];
}

/** A connection string as it may appear in an error message: redacted, and quoted. */
function describeUri(uri: string): string {
  return splitMongoUri(uri) === undefined
    ? JSON.stringify(redactSecrets(uri, []))
    : JSON.stringify(redactUri(uri));
}
