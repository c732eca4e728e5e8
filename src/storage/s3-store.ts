/**
 * An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, versitygw, any S3 API) as a {@link BackupStore}: backups are
 * objects `<prefix><backup name>`, written by multipart upload and read by ranged GETs. Directory dumps (many
 * files) are not stored in buckets: an archive or a `.tar.gz` is one object.
 *
 * @packageDocumentation
 */
import type { ChecksumAlgorithm, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

import { ErrorCode, MongoBackupRuntimeError, MongoBackupUsageError } from '../errors.js';
import type { BackupStore, BackupUpload, BackupUploadOptions, ByteRange } from './backup-store.js';
import type { BackupInfo } from './catalog.js';
import { parseBackupName } from './naming.js';
import { DEFAULT_PART_SIZE, MAX_UPLOAD_PARTS } from './part-size.js';
import { assertRetentionCount, backupsBeyondRetention } from './retention.js';
import { readS3Object } from './s3-ranged-read.js';
import { formatS3Url, keyOf, parseS3Url, type S3Location } from './s3-location.js';
import { loadS3Sdk } from './s3-sdk.js';
import { isNotFound, startS3Upload } from './s3-upload.js';

/** Static credentials for an S3 store. Never logged, never part of a message. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** Per-part checksum algorithms an upload may use. */
export type S3ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256' | 'CRC64NVME';

/** Where and how to reach an S3-compatible store. */
export interface S3StoreOptions {
  /** `s3://bucket` or `s3://bucket/prefix`. */
  readonly url: string;
  /** The region. Defaults to the SDK's (`AWS_REGION`, the profile), else `us-east-1`. */
  readonly region?: string | undefined;
  /** The endpoint of a non-AWS service, e.g. `http://127.0.0.1:7070`. Defaults to AWS's for the region. */
  readonly endpoint?: string | undefined;
  /** Address buckets as `endpoint/bucket` rather than `bucket.endpoint`. Defaults to `true` when an endpoint is given. */
  readonly forcePathStyle?: boolean | undefined;
  /** Static credentials. Defaults to the SDK's default chain (environment, profile, instance or task role...). */
  readonly credentials?: S3Credentials | undefined;
  /** The smallest part size in bytes (at least 5 MiB). Defaults to {@link DEFAULT_PART_SIZE}. */
  readonly minPartSize?: number | undefined;
  /** Parts uploaded at once. Defaults to {@link DEFAULT_PARTS_IN_FLIGHT}. */
  readonly partsInFlight?: number | undefined;
  /** Checksum sent with each part and verified by the server. Defaults to `CRC32`. */
  readonly checksumAlgorithm?: S3ChecksumAlgorithm | undefined;
  /** Attempts of each request (the SDK's retries, and each ranged GET window). Defaults to 3. */
  readonly maxAttempts?: number | undefined;
  /** How long to keep retrying the abort of a failed upload, in ms. Defaults to {@link DEFAULT_ABORT_RETRY_MS}. */
  readonly abortRetryMs?: number | undefined;
}

/** Parts uploaded at once unless told otherwise. */
export const DEFAULT_PARTS_IN_FLIGHT = 2;

/** How long a failed upload's abort is retried unless told otherwise (a server briefly down is cleaned too). */
export const DEFAULT_ABORT_RETRY_MS = 30_000;

/** Bytes per ranged GET. */
const READ_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * A {@link BackupStore} over an S3-compatible bucket.
 *
 * @throws {@link MongoBackupUsageError} (`INVALID_OPTIONS`) when the URL is not `s3://bucket[/prefix]`.
 *
 * @example
 * ```ts
 * import { createS3Store } from 'mongo-backup-service';
 * const store = createS3Store({ url: 's3://backups/prod', endpoint: 'http://127.0.0.1:7070' });
 * const [newest] = await store.list();
 * ```
 */
export function createS3Store(options: S3StoreOptions): BackupStore {
  const location = parseS3Url(options.url);
  const maxAttempts = options.maxAttempts ?? 3;
  const config: S3ClientConfig = {
    region: options.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    maxAttempts,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    ...(options.credentials === undefined ? {} : { credentials: staticCredentials(options.credentials) }),
  };
  // The SDK and the client are made on first use, so a store that is never used loads nothing.
  let made: Promise<S3Client> | undefined;
  const client = (): Promise<S3Client> => (made ??= loadS3Sdk().then(({ s3 }) => new s3.S3Client(config)));
  const minPartSize = options.minPartSize ?? DEFAULT_PART_SIZE;
  const where = formatS3Url(location.bucket, location.prefix);

  const list = async (): Promise<BackupInfo[]> => {
    const found: BackupInfo[] = [];
    let token: string | undefined;
    do {
      const page = await guard(`Could not list ${where}`, async () =>
        (await client()).send(
          new (await loadS3Sdk()).s3.ListObjectsV2Command({
            Bucket: location.bucket,
            Prefix: location.prefix,
            Delimiter: '/',
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        const info = describe(location, object.Key ?? '', object.Size ?? 0);
        if (info !== undefined) found.push(info);
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found.sort(
      (a, b) =>
        b.createdAt.getTime() - a.createdAt.getTime() || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0),
    );
  };

  const stat = async (name: string): Promise<BackupInfo | undefined> => {
    const key = keyOf(location, name);
    try {
      const { s3 } = await loadS3Sdk();
      const head = await (
        await client()
      ).send(new s3.HeadObjectCommand({ Bucket: location.bucket, Key: key }));
      return describe(location, key, head.ContentLength ?? 0);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw storageFailure(`Could not read ${formatS3Url(location.bucket, key)}`, error);
    }
  };

  const remove = async (name: string): Promise<BackupInfo> => {
    const backup = await stat(name);
    if (backup === undefined) {
      throw new MongoBackupUsageError(
        ErrorCode.BACKUP_NOT_FOUND,
        `Expected the name of a backup in ${where}, got ${JSON.stringify(name)}: no backup of that name ` +
          '(see listBackups() for the available names)',
      );
    }
    await guard(`Could not delete the backup ${backup.path}`, async () => {
      const { s3 } = await loadS3Sdk();
      return (await client()).send(
        new s3.DeleteObjectCommand({ Bucket: location.bucket, Key: keyOf(location, name) }),
      );
    });
    return backup;
  };

  return {
    kind: 's3',
    location: where,
    async createUpload(name: string, upload: BackupUploadOptions = {}): Promise<BackupUpload> {
      return startS3Upload({
        client: await guard(`Could not reach ${where}`, client),
        bucket: location.bucket,
        key: keyOf(location, name),
        expectedBytes: upload.expectedBytes ?? minPartSize * MAX_UPLOAD_PARTS,
        minPartSize,
        partsInFlight: options.partsInFlight ?? DEFAULT_PARTS_IN_FLIGHT,
        checksumAlgorithm: (options.checksumAlgorithm ?? 'CRC32') as ChecksumAlgorithm,
        abortRetryMs: options.abortRetryMs ?? DEFAULT_ABORT_RETRY_MS,
        onBytesStored: upload.onBytesStored,
      });
    },
    list,
    stat,
    openRead(name: string, range?: ByteRange): Readable {
      return readS3Object(
        {
          client,
          bucket: location.bucket,
          key: keyOf(location, name),
          windowBytes: READ_WINDOW_BYTES,
          attempts: maxAttempts,
        },
        range,
      );
    },
    remove,
    async applyRetention(keep: number): Promise<BackupInfo[]> {
      assertRetentionCount(keep);
      const deleted: BackupInfo[] = [];
      for (const backup of backupsBeyondRetention(await list(), keep)) {
        await remove(backup.name);
        deleted.push(backup);
      }
      return deleted;
    },
  };
}

function staticCredentials(given: S3Credentials): S3Credentials & { sessionToken?: string } {
  const { accessKeyId, secretAccessKey, sessionToken } = given;
  return sessionToken === undefined
    ? { accessKeyId, secretAccessKey }
    : { accessKeyId, secretAccessKey, sessionToken };
}

function describe(location: S3Location, key: string, size: number): BackupInfo | undefined {
  const name = key.slice(location.prefix.length);
  const parsed = parseBackupName(name);
  if (parsed === undefined || parsed.kind === 'directory') return undefined;
  const info = {
    name,
    path: formatS3Url(location.bucket, key),
    kind: parsed.kind,
    sizeBytes: size,
    createdAt: parsed.createdAt,
    ...(parsed.encrypted === true ? { encrypted: true as const } : {}),
  };
  return parsed.database === undefined ? info : { ...info, database: parsed.database };
}

async function guard<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storageFailure(what, error);
  }
}

function storageFailure(what: string, error: unknown): MongoBackupRuntimeError {
  const reason = error instanceof Error ? error.message : String(error);
  return new MongoBackupRuntimeError(ErrorCode.STORAGE_FAILED, `${what}: ${reason}`, { cause: error });
}
