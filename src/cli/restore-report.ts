/**
 * The human-readable restore report: one row per namespace of the backup, then totals.
 *
 * @packageDocumentation
 */
import type { RestoreReport } from '../restore/types.js';
import { formatDuration, formatTable } from './format.js';

/** Columns of the per-namespace table. */
const HEADERS = [
  'SOURCE → TARGET',
  'TYPE',
  'READ',
  'INSERTED',
  'DUPLICATES',
  'FAILURES',
  'INDEXES',
  'STATUS',
  'REASON',
];
const ALIGN = ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'left'] as const;

/**
 * Lines of the report: where from, the table, and a totals line.
 *
 * @example
 * ```ts
 * writeLines(io.stdout, restoreReportLines(report));
 * ```
 */
export function restoreReportLines(report: RestoreReport): string[] {
  const rows = report.namespaces.map((ns) => [
    `${ns.source} → ${ns.target}`,
    ns.type || 'oplog',
    String(ns.documentsRead),
    String(ns.documentsInserted),
    String(ns.duplicates),
    String(ns.failures),
    String(ns.indexesBuilt),
    ns.status,
    oneLine(ns.reason ?? ''),
  ]);
  const count = (status: string): number => report.namespaces.filter((ns) => ns.status === status).length;
  const outcome = report.dryRun
    ? `${count('checked')} checked`
    : `${count('restored')} restored, ${count('failed')} failed`;
  const unreached = count('not-restored');
  return [
    `Restore from ${report.source ?? 'standard input'}` +
      (report.destination
        ? ` into ${report.destination.hosts} (the ${report.destination.cluster} cluster)`
        : '') +
      (report.dryRun ? ' (dry run: nothing was written)' : ''),
    '',
    ...(rows.length === 0
      ? ['(the backup holds no namespace)']
      : formatTable(HEADERS, rows, { align: ALIGN })),
    '',
    `total: ${report.documentsInserted} inserted, ${report.duplicates} duplicates, ${report.failures} failures; ` +
      `${outcome}, ${count('skipped')} skipped${unreached > 0 ? `, ${unreached} not restored` : ''}; ` +
      `${formatDuration(report.durationMs)}${report.fidelity === 'raw' ? '' : ' (documents re-encoded)'}`,
    ...report.warnings.map((warning) => `WARNING: ${warning}`),
    ...(report.manifest === 'absent'
      ? [
          'note: this directory dump has no checksum manifest (mongo-backup-manifest.json): only its BSON structure',
          'was checked; damage inside a value would not be seen.',
        ]
      : report.manifest === 'verified'
        ? [
            `checksums: every file matched mongo-backup-manifest.json${report.unlistedFiles === undefined ? '' : `; ${report.unlistedFiles.length} file(s) not in it (kept from older dumps?)`}`,
          ]
        : []),
  ];
}

/** Whether any namespace failed (the command then exits with 1). */
export function hasFailures(report: RestoreReport): boolean {
  return report.namespaces.some((ns) => ns.status === 'failed');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
