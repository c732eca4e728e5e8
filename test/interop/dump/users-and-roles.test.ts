import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { startFerretDb } from '../../../scripts/local-server.mjs';
import { readArchive } from '../../../src/archive/reader.js';
import { MongoBackupService, MongoBackupUsageError } from '../../../src/index.js';
import { TOOLS_DIR } from '../../support/paths.js';
import { isFerretDb, requireServer, testServer, uniqueDbName } from '../../support/server.js';
import { requireTool, runTool, runToolOk } from '../../support/tools.js';

/**
 * Users and roles of one database (`usersAndRoles`, mongodump's `--dumpDbUsersAndRoles`): dumped as
 * `<db>.$admin.system.*`, accepted by the REAL mongorestore, restored through `_mergeAuthzCollections`.
 *
 * FerretDB keeps users only with its SCRAM authentication on, so on FerretDB the tests run against a private
 * FerretDB started with it; on a real mongod (MONGODB_URI) they use the run's server.
 */
describe('users and roles of one database', () => {
  const db = uniqueDbName('users_src');
  const targets: string[] = [];
  let workDir = '';
  let uri = '';
  let client: MongoClient | undefined;
  let stopPrivate: (() => Promise<void>) | undefined;
  let archive = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-users-'));
    if (testServer().kind === 'none') return;
    if (isFerretDb()) {
      if (!existsSync(path.join(TOOLS_DIR, 'ferretdb'))) return;
      const server = await startFerretDb({ auth: { username: 'root', password: 'root-secret' } });
      stopPrivate = () => server.stop();
      uri = server.uri;
    } else {
      uri = testServer().uri;
    }
    client = await MongoClient.connect(uri);
    await client
      .db(db)
      .collection<{ _id: number }>('orders')
      .insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
    // FerretDB accepts only users without roles.
    const roles = isFerretDb() ? [] : [{ role: 'read', db }];
    await client.db(db).command({ createUser: 'alice', pwd: 'alice-secret', roles });
    await client.db(db).command({ createUser: 'bob', pwd: 'bob-secret', roles });
    archive = path.join(workDir, 'users.archive.gz');
    await new MongoBackupService({ source: client, env: {} }).dump({
      databases: [db],
      usersAndRoles: true,
      output: archive,
    });
  });

  afterAll(async () => {
    if (client && !isFerretDb()) {
      await client
        .db(db)
        .command({ dropAllUsersFromDatabase: 1 })
        .catch(() => undefined);
    }
    for (const name of [db, ...targets]) await client?.db(name).dropDatabase();
    await client?.close();
    await stopPrivate?.();
    await rm(workDir, { recursive: true, force: true });
  });

  const ready = (ctx: TestContext): MongoClient => {
    requireServer(ctx);
    if (!client) ctx.skip('FerretDB is not built in .cache/tools: no private server with authentication');
    return client!;
  };

  it('dumps them first, as <db>.$admin.system.users/roles/version with no metadata, byte for byte', async (ctx) => {
    const source = ready(ctx);
    const prelude: { namespace: string; metadataJson: string; type: string }[] = [];
    const bodyOrder: string[] = [];
    const users: Buffer[] = [];
    for await (const event of readArchive(createReadStream(archive))) {
      if (event.kind === 'prelude') {
        for (const e of event.entries)
          prelude.push({ namespace: `${e.db}.${e.collection}`, metadataJson: e.metadataJson, type: e.type });
      }
      if (event.kind === 'documents' || event.kind === 'namespace-end') {
        const name = `${event.db}.${event.collection}`;
        if (!bodyOrder.includes(name)) bodyOrder.push(name);
        if (event.kind === 'documents' && name === `${db}.$admin.system.users`)
          users.push(...event.documents);
      }
    }
    for (const kind of ['users', 'roles', 'version']) {
      expect(prelude).toContainEqual({
        namespace: `${db}.$admin.system.${kind}`,
        metadataJson: '',
        type: '',
      });
    }
    // mongorestore sets these aside only when they come before the first collection.
    expect(bodyOrder.indexOf(`${db}.orders`)).toBe(bodyOrder.length - 1);

    const expected = await source
      .db('admin')
      .collection('system.users')
      .find({ db }, { raw: true })
      .toArray();
    expect(expected).toHaveLength(2);
    expect(users.map((b) => b.toString('hex')).sort()).toEqual(
      expected.map((b) => Buffer.from(b as unknown as Buffer).toString('hex')).sort(),
    );
  });

  it('the real mongorestore finds them (--restoreDbUsersAndRoles --dryRun) and restores the data around them', async (ctx) => {
    const source = ready(ctx);
    const mongorestore = requireTool(ctx, 'mongorestore');
    await runToolOk(mongorestore, [
      `--uri=${uri}`,
      `--archive=${archive}`,
      '--gzip',
      `--db=${db}`,
      '--restoreDbUsersAndRoles',
      '--dryRun',
    ]);
    // The same check refuses an archive without them, so the pass above means something.
    const plain = path.join(workDir, 'plain.archive.gz');
    await new MongoBackupService({ source, env: {} }).dump({ databases: [db], output: plain });
    const refused = await runTool(mongorestore, [
      `--uri=${uri}`,
      `--archive=${plain}`,
      '--gzip',
      `--db=${db}`,
      '--restoreDbUsersAndRoles',
      '--dryRun',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/no users or roles/i);

    const target = uniqueDbName('users_dst');
    targets.push(target);
    await runToolOk(mongorestore, [
      `--uri=${uri}`,
      `--archive=${archive}`,
      '--gzip',
      `--nsFrom=${db}.*`,
      `--nsTo=${target}.*`,
    ]);
    expect(await source.db(target).collection('orders').countDocuments()).toBe(3);
  });

  it('directory layout: <db>/$admin.system.users.bson as mongodump names it, accepted by the real tools', async (ctx) => {
    const source = ready(ctx);
    const mongorestore = requireTool(ctx, 'mongorestore');
    const bsondump = requireTool(ctx, 'bsondump');
    const dir = path.join(workDir, 'dir');
    await new MongoBackupService({ source, env: {} }).dump({
      databases: [db],
      usersAndRoles: true,
      format: 'directory',
      gzip: false,
      output: dir,
    });
    const files = (await readdir(path.join(dir, db))).sort();
    expect(files).toEqual([
      '$admin.system.roles.bson',
      '$admin.system.users.bson',
      '$admin.system.version.bson',
      'orders.bson',
      'orders.metadata.json',
    ]);
    const checked = await runToolOk(bsondump, ['--objcheck', path.join(dir, db, '$admin.system.users.bson')]);
    expect(checked.stderr).toMatch(/2 objects found/);
    await runToolOk(mongorestore, [
      `--uri=${uri}`,
      `--dir=${path.join(dir, db)}`,
      `--db=${db}`,
      '--restoreDbUsersAndRoles',
      '--dryRun',
    ]);
  });

  it('restores them with usersAndRoles: staged, merged after the data, temporary collections dropped', async (ctx) => {
    const source = ready(ctx);
    const service = new MongoBackupService({ source, env: {} });
    const target = uniqueDbName('users_ours');
    targets.push(target);
    if (isFerretDb()) {
      // FerretDB has no _mergeAuthzCollections: the data lands, the users fail with that reason, nothing is left.
      const report = await service.restore({
        from: archive,
        into: 'source',
        nsFrom: [`${db}.*`],
        nsTo: [`${target}.*`],
        usersAndRoles: true,
      });
      const byName = Object.fromEntries(report.namespaces.map((ns) => [ns.source, ns]));
      expect(byName[`${db}.orders`]).toMatchObject({ target: `${target}.orders`, status: 'restored' });
      expect(byName[`${db}.$admin.system.users`]).toMatchObject({
        target: 'admin.system.users',
        status: 'failed',
        documentsRead: 2,
        documentsInserted: 2,
      });
      expect(byName[`${db}.$admin.system.users`]?.reason).toMatch(/_mergeAuthzCollections/);
      expect(byName[`${db}.$admin.system.version`]?.status).toBe('skipped');
      const left = await source.db('admin').listCollections({}, { nameOnly: true }).toArray();
      expect(left.map((c) => c.name).filter((name) => name.startsWith('temp'))).toEqual([]);
      return;
    }
    await source.db(db).command({ dropUser: 'bob' });
    const report = await service.restore({
      from: archive,
      into: 'source',
      nsFrom: [`${db}.*`],
      nsTo: [`${target}.*`],
      usersAndRoles: true,
    });
    const users = report.namespaces.find((ns) => ns.source === `${db}.$admin.system.users`);
    expect(users).toMatchObject({ status: 'restored', documentsInserted: 2 });
    const info = await source.db(db).command({ usersInfo: 1 });
    expect((info['users'] as { user: string }[]).map((u) => u.user).sort()).toEqual(['alice', 'bob']);
    const left = await source.db('admin').listCollections({}, { nameOnly: true }).toArray();
    expect(left.map((c) => c.name).filter((name) => name.startsWith('temp'))).toEqual([]);
  });

  it('usersAndRoles on a backup without users is a usage error, and nothing is written', async (ctx) => {
    const source = ready(ctx);
    const plain = path.join(workDir, 'no-users.archive.gz');
    const service = new MongoBackupService({ source, env: {} });
    await service.dump({ databases: [db], output: plain });
    const target = uniqueDbName('users_none');
    targets.push(target);
    const error = await service
      .restore({
        from: plain,
        into: 'source',
        nsFrom: [`${db}.*`],
        nsTo: [`${target}.*`],
        usersAndRoles: true,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(MongoBackupUsageError);
    expect((error as Error).message).toMatch(/holds no users or roles/);
    const dbs = await source.db('admin').admin().listDatabases({ nameOnly: true });
    expect(dbs.databases.map((d) => d.name)).not.toContain(target);
  });

  it('usersAndRoles needs exactly one database and no collection', async () => {
    const service = new MongoBackupService({ sourceUri: 'mongodb://127.0.0.1:1', env: {} });
    await expect(service.dump({ usersAndRoles: true })).rejects.toThrow(/exactly one/);
    await expect(service.dump({ databases: ['a', 'b'], usersAndRoles: true })).rejects.toThrow(/exactly one/);
    await expect(
      service.dump({ databases: ['a'], collection: 'c', usersAndRoles: true }),
    ).rejects.toBeInstanceOf(MongoBackupUsageError);
    await service.close();
  });
});
