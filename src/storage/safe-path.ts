/**
 * Confinement of user-supplied names to a root folder (the backup folder).
 *
 * @packageDocumentation
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

import { ErrorCode, MongoBackupUsageError } from '../errors.js';

/**
 * Resolves `relativeName` inside `root` and returns its absolute path, or throws when the result could lie outside
 * `root`. Rejected: an empty name or one that names `root` itself, NUL bytes, absolute paths (POSIX or Windows
 * style), `..` escapes, and symbolic links that lead out of `root`: the real path of the nearest existing parent
 * must stay inside the real path of `root`, and so must the entry itself when it is a symbolic link (a dangling
 * link is rejected). `root` need not exist yet.
 *
 * The check is made when called: a folder that an attacker can write to concurrently can still race it, so the
 * backup folder should be writable only by the service (it is created with mode `0o700`).
 *
 * @param root - The folder to stay in; relative paths resolve against `process.cwd()`.
 * @param relativeName - A name relative to `root`, such as a backup name; may contain sub-folders.
 * @returns The absolute path, under `path.resolve(root)` (not under its real path).
 * @throws {@link MongoBackupUsageError} with code `PATH_OUTSIDE_ROOT`.
 *
 * @example
 * ```ts
 * import { resolveInside } from 'mongo-backup-service';
 * await resolveInside('./backups', 'shop_dump_2026-11-21T23-10-54-123Z.gz'); // '/srv/app/backups/shop_dump_...gz'
 * await resolveInside('./backups', '../etc/passwd'); // throws PATH_OUTSIDE_ROOT
 * ```
 */
export async function resolveInside(root: string, relativeName: string): Promise<string> {
  const reject = (why: string): never => {
    throw new MongoBackupUsageError(
      ErrorCode.PATH_OUTSIDE_ROOT,
      `Expected a name inside ${JSON.stringify(root)}, got ${JSON.stringify(relativeName)}: ${why}`,
    );
  };
  if (relativeName.includes('\0')) reject('it contains a NUL byte');
  if (path.isAbsolute(relativeName) || path.win32.isAbsolute(relativeName)) reject('it is an absolute path');

  const absoluteRoot = path.resolve(root);
  const target = path.resolve(absoluteRoot, relativeName);
  const lexical = path.relative(absoluteRoot, target);
  if (lexical === '') reject('it names the folder itself');
  if (isOutside(lexical)) reject('it climbs out of the folder with ..');

  const realRoot = await realpathOrUndefined(absoluteRoot);
  if (realRoot === undefined) return target;

  const parent = await nearestExistingRealpath(path.dirname(target));
  if (parent === undefined) reject('a dangling symbolic link is on the way');
  else if (isOutside(path.relative(realRoot, parent))) reject('a symbolic link leads out of the folder');

  const entry = await lstat(target).catch(() => undefined);
  if (entry?.isSymbolicLink() === true) {
    const linked = await realpathOrUndefined(target);
    if (linked === undefined) reject('it is a dangling symbolic link');
    else if (isOutside(path.relative(realRoot, linked)))
      reject('it is a symbolic link that leads out of the folder');
  }
  return target;
}

function isOutside(relative: string): boolean {
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

async function realpathOrUndefined(target: string): Promise<string | undefined> {
  try {
    return await realpath(target);
  } catch {
    return undefined;
  }
}

/** The real path of `start` or of its nearest existing ancestor; `undefined` when a dangling link is met. */
async function nearestExistingRealpath(start: string): Promise<string | undefined> {
  let current = start;
  for (;;) {
    const real = await realpathOrUndefined(current);
    if (real !== undefined) return real;
    if ((await lstat(current).catch(() => undefined)) !== undefined) return undefined;
    const parent = path.dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}
