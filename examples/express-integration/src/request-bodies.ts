/**
 * Validation of the JSON bodies the admin routes accept. Small and strict: unknown fields are refused, so that a
 * typo (`"dropp": true`) is an error rather than silently ignored.
 */
import { HttpError } from './http-error.js';

/** Body of `POST /admin/backups`. Empty for a full backup run; any field turns it into a one-off dump. */
export interface BackupRequest {
  /** Databases to dump instead of the configured ones. */
  readonly databases?: string[];
  /** Whether the archive is gzipped. */
  readonly gzip?: boolean;
}

/** Body of `POST /admin/backups/:name/import`. */
export interface ImportRequest {
  /** The cluster to restore into. Defaults to `target`. */
  readonly into: 'target' | 'source';
  /** Drop each target collection before restoring it. */
  readonly drop?: boolean;
  /** Rename patterns, pairwise (`shop.*` to `shop_copy.*`). */
  readonly nsFrom?: string[];
  readonly nsTo?: string[];
}

/** Body of `POST /admin/backups/clean`. */
export interface CleanRequest {
  /** How many backups to keep per database; absent for the configured retention. */
  readonly keep?: number;
}

const MAX_LIST = 64;
/** What MongoDB forbids in database names (and what keeps them safe as file names). */
const BAD_DATABASE_NAME = /[/\\. "$*<>:|?\0]/;

/** `undefined` for a full backup run (no field given), the one-off dump's options otherwise. */
export function parseBackupRequest(body: unknown): BackupRequest | undefined {
  const fields = objectBody(body, ['databases', 'gzip']);
  if (Object.keys(fields).length === 0) return undefined;
  const databases = optionalStrings(fields, 'databases');
  for (const name of databases ?? []) {
    if (BAD_DATABASE_NAME.test(name) || Buffer.byteLength(name) > 63) {
      throw invalid(`Expected "databases" to hold database names, got ${JSON.stringify(name)}`);
    }
  }
  const gzip = optionalBoolean(fields, 'gzip');
  return { ...(databases ? { databases } : {}), ...(gzip === undefined ? {} : { gzip }) };
}

/** The import options; `into` defaults to `target`. */
export function parseImportRequest(body: unknown): ImportRequest {
  const fields = objectBody(body, ['into', 'drop', 'nsFrom', 'nsTo']);
  const into = fields['into'] ?? 'target';
  if (into !== 'target' && into !== 'source') {
    throw invalid(`Expected "into" to be "target" or "source", got ${JSON.stringify(into)}`);
  }
  const nsFrom = optionalStrings(fields, 'nsFrom', true);
  const nsTo = optionalStrings(fields, 'nsTo', true);
  if (nsFrom?.length !== nsTo?.length) {
    throw invalid('Expected "nsFrom" and "nsTo" together, with as many patterns each');
  }
  const drop = optionalBoolean(fields, 'drop');
  return { into, ...(drop === undefined ? {} : { drop }), ...(nsFrom && nsTo ? { nsFrom, nsTo } : {}) };
}

/** The retention to apply; `keep` must be an integer of at least 1 when given. */
export function parseCleanRequest(body: unknown): CleanRequest {
  const { keep } = objectBody(body, ['keep']);
  if (keep === undefined) return {};
  if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 1) {
    throw invalid(`Expected "keep" to be an integer of at least 1, got ${JSON.stringify(keep)}`);
  }
  return { keep };
}

/** The body as a record of known fields; no body at all counts as `{}`. */
function objectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('Expected a JSON object as the body');
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw invalid(
      `Unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${allowed.join(', ')}`,
    );
  }
  return body as Record<string, unknown>;
}

/** A non-empty array of non-empty strings (a single string too when `single` is allowed), or `undefined`. */
function optionalStrings(fields: Record<string, unknown>, key: string, single = false): string[] | undefined {
  const value = fields[key];
  if (value === undefined) return undefined;
  const list = single && typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.length > MAX_LIST ||
    !list.every((item) => typeof item === 'string' && item !== '' && item.length <= 256)
  ) {
    throw invalid(
      `Expected "${key}" to be a list of 1 to ${MAX_LIST} non-empty strings, got ${JSON.stringify(value)}`,
    );
  }
  return list as string[];
}

function optionalBoolean(fields: Record<string, unknown>, key: string): boolean | undefined {
  const value = fields[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalid(`Expected "${key}" to be true or false, got ${JSON.stringify(value)}`);
}

function invalid(message: string): HttpError {
  return new HttpError(400, 'INVALID_REQUEST', message);
}
