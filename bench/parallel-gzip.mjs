// Parallel gzip members benchmark: our length-marked gzip members (writer and reader) side by side with single-stream
// zlib, pigz and gzip/gunzip on the same bytes, and how they scale with libuv's thread pool.
//
//   npx tsup && node bench/parallel-gzip.mjs [megabytes]     (default 256; a few minutes on 2 quiet cores)
//
// Every timed run is checked: the bytes out of our gunzip stage and the documents read must be all of them.
//
// Imports the BUILT library (dist/archive/index.js) and bundles the internal gzip stage (src/archive/gzip/*) with
// tsup into its temporary folder, so that the stage can be timed without the archive framing. `pigz`, `gzip` and
// `gunzip` rows are skipped, with a note, when the binary is not on the PATH (Debian: `apt-get install pigz`).
// Needs bash (for `time`).
// Writes its files in a new temporary folder, removed at the end.
//
// What is timed (wall clock, best of two, alternating):
// - gzip/gunzip STAGE rows: bytes already in a file, read with createReadStream (1 MiB chunks), through the stage,
//   into a counting sink; exactly what `pigz -c file > /dev/null` and `gunzip -c file > /dev/null` do. Our gzip
//   stage runs with the default members in flight and with one more, to settle the default.
// - ARCHIVE rows: our archive writer fed the pre-built raw BSON documents (generated before timing, 4 namespaces
//   written concurrently, one `await write()` per document: framing, CRC-64 and gzip are timed, generating the data
//   is not), into a counting sink; readArchive over the member archive file, counting documents (parsing, CRC-64 and
//   handing out every document are timed).
// Throughput is always of uncompressed (archive) bytes. "CPU ms/MB" is the CPU time of every thread of the process
// (commands: bash's `time`), "main ms/MB" that of the main thread alone (Linux, /proc/self/task): both hardly depend
// on the load, unlike wall times; on 2 cores every ms of main-thread work is taken from a deflate thread.
//
// Child mode (the scaling rows): `node bench/parallel-gzip.mjs --child <stage dir> <raw> <member archive> <documents>`
// times our gzip stage, our gunzip stage and readArchive with the UV_THREADPOOL_SIZE it was started with.

import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import { createArchiveWriter, defaultGzipConcurrency, readArchive } from '../dist/archive/index.js';
import { generateDocuments } from './orders.mjs';

const MB = 1e6;
const NAMESPACES = 4;
const LEVEL = 6;
const READ_CHUNK = 1024 * 1024;
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const now = () => process.hrtime.bigint();
const seconds = (start) => Number(now() - start) / 1e9;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** CPU seconds of this process's main thread (Linux), or undefined. */
function mainThreadCpu() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Runs `fn`, returning its wall time, the CPU time of the whole process and of its main thread. */
async function timedInProcess(fn) {
  const main0 = mainThreadCpu();
  const cpu0 = process.cpuUsage();
  const start = now();
  await fn();
  const wall = seconds(start);
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadCpu();
  return {
    wall,
    cpu: (cpu.user + cpu.system) / 1e6,
    main: main0 === undefined || main1 === undefined ? undefined : main1 - main0,
  };
}

function countingSink() {
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk, _encoding, callback) {
      sink.bytes += chunk.length;
      callback();
    },
    writev(chunks, callback) {
      for (const { chunk } of chunks) sink.bytes += chunk.length;
      callback();
    },
  });
  sink.bytes = 0;
  return sink;
}

/** Bundles the internal gzip stage from src/ with tsup into `dir`; returns its modules. */
async function bundleStage(dir) {
  const { build } = await import('tsup');
  await build({
    entry: {
      'member-writer': path.join(ROOT, 'src/archive/gzip/member-writer.ts'),
      'member-reader': path.join(ROOT, 'src/archive/gzip/member-reader.ts'),
    },
    format: ['esm'],
    outDir: dir,
    silent: true,
    splitting: true,
    dts: false,
    sourcemap: false,
    clean: true,
    target: 'node20',
    config: false,
  });
  return loadStage(dir);
}

async function loadStage(dir) {
  const url = (name) => pathToFileURL(path.join(dir, `${name}.js`)).href;
  const { createMemberGzip } = await import(url('member-writer'));
  const { gunzipMembers } = await import(url('member-reader'));
  return { createMemberGzip, gunzipMembers };
}

/** Our archive writer over the pre-built `docs` (4 namespaces written concurrently), into a counting sink. */
async function ourWriter(docs, gzip) {
  const namespaces = Array.from({ length: NAMESPACES }, (_, k) => ({
    db: 'bench',
    collection: `orders${k}`,
  }));
  const writer = createArchiveWriter({ header: { serverVersion: '7.0.14' }, namespaces, gzip });
  const out = countingSink();
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
  return out.bytes;
}

/** Writes the archive of `docs` to `file` (not timed). */
async function writeArchiveFile(docs, gzip, file) {
  const namespaces = Array.from({ length: NAMESPACES }, (_, k) => ({
    db: 'bench',
    collection: `orders${k}`,
  }));
  const writer = createArchiveWriter({ header: { serverVersion: '7.0.14' }, namespaces, gzip });
  const saved = pipeline(writer.stream, createWriteStream(file));
  await Promise.all(
    namespaces.map(async (ns, k) => {
      const target = writer.openNamespace(ns.db, ns.collection);
      for (let i = k; i < docs.length; i += NAMESPACES) await target.write(docs[i]);
      await target.end();
    }),
  );
  await writer.finish();
  await saved;
}

/** Checks that a timed run produced what it should (a fast wrong answer is no result). */
function expectEqual(what, actual, expected) {
  if (actual !== expected) throw new Error(`${what}: got ${actual}, expected ${expected}`);
}

let expected = { bytes: undefined, documents: undefined };

const fileSource = (file) => createReadStream(file, { highWaterMark: READ_CHUNK });

const plainGzipStage = (file) =>
  pipeline(fileSource(file), createGzip({ level: LEVEL, chunkSize: 64 * 1024 }), countingSink());

const memberGzipStage = (stage, file, concurrency = defaultGzipConcurrency()) =>
  pipeline(
    fileSource(file),
    stage.createMemberGzip({ level: LEVEL, memberSize: 1024 * 1024, concurrency }),
    countingSink(),
  );

async function plainGunzipStage(file) {
  const sink = countingSink();
  await pipeline(fileSource(file), createGunzip({ chunkSize: 64 * 1024 }), sink);
  expectEqual('bytes out of plain gunzip', sink.bytes, expected.bytes);
}

async function memberGunzipStage(stage, file) {
  const source = fileSource(file);
  const chunks = stage.gunzipMembers([], source[Symbol.asyncIterator](), () => 0, defaultGzipConcurrency());
  let bytes = 0;
  for await (const chunk of chunks) bytes += chunk.length;
  expectEqual('bytes out of our gunzip stage', bytes, expected.bytes);
}

async function ourReader(file, parallelGunzip) {
  let documents = 0;
  for await (const event of readArchive(fileSource(file), { parallelGunzip })) {
    if (event.kind === 'documents') documents += event.documents.length;
  }
  expectEqual('documents read', documents, expected.documents);
}

/** Whether `command` is on the PATH. */
const has = (command) => spawnSync('bash', ['-c', `command -v ${command}`]).status === 0;

/** Runs a shell command with its output to /dev/null; returns its wall time and CPU time (bash's `time`). */
function timedCommand(command) {
  return new Promise((resolve, reject) => {
    const start = now();
    const script = `TIMEFORMAT='%3U %3S'; time (${command})`;
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const wall = seconds(start);
      if (code !== 0) return reject(new Error(`${command}: exit ${code}: ${stderr}`));
      const [user, system] = stderr.trim().split('\n').at(-1).split(' ').map(Number);
      resolve({ wall, cpu: user + system });
    });
  });
}

async function child(stageDir, rawFile, memberFile, documents) {
  const stage = await loadStage(stageDir);
  expected = { bytes: statSync(rawFile).size, documents };
  const best = async (fn) => Math.min((await timedInProcess(fn)).wall, (await timedInProcess(fn)).wall);
  const writer = await best(() => memberGzipStage(stage, rawFile));
  const gunzip = await best(() => memberGunzipStage(stage, memberFile));
  const reader = await best(() => ourReader(memberFile, true));
  console.log(JSON.stringify({ writer, gunzip, reader }));
}

async function main(megabytes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parallel-gzip-bench-'));
  const raw = path.join(dir, 'raw.archive');
  const members = path.join(dir, 'members.archive.gz');
  const single = path.join(dir, 'single.archive.gz');
  const stageDir = path.join(dir, 'stage');
  try {
    const stage = await bundleStage(stageDir);
    const { docs } = generateDocuments(megabytes);
    await writeArchiveFile(docs, false, raw);
    await writeArchiveFile(docs, { level: LEVEL }, members);
    await writeArchiveFile(docs, { level: LEVEL, parallel: false }, single);
    expected = { bytes: statSync(raw).size, documents: docs.length };
    const rawMB = expected.bytes / MB;
    console.log(`data: ${docs.length} documents, archive of ${rawMB.toFixed(1)} MB (not compressed)`);
    console.log(
      `node ${process.version}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'}), ` +
        `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 'unset (4)'}, ` +
        `members in flight ${defaultGzipConcurrency()}`,
    );
    console.log(`load average before: ${load()}`);
    const tools = { pigz: has('pigz'), gzip: has('gzip'), gunzip: has('gunzip') };
    for (const [tool, present] of Object.entries(tools))
      if (!present) console.log(`note: ${tool} is not on the PATH, its rows are skipped`);
    console.log('');
    const loads = [os.loadavg()[0]];

    const writers = [
      ['gzip stage: plain zlib createGzip, one stream', () => timedInProcess(() => plainGzipStage(raw))],
      ['gzip stage: our parallel members', () => timedInProcess(() => memberGzipStage(stage, raw))],
      [
        `gzip stage: our parallel members, ${defaultGzipConcurrency() + 1} in flight (default + 1)`,
        () => timedInProcess(() => memberGzipStage(stage, raw, defaultGzipConcurrency() + 1)),
      ],
      ...(tools.pigz
        ? [['pigz -p 2 -6', () => timedCommand(`pigz -p 2 -${LEVEL} -c '${raw}' > /dev/null`)]]
        : []),
      ...(tools.gzip
        ? [['gzip -6 (CLI)', () => timedCommand(`gzip -${LEVEL} -c '${raw}' > /dev/null`)]]
        : []),
      [
        'archive writer: parallel members (default)',
        () => timedInProcess(() => ourWriter(docs, { level: LEVEL })),
      ],
      [
        'archive writer: { parallel: false }',
        () => timedInProcess(() => ourWriter(docs, { level: LEVEL, parallel: false })),
      ],
      ['archive writer: no gzip', () => timedInProcess(() => ourWriter(docs, false))],
    ];
    const readers = [
      [
        'gunzip stage: plain zlib createGunzip, one stream',
        () => timedInProcess(() => plainGunzipStage(members)),
      ],
      ['gunzip stage: our parallel members', () => timedInProcess(() => memberGunzipStage(stage, members))],
      ...(tools.gunzip
        ? [['gunzip -c (CLI)', () => timedCommand(`gunzip -c '${members}' > /dev/null`)]]
        : []),
      ['readArchive: parallel members (default)', () => timedInProcess(() => ourReader(members, true))],
      ['readArchive: { parallelGunzip: false }', () => timedInProcess(() => ourReader(members, false))],
      ['readArchive: not gzipped', () => timedInProcess(() => ourReader(raw, true))],
    ];
    const results = new Map();
    for (const rows of [writers, readers]) {
      for (let run = 0; run < 2; run++) {
        for (const [name, measure] of rows) {
          const result = await measure();
          const kept = results.get(name);
          if (kept === undefined || result.wall < kept.wall) results.set(name, result);
          loads.push(os.loadavg()[0]);
        }
      }
    }

    const scaling = [];
    for (const threads of [1, 2, 4]) {
      const result = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--child', stageDir, raw, members, String(docs.length)],
        {
          env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) },
          encoding: 'utf8',
          maxBuffer: 1024 * 1024,
        },
      );
      if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
      scaling.push({ threads, ...JSON.parse(result.stdout.trim().split('\n').at(-1)) });
      loads.push(os.loadavg()[0]);
    }

    const rate = (s) => `${(rawMB / s).toFixed(1)} MB/s`;
    const main = (r) => (r.main === undefined ? '' : ((r.main * 1000) / rawMB).toFixed(1));
    const table = (title, rows, base) => {
      console.log(
        `| ${title} | best of 2 | throughput | vs ${base} | CPU ms/MB (all threads) | main ms/MB |`,
      );
      console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
      const baseWall = results.get(base).wall;
      for (const [name] of rows) {
        const r = results.get(name);
        const cpu = ((r.cpu * 1000) / rawMB).toFixed(1);
        console.log(
          `| ${name} | ${r.wall.toFixed(2)} s | ${rate(r.wall)} | ${(baseWall / r.wall).toFixed(2)}x | ${cpu} | ${main(r)} |`,
        );
      }
      console.log('');
    };
    table('writer (archive bytes in)', writers, writers[0][0]);
    const ours = results.get('gzip stage: our parallel members').wall;
    if (tools.pigz)
      console.log(
        `our gzip stage / pigz -p 2: ${(results.get('pigz -p 2 -6').wall / ours).toFixed(2)}x pigz's throughput`,
      );
    const archive = (name) => results.get(`archive writer: ${name}`).wall;
    console.log(
      `archive writer, parallel / { parallel: false }: ${(archive('{ parallel: false }') / archive('parallel members (default)')).toFixed(2)}x`,
    );
    const size = (file) => statSync(file).size;
    const pigzSize = tools.pigz
      ? Number(spawnSync('sh', ['-c', `pigz -p 2 -${LEVEL} -c '${raw}' | wc -c`]).stdout.toString())
      : undefined;
    console.log(
      `compressed size: members ${(size(members) / MB).toFixed(2)} MB, single stream ${(size(single) / MB).toFixed(2)} MB ` +
        `(members/single ${((size(members) / size(single) - 1) * 100).toFixed(2)}%)` +
        (pigzSize === undefined ? '' : `, pigz ${(pigzSize / MB).toFixed(2)} MB`) +
        '\n',
    );
    table('reader (archive bytes out, member archive)', readers, readers[0][0]);
    const read = (name) => results.get(`readArchive: ${name}`).wall;
    console.log(
      `readArchive, parallel / { parallelGunzip: false }: ${(read('{ parallelGunzip: false }') / read('parallel members (default)')).toFixed(2)}x\n`,
    );
    console.log('| UV_THREADPOOL_SIZE | gzip stage (ours) | gunzip stage (ours) | readArchive (parallel) |');
    console.log('| ---: | ---: | ---: | ---: |');
    for (const row of scaling)
      console.log(`| ${row.threads} | ${rate(row.writer)} | ${rate(row.gunzip)} | ${rate(row.reader)} |`);
    console.log(
      `\n1-minute load average during the runs: ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)}; after: ${load()}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child')
  await child(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]));
else await main(Number(process.argv[2] ?? 256));
