/**
 * One backup written to S3 as a multipart upload with bounded memory: parts of a size chosen from the expected
 * size, a few in flight from a fixed set of reused buffers ({@link S3PartWriter}), a checksum per part; the object
 * exists only once the upload completes, and any failure aborts the multipart upload (retried, so that a server
 * that comes back is cleaned too).
 *
 * @packageDocumentation
 */
import type { ChecksumAlgorithm, S3Client } from '@aws-sdk/client-s3';
import { finished } from 'node:stream/promises';

import { ErrorCode, MongoBackupRuntimeError } from '../errors.js';
import type { BackupUpload } from './backup-store.js';
import { partSizeFor } from './part-size.js';
import { formatS3Url } from './s3-location.js';
import { S3PartWriter } from './s3-part-writer.js';
import { loadS3Sdk } from './s3-sdk.js';

/** How an upload is made. */
export interface S3UploadSettings {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly expectedBytes: number;
  readonly minPartSize: number;
  readonly partsInFlight: number;
  readonly checksumAlgorithm: ChecksumAlgorithm;
  /** How long to keep retrying the abort of a failed upload. */
  readonly abortRetryMs: number;
  readonly onBytesStored: ((bytes: number) => void) | undefined;
}

/** Starts a multipart upload of a new object; fails if the object exists already. */
export async function startS3Upload(settings: S3UploadSettings): Promise<BackupUpload> {
  const { client, bucket, key } = settings;
  const url = formatS3Url(bucket, key);
  if (await objectExists(client, bucket, key)) {
    throw new MongoBackupRuntimeError(ErrorCode.DUMP_FAILED, `Could not create ${url}: it exists already`);
  }
  const body = new S3PartWriter({
    client,
    bucket,
    key,
    partSize: partSizeFor(settings.expectedBytes, settings.minPartSize),
    partsInFlight: settings.partsInFlight,
    checksumAlgorithm: settings.checksumAlgorithm,
    onBytesStored: settings.onBytesStored,
  });
  // Errors surface through commit(); this listener only keeps an early error from crashing the process.
  body.on('error', () => undefined);
  let state: 'open' | 'committed' | 'discarded' = 'open';

  /** Stops the upload and aborts it on the server; returns a note when the abort could not be confirmed. */
  const cleanUp = async (): Promise<string> => {
    body.destroy();
    await body.stop();
    const uploadId = await body.uploadId?.catch(() => undefined);
    if (uploadId === undefined || (await abortWithRetry(settings, uploadId))) return '';
    return ` (the multipart upload ${uploadId} could not be aborted: abort it, or let a lifecycle rule expire it)`;
  };

  return {
    path: url,
    stream: body,
    async commit(): Promise<void> {
      if (state !== 'open') {
        throw new MongoBackupRuntimeError(
          ErrorCode.DUMP_FAILED,
          `Cannot commit ${url}: it is already ${state}`,
        );
      }
      try {
        if (!body.writableEnded) body.end();
        await finished(body);
        await body.complete();
        state = 'committed';
      } catch (error) {
        state = 'discarded';
        const note = await cleanUp();
        const reason = error instanceof Error ? error.message : String(error);
        throw new MongoBackupRuntimeError(
          ErrorCode.DUMP_FAILED,
          `Could not upload ${url}: ${reason}${note}`,
          {
            cause: error,
          },
        );
      }
    },
    async discard(): Promise<void> {
      if (state !== 'open') return;
      state = 'discarded';
      await cleanUp();
    },
  };
}

async function objectExists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  const { s3 } = await loadS3Sdk();
  try {
    await client.send(new s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MongoBackupRuntimeError(
      ErrorCode.STORAGE_FAILED,
      `Could not check ${formatS3Url(bucket, key)}: ${reason}`,
      { cause: error },
    );
  }
}

/** Whether an S3 error says the object, bucket or upload is not there. @internal */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'NotFound' ||
    e.name === 'NoSuchKey' ||
    e.name === 'NoSuchUpload' ||
    e.$metadata?.httpStatusCode === 404
  );
}

/**
 * Aborts a multipart upload, retrying with growing pauses until it is gone or `abortRetryMs` has passed, so that a
 * server down at the time of the failure is cleaned once it answers again. Never throws: returns whether the
 * upload is known to be gone.
 */
async function abortWithRetry(settings: S3UploadSettings, uploadId: string): Promise<boolean> {
  const deadline = Date.now() + settings.abortRetryMs;
  let pause = 200;
  const { s3 } = await loadS3Sdk();
  for (;;) {
    try {
      await settings.client.send(
        new s3.AbortMultipartUploadCommand({
          Bucket: settings.bucket,
          Key: settings.key,
          UploadId: uploadId,
        }),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return true;
      if (Date.now() + pause > deadline) return false;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 5000);
  }
}
