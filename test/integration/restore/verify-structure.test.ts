import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BSON } from 'bson';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDirectoryWriter } from '../../../src/archive/index.js';
import { ArchiveError, ErrorCode, MongoBackupService, RestoreError } from '../../../src/index.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

/**
 * verify: 'before' checks every document's BSON structure, not only the framing: a backup whose documents the server
 * would refuse halfway is refused before the `drop`.
 */
describe('verify before: BSON structure of every document', () => {
  let client: MongoClient | undefined;
  let workDir = '';
  const target = uniqueDbName('vstruct');

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-vstruct-'));
    if (testServer().kind !== 'none') client = await connectTestClient();
  });
  afterAll(async () => {
    await client?.db(target).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('a framed but invalid document (unknown element type) stops a --drop restore before any write', async (ctx) => {
    requireServer(ctx);
    // The target holds 50 documents that a restore with drop would replace.
    const items = client!.db(target).collection<{ _id: number; name: string }>('items');
    await items.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, name: `kept-${i}` })));

    const dir = path.join(workDir, 'dump');
    const writer = createDirectoryWriter({ dir, serverVersion: '7.0.0' });
    const ns = await writer.namespace(target, 'items', '{"options":{},"indexes":[]}');
    for (let i = 0; i < 20; i += 1) await ns.write(BSON.serialize({ _id: i, name: `item-${i}` }));
    await ns.end();
    await writer.close();
    // Document 11: its second element's type byte becomes 0x42 (no such BSON type); lengths stay intact.
    const file = path.join(dir, target, 'items.bson');
    const bytes = await readFile(file);
    const docLength = bytes.readInt32LE(0);
    const second = 10 * docLength + 4 + 1 + 4 + 4; // prefix, int32 _id element ("_id\0" + 4 bytes)
    expect(bytes[second]).toBe(0x02);
    bytes[second] = 0x42;
    await writeFile(file, bytes);

    const service = new MongoBackupService({ source: client!, env: {} });
    const error = await service.restore({ from: dir, into: 'source', drop: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RestoreError);
    const cause = (error as RestoreError).cause as ArchiveError;
    expect(cause).toBeInstanceOf(ArchiveError);
    expect(cause.code).toBe(ErrorCode.ARCHIVE_CORRUPT);
    expect(cause.message).toMatch(/Document 11 of .*items is not valid BSON/);
    expect(await items.countDocuments()).toBe(50);
    expect(await items.findOne({ _id: 3 })).toEqual({ _id: 3, name: 'kept-3' });
  });
});
