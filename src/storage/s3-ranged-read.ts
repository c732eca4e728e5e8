/**
 * Reading an S3 object as a stream of ranged GETs: a window at a time, each window retried from the byte where it
 * broke off, and every window pinned to the first one's ETag so that an object replaced meanwhile is an error, not
 * a mix of two backups.
 *
 * @packageDocumentation
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';

import { ErrorCode, MongoBackupError, MongoBackupRuntimeError, MongoBackupUsageError } from '../errors.js';
import type { ByteRange } from './backup-store.js';
import { formatS3Url } from './s3-location.js';
import { loadS3Sdk } from './s3-sdk.js';
import { isNotFound } from './s3-upload.js';

/** How ranged reads are made. */
export interface RangedReadSettings {
  /** The client, made on first use. */
  readonly client: () => Promise<S3Client>;
  readonly bucket: string;
  readonly key: string;
  /** Bytes per GET. */
  readonly windowBytes: number;
  /** Attempts per window before giving up. */
  readonly attempts: number;
}

/** A Readable over the object (or `range` of it). */
export function readS3Object(settings: RangedReadSettings, range: ByteRange | undefined): Readable {
  return Readable.from(windows(settings, range), { objectMode: false, highWaterMark: 1024 * 1024 });
}

async function* windows(settings: RangedReadSettings, range: ByteRange | undefined): AsyncGenerator<Buffer> {
  const { client, bucket, key } = settings;
  const url = formatS3Url(bucket, key);
  let position = range?.start ?? 0;
  let last = range?.end; // inclusive; learnt from the first response when not given
  let etag: string | undefined;
  let failures = 0;
  while (last === undefined || position <= last) {
    const windowEnd = position + settings.windowBytes - 1;
    const end = last === undefined ? windowEnd : Math.min(windowEnd, last);
    try {
      const { s3 } = await loadS3Sdk();
      const response = await (
        await client()
      ).send(
        new s3.GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: `bytes=${position}-${end}`,
          ...(etag === undefined ? {} : { IfMatch: etag }),
        }),
      );
      etag ??= response.ETag;
      if (last === undefined) last = totalFrom(response.ContentRange, url) - 1;
      if (response.Body === undefined) throw new Error('the response has no body');
      for await (const chunk of response.Body as AsyncIterable<Uint8Array>) {
        const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        position += buffer.length;
        failures = 0;
        yield buffer;
      }
      if (position <= Math.min(end, last)) throw new Error(`the response ended at byte ${position}`);
    } catch (error) {
      if (error instanceof MongoBackupError) throw error;
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 416 && position === 0) return; // an empty object
      if (isNotFound(error)) {
        throw new MongoBackupUsageError(ErrorCode.BACKUP_NOT_FOUND, `No backup at ${url}`, { cause: error });
      }
      if (status === 412) {
        throw new MongoBackupRuntimeError(
          ErrorCode.STORAGE_FAILED,
          `${url} was replaced while it was being read`,
          { cause: error },
        );
      }
      failures += 1;
      if (failures >= settings.attempts) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new MongoBackupRuntimeError(
          ErrorCode.STORAGE_FAILED,
          `Could not read ${url} at byte ${position} after ${failures} attempts: ${reason}`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** failures, 5000)));
    }
  }
}

function totalFrom(contentRange: string | undefined, url: string): number {
  const total = /\/(\d+)$/.exec(contentRange ?? '')?.[1];
  if (total === undefined) {
    throw new MongoBackupRuntimeError(
      ErrorCode.STORAGE_FAILED,
      `Reading ${url}: the server did not say the object's size (Content-Range ${JSON.stringify(contentRange)})`,
    );
  }
  return Number(total);
}
