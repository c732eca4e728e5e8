/**
 * Credential redaction: connection strings, free text (error messages, log lines) and whole error chains.
 *
 * Redaction errs on the side of hiding too much: when a string is malformed and the end of its credentials is
 * ambiguous, everything that could be a credential is replaced.
 *
 * @packageDocumentation
 */
import { decodeCredential, splitMongoUri } from './uri.js';
import type { MongoUriParts } from './uri.js';

/** What replaces a user name, a password or a secret option value. */
export const REDACTED = '***';

/** What {@link redactUri} returns for a string that is not a `mongodb://` or `mongodb+srv://` connection string. */
export const UNPARSEABLE_URI_PLACEHOLDER = '<redacted: not a mongodb:// or mongodb+srv:// connection string>';

/** Query options whose value is a secret (`tlsCertificateKeyFilePassword`, AWS session tokens...). */
const SECRET_OPTION = /password|secret|token|authmechanismproperties/i;
const MONGO_URI_IN_TEXT = /mongodb(?:\+srv)?:\/\/[^\s"'`<>]+/gi;
const OTHER_SCHEME_USERINFO =
  /(?<![\w+.-])(?!mongodb(?:\+srv)?:\/\/)([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'`<>]+@/gi;
const BARE_USERINFO = /(^|[\s"'`(<[=,;])[^\s:@/"'`<>]+:(?!\/)[^\s@"'`<>]+@(?=[^\s@])/g;
const SECRET_ASSIGNMENT =
  /\b(\w*(?:password|passwd|pwd|secret|token)\w*)(["']?\s*[:=]\s*["']?)([^\s"'&,;}]+)/gi;
const MAX_CAUSE_DEPTH = 8;

/**
 * Returns the connection string with its user name and password replaced by `***`, and the values of secret
 * options (`...Password`, `authMechanismProperties`...) replaced too. Hosts, database and other options are kept.
 * A string that is not a `mongodb://` or `mongodb+srv://` connection string yields
 * {@link UNPARSEABLE_URI_PLACEHOLDER}, since nothing can be said about where its secrets are.
 *
 * @example
 * ```ts
 * import { redactUri } from 'mongo-backup-service';
 * redactUri('mongodb+srv://app:s3cr%40t@cluster0.example.net/shop?retryWrites=true');
 * // 'mongodb+srv://***:***@cluster0.example.net/shop?retryWrites=true'
 * ```
 */
export function redactUri(uri: string): string {
  const parts = splitMongoUri(uri);
  return parts === undefined ? UNPARSEABLE_URI_PLACEHOLDER : formatRedacted(parts);
}

function formatRedacted(parts: MongoUriParts): string {
  const credentials =
    parts.username === undefined
      ? ''
      : parts.password === undefined
        ? `${REDACTED}@`
        : `${REDACTED}:${REDACTED}@`;
  return `${parts.scheme}://${credentials}${parts.hosts.join(',')}${redactQuery(parts.tail)}`;
}

function redactQuery(tail: string): string {
  const queryStart = tail.indexOf('?');
  if (queryStart === -1) return tail;
  const fragmentStart = tail.indexOf('#', queryStart);
  const queryEnd = fragmentStart === -1 ? tail.length : fragmentStart;
  const options = tail
    .slice(queryStart + 1, queryEnd)
    .split('&')
    .map((option) => {
      const equals = option.indexOf('=');
      if (equals === -1) return option;
      const key = decodeCredential(option.slice(0, equals));
      return SECRET_OPTION.test(key) ? `${option.slice(0, equals)}=${REDACTED}` : option;
    });
  return `${tail.slice(0, queryStart + 1)}${options.join('&')}${tail.slice(queryEnd)}`;
}

/** The literal secrets a known connection string (or a bare secret) stands for, longest first. */
function secretsOf(known: string): string[] {
  const parts = splitMongoUri(known);
  if (parts === undefined) return [known];
  const secrets = new Set<string>();
  if (parts.password !== undefined) {
    secrets.add(parts.password);
    secrets.add(decodeCredential(parts.password));
  }
  for (const option of redactableOptionValues(parts.tail)) {
    secrets.add(option);
    secrets.add(decodeCredential(option));
  }
  secrets.delete('');
  return [...secrets].sort((a, b) => b.length - a.length);
}

function redactableOptionValues(tail: string): string[] {
  const queryStart = tail.indexOf('?');
  if (queryStart === -1) return [];
  return tail
    .slice(queryStart + 1)
    .split(/[&#]/)
    .flatMap((option) => {
      const equals = option.indexOf('=');
      if (equals === -1 || !SECRET_OPTION.test(decodeCredential(option.slice(0, equals)))) return [];
      return [option.slice(equals + 1)];
    });
}

/**
 * Scrubs credentials from free text such as an error message or a log line:
 * - every occurrence of a `knownUris` entry is replaced by its {@link redactUri} form, and its password (raw and
 *   percent-decoded) and secret option values are replaced by `***` wherever they appear;
 * - an entry that is not a connection string is treated as a literal secret and replaced wherever it appears;
 * - any other `mongodb://` or `mongodb+srv://` string in the text is redacted with {@link redactUri};
 * - generic `scheme://user:pass@` and `user:pass@host` patterns lose their credentials, and so do assignments to
 *   names that contain `password`, `pwd`, `secret` or `token` (`password=...`, `"apiToken": "..."`).
 *
 * @param text - The text to scrub.
 * @param knownUris - Connection strings (or bare secrets) known to be in use; their secrets are scrubbed even
 *   where they appear out of context. Defaults to none.
 * @returns The text with every credential replaced by `***`.
 *
 * @example
 * ```ts
 * import { redactSecrets } from 'mongo-backup-service';
 * redactSecrets('auth failed for mongodb://app:hunter2@db:27017 (hunter2)', [process.env.MONGODB_URI ?? '']);
 * // 'auth failed for mongodb://***:***@db:27017 (***)' when MONGODB_URI holds that password
 * ```
 */
export function redactSecrets(text: string, knownUris: readonly string[] = []): string {
  let result = text;
  for (const known of knownUris) {
    if (known === '') continue;
    const replacement = splitMongoUri(known) === undefined ? REDACTED : redactUri(known);
    result = result.split(known).join(replacement);
  }
  result = result
    .replace(MONGO_URI_IN_TEXT, (uri) => redactUri(uri))
    .replace(OTHER_SCHEME_USERINFO, `$1${REDACTED}@`)
    .replace(BARE_USERINFO, `$1${REDACTED}:${REDACTED}@`)
    .replace(SECRET_ASSIGNMENT, `$1$2${REDACTED}`);
  for (const secret of knownUris.flatMap(secretsOf)) {
    result = result.split(secret).join(REDACTED);
  }
  return result;
}

/**
 * Returns a copy of an error, and of its `cause` chain, whose messages and stacks went through
 * {@link redactSecrets}. The copy keeps the original `name` and any primitive `code` / `codeName`, but is a plain
 * `Error`: nothing else of the original (which may hold a client, options or a connection string) is carried over.
 *
 * @param error - Anything that was thrown.
 * @param knownUris - As for {@link redactSecrets}.
 *
 * @example
 * ```ts
 * import { redactError } from 'mongo-backup-service';
 * try { await client.connect(); }
 * catch (e) { throw new Error('connect failed', { cause: redactError(e, [uri]) }); }
 * ```
 */
export function redactError(error: unknown, knownUris: readonly string[] = []): Error {
  return redactErrorAt(error, knownUris, 0);
}

function redactErrorAt(error: unknown, knownUris: readonly string[], depth: number): Error {
  if (!(error instanceof Error)) return new Error(redactSecrets(String(error), knownUris));
  const cause: unknown = error.cause;
  const copy =
    cause === undefined || depth >= MAX_CAUSE_DEPTH
      ? new Error(redactSecrets(error.message, knownUris))
      : new Error(redactSecrets(error.message, knownUris), {
          cause: redactErrorAt(cause, knownUris, depth + 1),
        });
  Object.defineProperty(copy, 'name', { value: error.name, configurable: true, writable: true });
  if (error.stack !== undefined) copy.stack = redactSecrets(error.stack, knownUris);
  for (const key of ['code', 'codeName'] as const) {
    const value: unknown = (error as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'number') {
      Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
    }
  }
  return copy;
}
