/**
 * Validation of the JSON bodies of the seed routes (docs/migration.md): the seeds' field names, strictly (unknown
 * fields are refused, so that a typo is an error rather than ignored).
 */
import { HttpError } from './http-error.js';

/** Body of `POST /api/backups/import`. */
export interface SeedImportRequest {
  /** The backup: `./backups/<name>` as `GET /api/backups/status` shows it, or the bare name. */
  readonly backupPath: string;
  /** The database to restore into; absent to keep the backed-up name. */
  readonly databaseName?: string;
}

/** Body of `POST /api/backups/clean`. */
export interface SeedCleanRequest {
  /** How many of the newest backups to keep; absent for the configured retention. */
  readonly keepCount?: number;
}

/** What MongoDB forbids in database names (and what keeps them safe in namespace patterns). */
const BAD_DATABASE_NAME = /[/\\. "$*<>:|?\0]/;
const MAX_PATH_LENGTH = 4096;

/** Refuses any field: for routes whose seed takes no body (`{}` and no body at all are fine). */
export function parseEmptyBody(body: unknown): void {
  objectBody(body, []);
}

/** `{ backupPath, databaseName? }`. */
export function parseSeedImportRequest(body: unknown): SeedImportRequest {
  const { backupPath, databaseName } = objectBody(body, ['backupPath', 'databaseName']);
  if (typeof backupPath !== 'string' || backupPath === '' || backupPath.length > MAX_PATH_LENGTH) {
    throw invalid(
      `Expected "backupPath" to be the path of a backup, got ${JSON.stringify(backupPath) ?? 'nothing'}`,
    );
  }
  if (databaseName === undefined) return { backupPath };
  if (
    typeof databaseName !== 'string' ||
    databaseName === '' ||
    BAD_DATABASE_NAME.test(databaseName) ||
    Buffer.byteLength(databaseName) > 63
  ) {
    throw invalid(`Expected "databaseName" to be a database name, got ${JSON.stringify(databaseName)}`);
  }
  return { backupPath, databaseName };
}

/** `{ keepCount? }`, an integer of at least 1 when given. */
export function parseSeedCleanRequest(body: unknown): SeedCleanRequest {
  const { keepCount } = objectBody(body, ['keepCount']);
  if (keepCount === undefined) return {};
  if (typeof keepCount !== 'number' || !Number.isInteger(keepCount) || keepCount < 1) {
    throw invalid(`Expected "keepCount" to be an integer of at least 1, got ${JSON.stringify(keepCount)}`);
  }
  return { keepCount };
}

function objectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('Expected a JSON object as the body');
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => JSON.stringify(key)).join(', ');
    throw invalid(`Unknown field(s) ${names}; allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`);
  }
  return body as Record<string, unknown>;
}

function invalid(message: string): HttpError {
  return new HttpError(400, 'INVALID_REQUEST', message);
}
