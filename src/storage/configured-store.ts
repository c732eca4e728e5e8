/**
 * The store a configuration names: a folder, or an S3-compatible bucket when `backupDir` is an `s3://` URL; and the
 * store and name of an `s3://` URL of one backup.
 *
 * @packageDocumentation
 */
import type { BackupStore } from './backup-store.js';
import { createFolderStore } from './folder-store.js';
import { createS3Store, type S3Credentials, type S3StoreOptions } from './s3-store.js';
import { formatS3Url, isS3Url, parseS3Url } from './s3-location.js';

/** How to reach S3-compatible stores: everything of {@link S3StoreOptions} but the URL. */
export type S3Access = Omit<S3StoreOptions, 'url'>;

/**
 * How to reach S3 from resolved settings: credentials given in code, else `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`) of `env` (the environment the service or command was given),
 * else the AWS SDK's default chain (profiles, instance and task roles); the region likewise from `AWS_REGION`.
 */
export function s3Access(
  settings: S3Access,
  credentials: S3Credentials | undefined,
  env: Readonly<Record<string, string | undefined>>,
): S3Access {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  const sessionToken = env['AWS_SESSION_TOKEN'];
  const fromEnv =
    accessKeyId && secretAccessKey
      ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
      : undefined;
  const given = credentials ?? fromEnv;
  const region = settings.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  return {
    ...settings,
    ...(given === undefined ? {} : { credentials: given }),
    ...(region ? { region } : {}),
  };
}

/**
 * The store of `backupDir`: a folder path, or `s3://bucket/prefix`.
 *
 * @throws {@link MongoBackupUsageError} (`INVALID_OPTIONS`) for a malformed `s3://` URL.
 */
export function storeForLocation(backupDir: string, s3: S3Access = {}): BackupStore {
  return isS3Url(backupDir) ? createS3Store({ ...s3, url: backupDir }) : createFolderStore(backupDir);
}

/**
 * The store holding the backup at `url` (`s3://bucket/prefix/name`) and its name: `configured` when the URL is
 * inside it, else a store over the URL's bucket and prefix, reached the same way.
 */
export function storedBackupAt(
  url: string,
  configured: BackupStore,
  s3: S3Access,
): { readonly store: BackupStore; readonly name: string } {
  const { bucket, prefix } = parseS3Url(url);
  const key = prefix.replace(/\/$/, '');
  const slash = key.lastIndexOf('/');
  const name = key.slice(slash + 1);
  const folder = formatS3Url(bucket, slash === -1 ? '' : key.slice(0, slash + 1));
  const store =
    configured.kind === 's3' && configured.location === folder
      ? configured
      : createS3Store({ ...s3, url: folder });
  return { store, name };
}
