import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MongoBackupService } from '../../../src/index.js';
import { expectSameDocuments } from '../../support/compare.js';
import { seedDatabase, type SeededDatabase } from '../../support/seed.js';
import { requireServer } from '../../support/server.js';
import { requireTool, runToolOk } from '../../support/tools.js';
import { useTestWorkspace } from '../../support/workspace.js';

/** The REAL mongodump's output, restored by ours: documents byte-identical, indexes and options equal. */
describe('real mongodump restored by ours', () => {
  const ws = useTestWorkspace('mbs-restore-');
  const source = ws.database('md_src');
  let seeded: SeededDatabase;

  beforeAll(async () => {
    if (ws.connected) seeded = await seedDatabase(ws.client.db(source));
  });

  const layouts = [
    {
      name: 'archive --gzip',
      args: (f: string) => [`--archive=${f}.gz`, '--gzip'],
      from: (f: string) => `${f}.gz`,
    },
    { name: 'archive', args: (f: string) => [`--archive=${f}`], from: (f: string) => f },
    { name: 'directory --out', args: (f: string) => [`--out=${f}`], from: (f: string) => f },
    { name: 'directory --out --gzip', args: (f: string) => [`--out=${f}`, '--gzip'], from: (f: string) => f },
  ];

  for (const layout of layouts) {
    it(`${layout.name}: documents byte-identical, indexes and options equal`, async (ctx) => {
      const uri = requireServer(ctx);
      const mongodump = requireTool(ctx, 'mongodump');
      const base = path.join(ws.workDir, layout.name.replace(/[^a-z]+/g, '-'));
      await runToolOk(mongodump, [`--uri=${uri}`, `--db=${source}`, ...layout.args(base)]);

      const target = ws.database('md_dst');
      const service = new MongoBackupService({ source: ws.client, backupDir: ws.workDir, env: {} });
      const report = await service.restore({
        from: layout.from(base),
        into: 'source',
        nsFrom: [`${source}.*`],
        nsTo: [`${target}.*`],
      });
      expect(report.fidelity).toBe('raw');
      const restored = report.namespaces.filter((ns) => ns.status === 'restored');
      expect(restored.map((ns) => ns.target).sort()).toEqual(
        Object.keys(seeded.counts)
          .map((c) => `${target}.${c}`)
          .sort(),
      );
      for (const ns of restored) {
        expect(ns.documentsInserted, ns.source).toBe(seeded.counts[ns.source.slice(source.length + 1)]);
        expect(ns.duplicates).toBe(0);
      }
      await expectSameDocuments(ws.client.db(source), ws.client.db(target));
      for (const [name, indexes] of Object.entries(seeded.indexes)) {
        const got = await ws.client.db(target).collection(name).listIndexes().toArray();
        expect(got.map((ix) => String(ix['name'])).sort(), `indexes of ${name}`).toEqual(indexes);
      }
      const [capped] = await ws.client.db(target).listCollections({ name: 'capped' }).toArray();
      expect((capped as { options?: unknown } | undefined)?.options).toMatchObject({
        capped: true,
        size: 65536,
        max: 100,
      });
    });
  }

  it('drop replaces existing data; without drop duplicates are counted, not fatal', async (ctx) => {
    const uri = requireServer(ctx);
    const mongodump = requireTool(ctx, 'mongodump');
    const file = path.join(ws.workDir, 'dup.archive');
    await runToolOk(mongodump, [
      `--uri=${uri}`,
      `--db=${source}`,
      `--collection=orders`,
      `--archive=${file}`,
    ]);
    const target = ws.database('md_dup');
    const service = new MongoBackupService({ source: ws.client, backupDir: ws.workDir, env: {} });
    const rename = { nsFrom: [`${source}.*`], nsTo: [`${target}.*`], into: 'source' as const };
    await service.restore({ from: file, ...rename });
    const again = await service.restore({ from: file, ...rename });
    const orders = again.namespaces.find((ns) => ns.target === `${target}.orders`);
    expect(orders?.duplicates).toBe(seeded.counts['orders']);
    expect(orders?.documentsInserted).toBe(0);
    const dropped = await service.restore({ from: file, ...rename, drop: true });
    expect(dropped.namespaces.find((ns) => ns.target === `${target}.orders`)?.documentsInserted).toBe(
      seeded.counts['orders'],
    );
    expect(await ws.client.db(target).collection('orders').countDocuments()).toBe(seeded.counts['orders']);
  });
});
