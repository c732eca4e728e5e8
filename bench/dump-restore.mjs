// Dump and restore, side by side with the real mongodump/mongorestore, on the same server in the same run.
//
//   npm run build && node bench/dump-restore.mjs --docs=250000,1000000
//
// Options:
//   --docs=N[,N...]      documents to seed (total over all collections); several sizes are measured in increasing
//                        order, the data set growing between them (default 1000000)
//   --collections=K      collections the documents are spread over (default 4)
//   --runs=R             runs of each tool per measurement, order alternating; the median is reported (default 2)
//   --only=dump|restore  measure one side only
//   --ours-only          run only our dump/restore, not mongodump/mongorestore (e.g. the 1,000,000-document RSS run;
//                        a restore then reads our own archive); no ratios
//   --db=NAME            seed into and measure database NAME, kept at the end (reused by the next run: documents
//                        already there are not seeded again); with MONGODB_URI, so that the data outlives the run
//   --no-verify          skip restoring our archive with the real mongorestore to check it
//   --no-write           do not update docs/benchmarks.md
//   --lib=PATH           the built library to measure (default ../dist/index.js), e.g. a scratch build
//   --dump-options=JSON  extra DumpOptions for our dump (e.g. '{"gzipLevel":1}')
//   --restore-options=JSON  extra RestoreOptions for our restore (e.g. '{"verify":"during"}')
//   --cpu-prof=DIR       run our child processes with node --cpu-prof into DIR (timings then include profiling cost)
//
// Starts its own FerretDB (SQLite backend) from .cache/tools on a free 127.0.0.1 port with a temporary data folder,
// and removes both at the end (also on failure or Ctrl-C); with MONGODB_URI set, that server is measured instead and
// only the benchmark's databases are dropped. Each tool runs as its own process under `/usr/bin/time -v` (peak RSS,
// CPU); without it, /proc/<pid>/status VmHWM is polled.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BSON, Double, Int32, Long, ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import { generator, WORDS } from './data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const tools = path.join(root, '.cache', 'tools');

// --- Arguments -------------------------------------------------------------------------------------------------

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`Unknown argument ${arg}`);
    return [match[1], match[2] ?? true];
  }),
);
const SIZES = String(args.docs ?? '1000000')
  .split(',')
  .map((s) => Number(s.replace(/_/g, '')))
  .sort((a, b) => a - b);
if (SIZES.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error(`--docs: expected positive integers, got ${args.docs}`);
const COLLECTIONS = Number(args.collections ?? 4);
const RUNS = Number(args.runs ?? 2);
const ONLY = args.only;
const OURS_ONLY = args['ours-only'] !== undefined;
const KEEP_DB = args.db;
const VERIFY = args['no-verify'] === undefined;
const WRITE = args['no-write'] === undefined;
const BUILT = path.resolve(here, args.lib ?? '../dist/index.js');
const DUMP_OPTIONS = args['dump-options'] ? JSON.parse(args['dump-options']) : undefined;
const RESTORE_OPTIONS = args['restore-options'] ? JSON.parse(args['restore-options']) : undefined;
const CPU_PROF = args['cpu-prof'] ? path.resolve(args['cpu-prof']) : undefined;
const SEED_BATCH = 1000;
const SEED_PARALLEL = 4;

if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build first (npm run build)`);
for (const tool of ['mongodump', 'mongorestore']) {
  if (!existsSync(path.join(tools, tool))) throw new Error(`${tools}/${tool} is missing: npm run tools`);
}
const bundle = readFileSync(BUILT, 'utf8');
if (/\bfrom\s*["']\.\.?\//.test(bundle))
  throw new Error(`${BUILT} imports relative files: expected a single-file bundle`);
const LIB_HASH = createHash('sha256').update(bundle).digest('hex').slice(0, 12);
/** The checkout's commit when the run started (`+changes` when src/ differed from it), so figures can be traced. */
const GIT_COMMIT = (() => {
  const head = spawnSync('git', ['rev-parse', '--short=10', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? '+changes' : ''}`;
})();
/** The private copy of the bundle the children run; see snapshotLibrary(). */
let LIB;
const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

// --- Cleanup ---------------------------------------------------------------------------------------------------

const live = new Set();
let tmp;
let ferret;
let client;
/** Whether the server is FerretDB (counts come from collStats, see counts()). */
let isFerret = false;
const dropAtEnd = new Set();

async function cleanup() {
  // Each measured process leads its own process group: the tool under /usr/bin/time is killed with it.
  for (const child of live) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
  if (client) {
    if (process.env.MONGODB_URI) {
      for (const db of dropAtEnd)
        await client
          .db(db)
          .dropDatabase()
          .catch(() => undefined);
    }
    await client.close().catch(() => undefined);
    client = undefined;
  }
  if (ferret && ferret.exitCode === null) {
    ferret.kill('SIGTERM');
    await Promise.race([new Promise((r) => ferret.once('exit', r)), sleep(5000)]);
    if (ferret.exitCode === null) ferret.kill('SIGKILL');
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

// --- Helpers ---------------------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e9;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmtS = (s) => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2));
const fmtMB = (bytes) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');

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

/** CPU seconds (user+sys) a process has used so far, from /proc (Linux), or undefined. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/**
 * Runs one command as its own process and measures it: wall time (from spawn to exit), peak RSS and CPU time of the
 * process, and the server's CPU time meanwhile (when we started the server).
 */
const loads = [];
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

async function measure(label, command, commandArgs) {
  loads.push(loadAverage());
  const serverCpuBefore = ferret ? cpuSeconds(ferret.pid) : undefined;
  const argv = TIME_BIN ? [TIME_BIN, ['-v', command, ...commandArgs]] : [command, commandArgs];
  const started = now();
  const child = spawn(argv[0], argv[1], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-64 * 1024)));
  let polledHwm = 0;
  const poll = TIME_BIN
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledHwm = Math.max(polledHwm, Number(m[1]) * 1024);
        } catch {
          /* exited */
        }
      }, 20);
  const code = await new Promise((resolve) => child.once('exit', (c, s) => resolve(c ?? s)));
  const wall = now() - started;
  loads.push(loadAverage());
  if (poll) clearInterval(poll);
  live.delete(child);
  const serverCpuAfter = ferret ? cpuSeconds(ferret.pid) : undefined;
  const exit = TIME_BIN ? Number(/Exit status: (\d+)/.exec(stderr)?.[1] ?? code) : code;
  if (code !== 0 || exit !== 0) {
    throw new Error(`${label} failed (exit ${exit}):\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`);
  }
  const field = (name) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(stderr)?.[1]);
  return {
    wall,
    rss: TIME_BIN ? field('Maximum resident set size \\(kbytes\\)') * 1024 : polledHwm,
    cpu: TIME_BIN ? field('User time \\(seconds\\)') + field('System time \\(seconds\\)') : undefined,
    serverCpu:
      serverCpuBefore === undefined || serverCpuAfter === undefined
        ? undefined
        : serverCpuAfter - serverCpuBefore,
    stdout,
    stderr,
  };
}

function nodeArgs(job, tag) {
  const profiling = CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=${tag}-${Date.now()}.cpuprofile`]
    : [];
  return [...profiling, path.join(here, 'dump-restore-child.mjs'), JSON.stringify({ lib: LIB, ...job })];
}

// --- Data ------------------------------------------------------------------------------------------------------

const random = generator(42);
const pick = (list) => list[Math.floor(random() * list.length)];
const text = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');

/** One realistic order document, about 300-600 bytes of BSON. */
function makeDocument(i) {
  return {
    _id: new ObjectId(),
    orderNumber: new Int32(100000 + (i % 2e9)),
    customer: {
      name: `${pick(WORDS)} ${pick(WORDS)}`,
      email: `user${Math.floor(random() * 1e6)}@example.com`,
      address: {
        street: `${Math.floor(random() * 999)} ${pick(WORDS)} street`,
        city: pick(WORDS),
        zip: String(10000 + Math.floor(random() * 89999)),
      },
    },
    status: pick(['pending', 'shipped', 'delivered', 'cancelled']),
    createdAt: new Date(1.6e12 + Math.floor(random() * 1e11)),
    total: new Double(Math.round(random() * 1e6) / 100 + 0.01),
    quantity: Long.fromNumber(Math.floor(random() * 1e9)),
    tags: Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(WORDS)),
    items: Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
      sku: `SKU-${Math.floor(random() * 1e6)}`,
      price: new Double(Math.round(random() * 1e5) / 100 + 0.01),
      qty: new Int32(1 + Math.floor(random() * 9)),
    })),
    notes: text(2 + Math.floor(random() * 14)),
  };
}

/** Average BSON size of the seeded documents, sampled. */
const bsonSample = { bytes: 0, count: 0 };

/** Inserts documents until the database holds `total` (spread evenly over the collections). */
async function seed(db, from, total) {
  const collections = Array.from({ length: COLLECTIONS }, (_, k) => db.collection(`orders${k}`));
  let next = from;
  const takeBatch = () => {
    if (next >= total) return undefined;
    const count = Math.min(SEED_BATCH, total - next);
    const first = next;
    next += count;
    return { first, count };
  };
  let batchNo = Math.floor(from / SEED_BATCH);
  const worker = async () => {
    for (let batch = takeBatch(); batch; batch = takeBatch()) {
      const docs = Array.from({ length: batch.count }, (_, j) => makeDocument(batch.first + j));
      for (let j = 0; j < docs.length; j += 50) {
        bsonSample.bytes += BSON.calculateObjectSize(docs[j]);
        bsonSample.count += 1;
      }
      const collection = collections[batchNo++ % COLLECTIONS];
      await collection.insertMany(docs, { ordered: false });
    }
  };
  await Promise.all(Array.from({ length: SEED_PARALLEL }, worker));
}

/**
 * Documents per collection. FerretDB answers collStats from SQLite's own bookkeeping (exact, instant) while a count
 * there decodes every document; a real server counts quickly.
 */
async function counts(dbName) {
  const db = client.db(dbName);
  const result = {};
  for (let k = 0; k < COLLECTIONS; k++) {
    const name = `orders${k}`;
    result[name] = isFerret
      ? Number((await db.command({ collStats: name }).catch(() => ({ count: 0 }))).count ?? 0)
      : await db.collection(name).countDocuments({});
  }
  return result;
}

// --- Runs ------------------------------------------------------------------------------------------------------

async function dumpTheirs(uri, db, file) {
  return measure('mongodump', path.join(tools, 'mongodump'), [
    `--uri=${uri}`,
    `--db=${db}`,
    `--archive=${file}`,
    '--gzip',
    '--quiet',
  ]);
}

async function dumpOurs(uri, db, file) {
  const result = await measure(
    'our dump',
    process.execPath,
    nodeArgs({ op: 'dump', uri, db, output: file, options: DUMP_OPTIONS }, 'dump'),
  );
  result.report = JSON.parse(result.stdout.trim().split('\n').pop());
  return result;
}

async function restoreTheirs(uri, file, db, into) {
  return measure('mongorestore', path.join(tools, 'mongorestore'), [
    `--uri=${uri}`,
    `--archive=${file}`,
    '--gzip',
    `--nsFrom=${db}.*`,
    `--nsTo=${into}.*`,
    '--noIndexRestore',
    '--quiet',
  ]);
}

async function restoreOurs(uri, file, db, into) {
  const result = await measure(
    'our restore',
    process.execPath,
    nodeArgs(
      { op: 'restore', uri, from: file, nsFrom: `${db}.*`, nsTo: `${into}.*`, options: RESTORE_OPTIONS },
      'restore',
    ),
  );
  result.report = JSON.parse(result.stdout.trim().split('\n').pop());
  return result;
}

function summarize(runs, docs) {
  const wall = median(runs.map((r) => r.wall));
  return {
    wall,
    walls: runs.map((r) => r.wall),
    rss: median(runs.map((r) => r.rss)),
    rssMax: Math.max(...runs.map((r) => r.rss)),
    cpu: runs.every((r) => r.cpu !== undefined) ? median(runs.map((r) => r.cpu)) : undefined,
    serverCpu: runs.every((r) => r.serverCpu !== undefined)
      ? median(runs.map((r) => r.serverCpu))
      : undefined,
    docsPerSecond: docs / wall,
  };
}

let verifiedOnce = false;

async function benchSize(uri, db, docs, seeded) {
  const out = { docs, seedSeconds: undefined };
  console.log(`\n=== ${fmtInt(docs)} documents ===`);
  if (seeded < docs) {
    const start = now();
    await seed(client.db(db), seeded, docs);
    out.seedSeconds = now() - start;
    console.log(
      `seeded ${fmtInt(docs - seeded)} documents in ${fmtS(out.seedSeconds)} s (${fmtInt((docs - seeded) / out.seedSeconds)} docs/s)`,
    );
  }
  out.avgBson = bsonSample.count ? bsonSample.bytes / bsonSample.count : undefined;
  const present = Object.values(await counts(db)).reduce((a, b) => a + b, 0);
  if (present !== docs) throw new Error(`expected ${docs} documents in ${db}, found ${present}`);

  const files = path.join(tmp, `files-${docs}`);
  mkdirSync(files, { recursive: true });
  const theirsArchive = path.join(files, 'mongodump.archive.gz');
  const oursArchive = path.join(files, 'ours.archive.gz');

  // Dump: alternate the order so that neither tool always runs on a warm (or cold) server cache.
  const dump = { theirs: [], ours: [] };
  const tools = OURS_ONLY ? ['ours'] : ['theirs', 'ours'];
  const inOrder = (run) => (run % 2 === 0 ? tools : [...tools].reverse());
  if (ONLY === 'restore') {
    // only the archive to restore is needed
    if (OURS_ONLY) await dumpOurs(uri, db, oursArchive);
    else await dumpTheirs(uri, db, theirsArchive);
  } else {
    for (let run = 0; run < RUNS; run++) {
      for (const who of inOrder(run)) {
        const file = who === 'theirs' ? theirsArchive : oursArchive;
        rmSync(file, { force: true });
        const r = who === 'theirs' ? await dumpTheirs(uri, db, file) : await dumpOurs(uri, db, file);
        r.size = statSync(file).size;
        dump[who].push(r);
        console.log(
          `dump    ${who.padEnd(6)} run ${run + 1}: ${fmtS(r.wall)} s, peak RSS ${fmtMB(r.rss)}, CPU ${r.cpu?.toFixed(1)} s, server CPU ${r.serverCpu?.toFixed(1)} s, ${fmtMB(r.size)}`,
        );
      }
    }
  }
  if (ONLY !== 'restore') {
    out.dump = { ours: summarize(dump.ours, docs) };
    if (!OURS_ONLY) {
      out.dump.theirs = summarize(dump.theirs, docs);
      out.dump.theirs.size = dump.theirs.at(-1).size;
    }
    out.dump.ours.size = dump.ours.at(-1).size;
    out.dump.ours.documents = dump.ours.at(-1).report.documents;
    if (out.dump.ours.documents !== docs)
      throw new Error(`our dump wrote ${out.dump.ours.documents} documents, expected ${docs}`);
  }

  // Our archive, restored by the real mongorestore, must hold every document.
  if (VERIFY && !OURS_ONLY && ONLY !== 'restore' && !verifiedOnce) {
    verifiedOnce = true;
    const into = `${db}_verify`;
    dropAtEnd.add(into);
    await restoreTheirs(uri, oursArchive, db, into);
    const restored = await counts(into);
    const expected = await counts(db);
    const same = JSON.stringify(restored) === JSON.stringify(expected);
    // Byte-for-byte: a sample of documents read back raw must equal the source's.
    let identical = 0;
    let sampled = 0;
    for (let k = 0; k < COLLECTIONS; k++) {
      const source = await client
        .db(db)
        .collection(`orders${k}`)
        .find({}, { raw: true, limit: 50 })
        .toArray();
      for (const original of source) {
        sampled += 1;
        const { _id } = BSON.deserialize(original);
        const copy = await client.db(into).collection(`orders${k}`).findOne({ _id }, { raw: true });
        if (copy && Buffer.compare(original, copy) === 0) identical += 1;
      }
    }
    await client.db(into).dropDatabase();
    out.verified = { same, restored, expected, sampled, identical };
    console.log(
      `verify: our archive restored by mongorestore: ${same ? 'all' : 'NOT all'} documents (${JSON.stringify(restored)}); ${identical}/${sampled} sampled documents byte-identical`,
    );
    if (!same) throw new Error('our archive does not restore every document');
  }

  // Restore mongodump's archive with both tools, each into a fresh database.
  if (ONLY !== 'dump') {
    const restore = { theirs: [], ours: [] };
    // Both tools restore mongodump's archive; with --ours-only, ours restores our own.
    const archive = OURS_ONLY ? oursArchive : theirsArchive;
    for (let run = 0; run < RUNS; run++) {
      for (const who of inOrder(run)) {
        const into = `${db}_r${who === 'theirs' ? 't' : 'o'}${run}`;
        dropAtEnd.add(into);
        await client.db(into).dropDatabase();
        const r =
          who === 'theirs'
            ? await restoreTheirs(uri, archive, db, into)
            : await restoreOurs(uri, archive, db, into);
        const restored = Object.values(await counts(into)).reduce((a, b) => a + b, 0);
        await client.db(into).dropDatabase();
        if (restored !== docs)
          throw new Error(`${who} restore: ${restored} documents restored, expected ${docs}`);
        restore[who].push(r);
        console.log(
          `restore ${who.padEnd(6)} run ${run + 1}: ${fmtS(r.wall)} s, peak RSS ${fmtMB(r.rss)}, CPU ${r.cpu?.toFixed(1)} s, server CPU ${r.serverCpu?.toFixed(1)} s`,
        );
      }
    }
    out.restore = { ours: summarize(restore.ours, docs) };
    if (!OURS_ONLY) out.restore.theirs = summarize(restore.theirs, docs);
  }
  return out;
}

// --- Report ----------------------------------------------------------------------------------------------------

function table(results) {
  const lines = [
    '| Documents | Operation | Tool | Wall time (median) | Runs | Docs/s | Peak RSS (median / max) | Client CPU | Server CPU | Ours / theirs (wall) |',
    '| --: | --- | --- | --: | --- | --: | --: | --: | --: | --: |',
  ];
  for (const r of results) {
    for (const op of ['dump', 'restore']) {
      if (!r[op]) continue;
      const ratio = r[op].theirs ? r[op].ours.wall / r[op].theirs.wall : undefined;
      for (const who of ['theirs', 'ours']) {
        const s = r[op][who];
        if (!s) continue;
        const tool =
          who === 'theirs' ? (op === 'dump' ? 'mongodump' : 'mongorestore') : 'mongo-backup-service';
        lines.push(
          `| ${fmtInt(r.docs)} | ${op} | ${tool} | ${fmtS(s.wall)} s | ${s.walls.map(fmtS).join(', ')} | ${fmtInt(s.docsPerSecond)} | ${fmtMB(s.rss)} / ${fmtMB(s.rssMax)} | ${s.cpu === undefined ? '-' : `${s.cpu.toFixed(1)} s`} | ${s.serverCpu === undefined ? '-' : `${s.serverCpu.toFixed(1)} s`} | ${who === 'ours' && ratio !== undefined ? `**${ratio.toFixed(2)}**` : ''} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

function generatedBlock(results, env) {
  const sizes = results
    .map(
      (r) =>
        `${fmtInt(r.docs)} documents (${[
          r.avgBson ? `${fmtMB(r.avgBson * r.docs)} of BSON` : '',
          r.dump
            ? `gzipped archive: ${r.dump.theirs ? `mongodump's ${fmtMB(r.dump.theirs.size)}, ` : ''}ours ${fmtMB(r.dump.ours.size)}`
            : '',
        ]
          .filter(Boolean)
          .join('; ')})`,
    )
    .join('; ');
  const seedLines = results
    .filter((r) => r.seedSeconds !== undefined)
    .map((r) => `${fmtInt(r.docs)}: ${fmtS(r.seedSeconds)} s`)
    .join(', ');
  const verified = results.find((r) => r.verified)?.verified;
  const rssLine = (op, who) =>
    results
      .filter((r) => r[op])
      .map((r) => `${fmtMB(r[op][who].rssMax)} at ${fmtInt(r.docs)}`)
      .join(', ');
  const ratioLine = (op) =>
    results
      .filter((r) => r[op]?.theirs)
      .map((r) => `${(r[op].ours.wall / r[op].theirs.wall).toFixed(2)} at ${fmtInt(r.docs)}`)
      .join(', ');
  return [
    `Measured ${env.date} by \`bench/dump-restore.mjs\`.`,
    '',
    `- Machine: ${env.machine}`,
    `- Server: ${env.server}`,
    `- Data: ${fmtInt(COLLECTIONS)} collections of realistic orders (nested objects, strings, int32, double, int64, dates, ObjectIds, arrays; ${results.at(-1)?.avgBson ? `${Math.round(results.at(-1).avgBson)} bytes of BSON on average` : '300-600 bytes'} each); sizes: ${sizes}.`,
    `- Seeding (insertMany, batches of ${SEED_BATCH}, ${SEED_PARALLEL} in parallel; growing the same data set): ${seedLines || 'n/a'}.`,
    '- Dump: `mongodump --archive=<f> --gzip --db=<db>` vs a child `node` process calling `new MongoBackupService({ source, env: {} }).dump({ databases: [db], output })` (defaults: gzip level 6, 4 collections in parallel).',
    "- Restore: the same mongodump archive, `mongorestore --archive=<f> --gzip --nsFrom=<db>.* --nsTo=<new>.* --noIndexRestore` vs a child `node` process calling `service.restore({ from, into: 'source', nsFrom, nsTo, noIndexRestore: true })`, each into a fresh database (dropped between runs); every restore is checked to hold all documents.",
    `- Each tool is its own process, run ${RUNS} times with the order alternating; wall time is spawn to exit, peak RSS and client CPU come from \`/usr/bin/time -v\`, server CPU from \`/proc/<ferretdb>/stat\` over the same interval.`,
    verified
      ? `- Our archive restored by the real mongorestore: ${verified.same ? 'every document' : '**not every document**'} (${fmtInt(Object.values(verified.restored).reduce((a, b) => a + b, 0))}); ${verified.identical}/${verified.sampled} sampled documents byte-identical to the source.`
      : '',
    `- Library: \`${path.relative(root, BUILT)}\` (sha256 ${LIB_HASH}…, built from commit ${GIT_COMMIT})${env.extra ? `, options: ${env.extra}` : ''}.`,
    loads.length
      ? `- 1-minute load average during the measurements: ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} on ${os.cpus().length} cores${Math.max(...loads) > os.cpus().length ? ' (the machine was shared with other work: expect noise in wall times; server CPU is the steadier figure)' : ''}.`
      : '',
    '',
    table(results),
    '',
    `Dump: ours/theirs wall time ${ratioLine('dump') || 'n/a'} (target <= 1.0); our peak RSS ${rssLine('dump', 'ours') || 'n/a'} (target < 150 MB, independent of data size).`,
    `Restore: ours/theirs wall time ${ratioLine('restore') || 'n/a'} (target <= 1.0); our peak RSS ${rssLine('restore', 'ours') || 'n/a'}.`,
    '',
    `Reproduce: \`npm run build && node bench/dump-restore.mjs --docs=${SIZES.join(',')}${RUNS !== 2 ? ` --runs=${RUNS}` : ''}${ONLY ? ` --only=${ONLY}` : ''}${OURS_ONLY ? ' --ours-only' : ''}\``,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}

const SECTION = '## Dump and restore vs mongodump/mongorestore';
const BEGIN = '<!-- dump-restore:begin (generated by bench/dump-restore.mjs) -->';
const END = '<!-- dump-restore:end -->';

/** Replaces the generated block of our section of docs/benchmarks.md, leaving everything else as it is. */
async function writeDocs(block) {
  const file = path.join(root, 'docs', 'benchmarks.md');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const generated = `${BEGIN}\n\n${(await formatMarkdown(block, file)).trim()}\n\n${END}`;
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin !== -1 && end > begin) {
    text = text.slice(0, begin) + generated + text.slice(end + END.length);
  } else {
    const at = text.indexOf(`${SECTION}\n`);
    if (at === -1) {
      text = `${text.trimEnd()}\n\n${SECTION}\n\n${generated}\n`;
    } else {
      // Section without the markers: put the block right under its heading.
      const after = at + SECTION.length + 1;
      text = `${text.slice(0, after)}\n${generated}\n${text.slice(after)}`;
    }
  }
  writeFileSync(file, text);
  console.log(`\nwrote ${path.relative(root, file)}`);
}

/** The block as Prettier (the project's formatter, a dev dependency) would write it, so that lint stays clean. */
async function formatMarkdown(markdown, file) {
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(markdown, { ...config, parser: 'markdown' });
  } catch {
    return markdown;
  }
}

// --- Main ------------------------------------------------------------------------------------------------------

/**
 * The children run a private copy of the bundle, so that a rebuild during a long run (tsup empties dist/ first)
 * neither breaks a run nor mixes two versions. Its bare imports (mongodb, bson) resolve through a node_modules link
 * to the project's; the bundle is a single file (no code splitting).
 */
function snapshotLibrary() {
  mkdirSync(path.join(tmp, 'lib'));
  symlinkSync(path.join(root, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  LIB = path.join(tmp, 'lib', 'index.js');
  writeFileSync(LIB, bundle);
}

async function main() {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-dump-restore-'));
  snapshotLibrary();
  let uri = process.env.MONGODB_URI;
  let serverLabel;
  if (!uri) {
    const port = await freePort();
    const data = path.join(tmp, 'ferretdb');
    mkdirSync(data, { recursive: true });
    ferret = spawn(
      path.join(tools, 'ferretdb'),
      [
        '--handler=sqlite',
        `--sqlite-url=file:${data}/`,
        `--state-dir=${data}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    uri = `mongodb://127.0.0.1:${port}/`;
  }
  client = new MongoClient(uri, { serverSelectionTimeoutMS: 2000 });
  let build;
  for (let attempt = 0; attempt < 60 && build === undefined; attempt++) {
    if (ferret && ferret.exitCode !== null) throw new Error(`ferretdb exited with ${ferret.exitCode}`);
    build = await client
      .db('admin')
      .command({ buildInfo: 1 })
      .catch(() => sleep(500).then(() => undefined));
  }
  if (!build) throw new Error(`no server answered at ${uri}`);
  const ferretVersion = build.ferretdbVersion ?? build.ferretdb?.version;
  isFerret = ferret !== undefined || ferretVersion !== undefined;
  serverLabel = ferret
    ? `FerretDB ${ferretVersion ?? readFileSync(path.join(tools, 'ferretdb.version'), 'utf8').trim()} (SQLite backend, reports MongoDB ${build.version}), on the same machine; for restore the server, not the client, is the bottleneck`
    : `${isFerret ? `FerretDB ${ferretVersion} (reports MongoDB ${build.version})` : `MongoDB ${build.version}`} at MONGODB_URI`;
  const toolVersion = spawnSync(path.join(tools, 'mongodump'), ['--version'], {
    encoding: 'utf8',
  }).stdout.split('\n')[0];
  const cpus = os.cpus();
  const env = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus.length} cores (${cpus[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${os.release()}, Node ${process.version}; ${toolVersion}`,
    server: serverLabel,
    extra: [
      DUMP_OPTIONS ? `dump ${JSON.stringify(DUMP_OPTIONS)}` : '',
      RESTORE_OPTIONS ? `restore ${JSON.stringify(RESTORE_OPTIONS)}` : '',
    ]
      .filter(Boolean)
      .join('; '),
  };
  console.log(
    `server: ${serverLabel}\nmachine: ${env.machine}\nlibrary: ${BUILT} (sha256 ${LIB_HASH}, run from ${LIB})`,
  );

  const db = KEEP_DB ?? `bench_dump_restore_${process.pid}`;
  let seeded = 0;
  if (KEEP_DB) {
    seeded = Object.values(await counts(db)).reduce((a, b) => a + b, 0);
    if (seeded > SIZES[0])
      throw new Error(`--db=${db} holds ${seeded} documents, more than the first size ${SIZES[0]}`);
    console.log(`database ${db}: ${fmtInt(seeded)} documents already there (kept at the end)`);
  } else {
    dropAtEnd.add(db);
    await client.db(db).dropDatabase();
  }
  const results = [];
  for (const docs of SIZES) {
    results.push(await benchSize(uri, db, docs, seeded));
    seeded = docs;
  }

  const block = generatedBlock(results, env);
  console.log(`\n${block}`);
  if (WRITE) await writeDocs(block);
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
