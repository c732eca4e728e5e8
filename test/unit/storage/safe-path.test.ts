import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { resolveInside } from '../../../src/storage/index.js';
import { ErrorCode, MongoBackupUsageError } from '../../../src/errors.js';
import { tempDir } from './helpers.js';

async function rejection(root: string, name: string): Promise<MongoBackupUsageError> {
  const error = await resolveInside(root, name).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${name} should be rejected`).toBeInstanceOf(MongoBackupUsageError);
  expect((error as MongoBackupUsageError).code).toBe(ErrorCode.PATH_OUTSIDE_ROOT);
  return error as MongoBackupUsageError;
}

describe('resolveInside', () => {
  it('resolves names inside the root, existing or not', async () => {
    const root = await tempDir();
    await expect(resolveInside(root, 'a.gz')).resolves.toBe(path.join(root, 'a.gz'));
    await expect(resolveInside(root, 'sub/dir/b.gz')).resolves.toBe(path.join(root, 'sub', 'dir', 'b.gz'));
    await expect(resolveInside(root, './c/../d.gz')).resolves.toBe(path.join(root, 'd.gz'));
    await expect(resolveInside(path.join(root, 'missing-root'), 'x.gz')).resolves.toBe(
      path.join(root, 'missing-root', 'x.gz'),
    );
  });

  it('rejects .. escapes, absolute paths, NUL bytes and the root itself', async () => {
    const root = await tempDir();
    expect((await rejection(root, '../outside.gz')).message).toContain('climbs out');
    await rejection(root, 'sub/../../outside.gz');
    await rejection(root, '..');
    expect((await rejection(root, '/etc/passwd')).message).toContain('absolute');
    await rejection(root, 'C:\\Windows\\x.gz');
    await rejection(root, '\\\\server\\share\\x.gz');
    expect((await rejection(root, 'a\0.gz')).message).toContain('NUL');
    await rejection(root, '');
    await rejection(root, '.');
    await rejection(root, 'sub/..');
  });

  it('rejects symbolic links that lead out of the root', async () => {
    const root = await tempDir();
    const outside = await tempDir();
    await writeFile(path.join(outside, 'secret.gz'), 'x');
    await symlink(outside, path.join(root, 'escape'));
    await symlink(path.join(outside, 'secret.gz'), path.join(root, 'link.gz'));
    await symlink(path.join(outside, 'missing.gz'), path.join(root, 'dangling.gz'));
    await symlink(path.join(outside, 'missing-dir'), path.join(root, 'dangling-dir'));

    expect((await rejection(root, 'escape/secret.gz')).message).toContain('symbolic link');
    await rejection(root, 'escape/new/deeper.gz');
    await rejection(root, 'link.gz');
    await rejection(root, 'dangling.gz');
    await rejection(root, 'dangling-dir/x.gz');
  });

  it('accepts symbolic links that stay inside, and a root that is itself a link', async () => {
    const base = await tempDir();
    const real = path.join(base, 'real');
    await mkdir(path.join(real, 'inner'), { recursive: true });
    await writeFile(path.join(real, 'inner', 'a.gz'), 'x');
    await symlink(path.join(real, 'inner'), path.join(real, 'alias'));
    await symlink(path.join(real, 'inner', 'a.gz'), path.join(real, 'a-link.gz'));
    const linkedRoot = path.join(base, 'root-link');
    await symlink(real, linkedRoot);

    await expect(resolveInside(real, 'alias/a.gz')).resolves.toBe(path.join(real, 'alias', 'a.gz'));
    await expect(resolveInside(real, 'a-link.gz')).resolves.toBe(path.join(real, 'a-link.gz'));
    await expect(resolveInside(linkedRoot, 'inner/a.gz')).resolves.toBe(
      path.join(linkedRoot, 'inner', 'a.gz'),
    );
  });
});
