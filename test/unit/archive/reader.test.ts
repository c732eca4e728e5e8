import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  ArchiveError,
  DEFAULT_BATCH_BYTES,
  MongoBackupConfigError,
  createArchiveWriter,
  encodeArchiveHeader,
  encodeBlockHeader,
  encodeNamespaceEntry,
  readArchive,
} from '../../../src/archive/index.js';
import type { NamespaceType, ReadArchiveOptions } from '../../../src/archive/index.js';
import { fixture } from '../../support/paths.js';
import { bson, chunks, collect, readAll } from './helpers.js';

const MAGIC = Buffer.from([0x6d, 0xe2, 0x99, 0x81]);
const T = Buffer.from([0xff, 0xff, 0xff, 0xff]);

const header = (serverVersion = '7.0.14'): Buffer =>
  encodeArchiveHeader({ concurrentCollections: 4, version: '0.1', serverVersion, toolVersion: 'test' });
const entry = (db: string, collection: string, type: NamespaceType = 'collection'): Buffer =>
  encodeNamespaceEntry({ db, collection, metadataJson: '', size: 0, type });
const block = (db: string, collection: string, eof = false, crc = 0n): Buffer =>
  encodeBlockHeader({ db, collection, eof, crc });
const emptyNs = (db: string, collection: string): Buffer[] => [
  block(db, collection),
  T,
  block(db, collection, true),
  T,
];

/** The error an archive is rejected with. */
async function rejection(
  source: Parameters<typeof readArchive>[0],
  options?: ReadArchiveOptions,
): Promise<ArchiveError> {
  try {
    await readAll(source, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ArchiveError);
    return error as ArchiveError;
  }
  throw new Error('the archive was accepted');
}

describe('reader: structure rules', () => {
  test('an archive with no collections is valid', async () => {
    const events = await readAll([Buffer.concat([MAGIC, header(), T])]);
    expect(events.map((e) => e.kind)).toEqual(['header', 'prelude']);
  });

  test('a prelude without its header document is rejected', async () => {
    expect((await rejection([Buffer.concat([MAGIC, T])])).code).toBe('ARCHIVE_BAD_PRELUDE');
  });

  test('a namespace announced but absent from the body is an error, as a namespace left open is', async () => {
    const absent = await rejection([
      Buffer.concat([MAGIC, header(), entry('d', 'a'), entry('d', 'b'), T, ...emptyNs('d', 'a')]),
    ]);
    expect(absent).toMatchObject({ code: 'ARCHIVE_TRUNCATED', namespace: 'd.b' });
    expect(absent.message).toContain('absent from the body: d.b');
    const open = await rejection([Buffer.concat([MAGIC, header(), entry('d', 'a'), T, block('d', 'a'), T])]);
    expect(open.message).toContain('still open without their EOF block: d.a');
  });

  test('the same body namespace announced twice is rejected', async () => {
    const twice = await rejection([Buffer.concat([MAGIC, header(), entry('d', 'a'), entry('d', 'a'), T])]);
    expect(twice.code).toBe('ARCHIVE_BAD_PRELUDE');
  });

  test('the oplog must be the last namespace of the body', async () => {
    const bytes = Buffer.concat([
      MAGIC,
      header(),
      entry('d', 'a'),
      entry('', 'oplog', ''),
      T,
      ...emptyNs('', 'oplog'),
      ...emptyNs('d', 'a'),
    ]);
    expect(await rejection([bytes])).toMatchObject({ code: 'ARCHIVE_BAD_BLOCK', namespace: 'd.a' });
  });

  test('lengths outside 5..16 MiB and documents not ending in 0x00 are corruption', async () => {
    const prefix = [MAGIC, header(), entry('d', 'a'), T, block('d', 'a')];
    const big = Buffer.alloc(4);
    big.writeInt32LE(16 * 1024 * 1024 + 1);
    const tooBig = await rejection([Buffer.concat([...prefix, big])]);
    expect(tooBig).toMatchObject({ code: 'ARCHIVE_CORRUPT', namespace: 'd.a' });
    expect(tooBig.offset).toBe(Buffer.concat(prefix).length);
    const four = Buffer.from([4, 0, 0, 0, 0]);
    expect((await rejection([Buffer.concat([...prefix, four])])).code).toBe('ARCHIVE_CORRUPT');
    const doc = bson({ a: 1 });
    doc[doc.length - 1] = 7;
    const noNul = await rejection([Buffer.concat([...prefix, doc, T])]);
    expect(noNul.message).toContain('0x00');
  });

  test('a block header must be a BSON document naming a collection, with bool EOF', async () => {
    const prefix = [MAGIC, header(), entry('d', 'a'), T];
    const notBson = Buffer.from([8, 0, 0, 0, 0x7f, 0x61, 0, 0]);
    expect((await rejection([Buffer.concat([...prefix, notBson])])).code).toBe('ARCHIVE_BAD_BLOCK');
    const eofString = bson({ db: 'd', collection: 'a', EOF: 'yes' });
    expect((await rejection([Buffer.concat([...prefix, eofString, T])])).message).toContain(
      '"EOF" must be a bool',
    );
  });

  test('mid-document or mid-prelude ends are truncations with a hint', async () => {
    const archive = Buffer.concat([MAGIC, header(), entry('d', 'a'), T, block('d', 'a'), bson({ a: 1 }), T]);
    for (const cut of [2, 10, archive.length - 10, archive.length - 2]) {
      const error = await rejection([archive.subarray(0, cut)]);
      expect(error.code).toBe('ARCHIVE_TRUNCATED');
      expect(error.message).toContain('was the copy or the dump interrupted?');
    }
  });
});

describe('reader: input handling and hints', () => {
  const valid = readFileSync(fixture('real-archives/test.bar.archive'));

  test('an empty input is not an archive', async () => {
    expect((await rejection([])).code).toBe('ARCHIVE_BAD_MAGIC');
  });

  test('a file re-encoded as UTF-16 is recognised', async () => {
    const utf16 = Buffer.alloc(valid.length * 2);
    for (let i = 0; i < valid.length; i++) utf16[i * 2] = valid[i] as number;
    expect((await rejection([utf16])).message).toContain('re-encoded as UTF-16 text?');
    const bom = Buffer.concat([Buffer.from([0xff, 0xfe]), valid]);
    expect((await rejection([bom])).message).toContain('UTF-16');
  });

  test('a JSON export is recognised', async () => {
    expect((await rejection([Buffer.from('{"_id":1}\n{"_id":2}\n')])).message).toContain('mongoexport');
  });

  test('gzip: true on plain data, corrupt gzip and truncated gzip', async () => {
    expect((await rejection([valid], { gzip: true })).code).toBe('ARCHIVE_BAD_MAGIC');
    const gz = gzipSync(valid);
    const truncated = await rejection([gz.subarray(0, gz.length - 30)]);
    expect(truncated.code).toBe('ARCHIVE_TRUNCATED');
    expect(truncated.message).toContain('was the copy or the dump interrupted?');
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 20, 60);
    expect(await rejection([corrupt])).toBeInstanceOf(ArchiveError);
  });

  test('gzip detection works when the first chunk is a single byte', async () => {
    const gz = gzipSync(valid);
    expect((await readAll(chunks(gz, 1))).filter((e) => e.kind === 'namespace-end')).toHaveLength(2);
  });

  test('accepts a Buffer, an iterable, an async iterable and a Readable', async () => {
    const expected = await readAll(valid);
    expect(await readAll([valid])).toEqual(expected);
    expect(await readAll(Readable.from(chunks(valid, 100)))).toEqual(expected);
    expect(
      await readAll(
        (async function* () {
          yield* chunks(valid, 7);
        })(),
      ),
    ).toEqual(expected);
  });

  test('a source yielding text is an error, not a crash', async () => {
    const error = await rejection(Readable.from(['not bytes'], { objectMode: true }));
    expect(error.message).toContain('as binary');
  });

  test('invalid options are rejected', async () => {
    await expect(readAll([valid], { gzip: 'yes' as unknown as boolean })).rejects.toBeInstanceOf(
      MongoBackupConfigError,
    );
  });
});

describe('reader: streaming behaviour', () => {
  test('pulls the source only as fast as events are consumed, and releases it on break', async () => {
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
    });
    const bytes = collect(writer.stream);
    const ns = writer.openNamespace('d', 'c');
    for (let i = 0; i < 2000; i++) await ns.write(bson({ i, pad: 'x'.repeat(500) }));
    await ns.end();
    await writer.finish();
    const archive = await bytes;
    let pulled = 0;
    let closed = false;
    const source = (function* () {
      try {
        for (const chunk of chunks(archive, 4096)) {
          pulled += 1;
          yield chunk;
        }
      } finally {
        closed = true;
      }
    })();
    let seen = 0;
    for await (const event of readArchive(source)) {
      if (event.kind === 'documents') seen += event.documents.length;
      if (seen >= 100) break;
    }
    expect(pulled).toBeLessThan(20);
    expect(closed).toBe(true);
  });

  test('documents spanning many chunks, and batches bounded in bytes', async () => {
    const big = bson({ blob: Buffer.alloc(3 * DEFAULT_BATCH_BYTES, 3) });
    const small = Array.from({ length: 3000 }, (_, i) => bson({ i, pad: 'y'.repeat(1000) }));
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.0' },
      namespaces: [{ db: 'd', collection: 'c' }],
    });
    const bytes = collect(writer.stream);
    const ns = writer.openNamespace('d', 'c');
    for (const doc of [...small.slice(0, 1500), big, ...small.slice(1500)]) await ns.write(doc);
    await ns.end();
    await writer.finish();
    const archive = await bytes;
    for (const source of [[archive], chunks(archive, 65536), chunks(archive, 1000)]) {
      const events = await readAll(source);
      const batches = events.flatMap((e) => (e.kind === 'documents' ? [e.documents] : []));
      for (const batch of batches) {
        const size = batch.reduce((sum, d) => sum + d.length, 0);
        expect(batch.length === 1 || size < DEFAULT_BATCH_BYTES + 1100).toBe(true);
      }
      const docs = batches.flat();
      expect(docs).toHaveLength(3001);
      expect(docs[1500]?.equals(big)).toBe(true);
      expect(docs[2999]?.equals(small[2998] as Buffer)).toBe(true);
    }
  });
});
