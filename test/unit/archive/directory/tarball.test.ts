import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  createDirectoryWriter,
  extractTarGz,
  packDirectoryToTarGz,
  readDirectoryDump,
} from '../../../../src/archive/directory/index.js';
import { formatMetadataJson } from '../../../../src/archive/metadata-json.js';
import { AbortError, ArchiveError, ErrorCode } from '../../../../src/errors.js';
import { fixture } from '../../../support/paths.js';
import { bson, collectEvents, tempDir } from './helpers.js';

type EntrySpec = Parameters<tar.Pack['entry']>[0] & { body?: string };

/** A .tar.gz made by hand, to hold entries our packer would never write. */
async function handMadeTarGz(entries: readonly EntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { body, ...header } of entries) pack.entry(header, body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

async function listTree(root: string, prefix = ''): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(path.join(root, prefix), { withFileTypes: true })) {
    const relative = path.posix.join(prefix, entry.name);
    names.push(entry.isDirectory() ? `${relative}/` : relative);
    if (entry.isDirectory()) names.push(...(await listTree(root, relative)));
  }
  return names.sort();
}

describe('packDirectoryToTarGz / extractTarGz', () => {
  it('round-trips a written dump: same files, same bytes, same events', async () => {
    const source = await tempDir();
    const writer = createDirectoryWriter({ dir: source, gzip: true, serverVersion: '7.0.16' });
    for (const collection of ['a', 'b c', 'x'.repeat(300)]) {
      const metadata = formatMetadataJson({ options: new Map(), indexes: [], collectionName: collection });
      const namespace = await writer.namespace('db', collection, metadata);
      for (let index = 0; index < 100; index += 1) await namespace.write(bson({ index, collection }));
      await namespace.end();
    }
    await writer.writeMetadataOnly('db', 'view', '{"options":{"viewOn":"a","pipeline":[]},"indexes":[]}');
    await writer.namespace('db', 'empty', '{"indexes":[]}').then((namespace) => namespace.end());
    await writer.close();

    const work = await tempDir();
    const tarball = path.join(work, 'dump.tar.gz');
    const packed = await packDirectoryToTarGz(source, tarball, { level: 9 });
    expect(packed.files).toBe(10);
    expect((await stat(tarball)).mode & 0o777).toBe(0o600);

    const target = path.join(work, 'restored');
    const extracted = await extractTarGz(tarball, target);
    expect(extracted).toEqual(packed);
    const files = await listTree(source);
    expect(await listTree(target)).toEqual(files);
    for (const file of files.filter((name) => !name.endsWith('/'))) {
      expect(
        (await readFile(path.join(target, file))).equals(await readFile(path.join(source, file))),
        file,
      ).toBe(true);
      expect((await stat(path.join(target, file))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(path.join(target, 'db'))).mode & 0o777).toBe(0o700);
    expect(await collectEvents(readDirectoryDump(target))).toEqual(
      await collectEvents(readDirectoryDump(source)),
    );
  });

  it('packs a real dump into a stream and extracts it from a stream', async () => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    await packDirectoryToTarGz(fixture('real-dirs/timeseries_tests/ts_dump_with_oplog'), output);
    const input = new PassThrough();
    input.end(Buffer.concat(chunks));
    const target = await tempDir();
    await extractTarGz(input, target);
    expect(await collectEvents(readDirectoryDump(target))).toEqual(
      await collectEvents(readDirectoryDump(fixture('real-dirs/timeseries_tests/ts_dump_with_oplog'))),
    );
  });

  it('refuses to pack symbolic links', async () => {
    const source = await tempDir();
    await mkdir(path.join(source, 'db'));
    await symlink('/etc/passwd', path.join(source, 'db', 'c.bson'));
    await expect(packDirectoryToTarGz(source, path.join(await tempDir(), 'x.tar.gz'))).rejects.toMatchObject({
      code: ErrorCode.DIRECTORY_DUMP_INVALID,
    });
  });

  it('reports an output it cannot write', async () => {
    const missing = path.join(await tempDir(), 'no', 'such', 'folder', 'x.tar.gz');
    await expect(packDirectoryToTarGz(fixture('real-dirs/oplogdump'), missing)).rejects.toMatchObject({
      code: ErrorCode.DUMP_FAILED,
      message: expect.stringMatching(/Cannot pack .*x\.tar\.gz: ENOENT/) as unknown,
    });
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const promise = packDirectoryToTarGz(fixture('real-dirs/oplogdump'), new PassThrough(), {
      signal: controller.signal,
    });
    await expect(promise).rejects.toBeInstanceOf(AbortError);
  });
});

type Hostile = [description: string, entries: EntrySpec[], code: string, message: RegExp];

const hostile: Hostile[] = [
  [
    'a parent-directory path',
    [{ name: '../evil.bson', body: 'x' }],
    ErrorCode.PATH_OUTSIDE_ROOT,
    /"\.\.\/evil\.bson"/,
  ],
  [
    'a path that climbs out midway',
    [{ name: 'db/../../evil.bson', body: 'x' }],
    ErrorCode.PATH_OUTSIDE_ROOT,
    /outside/,
  ],
  ['an absolute path', [{ name: '/tmp/evil.bson', body: 'x' }], ErrorCode.PATH_OUTSIDE_ROOT, /outside/],
  ['a Windows drive path', [{ name: 'C:\\evil.bson', body: 'x' }], ErrorCode.PATH_OUTSIDE_ROOT, /outside/],
  [
    'a backslash climb',
    [{ name: 'db\\..\\..\\evil.bson', body: 'x' }],
    ErrorCode.PATH_OUTSIDE_ROOT,
    /outside/,
  ],
  [
    'a symbolic link',
    [{ name: 'db/link.bson', type: 'symlink', linkname: '/etc/passwd' }],
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /is a symlink entry; expected only files and folders/,
  ],
  [
    'a hard link',
    [
      { name: 'db/a.bson', body: 'x' },
      { name: 'db/b.bson', type: 'link', linkname: 'db/a.bson' },
    ],
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /is a link entry/,
  ],
  [
    'a device',
    [{ name: 'dev', type: 'character-device' }],
    ErrorCode.DIRECTORY_DUMP_INVALID,
    /character-device/,
  ],
];

describe('extractTarGz refuses hostile or damaged input', () => {
  it.each(hostile)('%s', async (_description, entries, code, message) => {
    const work = await tempDir();
    const target = path.join(work, 'a', 'b');
    const tarball = path.join(work, 'x.tar.gz');
    await writeFile(tarball, await handMadeTarGz(entries));
    const failure = await extractTarGz(tarball, target).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(failure).toMatchObject({ code });
    expect((failure as Error).message).toMatch(message);
    expect((await listTree(work)).filter((name) => name.includes('evil'))).toEqual([]);
  });

  it('never overwrites an existing file', async () => {
    const target = await tempDir();
    await writeFile(path.join(target, 'prelude.json'), 'mine');
    const tarball = await handMadeTarGz([{ name: 'prelude.json', body: '{}' }]);
    const input = new PassThrough();
    input.end(tarball);
    await expect(extractTarGz(input, target)).rejects.toMatchObject({
      code: ErrorCode.DIRECTORY_DUMP_INVALID,
    });
    expect(await readFile(path.join(target, 'prelude.json'), 'utf8')).toBe('mine');
  });

  it('reports input that is not gzip', async () => {
    const input = new PassThrough();
    input.end(Buffer.from('plain text, not a tarball'));
    await expect(extractTarGz(input, await tempDir())).rejects.toMatchObject({
      code: ErrorCode.ARCHIVE_CORRUPT,
    });
  });

  it('reports a gzip stream that is not a tar', async () => {
    const input = new PassThrough();
    input.end(gzipSync(Buffer.alloc(1024, 'z')));
    await expect(extractTarGz(input, await tempDir())).rejects.toMatchObject({
      code: ErrorCode.ARCHIVE_CORRUPT,
    });
  });

  it('reports a cut tarball', async () => {
    const tarball = await handMadeTarGz([{ name: 'db/c.bson', body: 'x'.repeat(100_000) }]);
    const input = new PassThrough();
    input.end(tarball.subarray(0, Math.floor(tarball.length / 2)));
    await expect(extractTarGz(input, await tempDir())).rejects.toMatchObject({
      code: ErrorCode.ARCHIVE_TRUNCATED,
    });
  });
});
