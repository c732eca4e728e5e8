/**
 * The bytes of a backup named on the command line, for `inspect` and `decrypt`: a file, or an object of an
 * S3-compatible store (`s3://bucket/prefix/name`, reached with the configured s3 settings and the AWS SDK's
 * credentials chain), and the same bytes decrypted when they are encrypted.
 *
 * @packageDocumentation
 */
import { Readable } from 'node:stream';

import type { ServiceConfig } from '../config/index.js';
import { plainBytes } from '../crypto/plain-bytes.js';
import { s3Access, storedBackupAt } from '../storage/configured-store.js';
import type { CliIo } from './io.js';
import { offlineStore } from './backup-table.js';

/** How `inspect` reaches backups beyond local paths, and decrypts encrypted ones. */
export interface BackupBytesAccess {
  /** The raw bytes of an `s3://` object. */
  readonly openStored: (url: string) => Readable;
  /** `input` as plain bytes: decrypted with the configured key when it is encrypted, else unchanged. */
  readonly plain: (input: Readable, label: string) => Readable;
}

/** Access to stored and encrypted backups as `config` describes (s3 settings, encryption key). */
export function backupBytesAccess(config: ServiceConfig, io: CliIo): BackupBytesAccess {
  const s3 = s3Access(config.s3 ?? {}, undefined, io.env);
  return {
    openStored: (url) => {
      const { store, name } = storedBackupAt(url, offlineStore(config, io), s3);
      return store.openRead(name);
    },
    plain: (input, label) =>
      Readable.from(plainBytes(input, config.encryption, label), { objectMode: false }),
  };
}
