/**
 * The public shapes of the service configuration: what callers give ({@link ServiceConfigInput}) and what
 * {@link resolveConfig} returns ({@link ServiceConfig}). Plain interfaces: no zod type is part of the public API.
 *
 * @packageDocumentation
 */

import type { EncryptionKeyOptions, EncryptionKeyring } from '../crypto/keys.js';
import type { S3ChecksumAlgorithm, S3Credentials } from '../storage/s3-store.js';

/** Run every N hours. */
export interface EveryHoursSchedule {
  /**
   * The interval in hours, an integer from 1 to 168. When N divides 24 (1, 2, 3, 4, 6, 8, 12, 24) runs happen on
   * the hour at the wall-clock hours that are multiples of N (every 6 hours is 00:00, 06:00, 12:00 and 18:00). Any other N runs exactly N hours apart, on the hour, counted from 1970-01-01T00:00Z, so the
   * rhythm survives restarts (every 48 hours is every other day at 00:00 UTC; 168 is Thursdays at 00:00 UTC).
   */
  readonly everyHours: number;
}

/** Run on a cron expression. */
export interface CronSchedule {
  /**
   * A cron expression as node-cron understands it: 5 fields, or 6 with seconds first; `@daily` and friends too.
   * Evaluated in the process's local time zone (set `TZ`) unless the scheduler is given a `timezone`.
   */
  readonly cron: string;
}

/** When scheduled backups run: `{ everyHours }` or `{ cron }`. */
export type ScheduleConfig = EveryHoursSchedule | CronSchedule;

/** Restoring each new backup into the target cluster, resolved. */
export interface AutoImportConfig {
  /** Whether each successful scheduled backup is restored into `targetUri`. */
  readonly enabled: boolean;
  /** Namespace pattern to rename from (`shop.*`); always given together with {@link AutoImportConfig.nsTo}. */
  readonly nsFrom?: string;
  /** Namespace pattern to rename to (`shop_mirror.*`); always given together with {@link AutoImportConfig.nsFrom}. */
  readonly nsTo?: string;
  /** Restore the (single) backed-up database under this name instead; exclusive with `nsFrom`/`nsTo`. */
  readonly targetDatabase?: string;
  /** Whether each target collection is dropped before it is restored. */
  readonly drop: boolean;
}

/** Restoring each new backup into the target cluster, as given. */
export interface AutoImportInput {
  /** Whether the import runs. Defaults to `true` when an `autoImport` object is given; requires `targetUri`. */
  readonly enabled?: boolean | undefined;
  /** Namespace pattern to rename from, e.g. `shop.*`. Requires `nsTo`. */
  readonly nsFrom?: string | undefined;
  /** Namespace pattern to rename to, e.g. `shop_mirror.*`. Requires `nsFrom`. */
  readonly nsTo?: string | undefined;
  /**
   * Restore into this database instead of the source's name. Needs `databases` to name exactly one database;
   * exclusive with `nsFrom`/`nsTo`.
   */
  readonly targetDatabase?: string | undefined;
  /** Drop each target collection before restoring it. Defaults to `true`. */
  readonly drop?: boolean | undefined;
}

/**
 * The service configuration as given in code. Every field is optional: a missing (or `undefined`) field is taken
 * from the environment (see `docs/configuration.md`), then from its default. Fields given here win over the
 * environment.
 */
export interface ServiceConfigInput {
  /**
   * Connection string of the cluster to back up (`mongodb://` or `mongodb+srv://`).
   * Environment: `MONGO_BACKUP_SOURCE_URI`, else `MONGODB_URI`. Required unless a `MongoClient` is given in code.
   */
  readonly sourceUri?: string | undefined;
  /** Connection string of a second cluster that backups are imported into. Environment: `MONGO_BACKUP_TARGET_URI`. */
  readonly targetUri?: string | undefined;
  /** Folder the backups are written to. Environment: `MONGO_BACKUP_DIR`. Defaults to `./backups`. */
  readonly backupDir?: string | undefined;
  /**
   * How many backups to keep per database (the newest); older ones are deleted after each scheduled backup.
   * An integer of at least 1. Environment: `MONGO_BACKUP_RETENTION`. Defaults to keeping everything.
   */
  readonly retention?: number | undefined;
  /**
   * When scheduled backups run. Environment: `MONGO_BACKUP_CRON` or `MONGO_BACKUP_EVERY_HOURS` (not both).
   * Defaults to no schedule (backups run only when asked).
   */
  readonly schedule?: ScheduleConfig | undefined;
  /**
   * Whether the application should run the scheduled backups: a switch for deployments, read by whatever starts the
   * scheduler (the Express example does; {@link MongoBackupService.createScheduler} itself ignores it). `true`
   * requires a `schedule`. Environment: `MONGO_BACKUP_SCHEDULE_ENABLED` (alias `BACKUP_ENABLED`). Defaults to
   * `true` when a schedule is configured, `false` otherwise.
   */
  readonly scheduleEnabled?: boolean | undefined;
  /** Whether archives are gzipped. Defaults to `true`. */
  readonly gzip?: boolean | undefined;
  /** Gzip level, 0 (store) to 9 (smallest). Environment: `MONGO_BACKUP_GZIP_LEVEL`. Defaults to 6. */
  readonly gzipLevel?: number | undefined;
  /** How many collections are processed at once, 1 to 64. Environment: `MONGO_BACKUP_PARALLEL`. Defaults to 4. */
  readonly parallelCollections?: number | undefined;
  /**
   * The databases to back up; at least one name. Environment: `MONGO_BACKUP_DATABASES` (comma-separated).
   * Defaults to every database.
   */
  readonly databases?: readonly string[] | undefined;
  /**
   * Restoring each scheduled backup into `targetUri`. Defaults to disabled. Environment:
   * `MONGO_BACKUP_AUTO_IMPORT` (alias `AUTO_IMPORT_TO_LOCAL`) for `enabled`, `MONGO_BACKUP_IMPORT_DATABASE` for
   * `targetDatabase`; an object given in code replaces both.
   */
  readonly autoImport?: AutoImportInput | undefined;
  /**
   * How to reach the bucket when `backupDir` is an `s3://bucket/prefix` URL. Environment:
   * `MONGO_BACKUP_S3_REGION`, `MONGO_BACKUP_S3_ENDPOINT`, `MONGO_BACKUP_S3_FORCE_PATH_STYLE`; credentials from the
   * AWS SDK's default chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profiles, roles) unless given here.
   */
  readonly s3?: S3ConfigInput | undefined;
  /**
   * Client-side encryption (AES-256-GCM, see `docs/encryption.md`): new backups are encrypted with this key, and
   * encrypted backups are read with it. Environment: `MONGO_BACKUP_ENCRYPTION_KEY` (hex or base64),
   * `MONGO_BACKUP_ENCRYPTION_KEY_FILE`, `MONGO_BACKUP_ENCRYPTION_KEY_ID`. Defaults to no encryption.
   */
  readonly encryption?: EncryptionKeyOptions | undefined;
}

/** How to reach an S3-compatible store, as given. */
export interface S3ConfigInput {
  /** The region. Defaults to the SDK's (`AWS_REGION`, profile), else `us-east-1`. */
  readonly region?: string | undefined;
  /** The endpoint of a non-AWS service (MinIO, Ceph RGW, versitygw...), e.g. `http://127.0.0.1:7070`. */
  readonly endpoint?: string | undefined;
  /** Path-style addressing (`endpoint/bucket`). Defaults to `true` when an endpoint is given. */
  readonly forcePathStyle?: boolean | undefined;
  /** Static credentials; never shown. Defaults to the AWS SDK's default chain. */
  readonly credentials?: S3Credentials | undefined;
  /** Parts uploaded at once, 1 to 16. Defaults to 2 (memory: `max(2, partsInFlight)` part buffers). */
  readonly partsInFlight?: number | undefined;
  /** The smallest part size in bytes (at least 5 MiB). Defaults to 5 MiB. */
  readonly minPartSize?: number | undefined;
  /** The checksum sent with each part. Defaults to `CRC32`. */
  readonly checksumAlgorithm?: S3ChecksumAlgorithm | undefined;
}

/** How to reach an S3-compatible store, resolved. Credentials are not part of it. */
export interface S3Config {
  readonly region?: string;
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  readonly partsInFlight?: number;
  readonly minPartSize?: number;
  readonly checksumAlgorithm?: S3ChecksumAlgorithm;
}

/** The validated configuration returned by {@link resolveConfig}, defaults applied. Deeply frozen. */
export interface ServiceConfig {
  /** Connection string of the source cluster; absent only when resolved with `requireSourceUri: false`. */
  readonly sourceUri?: string;
  /** Connection string of the import target, when any. */
  readonly targetUri?: string;
  /**
   * Where backups are written, as given: a folder (relative paths resolve against the working directory) or an
   * `s3://bucket/prefix` URL.
   */
  readonly backupDir: string;
  /** How many backups to keep per database; absent to keep everything. */
  readonly retention?: number;
  /** When scheduled backups run; absent for none. */
  readonly schedule?: ScheduleConfig;
  /** Whether the application should run the scheduled backups; never `true` without a `schedule`. */
  readonly scheduleEnabled: boolean;
  /** Whether archives are gzipped. */
  readonly gzip: boolean;
  /** Gzip level, 0 to 9. */
  readonly gzipLevel: number;
  /** How many collections are processed at once. */
  readonly parallelCollections: number;
  /** The databases to back up; absent for every database. */
  readonly databases?: readonly string[];
  /** Restoring each scheduled backup into `targetUri`. */
  readonly autoImport: AutoImportConfig;
  /** How to reach the bucket of an `s3://` backupDir, when configured. */
  readonly s3?: S3Config;
  /** The encryption keys, when encryption is configured (it shows only its key id). */
  readonly encryption?: EncryptionKeyring;
}
