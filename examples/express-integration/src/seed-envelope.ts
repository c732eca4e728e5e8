/**
 * The answer shape of the two systems this example stands in for (see docs/migration.md at the repository root):
 * `{ success: true, message?, data }` on success, `{ success: false, message, code }` on failure. Failures keep
 * the statuses and codes of the admin API (src/http-error.ts): no HTML, no stack trace, no credential.
 */
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';

import { noStore, requireJsonBody } from './app.js';
import { requireAdmin } from './auth.js';
import { errorHandler, HttpError } from './http-error.js';

/** A successful answer. */
export interface SeedSuccess<T> {
  readonly success: true;
  readonly message?: string;
  readonly data: T;
}

/** A failed answer: `code` is the library's or the app's error code (`UNAUTHORIZED`, `BACKUP_NOT_FOUND`...). */
export interface SeedFailure {
  readonly success: false;
  readonly message: string;
  readonly code: string;
}

/** Builds a success envelope; `message` is left out when not given, as in the seeds' status answers. */
export function seedSuccess<T>(data: T, message?: string): SeedSuccess<T> {
  return message === undefined ? { success: true, data } : { success: true, message, data };
}

/** What every seed router needs to start and finish. */
export interface SeedRouterBase {
  /** The HS256 secret admin tokens are signed with. */
  readonly jwtSecret: string;
  /** Scrubs credentials from messages passed on. */
  readonly redact: (text: string) => string;
  /** Where server-side failures are logged. */
  readonly log: (line: string) => void;
}

/**
 * A router with the seeds' preamble: no caching, authentication before any body is read, JSON bodies of at most
 * 16 KiB. Add routes, then call {@link finishSeedRouter}.
 */
export function startSeedRouter(options: SeedRouterBase): Router {
  const router = express.Router();
  router.use(noStore);
  router.use(requireAdmin(options.jwtSecret));
  router.use(express.json({ limit: '16kb' }), requireJsonBody);
  return router;
}

/** Ends a seed router: unknown routes are a 404 envelope, and every error becomes a failure envelope. */
export function finishSeedRouter(router: Router, options: SeedRouterBase): Router {
  router.use(seedNotFound);
  router.use(seedErrorHandler(options.redact, options.log));
  return router;
}

/** A 404 failure envelope for a route nobody serves. */
export const seedNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `No route ${req.method} ${req.baseUrl}${req.path}`));
};

/**
 * Errors as failure envelopes, with the status `toHttpError` gives them. Server-side failures (5xx) are logged with
 * their details (redacted) and answered with a generic message.
 */
export function seedErrorHandler(
  redact: (text: string) => string,
  log: (line: string) => void,
): ErrorRequestHandler {
  return errorHandler(redact, log, (answer): SeedFailure => ({
    success: false,
    message: answer.message,
    code: answer.code,
  }));
}
