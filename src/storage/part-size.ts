/**
 * Multipart upload sizing: S3 allows at most 10,000 parts per object, each from 5 MiB (but the last) to 5 GiB.
 * A part size fixed without regard to the object's size caps the object (8 MiB parts stop at 78 GiB, the trap
 * PBM and pghoard users met); the part size is therefore chosen from the size expected.
 *
 * @packageDocumentation
 */
import { ErrorCode, MongoBackupUsageError } from '../errors.js';

/** The most parts one S3 multipart upload may have. */
export const MAX_UPLOAD_PARTS = 10_000;

/** The smallest part S3 accepts (all parts but the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

/** The largest part S3 accepts. */
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;

/**
 * The part size used for backups expected to fit in 10,000 parts of it (5 MiB, S3's smallest: up to 48.8 GiB;
 * larger backups get larger parts). Small parts keep the memory of an upload small: it holds two of them.
 */
export const DEFAULT_PART_SIZE = 5 * 1024 * 1024;

const MIB = 1024 * 1024;

/**
 * The part size for an object of up to `expectedBytes`: the smallest whole number of MiB, at least `minimum`,
 * such that {@link MAX_UPLOAD_PARTS} parts hold `expectedBytes` (a declared 6 TB gets 573 MiB parts: 10,000 of
 * them hold 6.008 TB).
 *
 * @param expectedBytes - The most the object is expected to hold.
 * @param minimum - The smallest part size wanted. Defaults to {@link DEFAULT_PART_SIZE}.
 * @throws {@link MongoBackupUsageError} (`INVALID_OPTIONS`) when `expectedBytes` is not a non-negative number, or
 *   exceeds 10,000 parts of 5 GiB.
 *
 * @example
 * ```ts
 * import { partSizeFor } from 'mongo-backup-service';
 * partSizeFor(6e12); // 573 MiB: 10,000 parts hold 6.008 TB
 * partSizeFor(1e9); // 5 MiB, the default
 * ```
 */
export function partSizeFor(expectedBytes: number, minimum: number = DEFAULT_PART_SIZE): number {
  if (!Number.isFinite(expectedBytes) || expectedBytes < 0) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `Expected a size in bytes >= 0 for the upload, got ${String(expectedBytes)}`,
    );
  }
  const floor = Math.max(MIN_PART_SIZE, Math.ceil(minimum / MIB) * MIB);
  const needed = Math.ceil(expectedBytes / MAX_UPLOAD_PARTS / MIB) * MIB;
  const size = Math.max(floor, needed);
  if (size > MAX_PART_SIZE) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `An upload of ${expectedBytes} bytes does not fit in ${MAX_UPLOAD_PARTS} parts of at most 5 GiB`,
    );
  }
  return size;
}
