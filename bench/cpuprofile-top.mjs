// Summarizes a V8 .cpuprofile (from `node --cpu-prof`, e.g. `node bench/dump-restore.mjs --cpu-prof=DIR`): self time
// by package and by function, largest first.
//
//   node bench/cpuprofile-top.mjs DIR/dump-123.cpuprofile [rows]     (default 25 rows)

import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [rows]');
  process.exit(2);
}
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

// Self time per node: each sample is charged the time until the next one.
const selfMicros = new Map();
profile.samples.forEach((id, i) =>
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
);

/** A package name for a script URL: node_modules package, node core, the library bundle, or the native bucket. */
function packageOf(callFrame) {
  const { url, functionName } = callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inModules) return inModules[1];
  if (/\/(dist|lib)\/index\.js$/.test(url)) return 'mongo-backup-service';
  return url.replace(/^file:\/\//, '');
}

const byPackage = new Map();
const byFunction = new Map();
let total = 0;
for (const [id, micros] of selfMicros) {
  const { callFrame } = nodes.get(id);
  total += micros;
  const pkg = packageOf(callFrame);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  const where = callFrame.url ? ` ${callFrame.url.replace(/^.*\//, '')}:${callFrame.lineNumber + 1}` : '';
  const key = `${callFrame.functionName || '(anonymous)'}${where} [${pkg}]`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
}

function print(title, map) {
  console.log(`\n${title}`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(
      `${(micros / 1e3).toFixed(0).padStart(8)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}`,
    );
  }
}

console.log(
  `${file}: ${(total / 1e6).toFixed(2)} s of main-thread samples (zlib work on the thread pool is not sampled)`,
);
print('Self time by package', byPackage);
print('Self time by function', byFunction);
