import type { MongoClient } from 'mongodb';
import type { MongoClientLike } from './driver/index.js';
import { resolveConfig, type ServiceConfig, type ServiceConfigInput } from './config/index.js';
import type { Environment } from './config/index.js';
import {
  checkConnection,
  redactSecrets,
  resolveClient,
  type ConnectionCheckResult,
  type ResolvedClient,
} from './connections/index.js';
import { describeHosts } from './connections/client.js';
import { runDump } from './dump/run-dump.js';
import type { DumpOptions, DumpReport, PathDumpReport, StreamDumpReport } from './dump/types.js';
import type { Writable } from 'node:stream';
import { ErrorCode, MongoBackupUsageError } from './errors.js';
import { escapeNamespacePattern } from './namespaces/index.js';
import { runRestore } from './restore/run-restore.js';
import type { RestoreOptions, RestoreReport, RestoreSource } from './restore/types.js';
import { BackupScheduler, type SchedulerLogger } from './scheduler/index.js';
import type { ScheduleConfig } from './config/index.js';
import type { BackupInfo } from './storage/catalog.js';
import type { BackupStore } from './storage/backup-store.js';
import { s3Access, storedBackupAt, storeForLocation, type S3Access } from './storage/configured-store.js';

/**
 * How to build a {@link MongoBackupService}: the configuration (each field falls back to its environment variable,
 * then to its default; see `docs/configuration.md`), plus live clients if you already have them.
 */
export interface MongoBackupServiceOptions extends ServiceConfigInput {
  /**
   * The cluster to back up: a `MongoClient` you own (mongodb 6.x or 7.x), or a connection string. Defaults to
   * `sourceUri`/environment.
   */
  readonly source?: MongoClientLike | string;
  /** The cluster backups are imported into (same kinds as `source`). Defaults to `targetUri`/environment; none when absent. */
  readonly target?: MongoClientLike | string;
  /** Environment to read configuration from. Defaults to `process.env`. */
  readonly env?: Environment;
}

/** Which cluster a restore writes to. */
export type RestoreTarget = 'source' | 'target';

/** The `from` of {@link ServiceRestoreOptions} that names the newest backup of the backup folder. */
export const LATEST_BACKUP = 'latest';

/** {@link RestoreOptions} plus the cluster to write to. */
export interface ServiceRestoreOptions extends RestoreOptions {
  /**
   * The backup to read (see {@link RestoreSource}), or `'latest'` ({@link LATEST_BACKUP}) for the newest backup in
   * the backup folder. Required: a missing `from` is an error, never the newest backup by surprise. A path named
   * `latest` is written `./latest`.
   */
  readonly from: RestoreSource | typeof LATEST_BACKUP;
  /** `target` (the second cluster, the default when one is configured) or `source`. */
  readonly into?: RestoreTarget;
}

/** The result of {@link MongoBackupService.backup}: the dump, the import when enabled, and what retention removed. */
export interface BackupRunResult {
  readonly dump: DumpReport;
  readonly imported?: RestoreReport;
  readonly removedByRetention: readonly BackupInfo[];
}

/** Connection status of both clusters; credentials never appear. */
export interface ConnectionsStatus {
  readonly source: ConnectionCheckResult;
  readonly target?: ConnectionCheckResult;
}

/**
 * Backs up and restores MongoDB with nothing but the official driver. Archives are byte-compatible with
 * `mongodump --archive` (and `mongorestore` reads them); restores read ours, mongodump's archives and directory dumps.
 *
 * @example
 * ```ts
 * import { MongoBackupService } from 'mongo-backup-service';
 *
 * await using service = new MongoBackupService({ sourceUri: 'mongodb://localhost:27017', backupDir: './backups' });
 * const report = await service.dump({ databases: ['shop'] });
 * console.log(report.path, report.totalDocuments);
 * await service.restore({ from: report.path, nsFrom: ['shop.*'], nsTo: ['shop_copy.*'], into: 'source' });
 * ```
 */
export class MongoBackupService {
  /** The validated configuration, defaults applied. */
  readonly config: ServiceConfig;
  /** Where backups are listed, written, read and deleted: the folder or bucket of `backupDir`. */
  readonly store: BackupStore;
  readonly #s3: S3Access;
  readonly #sourceGiven: MongoClientLike | string;
  readonly #targetGiven: MongoClientLike | string | undefined;
  #source: Promise<ResolvedClient> | undefined;
  #target: Promise<ResolvedClient> | undefined;

  /**
   * Validates the configuration at once; connects lazily, on first use.
   *
   * @throws {@link MongoBackupConfigError} listing every invalid field.
   */
  constructor(options: MongoBackupServiceOptions = {}) {
    const { source, target, env, ...input } = options;
    this.config = resolveConfig(input, env ?? process.env, { requireSourceUri: source === undefined });
    this.#sourceGiven = source ?? (this.config.sourceUri as string);
    this.#targetGiven = target ?? this.config.targetUri;
    // Credentials given in code go to the store only; the resolved config never holds them.
    this.#s3 = s3Access(this.config.s3 ?? {}, input.s3?.credentials, env ?? process.env);
    this.store = storeForLocation(this.config.backupDir, this.#s3);
  }

  /**
   * Dumps the source into a new backup (an archive in the backup folder unless told otherwise). The report has a
   * `path` when the output is a path (the default), none when it is a stream.
   */
  async dump(options: DumpOptions & { readonly output: Writable }): Promise<StreamDumpReport>;
  async dump(options?: DumpOptions & { readonly output?: string }): Promise<PathDumpReport>;
  async dump(options?: DumpOptions): Promise<DumpReport>;
  async dump(options: DumpOptions = {}): Promise<DumpReport> {
    return runDump(
      async () => (await this.#sourceClient()).client,
      {
        ...(this.config.databases ? { databases: this.config.databases } : {}),
        gzip: this.config.gzip,
        gzipLevel: this.config.gzipLevel,
        parallelCollections: this.config.parallelCollections,
        ...options,
      },
      {
        backupDir: this.config.backupDir,
        store: this.store,
        encryption: this.config.encryption,
        redact: (text) => this.#redact(text),
      },
    );
  }

  /**
   * Restores a backup (ours, mongodump's archive, a directory dump or a tarball) into the target cluster, or into
   * the source with `into: 'source'`. `from` is required: a path, a stream, or `'latest'` for the newest backup
   * in the backup folder.
   *
   * @throws {@link MongoBackupUsageError} (`INVALID_OPTIONS`) when `from` is missing.
   * @throws {@link RestoreError} when it stops part-way; its `report` says what was restored.
   */
  async restore(options: ServiceRestoreOptions): Promise<RestoreReport> {
    const { into, ...restoreOptions } = options;
    if ((restoreOptions.from as unknown) === undefined || (restoreOptions.from as unknown) === null) {
      throw new MongoBackupUsageError(
        ErrorCode.INVALID_OPTIONS,
        "restore: from is required: a backup path or stream, or 'latest' for the newest backup of the backup folder",
      );
    }
    const from = restoreOptions.from === LATEST_BACKUP ? await this.#newestBackupPath() : restoreOptions.from;
    const target = into ?? (this.#targetGiven ? 'target' : 'source');
    const connect = async (): Promise<MongoClient> =>
      (await (target === 'target' ? this.#targetClient() : this.#sourceClient())).client;
    const given = target === 'target' ? this.#targetGiven : this.#sourceGiven;
    const destination = { hosts: given === undefined ? '' : describeHosts(given), cluster: target };
    return runRestore(
      connect,
      { ...restoreOptions, from },
      {
        redact: (text) => this.#redact(text),
        access: {
          resolveStored: (url) => storedBackupAt(url, this.store, this.#s3),
          encryption: this.config.encryption,
        },
        destination,
      },
    );
  }

  /**
   * One complete backup run, as the scheduler does it: dump; then, when auto-import is enabled, restore the new
   * backup into the target cluster; then apply retention.
   */
  async backup(options: { readonly signal?: AbortSignal } = {}): Promise<BackupRunResult> {
    const dump = await this.dump(options.signal ? { signal: options.signal } : {});
    let imported: RestoreReport | undefined;
    const auto = this.config.autoImport;
    if (auto.enabled && dump.path !== undefined) {
      const single = this.config.databases?.length === 1 ? this.config.databases[0] : undefined;
      const rename =
        auto.nsFrom !== undefined && auto.nsTo !== undefined
          ? { nsFrom: [auto.nsFrom], nsTo: [auto.nsTo] }
          : auto.targetDatabase !== undefined && single !== undefined
            ? {
                nsFrom: [`${escapeNamespacePattern(single)}.*`],
                nsTo: [`${escapeNamespacePattern(auto.targetDatabase)}.*`],
              }
            : {};
      imported = await this.restore({
        from: dump.path,
        into: 'target',
        drop: auto.drop,
        ...rename,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    const removedByRetention =
      this.config.retention === undefined ? [] : await this.store.applyRetention(this.config.retention);
    return { dump, ...(imported ? { imported } : {}), removedByRetention };
  }

  /** The backups in the store (the backup folder or bucket), newest first. */
  listBackups(): Promise<BackupInfo[]> {
    return this.store.list();
  }

  /** Deletes all but the `keep` newest backups (default: the configured retention) and returns what was deleted. */
  async cleanBackups(keep: number | undefined = this.config.retention): Promise<BackupInfo[]> {
    if (keep === undefined) {
      throw new MongoBackupUsageError(
        ErrorCode.INVALID_OPTIONS,
        'cleanBackups: give how many backups to keep, or configure retention',
      );
    }
    return this.store.applyRetention(keep);
  }

  /** Deletes one backup by name; the name is confined to the backup folder (or bucket prefix). */
  removeBackup(name: string): Promise<BackupInfo> {
    return this.store.remove(name);
  }

  /** Checks both clusters: connected, host, latency, version. Never throws; credentials never appear. */
  async checkConnections(options: { readonly timeoutMs?: number } = {}): Promise<ConnectionsStatus> {
    const source = await checkConnection(await this.#clientOrUri('source'), options);
    if (this.#targetGiven === undefined) return { source };
    return { source, target: await checkConnection(await this.#clientOrUri('target'), options) };
  }

  /**
   * A scheduler that runs {@link MongoBackupService.backup} on the configured schedule (or the one given), never
   * two at once. Call `start()` on it; `stop()` before closing the service.
   */
  createScheduler(
    options: {
      readonly schedule?: ScheduleConfig;
      readonly timezone?: string;
      /** Where failures go when no `failure` listener is attached (default `console`; `false`: nowhere). */
      readonly logger?: SchedulerLogger | false;
    } = {},
  ): BackupScheduler<BackupRunResult> {
    const schedule = options.schedule ?? this.config.schedule;
    if (schedule === undefined) {
      throw new MongoBackupUsageError(
        ErrorCode.INVALID_OPTIONS,
        'No schedule: give { everyHours } or { cron }, or configure one',
      );
    }
    return new BackupScheduler({
      schedule,
      task: (signal) => this.backup({ signal }),
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /** Closes the clients this service opened (never the ones you gave it). */
  async close(): Promise<void> {
    const opened = [this.#source, this.#target];
    this.#source = undefined;
    this.#target = undefined;
    await Promise.all(opened.map(async (client) => (await client?.catch(() => undefined))?.close()));
  }

  /** Same as {@link MongoBackupService.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #sourceClient(): Promise<ResolvedClient> {
    this.#source ??= resolveClient(this.#sourceGiven);
    return this.#source;
  }

  #targetClient(): Promise<ResolvedClient> {
    if (this.#targetGiven === undefined) {
      throw new MongoBackupUsageError(
        ErrorCode.INVALID_OPTIONS,
        'No target cluster: set targetUri (or MONGO_BACKUP_TARGET_URI) or give a target client',
      );
    }
    this.#target ??= resolveClient(this.#targetGiven);
    return this.#target;
  }

  async #clientOrUri(which: RestoreTarget): Promise<MongoClientLike | string> {
    const given = which === 'source' ? this.#sourceGiven : (this.#targetGiven as MongoClientLike | string);
    const opened = which === 'source' ? this.#source : this.#target;
    return opened ? (await opened).client : given;
  }

  async #newestBackupPath(): Promise<string> {
    const [newest] = await this.store.list();
    if (!newest) {
      throw new MongoBackupUsageError(
        ErrorCode.BACKUP_NOT_FOUND,
        `No backup in ${this.store.location} to restore`,
      );
    }
    return newest.path;
  }

  #redact(text: string): string {
    const uris = [this.#sourceGiven, this.#targetGiven].filter((v): v is string => typeof v === 'string');
    return redactSecrets(text, uris);
  }
}
