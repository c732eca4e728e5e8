import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameDocuments } from '../../support/compare.js';
import { useS3TestServer, type S3TestServer } from '../../support/s3-server.js';
import { seedDatabase } from '../../support/seed.js';
import { connectTestClient, requireServer, testServer, uniqueDbName } from '../../support/server.js';
import { requireTool, runToolOk, mongorestoreRenameArgs } from '../../support/tools.js';
import { CapturedOutput, runCaptured } from '../../unit/cli/helpers.js';

/**
 * The command line against a real S3-compatible server: `dump --to s3://` encrypted, `list`/`inspect` the bucket,
 * `decrypt` to the REAL mongorestore, `restore --from s3://`; wrong keys and no keys fail without output.
 */
describe('mongo-backup CLI with s3:// and encryption', () => {
  const s3Server = useS3TestServer();
  const source = uniqueDbName('s3cli_src');
  const created = [source];
  let client: MongoClient | undefined;
  let workDir = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-s3cli-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
    await seedDatabase(client.db(source), { manyDocuments: 1500 });
  });
  afterAll(async () => {
    for (const db of created) await client?.db(db).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  function envFor(server: S3TestServer, uri: string, key: string): Record<string, string> {
    return {
      MONGODB_URI: uri,
      MONGO_BACKUP_S3_ENDPOINT: server.endpoint,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      MONGO_BACKUP_ENCRYPTION_KEY: key,
    };
  }

  it('dump --to s3:// encrypted, decrypt | real mongorestore, restore --from s3://', async (ctx) => {
    const uri = requireServer(ctx);
    const mongorestore = requireTool(ctx, 'mongorestore');
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const key = randomBytes(32).toString('hex');
    const env = envFor(server, uri, key);

    const dumped = await runCaptured(['dump', `--db=${source}`, `--to=s3://${bucket}/cli`, '--json'], {
      env,
    });
    expect(dumped.code, dumped.stderr).toBe(0);
    const url = dumped.json<{ path: string }>().path;
    expect(url).toMatch(new RegExp(`^s3://${bucket}/cli/${source}_dump_.*\\.gz\\.enc$`));
    expect(`${dumped.stdout}${dumped.stderr}`).not.toContain(key);
    expect(`${dumped.stdout}${dumped.stderr}`).not.toContain(server.credentials.secretAccessKey);

    const listed = await runCaptured(['list', `--backupDir=s3://${bucket}/cli`, '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json<{ backups: { path: string; encrypted?: boolean }[] }>().backups).toEqual([
      expect.objectContaining({ path: url, encrypted: true }),
    ]);

    const inspected = await runCaptured(['inspect', url, '--json'], { env });
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.json<{ valid: boolean; gzip: boolean }>()).toMatchObject({ valid: true, gzip: true });

    // decrypt writes the plain gzip archive: the real mongorestore restores it.
    const stdout = new CapturedOutput();
    const decrypted = await runCaptured(['decrypt', url], { env, stdout });
    expect(decrypted.code, decrypted.stderr).toBe(0);
    const plain = path.join(workDir, 'plain.archive.gz');
    await writeFile(plain, stdout.bytes());
    const viaMongorestore = uniqueDbName('s3cli_mr');
    created.push(viaMongorestore);
    await runToolOk(mongorestore, mongorestoreRenameArgs(uri, { archive: plain }, source, viaMongorestore));
    await expectSameDocuments(client!.db(source), client!.db(viaMongorestore));

    const viaUs = uniqueDbName('s3cli_us');
    created.push(viaUs);
    const restored = await runCaptured(
      ['restore', `--from=${url}`, `--nsFrom=${source}.*`, `--nsTo=${viaUs}.*`, '--json'],
      { env },
    );
    expect(restored.code, restored.stderr).toBe(0);
    await expectSameDocuments(client!.db(source), client!.db(viaUs));

    // A wrong key: exit 1, ENCRYPTION_WRONG_KEY, not one byte on stdout; no key at all: ENCRYPTION_KEY_MISSING.
    const wrongOut = new CapturedOutput();
    const wrong = await runCaptured(['decrypt', url], {
      env: { ...env, MONGO_BACKUP_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
      stdout: wrongOut,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('ENCRYPTION_WRONG_KEY');
    expect(wrongOut.bytes().length).toBe(0);
    const { MONGO_BACKUP_ENCRYPTION_KEY: _dropped, ...noKey } = env;
    const missing = await runCaptured(['decrypt', url], { env: noKey });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENCRYPTION_KEY_MISSING');
    // --keyFile stands in for the variable.
    const keyFile = path.join(workDir, 'key');
    await writeFile(keyFile, key, { mode: 0o600 });
    const fromFile = new CapturedOutput();
    expect(
      (await runCaptured(['decrypt', url, `--keyFile=${keyFile}`], { env: noKey, stdout: fromFile })).code,
    ).toBe(0);
    expect(fromFile.bytes().equals(stdout.bytes())).toBe(true);

    const cleaned = await runCaptured(['clean', `--backupDir=s3://${bucket}/cli`, '--keep=1', '--json'], {
      env,
    });
    expect(cleaned.code, cleaned.stderr).toBe(0);
  });
  it('dump --to s3:// --tarball shows the bytes uploaded; restore --from reads the .tar.gz back', async (ctx) => {
    const uri = requireServer(ctx);
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const { MONGO_BACKUP_ENCRYPTION_KEY: _none, ...env } = envFor(server, uri, '');
    const dumped = await runCaptured(['dump', `--db=${source}`, `--to=s3://${bucket}/tar`, '--tarball'], {
      env,
    });
    expect(dumped.code, dumped.stderr).toBe(0);
    expect(dumped.stderr).toMatch(/^uploaded \d/m);
    expect(`${dumped.stdout}${dumped.stderr}`).not.toContain(server.credentials.secretAccessKey);
    const listed = await runCaptured(['list', `--backupDir=s3://${bucket}/tar`, '--json'], { env });
    const [backup] = listed.json<{ backups: { path: string; kind: string }[] }>().backups;
    expect(backup).toMatchObject({ kind: 'tar.gz' });
    expect(backup?.path).toMatch(new RegExp(`^s3://${bucket}/tar/${source}_dump_.*\\.tar\\.gz$`));

    const copy = uniqueDbName('s3cli_tar');
    created.push(copy);
    const restored = await runCaptured(
      ['restore', `--from=${backup!.path}`, `--nsFrom=${source}.*`, `--nsTo=${copy}.*`, '--json'],
      { env },
    );
    expect(restored.code, restored.stderr).toBe(0);
    await expectSameDocuments(client!.db(source), client!.db(copy));
  });
});
