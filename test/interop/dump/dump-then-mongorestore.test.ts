import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectArchive } from '../../../src/archive/inspect.js';
import { MongoBackupService } from '../../../src/index.js';
import { expectSameDocuments } from '../../support/compare.js';
import { seedDatabase, type SeededDatabase } from '../../support/seed.js';
import { isFerretDb, requireServer } from '../../support/server.js';
import { requireTool, runToolOk } from '../../support/tools.js';
import { useTestWorkspace } from '../../support/workspace.js';
import { createReadStream } from 'node:fs';

/** Our dump, restored by the REAL mongorestore: the proof that our archives are mongodump archives. */
describe('our dump restored by the real mongorestore', () => {
  const ws = useTestWorkspace('mbs-dump-');
  const source = ws.database('dump_src');
  let seeded: SeededDatabase;

  beforeAll(async () => {
    if (ws.connected) seeded = await seedDatabase(ws.client.db(source));
  });

  for (const gzip of [true, false]) {
    it(`archive (gzip: ${gzip}): every document byte-identical, counts and options kept`, async (ctx) => {
      const uri = requireServer(ctx);
      const mongorestore = requireTool(ctx, 'mongorestore');
      const target = ws.database('dump_dst');
      const output = path.join(ws.workDir, `dump-${gzip}.archive${gzip ? '.gz' : ''}`);
      const service = new MongoBackupService({ source: ws.client, backupDir: ws.workDir, env: {} });
      const report = await service.dump({ databases: [source], output, gzip });

      expect(report.path).toBe(output);
      expect(report.sizeBytes).toBeGreaterThan(0);
      expect(
        Object.fromEntries(
          report.namespaces.map((ns) => [ns.namespace.slice(source.length + 1), ns.documents]),
        ),
      ).toEqual(seeded.counts);
      const inspected = await inspectArchive(createReadStream(output));
      expect(inspected.valid).toBe(true);
      // Every collection carries its UUID and its indexes in the metadata, as mongodump writes them.
      for (const entry of inspected.entries) {
        expect(entry.metadata?.uuid, `${entry.collection} uuid`).toMatch(/^[0-9a-f]{32}$/);
        expect(entry.metadata?.indexes.length, `${entry.collection} indexes`).toBe(
          seeded.indexes[entry.collection]?.length,
        );
      }
      for (const ns of inspected.namespaces) {
        expect(ns.documents).toBe(seeded.counts[ns.namespace.slice(source.length + 1)]);
      }

      // The real mongorestore sends `ns` in index specs, which FerretDB rejects: indexes only on a real mongod.
      await runToolOk(mongorestore, [
        `--uri=${uri}`,
        `--archive=${output}`,
        ...(gzip ? ['--gzip'] : []),
        `--nsFrom=${source}.*`,
        `--nsTo=${target}.*`,
        ...(isFerretDb() ? ['--noIndexRestore'] : []),
      ]);
      const compared = await expectSameDocuments(ws.client.db(source), ws.client.db(target));
      expect(compared).toBe(Object.values(seeded.counts).reduce((a, b) => a + b, 0));
      const capped = await ws.client
        .db(target)
        .listCollections({ name: 'capped' }, { nameOnly: false })
        .toArray();
      expect((capped[0] as { options?: unknown } | undefined)?.options).toMatchObject({ capped: true });
      if (!isFerretDb()) {
        for (const [name, indexes] of Object.entries(seeded.indexes)) {
          const restored = await ws.client.db(target).collection(name).listIndexes().toArray();
          expect(restored.map((ix) => String(ix['name'])).sort(), `indexes of ${name}`).toEqual(indexes);
        }
      }
    });
  }

  it('directory layout passes bsondump --objcheck and mongorestore --dir', async (ctx) => {
    const uri = requireServer(ctx);
    const bsondump = requireTool(ctx, 'bsondump');
    const mongorestore = requireTool(ctx, 'mongorestore');
    const target = ws.database('dir_dst');
    const output = path.join(ws.workDir, 'dir-dump');
    const service = new MongoBackupService({ source: ws.client, backupDir: ws.workDir, env: {} });
    const report = await service.dump({ databases: [source], output, format: 'directory', gzip: false });
    expect(report.path).toBe(output);

    for (const name of Object.keys(seeded.counts)) {
      const file = path.join(output, source, `${name.replace('.', '.')}.bson`);
      const run = await runToolOk(bsondump, [
        '--objcheck',
        `--outFile=${path.join(ws.workDir, 'out.json')}`,
        file,
      ]);
      expect(run.stderr).toContain(`${seeded.counts[name]} objects found`);
    }
    await runToolOk(mongorestore, [
      `--uri=${uri}`,
      `--dir=${output}`,
      `--nsFrom=${source}.*`,
      `--nsTo=${target}.*`,
      ...(isFerretDb() ? ['--noIndexRestore'] : []),
    ]);
    await expectSameDocuments(ws.client.db(source), ws.client.db(target));
  });
});
