/**
 * `mongo-backup list`: the backups of the backup folder, newest first.
 *
 * @packageDocumentation
 */
import { stringFlag } from '../args.js';
import { backupTableLines, offlineConfig, offlineStore, totalSize } from '../backup-table.js';
import { BACKUP_DIR_FLAG, JSON_FLAG, wantsJson, type CommandSpec } from '../command.js';
import { formatBytes, plural, toJson } from '../format.js';
import { writeLine, writeLines } from '../io.js';

/** `mongo-backup list`. */
export const listCommand: CommandSpec = {
  name: 'list',
  summary: 'List the backups of the backup folder, newest first',
  usage: 'list [--backupDir=<dir|s3://bucket/prefix>] [--json]',
  description: [
    'Only names this tool writes (<db>_dump_<timestamp>[.gz|.archive|.tar.gz], or a folder) are listed; partial',
    'outputs of running or interrupted dumps and unrelated files are not.',
  ],
  flags: { backupDir: BACKUP_DIR_FLAG, json: JSON_FLAG },
  maxPositionals: 0,
  examples: [
    'mongo-backup list',
    'mongo-backup list --backupDir=/var/backups/mongo --json',
    'mongo-backup list --backupDir=s3://backups/prod',
  ],
  async run(args, io) {
    const config = offlineConfig({ backupDir: stringFlag(args, 'backupDir') }, io);
    const store = offlineStore(config, io);
    const backupDir = store.location;
    const backups = await store.list();
    if (wantsJson(args)) {
      writeLine(io.stdout, toJson({ backupDir, backups }));
    } else if (backups.length === 0) {
      writeLine(io.stdout, `No backups in ${backupDir}`);
    } else {
      writeLines(io.stdout, [
        ...backupTableLines(backups),
        '',
        `${plural(backups.length, 'backup')}, ${formatBytes(totalSize(backups))} in ${backupDir}`,
      ]);
    }
    return 0;
  },
};
