// Child process of bench/dump-restore.mjs: runs ONE dump or restore with the built library, so that its wall time and
// peak RSS can be measured on their own (like mongodump/mongorestore, which are separate processes too).
//
//   node bench/dump-restore-child.mjs '<json>'
//     { "lib": "/abs/path/dist/index.js", "op": "dump", "uri": "...", "db": "bench", "output": "/tmp/x.gz" }
//     { "lib": "...", "op": "restore", "uri": "...", "from": "/tmp/x.gz", "nsFrom": "bench.*", "nsTo": "copy.*",
//       "options": { ... extra RestoreOptions / DumpOptions ... } }
//
// Prints one JSON line with the library's report (durations, counts) on stdout.

import { pathToFileURL } from 'node:url';

const job = JSON.parse(process.argv[2] ?? '{}');
const { MongoBackupService } = await import(pathToFileURL(job.lib).href);

const service = new MongoBackupService({ source: job.uri, env: {} });
try {
  if (job.op === 'dump') {
    const report = await service.dump({ databases: [job.db], output: job.output, ...(job.options ?? {}) });
    process.stdout.write(
      `${JSON.stringify({
        durationMs: report.durationMs,
        documents: report.totalDocuments,
        sizeBytes: report.sizeBytes,
        uncompressedBytes: report.uncompressedBytes,
      })}\n`,
    );
  } else if (job.op === 'restore') {
    const report = await service.restore({
      from: job.from,
      into: 'source',
      nsFrom: [job.nsFrom],
      nsTo: [job.nsTo],
      noIndexRestore: true,
      ...(job.options ?? {}),
    });
    process.stdout.write(
      `${JSON.stringify({
        durationMs: report.durationMs,
        documents: report.documentsInserted,
        failures: report.failures,
        duplicates: report.duplicates,
        fidelity: report.fidelity,
      })}\n`,
    );
  } else {
    throw new Error(`unknown op ${job.op}`);
  }
} finally {
  await service.close();
}
