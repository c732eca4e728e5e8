/**
 * `mongo-backup inspect` (alias `verify`): checks a backup without a database and shows what it holds.
 *
 * @packageDocumentation
 */
import { JSON_FLAG, wantsJson, type CommandSpec } from '../command.js';
import { formatTable, plural, toJson } from '../format.js';
import { inspectBackup, type BackupInspection } from '../inspect-backup.js';
import { writeLine, writeLines } from '../io.js';
import { usageError } from '../args.js';
import { standardInput } from '../stdio.js';
import { backupBytesAccess } from '../backup-bytes.js';
import { offlineConfig } from '../backup-table.js';

/** The `--json` document of `inspect`. */
export function inspectionJson(result: BackupInspection): Record<string, unknown> {
  return {
    path: result.path,
    kind: result.kind,
    gzip: result.gzip,
    valid: result.valid,
    warnings: result.warnings,
    ...(result.manifest === undefined ? {} : { manifest: result.manifest }),
    header: result.header ?? null,
    entries: result.entries.map((entry) => ({
      db: entry.db,
      collection: entry.collection,
      type: entry.type,
      indexes: entry.metadata?.indexes.length ?? 0,
    })),
    namespaces: result.namespaces,
    totalDocuments: result.namespaces.reduce((sum, ns) => sum + ns.documents, 0),
    totalBytes: result.namespaces.reduce((sum, ns) => sum + ns.bytes, 0),
    ...(result.error === undefined
      ? {}
      : {
          error: {
            code: result.error.code,
            message: result.error.message,
            ...(result.error.offset === undefined ? {} : { offset: result.error.offset }),
            ...(result.error.namespace === undefined ? {} : { namespace: result.error.namespace }),
          },
        }),
  };
}

/** The human-readable inspection: header, prelude, namespaces with CRCs, verdict. */
export function inspectionLines(result: BackupInspection): string[] {
  const { header } = result;
  const format =
    result.kind === 'archive'
      ? `archive${result.gzip ? ', gzip' : ', not compressed'}`
      : result.kind === 'tar.gz'
        ? 'directory dump packed as .tar.gz'
        : result.kind === 'bson'
          ? `one collection file of a directory dump${result.gzip ? ', gzip' : ''}`
          : 'directory dump';
  const entryRows = result.entries.map((entry) => [
    entry.db === '' ? `.${entry.collection}` : `${entry.db}.${entry.collection}`,
    entry.type || 'oplog',
    String(entry.metadata?.indexes.length ?? 0),
  ]);
  const totalDocuments = result.namespaces.reduce((sum, ns) => sum + ns.documents, 0);
  const totalBytes = result.namespaces.reduce((sum, ns) => sum + ns.bytes, 0);
  const rows = result.namespaces.map((ns) => [
    ns.namespace,
    String(ns.documents),
    String(ns.bytes),
    ns.crc.toString(),
  ]);
  return [
    `path:    ${result.path === '-' ? 'standard input' : result.path}`,
    `format:  ${format}`,
    header === undefined
      ? 'header:  (not read)'
      : `header:  version ${header.version}, server ${header.serverVersion || '(unknown)'}, tool ` +
        `${header.toolVersion || '(unknown)'}, concurrent collections ${header.concurrentCollections}`,
    '',
    `prelude: ${plural(result.entries.length, 'entry', 'entries')}`,
    ...(entryRows.length === 0
      ? []
      : formatTable(['NAMESPACE', 'TYPE', 'INDEXES'], entryRows, { align: ['left', 'left', 'right'] })),
    '',
    ...formatTable(
      ['NAMESPACE', 'DOCUMENTS', 'BYTES', 'CRC'],
      [...rows, ['total', String(totalDocuments), String(totalBytes), '']],
      {
        align: ['left', 'right', 'right', 'right'],
      },
    ),
    '',
    ...result.warnings.map((warning) => `WARNING: ${warning}`),
    ...(result.manifest === 'verified' ? ['checksums: every file matched mongo-backup-manifest.json'] : []),
    ...(result.manifest === 'absent'
      ? ['note: no checksum manifest (mongo-backup-manifest.json): damage inside a value would not be seen']
      : []),
    verdict(result),
  ];
}

function verdict(result: BackupInspection): string {
  if (result.valid) return 'VALID';
  const error = result.error;
  if (error === undefined) return 'INVALID';
  const where = [
    error.offset === undefined ? undefined : `at offset ${error.offset}`,
    error.namespace === undefined ? undefined : `in ${error.namespace}`,
  ].filter((part) => part !== undefined);
  return `INVALID [${error.code}]${where.length > 0 ? ` ${where.join(' ')}` : ''}: ${error.message}`;
}

/** `mongo-backup inspect`. */
export const inspectCommand: CommandSpec = {
  name: 'inspect',
  aliases: ['verify'],
  summary: 'Check a backup without a database: header, prelude, documents, bytes and CRC per namespace',
  usage: 'inspect <archive|dir|tar.gz|coll.bson|s3://...|-> [--json]',
  description: [
    'Reads the whole backup and checks what mongorestore checks: the magic number, the prelude, every block and',
    "document length, and each namespace's CRC-64. Prints VALID, or INVALID with the error code, the offset in",
    'the (decompressed) stream and the message, and exits with 1. CRCs are shown as the archive stores them',
    '(signed 64-bit). For a directory dump the CRCs are computed from its .bson files; a single .bson file is read',
    'as its folder\'s database. "-" reads stdin. An s3:// URL is read from the bucket (MONGO_BACKUP_S3_* settings);',
    'an encrypted archive is decrypted with MONGO_BACKUP_ENCRYPTION_KEY or _KEY_FILE.',
  ],
  flags: { json: JSON_FLAG },
  maxPositionals: 1,
  examples: [
    'mongo-backup inspect backups/shop_dump_2026-11-21T23-10-54-123Z.gz',
    'mongo-backup verify dump/ --json',
    'mongo-backup inspect s3://backups/prod/shop_dump_2026-11-21T23-10-54-123Z.gz.enc',
  ],
  async run(args, io) {
    const [target] = args.positionals;
    if (target === undefined)
      throw usageError('expected the path of an archive, a directory dump, a .tar.gz or a .bson file');
    const access = backupBytesAccess(offlineConfig({}, io), io);
    const result = await inspectBackup(target, standardInput(io.stdin), access);
    if (wantsJson(args)) writeLine(io.stdout, toJson(inspectionJson(result)));
    else writeLines(io.stdout, inspectionLines(result));
    return result.valid ? 0 : 1;
  },
};
