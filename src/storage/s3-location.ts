/**
 * `s3://bucket/prefix` locations.
 *
 * @packageDocumentation
 */
import { ErrorCode, MongoBackupUsageError } from '../errors.js';

/** A bucket and a key prefix, from an `s3://bucket/prefix` URL. */
export interface S3Location {
  readonly bucket: string;
  /** The key prefix, empty or ending with `/`. */
  readonly prefix: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Whether `text` is an `s3://` URL (it may still be malformed: {@link parseS3Url} tells). */
export function isS3Url(text: string): boolean {
  return /^s3:\/\//i.test(text);
}

/**
 * Parses `s3://bucket` or `s3://bucket/some/prefix` (a trailing `/` is optional).
 *
 * @throws {@link MongoBackupUsageError} (`INVALID_OPTIONS`) for anything else.
 *
 * @example
 * ```ts
 * import { parseS3Url } from 'mongo-backup-service';
 * parseS3Url('s3://backups/prod/shop'); // { bucket: 'backups', prefix: 'prod/shop/' }
 * ```
 */
export function parseS3Url(url: string): S3Location {
  const problem = (why: string): never => {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `Expected an s3://bucket[/prefix] location, got ${JSON.stringify(url)}: ${why}`,
    );
  };
  if (!isS3Url(url)) problem('it does not start with s3://');
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (!BUCKET.test(bucket))
    problem('the bucket name must be 3 to 63 lower-case letters, digits, dots or hyphens');
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (prefix.includes('\0')) problem('it contains a NUL byte');
  if (prefix.split('/').some((part) => part === '' || part === '.' || part === '..') && prefix !== '') {
    problem('the prefix has an empty, "." or ".." segment');
  }
  return { bucket, prefix: prefix === '' ? '' : `${prefix}/` };
}

/** The `s3://` URL of a key. */
export function formatS3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The key of backup `name` under `location`. @throws {@link MongoBackupUsageError} (`PATH_OUTSIDE_ROOT`). */
export function keyOf(location: S3Location, name: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new MongoBackupUsageError(
      ErrorCode.PATH_OUTSIDE_ROOT,
      `Expected a backup name inside ${formatS3Url(location.bucket, location.prefix)}, got ${JSON.stringify(name)}`,
    );
  }
  return `${location.prefix}${name}`;
}
