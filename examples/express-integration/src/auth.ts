/**
 * Bearer-token authentication for the admin routes: an HS256 JWT that carries the admin role.
 */
import type { RequestHandler } from 'express';
import jwt from 'jsonwebtoken';

import { HttpError } from './http-error.js';

/** The only algorithm accepted. Pinning it rules out `alg: none` and RS/HS confusion attacks. */
export const JWT_ALGORITHM = 'HS256';

/** Shortest shared secret accepted: 32 characters, i.e. at least 256 bits for a random ASCII secret. */
export const MIN_JWT_SECRET_LENGTH = 32;

/** Longest token lifetime accepted (`exp` - `iat`, or `exp` - now without `iat`): one day. */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/** Clock difference tolerated between the signer and this server for `iat`. */
export const CLOCK_SKEW_SECONDS = 60;

/** The role a token must carry, as `role: 'admin'` or inside `roles: [...]`. */
export const ADMIN_ROLE = 'admin';

/** Throws a `TypeError` unless `secret` is long enough to sign admin tokens with. */
export function assertJwtSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== 'string' || secret.length < MIN_JWT_SECRET_LENGTH) {
    throw new TypeError(
      `Expected a JWT secret of at least ${MIN_JWT_SECRET_LENGTH} characters, got ` +
        (typeof secret === 'string' ? `${secret.length} characters` : typeof secret) +
        ' (generate one with: openssl rand -base64 48)',
    );
  }
}

/** Whether the verified claims grant the admin role. */
export function hasAdminRole(claims: unknown): boolean {
  if (typeof claims !== 'object' || claims === null) return false;
  const { role, roles } = claims as { role?: unknown; roles?: unknown };
  return role === ADMIN_ROLE || (Array.isArray(roles) && roles.includes(ADMIN_ROLE));
}

/**
 * Middleware that lets a request through only with `Authorization: Bearer <jwt>` where the JWT is signed with
 * `secret` (HS256), has not expired, carries an `exp` claim, and grants the admin role. 401 otherwise (403 for a
 * valid token without the role). The verified claims are left in `res.locals.claims`.
 */
export function requireAdmin(secret: string): RequestHandler {
  assertJwtSecret(secret);
  return (req, res, next) => {
    // A refused request's body is never read: the connection closes after the 401/403 instead of draining it.
    const refuse = (error: HttpError): void => {
      if (req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0) {
        res.set('Connection', 'close');
      }
      next(error);
    };
    const match = /^Bearer +(\S+)$/i.exec(req.get('authorization') ?? '');
    if (match?.[1] === undefined) {
      refuse(unauthorized('Expected an "Authorization: Bearer <token>" header', false));
      return;
    }
    let claims: unknown;
    try {
      claims = jwt.verify(match[1], secret, { algorithms: [JWT_ALGORITHM] });
    } catch (error) {
      refuse(
        unauthorized(
          error instanceof jwt.TokenExpiredError ? 'The token has expired' : 'The token is invalid',
        ),
      );
      return;
    }
    const { exp, iat } = claims as { exp?: unknown; iat?: unknown };
    if (typeof exp !== 'number') {
      refuse(unauthorized('The token must expire: sign it with an "exp" claim (expiresIn)'));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    if (iat !== undefined && (typeof iat !== 'number' || iat > now + CLOCK_SKEW_SECONDS)) {
      refuse(unauthorized('The token is issued in the future ("iat")'));
      return;
    }
    if (exp - (typeof iat === 'number' ? iat : now) > MAX_TOKEN_LIFETIME_SECONDS) {
      refuse(
        unauthorized(
          `The token lives too long: at most ${MAX_TOKEN_LIFETIME_SECONDS} seconds from "iat" to "exp"`,
        ),
      );
      return;
    }
    if (!hasAdminRole(claims)) {
      refuse(new HttpError(403, 'FORBIDDEN', `The token does not grant the "${ADMIN_ROLE}" role`));
      return;
    }
    res.locals['claims'] = claims;
    next();
  };
}

/** Signs a short-lived admin token, as a client of these routes would. `expiresIn` is in seconds. */
export function signAdminToken(
  secret: string,
  options: { expiresIn?: number; subject?: string } = {},
): string {
  assertJwtSecret(secret);
  return jwt.sign({ role: ADMIN_ROLE }, secret, {
    algorithm: JWT_ALGORITHM,
    expiresIn: options.expiresIn ?? 300,
    subject: options.subject ?? 'backup-admin',
  });
}

function unauthorized(message: string, tokenGiven = true): HttpError {
  const challenge = tokenGiven ? 'Bearer realm="admin", error="invalid_token"' : 'Bearer realm="admin"';
  return new HttpError(401, 'UNAUTHORIZED', message, { 'WWW-Authenticate': challenge });
}
