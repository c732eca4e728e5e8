/**
 * Errors as HTTP answers: every failure becomes `{ error: { code, message } }` with a status chosen from the error's
 * class. Misuse (a bad name, a bad body) is the caller's to fix and is explained; anything else is a 500 whose
 * message is generic, so that no server detail, stack trace or credential ever reaches the client.
 */
import type { ErrorRequestHandler } from 'express';
import { AbortError, ErrorCode, MongoBackupError, MongoBackupUsageError } from 'mongo-backup-service';

/** An error whose status, code and message are safe to send as they are. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** Status codes of the library's usage errors that are not a plain 400. */
const USAGE_STATUS: Readonly<Partial<Record<string, number>>> = { [ErrorCode.BACKUP_NOT_FOUND]: 404 };

/**
 * Maps anything thrown to the answer to send. `redact` scrubs credentials from the messages that are passed on
 * (library messages are redacted already; this is a second line of defence).
 */
export function toHttpError(error: unknown, redact: (text: string) => string): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof MongoBackupUsageError) {
    return new HttpError(USAGE_STATUS[error.code] ?? 400, error.code, redact(error.message));
  }
  if (error instanceof AbortError) {
    return new HttpError(503, error.code, 'The operation was aborted (the server is shutting down?)');
  }
  if (error instanceof MongoBackupError) {
    return new HttpError(
      500,
      error.code,
      `The operation failed (${error.code}); the server log has the details`,
    );
  }
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Thrown by express.json() (malformed JSON, body too large) or by the router (malformed %-encoding).
    const exposed = (error as { expose?: unknown }).expose === true && error instanceof Error;
    const code =
      status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
    return new HttpError(status, code, exposed ? redact(error.message) : 'Bad request');
  }
  return new HttpError(500, 'INTERNAL_ERROR', 'Internal error; the server log has the details');
}

/**
 * The error-handling middleware: logs server-side failures (redacted, with the stack) through `log` and answers
 * with the body `shape` makes of the error (by default the JSON error body).
 */
export function errorHandler(
  redact: (text: string) => string,
  log: (line: string) => void,
  shape: (answer: HttpError) => unknown = (answer): ErrorBody => ({
    error: { code: answer.code, message: answer.message },
  }),
): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const answer = toHttpError(error, redact);
    if (answer.status >= 500) {
      const detail =
        error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
      log(`${req.method} ${req.originalUrl} failed: ${redact(detail)}`);
    }
    res.status(answer.status).set(answer.headers).json(shape(answer));
  };
}
