/**
 * Connections: accepting a `MongoClient` or a connection string, health checks, and credential redaction.
 *
 * @packageDocumentation
 */
export { checkConnection, DEFAULT_CHECK_TIMEOUT_MS } from './check.js';
export type { CheckConnectionOptions, ConnectionCheckResult } from './check.js';
export { DEFAULT_APP_NAME, DEFAULT_SERVER_SELECTION_TIMEOUT_MS, resolveClient } from './client.js';
export type { ResolveClientOptions, ResolvedClient } from './client.js';
export { REDACTED, redactError, redactSecrets, redactUri, UNPARSEABLE_URI_PLACEHOLDER } from './redact.js';
