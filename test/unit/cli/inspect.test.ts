import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { packDirectoryToTarGz } from '../../../src/archive/directory/index.js';
import { anyFixture, fixture } from '../../support/paths.js';
import { REAL_ARCHIVES } from '../archive/expected.js';
import { walkBsonFile } from '../archive/directory/helpers.js';
import { runCaptured } from './helpers.js';

interface InspectJson {
  path: string;
  kind: string;
  gzip: boolean;
  valid: boolean;
  header: { serverVersion: string; toolVersion: string; version: string } | null;
  entries: { db: string; collection: string; type: string; indexes: number }[];
  namespaces: { namespace: string; documents: number; bytes: number; crc: string }[];
  totalDocuments: number;
  totalBytes: number;
  error?: { code: string; message: string; offset?: number; namespace?: string };
}

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-cli-inspect-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('inspect on real archives', () => {
  it('test.bar.archive is VALID with the counts, bytes and CRCs of EXPECTED.md', async () => {
    const run = await runCaptured(['inspect', fixture('real-archives/test.bar.archive')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('format:  archive, not compressed');
    expect(run.stdout).toContain('header:  version 0.1, server 3.4.3, tool r3.4.3');
    expect(run.stdout).toContain('prelude: 2 entries');
    expect(run.stdout).toMatch(/^admin\.system\.version\s+1\s+59\s+-682997726120892866$/m);
    expect(run.stdout).toMatch(/^test\.bar\s+1\s+35\s+-7824457949569593127$/m);
    expect(run.stdout).toMatch(/^total\s+2\s+94$/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('VALID');
  });

  for (const expected of REAL_ARCHIVES) {
    it(`${expected.file} --json matches EXPECTED.md`, async (ctx) => {
      const file = anyFixture(ctx, expected.file);
      const run = await runCaptured(['inspect', file, '--json']);
      expect(run.code).toBe(0);
      const result = run.json<InspectJson>();
      expect(result).toMatchObject({
        kind: 'archive',
        gzip: expected.gzip,
        valid: true,
        path: file,
      });
      expect(result.header).toMatchObject({
        serverVersion: expected.serverVersion,
        toolVersion: expected.toolVersion,
      });
      expect(result.entries).toHaveLength(expected.entries);
      // In archive order (EOF blocks), which EXPECTED.md does not record: compared as sets.
      const byName = (a: { namespace: string }, b: { namespace: string }) =>
        a.namespace.localeCompare(b.namespace);
      expect([...result.namespaces].sort(byName)).toEqual(
        expected.namespaces.map((ns) => ({ ...ns, crc: ns.crc.toString() })).sort(byName),
      );
      expect(result.totalDocuments).toBe(expected.namespaces.reduce((sum, ns) => sum + ns.documents, 0));
      expect(result.error).toBeUndefined();
    });
  }

  it('the verify alias and standard input ("-") give the same verdict', async () => {
    const file = fixture('synthetic/dump-w-oplog.archive.gz');
    const byPath = await runCaptured(['verify', file, '--json']);
    const byStdin = await runCaptured(['inspect', '-', '--json'], { stdin: createReadStream(file) });
    expect(byStdin.code).toBe(0);
    expect({ ...byStdin.json<InspectJson>(), path: file }).toEqual(byPath.json<InspectJson>());
    expect(byStdin.json<InspectJson>().gzip).toBe(true);
  });
});

describe('inspect on damaged archives', () => {
  it('crc-mismatch.archive is INVALID with ARCHIVE_CRC_MISMATCH, the offset and exit 1', async () => {
    const run = await runCaptured(['inspect', fixture('synthetic/crc-mismatch.archive')]);
    expect(run.code).toBe(1);
    const verdict = run.stdout.trimEnd().split('\n').at(-1) ?? '';
    expect(verdict).toMatch(/^INVALID \[ARCHIVE_CRC_MISMATCH\] at offset \d+ in test\.bar: .*CRC mismatch/);
    // What was read before the error is still shown.
    expect(run.stdout).toMatch(/^admin\.system\.version\s+1\s+59\s+-682997726120892866$/m);
  });

  it('--json reports the error with its code and offset', async () => {
    const run = await runCaptured(['inspect', fixture('synthetic/crc-mismatch.archive'), '--json']);
    expect(run.code).toBe(1);
    const result = run.json<InspectJson>();
    expect(result.valid).toBe(false);
    expect(result.error).toMatchObject({ code: 'ARCHIVE_CRC_MISMATCH', namespace: 'test.bar' });
    expect(result.error?.offset).toBeGreaterThan(0);
  });

  it.each([
    ['synthetic/bad-magic.archive', 'ARCHIVE_BAD_MAGIC'],
    ['synthetic/truncated.archive', 'ARCHIVE_TRUNCATED'],
    ['negative/bad-format.archive', 'ARCHIVE_BAD_METADATA'],
  ])('%s is INVALID with %s', async (file, code) => {
    const run = await runCaptured(['inspect', fixture(file), '--json']);
    expect(run.code).toBe(1);
    expect(run.json<InspectJson>().error?.code).toBe(code);
  });
});

describe('inspect on directory dumps and tarballs', () => {
  const dir = fixture('real-dirs/coll_with_index');

  it('a directory dump: counts from its .bson files, CRCs computed', async () => {
    const run = await runCaptured(['inspect', dir, '--json']);
    expect(run.code).toBe(0);
    const result = run.json<InspectJson>();
    const documents = await walkBsonFile(path.join(dir, 'test', 'foo.bson'));
    expect(result).toMatchObject({ kind: 'directory', gzip: false, valid: true });
    expect(result.entries.map((e) => `${e.db}.${e.collection}`)).toEqual(['test.foo']);
    expect(result.namespaces).toEqual([
      {
        namespace: 'test.foo',
        documents: documents.length,
        bytes: documents.reduce((sum, d) => sum + d.length, 0),
        crc: expect.stringMatching(/^-?\d+$/) as unknown as string,
      },
    ]);
    const text = await runCaptured(['inspect', dir]);
    expect(text.stdout).toContain('format:  directory dump');
    expect(text.stdout.trimEnd().endsWith('VALID')).toBe(true);
  });

  it('one .bson file of it: the same namespace, its folder naming the database', async () => {
    const whole = (await runCaptured(['inspect', dir, '--json'])).json<InspectJson>();
    const run = await runCaptured(['inspect', path.join(dir, 'test', 'foo.bson'), '--json']);
    expect(run.code).toBe(0);
    const result = run.json<InspectJson>();
    expect(result).toMatchObject({ kind: 'bson', gzip: false, valid: true });
    expect(result.namespaces).toEqual(whole.namespaces);
    const text = await runCaptured(['inspect', path.join(dir, 'test', 'foo.bson')]);
    expect(text.stdout).toContain('format:  one collection file of a directory dump');
  });

  it('a .tar.gz of it gives the same table, and its temporary folder is removed', async () => {
    const tarball = path.join(workDir, 'coll_with_index.tar.gz');
    await packDirectoryToTarGz(dir, tarball);
    const before = await readdir(os.tmpdir());
    const run = await runCaptured(['inspect', tarball, '--json']);
    expect(run.code).toBe(0);
    const fromTar = run.json<InspectJson>();
    const fromDir = (await runCaptured(['inspect', dir, '--json'])).json<InspectJson>();
    expect(fromTar).toMatchObject({ kind: 'tar.gz', gzip: true, valid: true });
    expect(fromTar.namespaces).toEqual(fromDir.namespaces);
    expect(fromTar.entries).toEqual(fromDir.entries);
    const after = await readdir(os.tmpdir());
    expect(
      after.filter((name) => name.startsWith('mongo-backup-inspect-') && !before.includes(name)),
    ).toEqual([]);
    // Found by content too, whatever its name.
    const renamed = path.join(workDir, 'renamed.gz');
    await writeFile(renamed, await import('node:fs/promises').then((fs) => fs.readFile(tarball)));
    expect((await runCaptured(['inspect', renamed, '--json'])).json<InspectJson>().kind).toBe('tar.gz');
  });

  it('a damaged .tar.gz is INVALID', async () => {
    const broken = path.join(workDir, 'broken.tar.gz');
    await writeFile(broken, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
    const run = await runCaptured(['inspect', broken]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/INVALID \[ARCHIVE_(CORRUPT|TRUNCATED)\]/);
  });
});

describe('inspect usage', () => {
  it('needs a path (exit 2), and a path that exists (exit 2)', async () => {
    const none = await runCaptured(['inspect']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'expected the path of an archive, a directory dump, a .tar.gz or a .bson file',
    );
    const missing = await runCaptured(['inspect', path.join(workDir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('[BACKUP_NOT_FOUND]');
  });
});
