/**
 * `mongo-backup clean`: retention, on demand.
 *
 * @packageDocumentation
 */
import path from 'node:path';

import { listPartialLeftovers, removePartialLeftovers } from '../../storage/staging.js';
import { booleanFlag, integerFlag, stringFlag, usageError } from '../args.js';
import {
  backupTableLines,
  offlineConfig,
  offlineStore,
  retentionVictims,
  totalSize,
} from '../backup-table.js';
import { BACKUP_DIR_FLAG, JSON_FLAG, wantsJson, type CommandSpec } from '../command.js';
import { formatBytes, plural, toJson } from '../format.js';
import { writeLine, writeLines } from '../io.js';

/** `mongo-backup clean`. */
export const cleanCommand: CommandSpec = {
  name: 'clean',
  summary: 'Delete all but the N newest backups of each database',
  usage: 'clean [--keep=<n>] [--partial] [--backupDir=<dir|s3://bucket/prefix>] [--dryRun] [--json]',
  description: [
    'Retention counts per database: backups of every database (all_dump_...) form their own group. Unrelated',
    'files and symbolic links are never touched. --keep defaults to MONGO_BACKUP_RETENTION. --partial also',
    'removes partial outputs (.<name>.partial-*) left by killed runs and untouched for 10 minutes.',
  ],
  flags: {
    keep: {
      type: 'string',
      value: '<n>',
      description: 'Backups to keep per database, >= 1 (default: MONGO_BACKUP_RETENTION)',
    },
    backupDir: BACKUP_DIR_FLAG,
    partial: {
      type: 'boolean',
      description: 'Also remove partial outputs of killed runs (untouched for 10 minutes)',
    },
    dryRun: { type: 'boolean', description: 'Show what would be deleted, delete nothing' },
    json: JSON_FLAG,
  },
  maxPositionals: 0,
  examples: [
    'mongo-backup clean --keep=7',
    'mongo-backup clean --keep=1 --dryRun',
    'mongo-backup clean --partial --dryRun',
  ],
  async run(args, io) {
    const keepFlag = integerFlag(args, 'keep', { min: 1 });
    const config = offlineConfig({ backupDir: stringFlag(args, 'backupDir'), retention: keepFlag }, io);
    const keep = config.retention;
    const partial = booleanFlag(args, 'partial') === true;
    const dryRun = booleanFlag(args, 'dryRun') === true;
    const store = offlineStore(config, io);
    const backupDir = store.location;
    if (partial) {
      if (store.kind !== 'folder')
        throw usageError('--partial: partial outputs exist only in a backup folder');
      const leftovers = await listPartialLeftovers(backupDir);
      if (!dryRun) await removePartialLeftovers(leftovers);
      if (wantsJson(args)) {
        writeLine(io.stdout, toJson({ backupDir, dryRun, partialRemoved: leftovers.map((l) => l.path) }));
      } else {
        writeLines(io.stdout, [
          `${dryRun ? 'Would remove' : 'Removed'} ${plural(leftovers.length, 'partial output')} in ${backupDir}` +
            `${leftovers.length === 0 ? '' : ':'}`,
          ...leftovers.map((l) => `  ${path.basename(l.path)}  ${formatBytes(l.sizeBytes)}`),
        ]);
      }
      if (keepFlag === undefined) return 0;
    }
    if (keep === undefined) throw usageError('--keep: expected how many backups to keep per database');
    const deleted = dryRun ? retentionVictims(await store.list(), keep) : await store.applyRetention(keep);
    if (wantsJson(args)) {
      writeLine(io.stdout, toJson({ backupDir, keep, dryRun, deleted }));
    } else if (deleted.length === 0) {
      writeLine(io.stdout, `Nothing to delete in ${backupDir}: at most ${keep} per database`);
    } else {
      const what = `${plural(deleted.length, 'backup')} (${formatBytes(totalSize(deleted))})`;
      writeLines(io.stdout, [
        dryRun
          ? `Would delete ${what}, keeping ${keep} per database:`
          : `Deleted ${what}, keeping ${keep} per database:`,
        ...backupTableLines(deleted),
      ]);
    }
    return 0;
  },
};
