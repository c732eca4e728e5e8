// The storage seam measured: the same generated archive written to a local file and streamed to an S3-compatible
// store (versitygw, with and without client-side encryption), each in its own process under /usr/bin/time -v; and
// AES-256-GCM throughput against gzip's on the same bytes, in one process.
//
//   npm run build && node bench/s3-store.mjs [--gib=1] [--no-write]
//
// The archive is made by the library's archive writer (gzip level 6, the dump default) from generated order
// documents (the same generator as bench/dump-restore.mjs): the dump's path from the writer to the store, without a
// database in front. versitygw comes from .cache/tools (scripts/install-tools.sh), started on a free loopback port
// over a temporary folder, stopped and removed at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import { BSON, Double, Int32, Long, ObjectId } from 'bson';
import { generator, WORDS } from './data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const lib = pathToFileURL(path.join(root, 'dist', 'index.js')).href;
const archiveLib = pathToFileURL(path.join(root, 'dist', 'archive', 'index.js')).href;
const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`Unknown argument ${arg}`);
    return [match[1], match[2] ?? true];
  }),
);
const BSON_BYTES = Math.round(Number(args.gib ?? 1) * 1024 ** 3);

/** Generated BSON documents, `total` bytes of them: a pool of 20,000 distinct ones, cycled (beyond gzip's window). */
function* documents(total) {
  const pool = makePool(20_000);
  let bytes = 0;
  for (let i = 0; bytes < total; i += 1) {
    const doc = pool[i % pool.length];
    bytes += doc.length;
    yield doc;
  }
}

function makePool(count) {
  const random = generator(42);
  const pool = [];
  for (let i = 0; i < count; i += 1) {
    const doc = BSON.serialize({
      _id: new ObjectId(),
      seq: new Int32(i),
      price: new Double(Math.round(random() * 100000) / 100),
      qty: Long.fromNumber(Math.floor(random() * 1000)),
      customer: `${WORDS[Math.floor(random() * WORDS.length)]}-${Math.floor(random() * 100000)}`,
      status: WORDS[Math.floor(random() * WORDS.length)],
      note: Array.from({ length: 12 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' '),
      at: new Date(1_700_000_000_000 + i * 1000),
    });
    pool.push(doc);
  }
  return pool;
}

// --- Child: one write of the archive to one target ----------------------------------------------------------------

async function child(target) {
  const { createArchiveWriter } = await import(archiveLib);
  const { createFolderStore, createS3Store, EncryptionKeyring, createEncryptStream } = await import(lib);
  const store =
    target === 'file'
      ? createFolderStore(process.env.BENCH_DIR)
      : createS3Store({
          url: process.env.BENCH_URL,
          endpoint: process.env.BENCH_ENDPOINT,
          credentials: { accessKeyId: process.env.BENCH_KEY_ID, secretAccessKey: process.env.BENCH_SECRET },
        });
  const name = `bench_dump_${new Date().toISOString().replace(/[:.]/g, '-')}.gz${target === 's3-encrypted' ? '.enc' : ''}`;
  let uploaded = 0;
  const upload = await store.createUpload(name, {
    expectedBytes: BSON_BYTES * 1.5,
    onBytesStored: (b) => (uploaded = b),
  });
  const writer = createArchiveWriter({
    header: { serverVersion: '7.0.0', concurrentCollections: 1 },
    namespaces: [{ db: 'bench', collection: 'orders', metadataJson: '', type: 'collection' }],
    gzip: { level: 6 },
  });
  const encrypt =
    target === 's3-encrypted'
      ? [await createEncryptStream(new EncryptionKeyring({ key: randomBytes(32) }))]
      : [];
  const flowing = pipeline([writer.stream, ...encrypt, upload.stream], { end: false });
  const ns = writer.openNamespace('bench', 'orders');
  const started = Date.now();
  for (const doc of documents(BSON_BYTES)) await ns.write(doc);
  await ns.end();
  await writer.finish();
  await flowing;
  await upload.commit();
  const seconds = (Date.now() - started) / 1000;
  const stored = (await store.stat(name))?.sizeBytes ?? 0;
  process.stdout.write(`${JSON.stringify({ seconds, stored, uploaded })}\n`);
}

// --- Parent --------------------------------------------------------------------------------------------------------

function measure(target, env) {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      '/usr/bin/time',
      ['-v', process.execPath, fileURLToPath(import.meta.url), `--child=${target}`, `--gib=${args.gib ?? 1}`],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (err += c));
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${target} failed (${code}):\n${err}`));
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0) * 1024;
      const cpu = ['User', 'System'].reduce(
        (sum, kind) => sum + Number(new RegExp(`${kind} time \\(seconds\\): ([\\d.]+)`).exec(err)?.[1] ?? 0),
        0,
      );
      resolve({ target, ...JSON.parse(out.trim().split('\n').at(-1)), rss, cpu });
    });
  });
}

async function cipherVsGzip() {
  const { EncryptionKeyring, createEncryptStream } = await import(lib);
  // 64 KiB writes for both, as the archive writer hands its segments on (not one write per document).
  const all = Buffer.concat([...documents(64 * 1024 * 1024)]);
  const chunks = [];
  for (let at = 0; at < all.length; at += 65536) chunks.push(all.subarray(at, at + 65536));
  const total = all.length;
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  let t = Date.now();
  await pipeline(
    Readable.from(chunks),
    await createEncryptStream(new EncryptionKeyring({ key: randomBytes(32) })),
    sink(),
  );
  const aes = total / 1e6 / ((Date.now() - t) / 1000);
  t = Date.now();
  await pipeline(Readable.from(chunks), createGzip({ level: 6 }), sink());
  const gzip = total / 1e6 / ((Date.now() - t) / 1000);
  return { bytes: total, aes, gzip };
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

async function parent() {
  const gw = path.join(root, '.cache', 'tools', 'versitygw');
  if (!existsSync(gw)) throw new Error('versitygw not built: run `npm run tools`');
  const work = mkdtempSync(path.join(os.tmpdir(), 'mbs-bench-s3-'));
  const port = await freePort();
  const keyId = `bench${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(18).toString('base64url');
  mkdirp(path.join(work, 'gw'));
  const server = spawn(gw, ['--port', `127.0.0.1:${port}`, '--quiet', 'posix', path.join(work, 'gw')], {
    env: { PATH: process.env.PATH, ROOT_ACCESS_KEY: keyId, ROOT_SECRET_KEY: secret },
    stdio: 'ignore',
  });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    mkdirp(path.join(work, 'gw', 'bench')); // the posix backend's bucket is a folder
    mkdirp(path.join(work, 'local'));
    const env = {
      BENCH_DIR: path.join(work, 'local'),
      BENCH_URL: 's3://bench/nightly',
      BENCH_ENDPOINT: `http://127.0.0.1:${port}`,
      BENCH_KEY_ID: keyId,
      BENCH_SECRET: secret,
    };
    const results = [];
    for (const target of ['file', 's3', 's3-encrypted']) {
      const r = await measure(target, env);
      console.log(
        `${target}: ${r.seconds.toFixed(1)} s, stored ${(r.stored / 1e6).toFixed(0)} MB, peak RSS ${(r.rss / 1e6).toFixed(0)} MB, CPU ${r.cpu.toFixed(1)} s`,
      );
      results.push(r);
    }
    const speed = await cipherVsGzip();
    console.log(
      `AES-256-GCM ${speed.aes.toFixed(0)} MB/s, gzip level 6 ${speed.gzip.toFixed(0)} MB/s on ${(speed.bytes / 1e6).toFixed(0)} MB of BSON`,
    );
    if (args.write !== false && !args['no-write']) writeDocs(results, speed);
  } finally {
    server.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

function mkdirp(dir) {
  mkdirSync(dir, { recursive: true });
}

function writeDocs(results, speed) {
  const file = path.join(root, 'docs', 'benchmarks.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- s3-store:start -->';
  const end = '<!-- s3-store:end -->';
  const base = results.find((r) => r.target === 'file');
  const rows = results.map(
    (r) =>
      `| ${r.target === 'file' ? 'local file (folder store)' : r.target === 's3' ? 'S3 store (versitygw)' : 'S3 store, encrypted'} | ${r.seconds.toFixed(1)} s | ${(BSON_BYTES / 1e6 / r.seconds).toFixed(0)} MB/s | ${(r.stored / 1e6).toFixed(0)} MB | ${(r.rss / 1e6).toFixed(0)} MB | ${r.cpu.toFixed(1)} s | ${(base.seconds / r.seconds).toFixed(2)} |`,
  );
  const section = [
    start,
    '## Object storage and encryption (`node bench/s3-store.mjs`)',
    '',
    `${(BSON_BYTES / 1024 ** 3).toFixed(2)} GiB of generated BSON order documents through the archive writer (gzip level 6, as a dump), written to a local file and streamed to versitygw ${'v1.8.0'} on 127.0.0.1 (multipart, 8 MiB parts, 2 in flight, CRC32 per part), each in its own process; ${os.cpus().length} cores shared with other work, ${new Date().toISOString().slice(0, 10)}. No database in front: this isolates the store's share of a dump.`,
    '',
    '| Target | Wall time | BSON MB/s | Stored | Peak RSS | CPU | Throughput vs file |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Encryption overhead, same process, ${(speed.bytes / 1e6).toFixed(0)} MB of BSON: AES-256-GCM (64 KiB chunks) ${speed.aes.toFixed(0)} MB/s against gzip level 6 ${speed.gzip.toFixed(0)} MB/s: encryption costs about ${((speed.gzip / speed.aes) * 100).toFixed(0)}% of the compression time it follows.`,
    end,
  ].join('\n');
  const next = text.includes(start)
    ? text.slice(0, text.indexOf(start)) + section + text.slice(text.indexOf(end) + end.length)
    : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

if (args.child) await child(args.child);
else await parent();
