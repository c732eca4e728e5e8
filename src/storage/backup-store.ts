/**
 * The storage seam: where backups live. One interface, two implementations: a local folder
 * ({@link createFolderStore}) and an S3-compatible bucket ({@link createS3Store}). Dump, restore, inspect, list,
 * retention and the scheduler reach storage only through a {@link BackupStore}.
 *
 * @packageDocumentation
 */
import type { Readable, Writable } from 'node:stream';

import type { BackupInfo } from './catalog.js';

/** A new backup being written; it becomes visible under its name only after {@link BackupUpload.commit}. */
export interface BackupUpload {
  /** Where the backup will be once committed: an absolute path, or an `s3://bucket/key` URL. */
  readonly path: string;
  /** Where to write the content: pipe into it, then call {@link BackupUpload.commit} (which ends it when needed). */
  readonly stream: Writable;
  /**
   * Finishes the write and makes the backup visible under its final name (a rename for a folder, the completion
   * of the multipart upload for S3). On failure nothing is left that looks complete, and the error is thrown.
   */
  commit(): Promise<void>;
  /** Drops everything written (partial file, multipart upload). Does nothing after a commit. Never throws. */
  discard(): Promise<void>;
}

/** What a new backup write may be told in advance. */
export interface BackupUploadOptions {
  /**
   * How many bytes the backup is expected to hold at most. S3 picks its part size from it, so that 10,000 parts
   * hold it; a folder ignores it. Defaults to the store's default part size times 10,000.
   */
  readonly expectedBytes?: number;
  /** Called as bytes reach the store (for S3: as parts are acknowledged), with the total so far. */
  readonly onBytesStored?: (bytes: number) => void;
}

/** A byte range, both ends inclusive, as in an HTTP `Range` header. */
export interface ByteRange {
  readonly start: number;
  /** The last byte wanted; defaults to the end of the backup. */
  readonly end?: number;
}

/**
 * Where backups live. Names are backup names ({@link backupFileName}); listing, retention and deletion follow the
 * same naming and catalog rules whatever the store.
 */
export interface BackupStore {
  /** `folder` or `s3`. */
  readonly kind: 'folder' | 's3';
  /** Where the store is, for messages: a folder path or an `s3://bucket/prefix` URL. Never holds credentials. */
  readonly location: string;
  /**
   * Starts writing a new single-object backup (an archive or a `.tar.gz`) under `name`, created new and
   * exclusive.
   *
   * @throws {@link MongoBackupUsageError} (`PATH_OUTSIDE_ROOT`) when `name` would leave the store.
   */
  createUpload(name: string, options?: BackupUploadOptions): Promise<BackupUpload>;
  /** The backups in the store, newest first (by the timestamp in their names; ties by name, descending). */
  list(): Promise<BackupInfo[]>;
  /** One backup by name, or `undefined` when there is no backup of that name. */
  stat(name: string): Promise<BackupInfo | undefined>;
  /**
   * Reads a single-object backup, or a range of it. S3 reads are ranged GETs, each retried on network failure.
   *
   * @throws {@link MongoBackupUsageError} (`BACKUP_NOT_FOUND`) through the stream when there is no such object.
   */
  openRead(name: string, range?: ByteRange): Readable;
  /**
   * Deletes one backup by name and returns what it was.
   *
   * @throws {@link MongoBackupUsageError} (`BACKUP_NOT_FOUND`) when no backup has that name.
   */
  remove(name: string): Promise<BackupInfo>;
  /** Deletes all but the `keep` newest backups of each database and returns what was deleted, oldest first. */
  applyRetention(keep: number): Promise<BackupInfo[]>;
}
