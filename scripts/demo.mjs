// The main job on an embedded default: start a local server, seed sample data, back it up, verify the archive,
// restore it under a new name, and print the reports. Run through `npm run demo` (scripts/demo.sh builds first).
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import { inspectArchive } from '../dist/archive/index.js';
import { MongoBackupService } from '../dist/index.js';
import { startLocalServer } from './local-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BACKUP_DIR = path.join(ROOT, 'backups', 'demo');
const SOURCE_DB = 'demo_shop';
const RESTORED_DB = 'demo_shop_restored';

const say = (line = '') => process.stdout.write(`${line}\n`);
const table = (rows) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  for (const row of rows) say(`  ${row.map((cell, i) => String(cell).padEnd(widths[i])).join('  ')}`);
};
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

async function seed(db, supportsDecimal) {
  await db.dropDatabase();
  const products = Array.from({ length: 50 }, (_, i) => ({
    _id: new Int32(i + 1),
    name: `Product ${i + 1}`,
    price: supportsDecimal ? Decimal128.fromString(`${(i * 3.17 + 1).toFixed(2)}`) : new Double(i * 3.17 + 1),
    stock: new Int32(100 - i),
    tags: ['demo', i % 2 ? 'odd' : 'even'],
  }));
  const customers = Array.from({ length: 500 }, (_, i) => ({
    _id: new ObjectId(),
    email: `customer${i}@example.com`,
    name: { first: `First${i}`, last: `Last${i}` },
    since: new Date(Date.UTC(2020, 0, 1) + i * 86_400_000),
    loyalty: Long.fromNumber(i * 1000),
  }));
  const orders = Array.from({ length: 20_000 }, (_, i) => ({
    _id: new ObjectId(),
    customer: customers[i % customers.length]._id,
    lines: [{ product: new Int32((i % 50) + 1), qty: new Int32((i % 5) + 1) }],
    total: new Double((i % 97) + 0.5),
    at: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
  }));
  await db.collection('products').insertMany(products);
  await db.collection('customers').insertMany(customers);
  for (let i = 0; i < orders.length; i += 5000)
    await db.collection('orders').insertMany(orders.slice(i, i + 5000));
  await db.collection('customers').createIndex({ email: 1 }, { unique: true });
  await db.collection('orders').createIndex({ customer: 1, at: -1 });
  await db.createCollection('audit_log', { capped: true, size: 1 << 20 });
  await db.createCollection('returns');
}

async function main() {
  say('== 1. Local server');
  const server = await startLocalServer({ log: (line) => say(`  ${line}`) });
  say(`  ${server.description}`);
  const client = await MongoClient.connect(server.uri);
  const service = new MongoBackupService({ source: client, backupDir: BACKUP_DIR, env: {} });
  try {
    say('\n== 2. Sample data');
    const build = await client.db('admin').command({ buildInfo: 1 });
    await seed(client.db(SOURCE_DB), build.ferretdbVersion === undefined);
    const names = (await client.db(SOURCE_DB).listCollections({}, { nameOnly: true }).toArray())
      .map((c) => c.name)
      .sort();
    const counts = Object.fromEntries(
      await Promise.all(
        names.map(async (name) => [name, await client.db(SOURCE_DB).collection(name).countDocuments()]),
      ),
    );
    table([['collection', 'documents'], ...names.map((name) => [`${SOURCE_DB}.${name}`, counts[name]])]);

    say('\n== 3. Backup (gzip archive, mongodump --archive --gzip format)');
    const dump = await service.dump({ databases: [SOURCE_DB] });
    say(`  file        ${path.relative(ROOT, dump.path)}`);
    say(`  size        ${mb(dump.sizeBytes)} compressed, ${mb(dump.uncompressedBytes)} uncompressed`);
    say(`  documents   ${dump.totalDocuments} in ${dump.collectionCount} collections`);
    say(`  server      ${dump.serverVersion}`);
    say(`  created at  ${dump.startedAt.toISOString()}, took ${dump.durationMs} ms`);

    say('\n== 4. Verify the archive (structure and per-namespace CRC-64)');
    const inspection = await inspectArchive(createReadStream(dump.path));
    table([
      ['namespace', 'documents', 'bytes', 'CRC (int64)'],
      ...inspection.namespaces.map((ns) => [ns.namespace, ns.documents, ns.bytes, String(ns.crc)]),
    ]);
    say(`  verdict     ${inspection.valid ? 'VALID' : `INVALID: ${inspection.error?.message}`}`);
    if (!inspection.valid) throw inspection.error;

    say(`\n== 5. Restore under a new name (${SOURCE_DB}.* -> ${RESTORED_DB}.*)`);
    const restore = await service.restore({
      from: dump.path,
      into: 'source',
      nsFrom: [`${SOURCE_DB}.*`],
      nsTo: [`${RESTORED_DB}.*`],
      drop: true,
    });
    table([
      ['source', 'target', 'read', 'inserted', 'dups', 'indexes', 'status'],
      ...restore.namespaces.map((ns) => [
        ns.source,
        ns.target,
        ns.documentsRead,
        ns.documentsInserted,
        ns.duplicates,
        ns.indexesBuilt,
        ns.status,
      ]),
    ]);
    say(`  fidelity    ${restore.fidelity} (documents sent as the archive's exact bytes)`);

    say('\n== 6. Check');
    let ok = true;
    for (const name of names) {
      const restored = await client.db(RESTORED_DB).collection(name).countDocuments();
      if (restored !== counts[name]) ok = false;
      say(
        `  ${name.padEnd(12)} source ${String(counts[name]).padStart(6)}  restored ${String(restored).padStart(6)}  ${restored === counts[name] ? 'ok' : 'MISMATCH'}`,
      );
    }
    say(ok ? '\nDemo complete: backup verified and restored.' : '\nDemo FAILED: counts differ.');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await service.close();
    await client.close();
    await server.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
