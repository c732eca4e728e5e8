import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectArchive, readArchive } from '../../../src/archive/index.js';
import type { ArchiveEvent } from '../../../src/archive/index.js';
import { MongoBackupService } from '../../../src/index.js';
import { expectSameDocuments } from '../../support/compare.js';
import { seedDatabase } from '../../support/seed.js';
import { requireServer } from '../../support/server.js';
import { requireTool, runTool, runToolOk, mongorestoreRenameArgs } from '../../support/tools.js';
import { useTestWorkspace } from '../../support/workspace.js';

/** How many length-marked members ('M' 'B' extra subfield, see src/archive/gzip/member-format.ts) a file holds. */
function markedMembers(gz: Buffer): number {
  let members = 0;
  for (let at = 0; at < gz.length; members += 1) {
    expect(gz[at + 3], `member ${members} flags`).toBe(4);
    expect(gz.subarray(at + 12, at + 14).toString('latin1')).toBe('MB');
    at += gz.readUInt32LE(at + 16);
  }
  return members;
}

const PYTHON_GUNZIP =
  'import gzip, sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1], "rb").read()))';

/** Our parallel-member gzip output, read by the reference readers: mongorestore (Go), gunzip, Python, bsondump. */
describe('parallel gzip members are read by the real tools', () => {
  const ws = useTestWorkspace('mbs-pgz-');
  const source = ws.database('pgz_src');

  beforeAll(async () => {
    if (!ws.connected) return;
    const client = ws.client;
    await seedDatabase(client.db(source));
    // About 5 MB of documents: several 1 MiB members.
    const bulk = Array.from({ length: 5000 }, (_, i) => ({
      _id: i,
      text: Array.from({ length: 200 }, (_, k) => ((i * 7919 + k * 104729) % 99991).toString(36)).join(' '),
      n: i * 1.5,
    }));
    await client.db(source).collection<(typeof bulk)[number]>('bulk').insertMany(bulk);
  });

  it('archive: mongorestore --gzip --archive restores every document byte-identical; gunzip -t and Python agree', async (ctx) => {
    const uri = requireServer(ctx);
    const mongorestore = requireTool(ctx, 'mongorestore');
    const target = ws.database('pgz_dst');
    const output = path.join(ws.workDir, 'dump.archive.gz');
    const service = new MongoBackupService({ source: ws.client, backupDir: ws.workDir, env: {} });
    await service.dump({ databases: [source], output, gzip: true });
    const gz = await readFile(output);
    expect(markedMembers(gz)).toBeGreaterThan(3);

    await runToolOk('gunzip', ['-t', output]);
    const python = execFileSync('python3', ['-c', PYTHON_GUNZIP, output], { maxBuffer: 64 * 1024 * 1024 });
    expect(python.equals(gunzipSync(gz))).toBe(true);

    await runToolOk(mongorestore, mongorestoreRenameArgs(uri, { archive: output }, source, target));
    expect(await expectSameDocuments(ws.client.db(source), ws.client.db(target))).toBeGreaterThan(5000);
  });

  it('dump({ parallelGzip: false }) writes one plain gzip stream, as mongodump does, which mongorestore restores', async (ctx) => {
    const uri = requireServer(ctx);
    const mongorestore = requireTool(ctx, 'mongorestore');
    const target = ws.database('pgz_one');
    const output = path.join(ws.workDir, 'single.archive.gz');
    const service = new MongoBackupService({ source: ws.client, backupDir: ws.workDir, env: {} });
    await service.dump({ databases: [source], output, gzip: true, parallelGzip: false });
    const gz = await readFile(output);
    expect(gz[3]).toBe(0); // no FEXTRA: zlib's plain header
    expect((await inspectArchive(gz)).valid).toBe(true);
    await runToolOk(mongorestore, mongorestoreRenameArgs(uri, { archive: output }, source, target));
    expect(await expectSameDocuments(ws.client.db(source), ws.client.db(target))).toBeGreaterThan(5000);
  });

  it('zero bytes after a gzip archive: the real mongorestore fails, and so does our inspect (#9 item 9)', async (ctx) => {
    const uri = requireServer(ctx);
    const mongorestore = requireTool(ctx, 'mongorestore');
    const target = ws.database('pgz_pad');
    const output = path.join(ws.workDir, 'padded.archive.gz');
    const service = new MongoBackupService({ source: ws.client, backupDir: ws.workDir, env: {} });
    await service.dump({ databases: [source], output, gzip: true });
    await writeFile(output, Buffer.concat([await readFile(output), Buffer.alloc(512)]));
    const run = await runTool(mongorestore, mongorestoreRenameArgs(uri, { archive: output }, source, target));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('gzip: invalid header');
    const report = await inspectArchive(createReadStream(output));
    expect(report.valid).toBe(false);
    expect(report.error?.code).toBe('ARCHIVE_CORRUPT');
  });

  it('directory --gzip: bsondump --objcheck reads the Python-gunzipped files; mongorestore --gzip --dir restores', async (ctx) => {
    const uri = requireServer(ctx);
    const bsondump = requireTool(ctx, 'bsondump');
    const mongorestore = requireTool(ctx, 'mongorestore');
    const target = ws.database('pgz_dir');
    const output = path.join(ws.workDir, 'dir-dump');
    const service = new MongoBackupService({ source: ws.client, backupDir: ws.workDir, env: {} });
    await service.dump({ databases: [source], output, format: 'directory', gzip: true });
    const file = path.join(output, source, 'bulk.bson.gz');
    expect(markedMembers(await readFile(file))).toBeGreaterThan(3);
    const plain = path.join(ws.workDir, 'bulk.bson');
    await writeFile(
      plain,
      execFileSync('python3', ['-c', PYTHON_GUNZIP, file], { maxBuffer: 64 * 1024 * 1024 }),
    );
    const run = await runToolOk(bsondump, [
      '--objcheck',
      `--outFile=${path.join(ws.workDir, 'bulk.json')}`,
      plain,
    ]);
    expect(run.stderr).toContain('5000 objects found');

    await runToolOk(mongorestore, mongorestoreRenameArgs(uri, { dir: output }, source, target));
    await expectSameDocuments(ws.client.db(source), ws.client.db(target));
  });

  it("the real mongodump's gzip archive: our parallel and single-stream readers give the same events", async (ctx) => {
    const uri = requireServer(ctx);
    const mongodump = requireTool(ctx, 'mongodump');
    const output = path.join(ws.workDir, 'mongodump.archive.gz');
    await runToolOk(mongodump, [`--uri=${uri}`, `--db=${source}`, `--archive=${output}`, '--gzip']);
    const read = async (parallelGunzip: boolean): Promise<ArchiveEvent[]> => {
      const events: ArchiveEvent[] = [];
      for await (const event of readArchive(createReadStream(output), { parallelGunzip })) events.push(event);
      return events;
    };
    const single = await read(false);
    expect(single.some((e) => e.kind === 'documents')).toBe(true);
    const documents = (events: ArchiveEvent[]): string[] =>
      events.flatMap((e) => (e.kind === 'documents' ? e.documents.map((d) => d.toString('hex')) : [e.kind]));
    expect(documents(await read(true))).toEqual(documents(single));
  });
});
