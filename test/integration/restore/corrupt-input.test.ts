import { createReadStream } from 'node:fs';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, ErrorCode, MongoBackupService, RestoreError } from '../../../src/index.js';
import { fixture, thirdPartyFixture } from '../../support/paths.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';

/** Bad input gets a typed error and loses nothing: rejected before writing, or reported exactly. */
describe('corrupt and truncated backups', () => {
  let client: MongoClient | undefined;
  const targets: string[] = [];

  beforeAll(async () => {
    if (testServer().kind !== 'none') client = await connectTestClient();
  });
  afterAll(async () => {
    for (const db of targets) await client?.db(db).dropDatabase();
    await client?.close();
  });

  const cases = [
    { file: 'synthetic/crc-mismatch.archive', code: ErrorCode.ARCHIVE_CRC_MISMATCH },
    { file: 'synthetic/truncated.archive', code: ErrorCode.ARCHIVE_TRUNCATED },
    { file: 'synthetic/no-eof.archive', code: ErrorCode.ARCHIVE_TRUNCATED },
    { file: 'synthetic/trailing-garbage.archive', code: ErrorCode.ARCHIVE_CORRUPT },
    { file: 'negative/bad-format.archive', code: ErrorCode.ARCHIVE_BAD_METADATA },
  ];

  for (const { file, code } of cases) {
    it(`${file}: rejected before anything is written (verify: before)`, async (ctx) => {
      requireServer(ctx);
      const target = uniqueDbName('bad');
      targets.push(target);
      const service = new MongoBackupService({ source: client!, env: {} });
      const error = await service
        .restore({ from: fixture(file), into: 'source', nsFrom: ['*.*'], nsTo: [`${target}_*.*`] })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(RestoreError);
      const cause = (error as RestoreError).cause;
      expect(cause).toBeInstanceOf(ArchiveError);
      expect((cause as ArchiveError).code).toBe(code);
      expect((error as RestoreError).report.namespaces.every((ns) => ns.documentsInserted === 0)).toBe(true);
      expect((error as RestoreError).report.namespaces.filter((ns) => ns.status === 'restored')).toEqual([]);
      const dbs = await client!.db('admin').admin().listDatabases({ nameOnly: true });
      expect(dbs.databases.map((d) => d.name).filter((name) => name.startsWith(target))).toEqual([]);
    });
  }

  it('a CRC mismatch read from a stream fails that namespace and says so exactly', async (ctx) => {
    requireServer(ctx);
    const target = uniqueDbName('badstream');
    targets.push(target);
    const service = new MongoBackupService({ source: client!, env: {} });
    const error = await service
      .restore({
        from: createReadStream(fixture('synthetic/crc-mismatch.archive')),
        into: 'source',
        nsFrom: ['*.*'],
        nsTo: [`${target}_*.*`],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(RestoreError);
    const report = (error as RestoreError).report;
    const bar = report.namespaces.find((ns) => ns.source === 'test.bar');
    expect(bar?.status).toBe('failed');
    expect(bar?.reason).toMatch(/CRC/);
    expect(
      report.namespaces.filter((ns) => ns.status === 'restored').every((ns) => ns.source !== 'test.bar'),
    ).toBe(true);
  });

  it('dryRun reads and checks everything and writes nothing', async (ctx) => {
    requireServer(ctx);
    const target = uniqueDbName('dry');
    targets.push(target);
    const service = new MongoBackupService({ source: client!, env: {} });
    const report = await service.restore({
      from: thirdPartyFixture(ctx, 'real-archives/rnadigital_agentcloud.dump.gz'),
      into: 'source',
      dryRun: true,
      nsFrom: ['test.*'],
      nsTo: [`${target}.*`],
    });
    expect(report.dryRun).toBe(true);
    expect(report.namespaces.every((ns) => ns.status === 'checked')).toBe(true);
    expect(report.namespaces.find((ns) => ns.source === 'test.agents')?.documentsRead).toBe(6);
    const dbs = await client!.db('admin').admin().listDatabases({ nameOnly: true });
    expect(dbs.databases.map((d) => d.name)).not.toContain(target);
  });
});
