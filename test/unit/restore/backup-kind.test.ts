import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ErrorCode, MongoBackupRuntimeError } from '../../../src/errors.js';
import { backupPathKind } from '../../../src/restore/backup-kind.js';

describe('backupPathKind: an unreadable backup', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mbs-kind-'));
  });
  afterAll(async () => {
    await chmod(path.join(dir, 'locked'), 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('is a runtime STORAGE_FAILED error naming the file, not a plain EACCES', async (ctx) => {
    if (process.getuid?.() === 0) ctx.skip('running as root: permissions do not stop reading');
    if (process.platform === 'win32') ctx.skip('POSIX permissions');
    const file = path.join(dir, 'shop.archive');
    await writeFile(file, 'x');
    await chmod(file, 0o000);
    const folder = path.join(dir, 'locked');
    await mkdir(folder);
    await chmod(folder, 0o000);
    for (const target of [file, folder]) {
      const error = await backupPathKind(target, 'missing').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MongoBackupRuntimeError);
      expect(error).toMatchObject({
        code: ErrorCode.STORAGE_FAILED,
        message: expect.stringContaining(target),
      });
    }
  });
});
