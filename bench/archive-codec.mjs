// Archive codec benchmark: our writer and reader side by side with plain zlib on the same bytes, and CRC-64 speed.
//
//   npx tsup && node bench/archive-codec.mjs [megabytes]     (default 256)
//
// Imports the BUILT library (dist/archive/index.js), as users get it. Documents are generated once, in memory,
// as raw BSON (nested objects, strings, numbers, dates, ObjectIds, arrays).

import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { crc64, createArchiveWriter, readArchive } from '../dist/archive/index.js';
import { generateDocuments } from './orders.mjs';

const TARGET_MB = Number(process.argv[2] ?? 256);
const NAMESPACES = 4;
const MB = 1e6;

// --- Helpers ---------------------------------------------------------------------------------------------------

const now = () => process.hrtime.bigint();
const seconds = (start) => Number(now() - start) / 1e9;

function countingSink() {
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk, _encoding, callback) {
      sink.bytes += chunk.length;
      callback();
    },
  });
  sink.bytes = 0;
  return sink;
}

function* slices(buffer, size) {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

/** Runs the measurements alternately `runs` times and keeps the best time of each (the machine may be shared). */
async function bestOf(runs, measurements) {
  const results = measurements.map(() => undefined);
  for (let i = 0; i < runs; i++) {
    for (const [k, measure] of measurements.entries()) {
      const r = await measure();
      if (results[k] === undefined || r.seconds < results[k].seconds) results[k] = r;
    }
  }
  return results;
}

// --- Measurements ----------------------------------------------------------------------------------------------

async function plainGzip(all, file) {
  const start = now();
  const out = file === undefined ? countingSink() : createWriteStream(file);
  await pipeline(Readable.from(slices(all, 1024 * 1024)), createGzip({ level: 6 }), out);
  return { seconds: seconds(start) };
}

async function ourWriter(docs, file) {
  const namespaces = Array.from({ length: NAMESPACES }, (_, k) => ({
    db: 'bench',
    collection: `orders${k}`,
  }));
  const start = now();
  const writer = createArchiveWriter({ header: { serverVersion: '7.0.14' }, namespaces, gzip: { level: 6 } });
  const out = file === undefined ? countingSink() : createWriteStream(file);
  const saved = pipeline(writer.stream, out);
  await Promise.all(
    namespaces.map(async (ns, k) => {
      const target = writer.openNamespace(ns.db, ns.collection);
      for (let i = k; i < docs.length; i += NAMESPACES) await target.write(docs[i]);
      await target.end();
    }),
  );
  const summary = await writer.finish();
  await saved;
  return { seconds: seconds(start), summary };
}

async function plainGunzip(file, options) {
  const start = now();
  const sink = countingSink();
  await pipeline(createReadStream(file), createGunzip(options), sink);
  return { seconds: seconds(start), outBytes: sink.bytes };
}

async function ourReader(file) {
  const start = now();
  let documents = 0;
  let bytes = 0;
  for await (const event of readArchive(createReadStream(file))) {
    if (event.kind === 'documents') {
      documents += event.documents.length;
      for (const doc of event.documents) bytes += doc.length;
    }
  }
  return { seconds: seconds(start), documents, bytes };
}

function crcThroughput(all) {
  const start = now();
  let value = 0n;
  for (const slice of slices(all, 1024 * 1024)) value ^= crc64(slice);
  return { seconds: seconds(start), value };
}

// --- Run -------------------------------------------------------------------------------------------------------

const dir = mkdtempSync(path.join(os.tmpdir(), 'archive-codec-bench-'));
const file = path.join(dir, 'bench.archive.gz');
try {
  const genStart = now();
  const { all, docs } = generateDocuments(TARGET_MB);
  const dataMB = all.length / MB;
  console.log(
    `data: ${docs.length} documents, ${dataMB.toFixed(1)} MB of BSON (generated in ${seconds(genStart).toFixed(1)} s)`,
  );
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load ${load()}\n`,
  );

  // Warm up JIT and zlib on a small slice.
  const warm = generateDocuments(8);
  await ourWriter(warm.docs);
  await plainGzip(warm.all);
  crcThroughput(warm.all);

  // Both write their output to a file, as a real dump does.
  const [gzip, writer] = await bestOf(3, [
    () => plainGzip(all, `${file}.plain`),
    () => ourWriter(docs, file),
  ]);
  const archiveBytes = statSync(file).size;
  const [gunzip, gunzip64, reader] = await bestOf(3, [
    () => plainGunzip(file),
    () => plainGunzip(file, { chunkSize: 64 * 1024 }),
    () => ourReader(file),
  ]);
  if (reader.documents !== docs.length || reader.bytes !== all.length)
    throw new Error('reader lost documents');
  const [crc] = await bestOf(3, [async () => crcThroughput(all)]);

  const rate = (mb, s) => (mb / s).toFixed(1);
  const rows = [
    [
      'plain gzip -6 (zlib.createGzip)',
      rate(dataMB, gzip.seconds),
      (docs.length / gzip.seconds).toFixed(0),
      '',
    ],
    [
      'our writer, gzip 6, 4 namespaces',
      rate(dataMB, writer.seconds),
      (docs.length / writer.seconds).toFixed(0),
      `${((gzip.seconds / writer.seconds) * 100).toFixed(0)}% of plain gzip`,
    ],
    [
      'plain gunzip (zlib.createGunzip)',
      rate(gunzip.outBytes / MB, gunzip.seconds),
      (docs.length / gunzip.seconds).toFixed(0),
      '',
    ],
    [
      'plain gunzip, 64 KiB chunks (as the reader uses)',
      rate(gunzip.outBytes / MB, gunzip64.seconds),
      (docs.length / gunzip64.seconds).toFixed(0),
      '',
    ],
    [
      'our reader (gunzip + parse + CRC)',
      rate(gunzip.outBytes / MB, reader.seconds),
      (docs.length / reader.seconds).toFixed(0),
      `${((gunzip.seconds / reader.seconds) * 100).toFixed(0)}% of plain gunzip, ${((gunzip64.seconds / reader.seconds) * 100).toFixed(0)}% of 64 KiB gunzip`,
    ],
    [
      'crc64 (CRC-64/XZ)',
      rate(dataMB, crc.seconds),
      '',
      `${(gzip.seconds / crc.seconds).toFixed(1)}x plain gzip`,
    ],
  ];
  console.log(
    `archive: ${(archiveBytes / MB).toFixed(1)} MB gzipped, ${(writer.summary.archiveBytes / MB).toFixed(1)} MB raw`,
  );
  console.log(`load average at the end: ${load()}`);
  console.log('| measurement | MB/s | docs/s | vs baseline |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
