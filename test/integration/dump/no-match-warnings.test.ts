import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoBackupService } from '../../../src/index.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';
import { runCaptured } from '../../unit/cli/helpers.js';

/**
 * Silent no-ops made loud: a dump of a database that has no collection (misspelled) and restore patterns that
 * match nothing are reported as warnings, in the reports and on the CLI's standard error.
 */
describe('no-match warnings', () => {
  const source = uniqueDbName('warn_src');
  const created = [source];
  let client: MongoClient | undefined;
  let service: MongoBackupService;
  let workDir = '';
  let archive = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-warn-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    await client
      .db(source)
      .collection<{ _id: number }>('orders')
      .insertMany([{ _id: 1 }, { _id: 2 }]);
    service = new MongoBackupService({ source: client, backupDir: workDir });
    const dump = await service.dump({ databases: [source] });
    expect(dump.warnings).toEqual([]);
    archive = dump.path!;
  });

  afterAll(async () => {
    for (const db of created) await client?.db(db).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('a dump of a misspelled database, of a missing collection, or with patterns that match nothing, warns', async (ctx) => {
    requireServer(ctx);
    const misspelled = `${source}_typo`;
    const dump = await service.dump({ databases: [source, misspelled] });
    expect(dump.warnings).toEqual([
      `database "${misspelled}" has no collection to dump (misspelled, or empty?): the backup holds nothing of it`,
    ]);
    expect(dump.totalDocuments).toBe(2);
    const one = await service.dump({ databases: [source], collection: 'ordres' });
    expect(one.warnings).toEqual([
      `collection "${source}.ordres" was not found (misspelled?): the backup is empty`,
    ]);

    const patterns = await service.dump({
      databases: [source],
      nsInclude: [`${source}.orders`, `${source}.ordres*`],
      nsExclude: [`${source}.tmp*`],
    });
    expect(patterns.totalDocuments).toBe(2);
    expect(patterns.warnings).toEqual([
      `nsInclude "${source}.ordres*" matched no namespace of the source: nothing was selected by it`,
      `nsExclude "${source}.tmp*" matched no namespace of the source: nothing was left out by it`,
    ]);

    const cli = await runCaptured([
      'dump',
      `--uri=${testServer().uri}`,
      `--db=${misspelled}`,
      `--backupDir=${workDir}`,
    ]);
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain(`warning: database "${misspelled}" has no collection to dump`);
  });

  it('restore patterns that match nothing warn, and what they would have done is not done', async (ctx) => {
    requireServer(ctx);
    const target = uniqueDbName('warn_dst');
    created.push(target);
    const report = await service.restore({
      from: archive,
      into: 'source',
      nsInclude: [`${source}.*`, 'nowhere.*'],
      nsExclude: [`${source}.sessions`],
      nsFrom: [`${source}.*`, `shpo.*`],
      nsTo: [`${target}.*`, `${target}_b.*`],
    });
    expect(report.warnings).toEqual([
      'nsInclude "nowhere.*" matched no namespace of the backup: nothing was selected by it',
      `nsExclude "${source}.sessions" matched no namespace of the backup: nothing was left out by it`,
      'nsFrom "shpo.*" matched no namespace of the backup: nothing was renamed by it',
    ]);
    expect(await client!.db(target).collection('orders').countDocuments()).toBe(2);

    const cli = await runCaptured([
      'restore',
      `--uri=${testServer().uri}`,
      archive,
      '--nsFrom=$db$.$coll$',
      '--nsTo=$db$_x.$coll$',
      '--nsFrom=other.*',
      `--nsTo=${target}_c.*`,
      '--dryRun',
    ]);
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain('warning: nsFrom "other.*" matched no namespace of the backup');
    expect(cli.stderr).not.toContain('$db$');
  });
});
