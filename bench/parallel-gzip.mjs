// Parallel gzip members benchmark: our member-marked gzip (writer and reader) side by side with single-stream zlib,
// pigz and gunzip on the same archive bytes, plus scaling with libuv's thread pool size.
//
//   npx tsup && node bench/parallel-gzip.mjs [megabytes]     (default 256)
//
// Needs `pigz` (Debian: `apt-get install pigz`) and `gunzip` on the PATH. Imports the BUILT library
// (dist/archive/index.js). Writes its files in a new temporary folder, removed at the end.
//
// Child mode (used for the scaling rows): `node bench/parallel-gzip.mjs --child <raw archive> <member archive>`
// measures our writer and reader with the UV_THREADPOOL_SIZE it was started with, and prints one JSON line.

import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import { createArchiveWriter, readArchive } from '../dist/archive/index.js';
import { generateDocuments } from './orders.mjs';

const MB = 1e6;
const NAMESPACES = 4;
const LEVEL = 6;
const now = () => process.hrtime.bigint();
const seconds = (start) => Number(now() - start) / 1e9;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

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

/** Documents of a raw (not gzipped) archive, back in memory, in archive order. */
async function documentsOf(rawFile) {
  const docs = [];
  for await (const event of readArchive(createReadStream(rawFile), { gzip: false })) {
    if (event.kind === 'documents') docs.push(...event.documents);
  }
  return docs;
}

/** Our archive writer over `docs` (4 namespaces written concurrently), gzip as given, output to `file` or counted. */
async function ourWriter(docs, gzip, file) {
  const namespaces = Array.from({ length: NAMESPACES }, (_, k) => ({
    db: 'bench',
    collection: `orders${k}`,
  }));
  const start = now();
  const writer = createArchiveWriter({ header: { serverVersion: '7.0.14' }, namespaces, gzip });
  const out = file === undefined ? countingSink() : createWriteStream(file);
  const saved = pipeline(writer.stream, out);
  await Promise.all(
    namespaces.map(async (ns, k) => {
      const target = writer.openNamespace(ns.db, ns.collection);
      for (let i = k; i < docs.length; i += NAMESPACES) await target.write(docs[i]);
      await target.end();
    }),
  );
  await writer.finish();
  await saved;
  return seconds(start);
}

/** Plain zlib, one stream, on the raw archive file. */
async function plainGzip(rawFile) {
  const start = now();
  await pipeline(
    createReadStream(rawFile, { highWaterMark: 1024 * 1024 }),
    createGzip({ level: LEVEL }),
    countingSink(),
  );
  return seconds(start);
}

async function plainGunzip(file) {
  const start = now();
  await pipeline(createReadStream(file), createGunzip({ chunkSize: 64 * 1024 }), countingSink());
  return seconds(start);
}

async function ourReader(file, parallelGunzip) {
  const start = now();
  let documents = 0;
  for await (const event of readArchive(createReadStream(file), { parallelGunzip })) {
    if (event.kind === 'documents') documents += event.documents.length;
  }
  return { seconds: seconds(start), documents };
}

/** Runs a shell command with its output to /dev/null and returns the wall time. */
function timed(command) {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(seconds(start)) : reject(new Error(`${command}: exit ${code}`)),
    );
  });
}

async function child(rawFile, memberFile) {
  const docs = await documentsOf(rawFile);
  const writer = await ourWriter(docs, { level: LEVEL });
  const reader = (await ourReader(memberFile, true)).seconds;
  console.log(JSON.stringify({ writer, reader }));
}

async function main(megabytes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parallel-gzip-bench-'));
  const raw = path.join(dir, 'raw.archive');
  const members = path.join(dir, 'members.archive.gz');
  const single = path.join(dir, 'single.archive.gz');
  try {
    const { docs } = generateDocuments(megabytes);
    await ourWriter(docs, false, raw);
    const rawMB = statSync(raw).size / MB;
    console.log(`data: ${docs.length} documents, archive of ${rawMB.toFixed(1)} MB (not compressed)`);
    console.log(
      `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 'unset (4)'}`,
    );
    console.log(`load average before: ${load()}\n`);
    const loads = [];

    // Writers, alternating, best of two.
    const rows = {};
    const keep = (name, value) => {
      rows[name] = Math.min(rows[name] ?? Infinity, value);
      loads.push(os.loadavg()[0]);
    };
    for (let run = 0; run < 2; run++) {
      keep('plain zlib gzip -6, one stream', await plainGzip(raw));
      keep('our writer, parallel members (default)', await ourWriter(docs, { level: LEVEL }, members));
      keep(
        'our writer, { parallel: false }',
        await ourWriter(docs, { level: LEVEL, parallel: false }, single),
      );
      keep('pigz -p 2 -6', await timed(`pigz -p 2 -${LEVEL} -c '${raw}' > /dev/null`));
      keep('gzip -6 (CLI)', await timed(`gzip -${LEVEL} -c '${raw}' > /dev/null`));
    }
    const membersSize = statSync(members).size;
    const singleSize = statSync(single).size;
    const pigzSize = Number(
      spawnSync('sh', ['-c', `pigz -p 2 -${LEVEL} -c '${raw}' | wc -c`]).stdout.toString(),
    );

    // Readers, alternating, best of two.
    const readers = {};
    const keepReader = (name, value) => {
      readers[name] = Math.min(readers[name] ?? Infinity, value);
      loads.push(os.loadavg()[0]);
    };
    for (let run = 0; run < 2; run++) {
      keepReader('plain zlib gunzip (64 KiB chunks) of the member archive', await plainGunzip(members));
      keepReader('gunzip -c (CLI) of the member archive', await timed(`gunzip -c '${members}' > /dev/null`));
      keepReader('our reader, parallel members (default)', (await ourReader(members, true)).seconds);
      keepReader('our reader, { parallelGunzip: false }', (await ourReader(members, false)).seconds);
    }

    // Scaling with the thread pool.
    const scaling = [];
    for (const threads of [1, 2, 4]) {
      const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', raw, members], {
        env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) },
        encoding: 'utf8',
        maxBuffer: 1024 * 1024,
      });
      if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
      scaling.push({ threads, ...JSON.parse(result.stdout.trim().split('\n').at(-1)) });
      loads.push(os.loadavg()[0]);
    }

    const rate = (s) => `${(rawMB / s).toFixed(1)} MB/s`;
    console.log('| writer (archive bytes in) | best of 2 | throughput | vs plain zlib |');
    console.log('| --- | ---: | ---: | ---: |');
    const base = rows['plain zlib gzip -6, one stream'];
    for (const [name, s] of Object.entries(rows))
      console.log(`| ${name} | ${s.toFixed(1)} s | ${rate(s)} | ${(base / s).toFixed(2)}x |`);
    console.log(
      `\nour parallel writer vs pigz -p 2: ${(rows['pigz -p 2 -6'] / rows['our writer, parallel members (default)']).toFixed(2)}x pigz's throughput`,
    );
    console.log(
      `compressed size: members ${(membersSize / MB).toFixed(2)} MB, single stream ${(singleSize / MB).toFixed(2)} MB ` +
        `(members/single ${((membersSize / singleSize - 1) * 100).toFixed(2)}%), pigz ${(pigzSize / MB).toFixed(2)} MB\n`,
    );
    console.log('| reader (archive bytes out) | best of 2 | throughput | vs plain zlib gunzip |');
    console.log('| --- | ---: | ---: | ---: |');
    const rbase = readers['plain zlib gunzip (64 KiB chunks) of the member archive'];
    for (const [name, s] of Object.entries(readers))
      console.log(`| ${name} | ${s.toFixed(2)} s | ${rate(s)} | ${(rbase / s).toFixed(2)}x |`);
    console.log('\n| UV_THREADPOOL_SIZE | our writer | our reader |');
    console.log('| ---: | ---: | ---: |');
    for (const row of scaling) console.log(`| ${row.threads} | ${rate(row.writer)} | ${rate(row.reader)} |`);
    console.log(
      `\n1-minute load average during the runs: ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main(Number(process.argv[2] ?? 256));
