// The storage seam measured on a real dump: the same database (>= 1 GiB of BSON in FerretDB) dumped by the library
// to a local file, to an S3-compatible store (versitygw) and to the store encrypted, each in its own process under
// /usr/bin/time -v; and AES-256-GCM throughput against gzip's on the dumped archive's bytes, in one process.
//
//   npm run build && node bench/s3-store.mjs [--gib=1] [--fresh] [--no-write]
//
// Options:
//   --gib=N      BSON to seed, in GiB (default 1): 16 KiB documents, 65,536 per GiB
//   --fresh      drop the kept FerretDB data folder and seed again
//   --no-write   do not update docs/benchmarks.md
//
// Starts its own FerretDB (SQLite backend, .cache/tools) on a free 127.0.0.1 port over `.tmp/bench-s3-store/`
// (git-ignored, kept between runs so that the seeding, a few minutes, happens once), and versitygw (.cache/tools)
// over a temporary folder; stops both and removes the temporary folders at the end, also on failure or Ctrl-C.
// Each child samples process.memoryUsage() every 25 ms and reports the peaks (rss, heapUsed, external,
// arrayBuffers), so that the peak RSS of /usr/bin/time can be told apart.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import { Double, Int32, Long, ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import { generator, WORDS } from './data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const tools = path.join(root, '.cache', 'tools');
const lib = pathToFileURL(path.join(root, 'dist', 'index.js')).href;
const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`Unknown argument ${arg}`);
    return [match[1], match[2] ?? true];
  }),
);
const GIB = Number(args.gib ?? 1);
const DOC_BYTES = 16 * 1024;
const DOCS = Math.round((GIB * 1024 ** 3) / DOC_BYTES);
const DB = 'bench_s3_store';
const COLLECTION = 'orders';
const TARGETS = ['file', 's3', 's3-encrypted'];
// The same dumps again with the two process settings docs/configuration.md ("Memory") gives for memory-capped
// containers: glibc's mmap threshold fixed at its 128 KiB default (it otherwise rises to the largest buffer freed,
// and the main arena keeps what it frees) and V8's young generation capped at 4 MiB semi-spaces (16 MiB otherwise,
// mostly empty between scavenges but resident).
const SETTINGS = { MALLOC_MMAP_THRESHOLD_: '131072', NODE_OPTIONS: '--max-semi-space-size=4' };
const SETTINGS_LABEL = Object.entries(SETTINGS)
  .map(([name, value]) => `${name}=${value}`)
  .join(' ');
// Added to the NODE_OPTIONS the benchmark was started with (which the default runs keep too), not in their place.
const SETTINGS_ENV = {
  ...SETTINGS,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, SETTINGS.NODE_OPTIONS].filter(Boolean).join(' '),
};
/** Each child run: its target, and the environment setting it runs with (none for the defaults). */
const RUNS = [
  ...TARGETS.map((target) => ({ target, env: {}, setting: undefined })),
  ...TARGETS.map((target) => ({ target, env: SETTINGS_ENV, setting: SETTINGS_LABEL })),
];
const LABELS = {
  file: 'local file (folder store)',
  s3: 'S3 store (versitygw)',
  's3-encrypted': 'S3 store, encrypted',
};
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// --- Child: one dump of the database to one target -----------------------------------------------------------------

async function child(target) {
  const peaks = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    for (const key of Object.keys(peaks)) peaks[key] = Math.max(peaks[key], m[key]);
  };
  const sampler = setInterval(sample, 25);
  const { MongoBackupService } = await import(lib);
  const service = new MongoBackupService({
    sourceUri: process.env.BENCH_URI,
    backupDir: target === 'file' ? process.env.BENCH_DIR : process.env.BENCH_URL,
    databases: [DB],
    env: {},
    ...(target === 'file'
      ? {}
      : {
          s3: {
            endpoint: process.env.BENCH_ENDPOINT,
            credentials: { accessKeyId: process.env.BENCH_KEY_ID, secretAccessKey: process.env.BENCH_SECRET },
          },
        }),
    ...(target === 's3-encrypted'
      ? { encryption: { key: randomBytes(32).toString('hex'), keyId: 'bench' } }
      : {}),
  });
  let stored = 0;
  const started = Date.now();
  const report = await service.dump({ onBytesStored: (bytes) => (stored = bytes) });
  const seconds = (Date.now() - started) / 1000;
  await service.close();
  sample();
  clearInterval(sampler);
  process.stdout.write(
    `${JSON.stringify({ seconds, path: report.path, sizeBytes: report.sizeBytes, documents: report.totalDocuments, uncompressedBytes: report.uncompressedBytes, stored, peaks })}\n`,
  );
}

// --- Parent --------------------------------------------------------------------------------------------------------

const live = new Set();
const temporary = [];

function measure(target, env) {
  return new Promise((resolve, reject) => {
    const load = loadAverage();
    const proc = spawn(
      '/usr/bin/time',
      ['-v', process.execPath, fileURLToPath(import.meta.url), `--child=${target}`],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group: cleanup ends /usr/bin/time and the child under it
      },
    );
    live.add(proc);
    let out = '';
    let err = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (err = (err + c).slice(-64 * 1024)));
    proc.on('close', (code) => {
      live.delete(proc);
      if (code !== 0) return reject(new Error(`${target} failed (${code}):\n${err}`));
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0) * 1024;
      const cpu = ['User', 'System'].reduce(
        (sum, kind) => sum + Number(new RegExp(`${kind} time \\(seconds\\): ([\\d.]+)`).exec(err)?.[1] ?? 0),
        0,
      );
      resolve({
        target,
        ...JSON.parse(out.trim().split('\n').at(-1)),
        rss,
        cpu,
        load: `${load} / ${loadAverage()}`,
      });
    });
  });
}

/** AES-256-GCM and gzip level 6 (one zlib stream) over the same archive bytes, 64 KiB writes, in this process. */
async function cipherVsGzip(archiveFile, bytes) {
  const { EncryptionKeyring, createEncryptStream } = await import(lib);
  const chunks = [];
  let total = 0;
  for await (const chunk of createReadStream(archiveFile).pipe(createGunzip())) {
    for (let at = 0; at < chunk.length && total < bytes; at += 65536) {
      const piece = Buffer.from(chunk.subarray(at, Math.min(at + 65536, chunk.length, at + bytes - total)));
      chunks.push(piece);
      total += piece.length;
    }
    if (total >= bytes) break;
  }
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const time = async (transform) => {
    const t = process.hrtime.bigint();
    await pipeline(Readable.from(chunks), transform, sink());
    return total / 1e6 / (Number(process.hrtime.bigint() - t) / 1e9);
  };
  const key = new EncryptionKeyring({ key: randomBytes(32) });
  const runs = { aes: [], gzip: [] };
  for (let i = 0; i < 2; i += 1) {
    runs.aes.push(await time(await createEncryptStream(key)));
    runs.gzip.push(await time(createGzip({ level: 6 })));
  }
  return { bytes: total, aes: Math.max(...runs.aes), gzip: Math.max(...runs.gzip), load: loadAverage() };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startProcess(command, argv, env) {
  const proc = spawn(command, argv, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  live.add(proc);
  proc.on('exit', () => live.delete(proc));
  return proc;
}

async function waitForPort(port, proc, what) {
  for (let i = 0; i < 200; i += 1) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`${what} did not listen on ${port}`);
}

/** One ~16 KiB document: a few fields and 15 notes of about 1 KiB picked from a pool (compresses about 3:1). */
function makeDocument(seq, random, notes) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  return {
    _id: new ObjectId(),
    seq: new Int32(seq),
    customer: `${pick(WORDS)}-${Math.floor(random() * 1e6)}`,
    status: pick(WORDS),
    at: new Date(1.7e12 + seq * 1000),
    total: new Double(Math.round(random() * 1e6) / 100 + 0.01),
    quantity: Long.fromNumber(Math.floor(random() * 1e9)),
    lines: Array.from({ length: 15 }, () => ({
      sku: `SKU-${Math.floor(random() * 1e6)}`,
      note: pick(notes),
    })),
  };
}

async function seed(client) {
  const collection = client.db(DB).collection(COLLECTION);
  const stats = await client
    .db(DB)
    .command({ collStats: COLLECTION })
    .catch(() => ({ count: 0 }));
  const have = Number(stats.count ?? 0);
  if (have >= DOCS) return { docs: have, bytes: Number(stats.size ?? 0), seeded: 0 };
  const random = generator(7 + have);
  const notes = Array.from({ length: 4096 }, () => {
    let s = '';
    while (s.length < 1000)
      s += `${WORDS[Math.floor(random() * WORDS.length)]} ${Math.floor(random() * 1e4)} `;
    return s;
  });
  const started = Date.now();
  let next = have;
  const worker = async () => {
    while (next < DOCS) {
      const first = next;
      const count = Math.min(64, DOCS - first);
      next += count;
      const docs = Array.from({ length: count }, (_, j) => makeDocument(first + j, random, notes));
      await collection.insertMany(docs, { ordered: false });
      if (Math.floor((first + count) / 8192) !== Math.floor(first / 8192)) {
        process.stdout.write(
          `seeded ${first + count}/${DOCS} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
        );
      }
    }
  };
  await Promise.all([worker(), worker()]);
  const after = await client.db(DB).command({ collStats: COLLECTION });
  return { docs: Number(after.count), bytes: Number(after.size ?? 0), seeded: (Date.now() - started) / 1000 };
}

async function parent() {
  for (const tool of ['ferretdb', 'versitygw']) {
    if (!existsSync(path.join(tools, tool))) throw new Error(`${tool} not built: run \`npm run tools\``);
  }
  if (!existsSync(new URL(lib))) throw new Error('dist/ is missing: run `npm run build`');
  const cache = path.join(root, '.tmp', 'bench-s3-store');
  const ferretVersion = readFileSync(path.join(tools, 'ferretdb.version'), 'utf8').trim();
  const data = path.join(cache, `ferretdb-${ferretVersion}`);
  if (args.fresh) rmSync(cache, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const work = mkdtempSync(path.join(os.tmpdir(), 'mbs-bench-s3-'));
  temporary.push(work);

  const mongoPort = await freePort();
  const ferret = startProcess(
    path.join(tools, 'ferretdb'),
    [
      '--handler=sqlite',
      `--sqlite-url=file:${data}/`,
      `--state-dir=${data}`,
      `--listen-addr=127.0.0.1:${mongoPort}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { PATH: process.env.PATH },
  );
  await waitForPort(mongoPort, ferret, 'ferretdb');
  const uri = `mongodb://127.0.0.1:${mongoPort}/`;
  const client = new MongoClient(uri);
  const seeded = await seed(client);
  await client.close();
  console.log(
    `database: ${seeded.docs} documents, ${(seeded.bytes / 1e6).toFixed(0)} MB of BSON${seeded.seeded ? ` (seeded in ${seeded.seeded.toFixed(0)} s)` : ' (kept from an earlier run)'}`,
  );

  const s3Port = await freePort();
  const keyId = `bench${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(18).toString('base64url');
  mkdirSync(path.join(work, 'gw', 'bench'), { recursive: true }); // the posix backend's bucket is a folder
  mkdirSync(path.join(work, 'local'));
  const gw = startProcess(
    path.join(tools, 'versitygw'),
    ['--port', `127.0.0.1:${s3Port}`, '--quiet', 'posix', path.join(work, 'gw')],
    {
      PATH: process.env.PATH,
      ROOT_ACCESS_KEY: keyId,
      ROOT_SECRET_KEY: secret,
    },
  );
  await waitForPort(s3Port, gw, 'versitygw');
  const env = {
    BENCH_URI: uri,
    BENCH_DIR: path.join(work, 'local'),
    BENCH_URL: 's3://bench/nightly',
    BENCH_ENDPOINT: `http://127.0.0.1:${s3Port}`,
    BENCH_KEY_ID: keyId,
    BENCH_SECRET: secret,
  };
  const results = [];
  for (const run of RUNS) {
    const r = { ...(await measure(run.target, { ...env, ...run.env })), setting: run.setting };
    const target = `${run.target}${r.setting ? ` (${r.setting})` : ''}`;
    const mb = (n) => (n / 1e6).toFixed(0);
    console.log(
      `${target}: ${r.seconds.toFixed(1)} s, ${r.documents} documents, stored ${mb(r.sizeBytes)} MB (acknowledged ${mb(r.stored)} MB), peak RSS ${mb(r.rss)} MB (sampled: rss ${mb(r.peaks.rss)}, heapUsed ${mb(r.peaks.heapUsed)}, external ${mb(r.peaks.external)}, arrayBuffers ${mb(r.peaks.arrayBuffers)} MB), CPU ${r.cpu.toFixed(1)} s, load ${r.load}`,
    );
    results.push(r);
  }
  const archive = readdirSync(env.BENCH_DIR).find((name) => name.endsWith('.gz'));
  const speed = await cipherVsGzip(path.join(env.BENCH_DIR, archive), 128 * 1024 * 1024);
  console.log(
    `AES-256-GCM ${speed.aes.toFixed(0)} MB/s, gzip level 6 ${speed.gzip.toFixed(0)} MB/s on ${(speed.bytes / 1e6).toFixed(0)} MB of the archive, load ${speed.load}`,
  );
  if (!args['no-write']) await writeDocs(results, speed, seeded, ferretVersion);
}

async function writeDocs(results, speed, seeded, ferretVersion) {
  const { DEFAULT_PART_SIZE, DEFAULT_PARTS_IN_FLIGHT } = await import(lib);
  const partLabel = `${DEFAULT_PART_SIZE / 1024 ** 2} MiB`;
  const file = path.join(root, 'docs', 'benchmarks.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- s3-store:start -->';
  // Hand-written notes after this marker (up to the end marker) are kept when the figures are rewritten.
  const notes = '<!-- s3-store:notes -->';
  const end = text.includes(notes) ? notes : '<!-- s3-store:end -->';
  const base = results.find((r) => r.target === 'file' && !r.setting);
  const mb = (n) => `${(n / 1e6).toFixed(0)} MB`;
  const rows = results.map(
    (r) =>
      `| ${LABELS[r.target]}${r.setting ? ', memory settings' : ''} | ${r.seconds.toFixed(1)} s | ${(r.uncompressedBytes / 1e6 / r.seconds).toFixed(1)} MB/s | ${mb(r.sizeBytes)} | **${mb(r.rss)}** | ${mb(r.peaks.heapUsed)} / ${mb(r.peaks.external)} / ${mb(r.peaks.arrayBuffers)} | ${r.cpu.toFixed(1)} s | ${(base.seconds / r.seconds).toFixed(2)} | ${r.load} |`,
  );
  const section = [
    start,
    '',
    '## Object storage and encryption',
    '',
    '```sh',
    'npm run build && node bench/s3-store.mjs # --gib=1 --fresh --no-write',
    '```',
    '',
    `A dump of ${seeded.docs} documents (${mb(seeded.bytes)} of BSON, ~16 KiB each) from FerretDB ${ferretVersion} (SQLite backend, seeded by the benchmark and kept in \`.tmp/bench-s3-store/\`) by \`MongoBackupService.dump()\` (gzip level 6, parallel gzip members), to a local file and to versitygw on 127.0.0.1 (multipart, ${partLabel} parts, ${DEFAULT_PARTS_IN_FLIGHT} in flight from at most 2 reused part buffers, filled in the order made, CRC32 per part), each in its own process (the last three rows again with the memory settings of docs/configuration.md, \`${SETTINGS_LABEL}\`, in the environment); ${os.cpus().length} cores shared with other work, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}.`,
    '',
    '| Target | Wall time | Archive MB/s | Stored | Peak RSS | Peak heapUsed / external / arrayBuffers | CPU | Throughput vs file | Load average (start / end) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Encryption overhead, same process, ${mb(speed.bytes)} of the dumped archive (uncompressed): AES-256-GCM (64 KiB chunks) ${speed.aes.toFixed(0)} MB/s against gzip level 6 (one zlib stream) ${speed.gzip.toFixed(0)} MB/s: encrypting costs about ${((speed.gzip / speed.aes) * 100).toFixed(0)}% of the time compressing the same bytes takes (load ${speed.load}).`,
    '',
    end,
  ].join('\n');
  const next = text.includes(start)
    ? text.slice(0, text.indexOf(start)) + section + text.slice(text.indexOf(end) + end.length)
    : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

function signal(proc, name) {
  try {
    process.kill(-proc.pid, name); // the group of a detached child
  } catch {
    proc.kill(name);
  }
}

async function cleanup() {
  for (const proc of live) signal(proc, 'SIGTERM');
  await sleep(500);
  for (const proc of live) signal(proc, 'SIGKILL');
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
}

if (args.child) {
  await child(args.child);
} else {
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    await parent();
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}
