/**
 * The Express app: admin endpoints for backups, behind a JWT that carries the admin role.
 *
 * | Method and path                        | Does                                              | Answers      |
 * | -------------------------------------- | ------------------------------------------------- | ------------ |
 * | `POST   /admin/backups`                | `service.backup()`, or `service.dump(body)`       | 201 + report |
 * | `GET    /admin/backups`                | `service.listBackups()`                           | 200 + list   |
 * | `POST   /admin/backups/:name/import`   | `service.restore({ from: <that backup>, ... })`   | 200 + report |
 * | `DELETE /admin/backups/:name`          | `service.removeBackup(name)`                      | 200 + backup |
 * | `POST   /admin/backups/clean`          | `service.cleanBackups(keep)`                      | 200 + list   |
 * | `GET    /admin/backups/connections`    | `service.checkConnections()`                      | 200 + status |
 */
import path from 'node:path';

import express, { type Express, type RequestHandler, type Router } from 'express';
import { redactSecrets, type ConnectionCheckResult, type MongoBackupService } from 'mongo-backup-service';

import { assertJwtSecret, requireAdmin } from './auth.js';
import { assertPlainName, findBackup } from './backup-names.js';
import { errorHandler, HttpError } from './http-error.js';
import { OperationLock } from './operation-lock.js';
import { parseBackupRequest, parseCleanRequest, parseImportRequest } from './request-bodies.js';

/** What the routes use of a {@link MongoBackupService}; pass the service itself (or a wrapper that adds metrics). */
export type BackupService = Pick<
  MongoBackupService,
  | 'config'
  | 'backup'
  | 'dump'
  | 'restore'
  | 'listBackups'
  | 'removeBackup'
  | 'cleanBackups'
  | 'checkConnections'
>;

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /** The service the routes drive. The app never closes it: that is the caller's job (see server.ts). */
  readonly service: BackupService;
  /** The HS256 secret admin tokens are signed with; at least 32 characters. */
  readonly jwtSecret: string;
  /** Where server-side failures are logged (redacted). Defaults to `console.error`. */
  readonly log?: (line: string) => void;
}

/** Builds the app, with the admin router at `/admin/backups`. It does not listen: call `app.listen()`. */
export function createApp(options: CreateAppOptions): Express {
  assertJwtSecret(options.jwtSecret);
  const app = express();
  app.disable('x-powered-by');
  app.use('/admin/backups', createBackupRouter(options));
  return app;
}

/** The admin router on its own, to mount wherever suits your app. */
export function createBackupRouter(options: CreateAppOptions): Router {
  const { service } = options;
  const knownUris = [service.config.sourceUri, service.config.targetUri].filter((uri) => uri !== undefined);
  const redact = (text: string): string => redactSecrets(text, knownUris);
  const lock = new OperationLock();
  const router = express.Router();

  router.use(noStore);
  // Authenticate before reading any body: anonymous requests cost nothing but a signature check.
  router.use(requireAdmin(options.jwtSecret));
  router.use(express.json({ limit: '16kb' }), requireJsonBody);

  router.post('/', async (req, res) => {
    const request = parseBackupRequest(req.body);
    const result = await lock.run('backup', async () =>
      request === undefined
        ? service.backup()
        : { dump: await service.dump(request), removedByRetention: [] },
    );
    const name = result.dump.path === undefined ? undefined : path.basename(result.dump.path);
    res.status(201).json({ name, ...result });
  });

  router.get('/', async (_req, res) => {
    res.json(await service.listBackups());
  });

  router.get('/connections', async (_req, res) => {
    const { source, target } = await service.checkConnections();
    res.json({ source: scrub(source, redact), ...(target ? { target: scrub(target, redact) } : {}) });
  });

  router.post('/clean', async (req, res) => {
    const { keep } = parseCleanRequest(req.body);
    res.json({ removed: await lock.run('clean', () => service.cleanBackups(keep)) });
  });

  router.post('/:name/import', async (req, res) => {
    const { into, ...restore } = parseImportRequest(req.body);
    const report = await lock.run('import', async () => {
      const backup = await findBackup(service, req.params['name'] ?? '');
      return service.restore({ ...restore, from: backup.path, into });
    });
    res.json(report);
  });

  router.delete('/:name', async (req, res) => {
    const name = req.params['name'] ?? '';
    assertPlainName(service.config.backupDir, name);
    res.json(await lock.run('delete', () => service.removeBackup(name)));
  });

  router.use((req, _res, next) => {
    next(new HttpError(404, 'NOT_FOUND', `No route ${req.method} ${req.baseUrl}${req.path}`));
  });
  router.use(errorHandler(redact, options.log ?? ((line) => console.error(line))));
  return router;
}

/** Admin answers describe live state: never cache them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** A body that is not JSON would be silently ignored by express.json(): refuse it instead. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasContent = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
  if (hasContent && !req.is('application/json')) {
    next(
      new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Expected a JSON body (Content-Type: application/json)'),
    );
    return;
  }
  if (nestingDepth(req.body, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    next(
      new HttpError(
        400,
        'INVALID_REQUEST',
        `Expected a JSON body nested at most ${MAX_BODY_DEPTH} levels deep`,
      ),
    );
    return;
  }
  next();
};

/** No admin body needs more; a deeper one (5,000 levels) would overflow the stack of whatever walks it. */
const MAX_BODY_DEPTH = 8;

/** The nesting depth of a parsed JSON value, counted without recursion and stopping past `limit`. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** A connection check with every string field scrubbed once more (the library redacts already). */
function scrub(result: ConnectionCheckResult, redact: (text: string) => string): ConnectionCheckResult {
  return {
    ...result,
    host: redact(result.host),
    ...(result.error === undefined ? {} : { error: redact(result.error) }),
  };
}
