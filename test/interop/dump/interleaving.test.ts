import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BSON } from 'bson';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiveWriter, inspectArchive } from '../../../src/archive/index.js';
import { collect } from '../../unit/archive/helpers.js';
import {
  connectTestClient,
  isFerretDb,
  requireServer,
  testServer,
  uniqueDbName,
} from '../../support/server.js';
import { requireTool } from '../../support/tools.js';

const NAMESPACES = 12;
/** mongorestore hangs for good (and ignores SIGTERM) on an archive interleaving too much: it is killed after this. */
const HANG_MS = 60_000;

/** Runs mongorestore, killing it with SIGKILL if it has not finished in time. */
function mongorestoreWithin(
  file: string,
  args: readonly string[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: HANG_MS,
      killSignal: 'SIGKILL',
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('our archive of many collections written in parallel, restored by the real mongorestore', () => {
  const db = uniqueDbName('interleave');
  let client: MongoClient | undefined;
  let workDir = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mbs-interleave-'));
    if (testServer().kind === 'none') return;
    client = await connectTestClient();
  });

  afterAll(async () => {
    await client?.db(db).dropDatabase();
    await client?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it(`${NAMESPACES} namespaces written at once: mongorestore (default -j 4) restores all, no hang`, async (ctx) => {
    const uri = requireServer(ctx);
    const mongorestore = requireTool(ctx, 'mongorestore');
    const names = Array.from({ length: NAMESPACES }, (_, i) => `c${i}`);
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.14' },
      namespaces: names.map((collection) => ({
        db,
        collection,
        metadata: {
          options: new Map(),
          indexes: [],
          collectionName: collection,
          type: 'collection' as const,
        },
      })),
      segmentSize: 256,
    });
    const bytes = collect(writer.stream);
    await Promise.all(
      names.map(async (collection, n) => {
        const namespace = writer.openNamespace(db, collection);
        for (let i = 0; i < 200; i += 1) {
          await namespace.write(Buffer.from(BSON.serialize({ _id: i, n, pad: 'x'.repeat(40) })));
        }
        await namespace.end();
      }),
    );
    await writer.finish();
    const archive = path.join(workDir, 'parallel.archive');
    await writeFile(archive, await bytes);
    const inspection = await inspectArchive(await bytes);
    expect(inspection.valid).toBe(true);
    expect(inspection.warnings).toEqual([]);
    expect(inspection.maxInterleaved).toBeLessThanOrEqual(4);

    const run = await mongorestoreWithin(mongorestore, [
      `--uri=${uri}`,
      `--archive=${archive}`,
      ...(isFerretDb() ? ['--noIndexRestore'] : []),
    ]);
    expect(run.signal, `mongorestore hung and was killed after ${HANG_MS} ms`).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    for (const collection of names) {
      expect(await client!.db(db).collection(collection).countDocuments(), collection).toBe(200);
    }
  });
});
