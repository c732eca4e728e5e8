import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { describe, expect, it } from 'vitest';

import { createAtomicFile, PARTIAL_SUFFIX } from '../../../src/storage/index.js';
import { ErrorCode, MongoBackupRuntimeError, MongoBackupUsageError } from '../../../src/errors.js';
import { tempDir } from './helpers.js';

const NAME = 'shop_dump_2026-11-21T23-10-54-123Z.gz';

describe('createAtomicFile', () => {
  it('writes to a .partial file and renames it on commit, with mode 0o600', async () => {
    const dir = await tempDir();
    const file = await createAtomicFile(dir, NAME);
    expect(file.path).toBe(path.join(dir, NAME));
    const partialName = path.basename(file.partialPath);
    expect(path.dirname(file.partialPath)).toBe(dir);
    expect(partialName).toMatch(
      new RegExp(`^\\.${NAME.replaceAll('.', '\\.')}\\${PARTIAL_SUFFIX}-[0-9a-f]{16}$`),
    );
    await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), file.stream);
    expect(await readdir(dir)).toEqual([partialName]);
    await file.commit();
    expect(await readdir(dir)).toEqual([NAME]);
    expect(await readFile(file.path, 'utf8')).toBe('hello world');
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    await file.discard();
    expect(await readdir(dir)).toEqual([NAME]);
  });

  it('ends a stream that was written to but not ended', async () => {
    const dir = await tempDir();
    const file = await createAtomicFile(dir, NAME);
    file.stream.write('partial write');
    await file.commit();
    expect(await readFile(file.path, 'utf8')).toBe('partial write');
  });

  it('leaves nothing behind on discard', async () => {
    const dir = await tempDir();
    const file = await createAtomicFile(dir, NAME);
    file.stream.write('half a dump');
    await file.discard();
    await file.discard();
    expect(await readdir(dir)).toEqual([]);
    await expect(file.commit()).rejects.toThrow(/already discarded/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('discards through await using', async () => {
    const dir = await tempDir();
    {
      const file = await createAtomicFile(dir, NAME);
      file.stream.write('x');
      await file[Symbol.asyncDispose]();
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes the partial file when the source stream fails, and commit then refuses', async () => {
    const dir = await tempDir();
    const file = await createAtomicFile(dir, NAME);
    const failing = new Readable({
      read() {
        this.push('some bytes');
        this.destroy(new Error('cursor died'));
      },
    });
    await expect(pipeline(failing, file.stream)).rejects.toThrow('cursor died');
    const error = await file.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MongoBackupRuntimeError);
    expect((error as MongoBackupRuntimeError).code).toBe(ErrorCode.DUMP_FAILED);
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes the partial file when the final rename fails', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, NAME, 'occupied'), { recursive: true });
    const file = await createAtomicFile(dir, NAME);
    file.stream.end('data');
    await expect(file.commit()).rejects.toMatchObject({ code: ErrorCode.DUMP_FAILED });
    expect(await readdir(dir)).toEqual([NAME]);
    expect(await readdir(path.join(dir, NAME))).toEqual(['occupied']);
  });

  it('creates a missing backup folder with mode 0o700', async () => {
    const base = await tempDir();
    const dir = path.join(base, 'backups', 'nested');
    const file = await createAtomicFile(dir, NAME);
    await file.commit();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual([NAME]);
  });

  it('refuses names outside the folder', async () => {
    const dir = await tempDir();
    await expect(createAtomicFile(dir, '../escape.gz')).rejects.toBeInstanceOf(MongoBackupUsageError);
  });

  it('never reuses or follows what sits at the old predictable .partial path (stale file, planted link)', async () => {
    const dir = await tempDir();
    const victim = path.join(await tempDir(), 'victim');
    await writeFile(victim, 'precious');
    await writeFile(path.join(dir, `${NAME}${PARTIAL_SUFFIX}`), 'stale partial of a killed run');
    await symlink(victim, path.join(dir, `.${NAME}${PARTIAL_SUFFIX}`));
    const file = await createAtomicFile(dir, NAME);
    await pipeline(Readable.from([Buffer.from('fresh')]), file.stream);
    await file.commit();
    expect(await readFile(path.join(dir, NAME), 'utf8')).toBe('fresh');
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await readFile(path.join(dir, `${NAME}${PARTIAL_SUFFIX}`), 'utf8')).toBe(
      'stale partial of a killed run',
    );
  });
});
