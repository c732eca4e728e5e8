import { describe, expect, it } from 'vitest';
import { inspectionLines } from '../../../src/cli/commands/inspect.js';
import { restoreReportLines } from '../../../src/cli/restore-report.js';
import type { RestoreReport } from '../../../src/index.js';

describe('the CLI says warnings out loud', () => {
  it('the restore report ends with each warning as a WARNING line', () => {
    const report: RestoreReport = {
      source: '/b/all.gz',
      dryRun: false,
      namespaces: [],
      documentsInserted: 0,
      duplicates: 0,
      failures: 0,
      fidelity: 'raw',
      warnings: ['users and roles NOT restored: admin.system.users', 'x.c: index(es) a_0 left out'],
      startedAt: new Date(0),
      finishedAt: new Date(5),
      durationMs: 5,
    };
    expect(restoreReportLines(report).slice(-2)).toEqual([
      'WARNING: users and roles NOT restored: admin.system.users',
      'WARNING: x.c: index(es) a_0 left out',
    ]);
  });

  it('inspect prints the interleaving warning before the verdict', () => {
    const lines = inspectionLines({
      path: '/b/a.archive',
      kind: 'archive',
      gzip: false,
      header: { concurrentCollections: 1, version: '0.1', serverVersion: '7.0.14', toolVersion: 't' },
      entries: [],
      namespaces: [],
      valid: true,
      warnings: ['the body interleaves up to 3 namespaces'],
    });
    expect(lines.slice(-2)).toEqual(['WARNING: the body interleaves up to 3 namespaces', 'VALID']);
  });
});
