/**
 * `mongo-backup decrypt`: writes the plain archive of an encrypted backup to standard output, so that the real
 * `mongorestore --archive` (or any tool) can read it.
 *
 * @packageDocumentation
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { createDecryptStream } from '../../crypto/decrypt-stream.js';
import { EncryptionError, ErrorCode } from '../../errors.js';
import { isS3Url } from '../../storage/s3-location.js';
import { stringFlag, usageError } from '../args.js';
import { backupBytesAccess } from '../backup-bytes.js';
import { offlineConfig } from '../backup-table.js';
import type { CommandSpec } from '../command.js';
import { binaryWritable, standardInput } from '../stdio.js';

/** `mongo-backup decrypt`. */
export const decryptCommand: CommandSpec = {
  name: 'decrypt',
  summary: 'Write the plain archive of an encrypted backup to standard output',
  usage: 'decrypt <file|s3://bucket/prefix/name|-> [--keyFile=<file>] [--keyId=<id>]',
  description: [
    'Checks every chunk before writing it and the final chunk at the end: a wrong key fails before any output, an',
    'altered or truncated backup fails with a non-zero exit (ENCRYPTION_* codes). The key comes from --keyFile, else',
    'MONGO_BACKUP_ENCRYPTION_KEY or MONGO_BACKUP_ENCRYPTION_KEY_FILE; it is never printed. See docs/encryption.md.',
  ],
  flags: {
    keyFile: {
      type: 'string',
      value: '<file>',
      description: 'File holding the key: 32 bytes, or their hex or base64 text',
    },
    keyId: {
      type: 'string',
      value: '<id>',
      description: 'Key id the key is for (default: MONGO_BACKUP_ENCRYPTION_KEY_ID, else "default")',
    },
  },
  maxPositionals: 1,
  examples: [
    'mongo-backup decrypt backups/shop_dump_2026-11-21T23-10-54-123Z.gz.enc | mongorestore --archive --gzip',
    'mongo-backup decrypt s3://backups/prod/shop_dump_2026-11-21T23-10-54-123Z.gz.enc --keyFile=/run/secrets/key > shop.gz',
  ],
  async run(args, io) {
    const [target] = args.positionals;
    if (target === undefined) throw usageError('expected the encrypted backup: a file, an s3:// URL or "-"');
    const keyFile = stringFlag(args, 'keyFile');
    const keyId = stringFlag(args, 'keyId');
    // The flags stand in for their variables, so the key is read and validated as the service reads it.
    const { MONGO_BACKUP_ENCRYPTION_KEY: key, ...rest } = io.env;
    const env = {
      ...(keyFile === undefined ? { ...rest, MONGO_BACKUP_ENCRYPTION_KEY: key } : rest),
      ...(keyFile === undefined ? {} : { MONGO_BACKUP_ENCRYPTION_KEY_FILE: keyFile }),
      ...(keyId === undefined ? {} : { MONGO_BACKUP_ENCRYPTION_KEY_ID: keyId }),
    };
    const config = offlineConfig({}, { ...io, env });
    if (config.encryption === undefined) {
      throw new EncryptionError(
        ErrorCode.ENCRYPTION_KEY_MISSING,
        'decrypt needs the key: --keyFile, or MONGO_BACKUP_ENCRYPTION_KEY / MONGO_BACKUP_ENCRYPTION_KEY_FILE',
      );
    }
    const input: Readable =
      target === '-'
        ? standardInput(io.stdin)
        : isS3Url(target)
          ? backupBytesAccess(config, { ...io, env }).openStored(target)
          : createReadStream(path.resolve(target));
    await pipeline(input, createDecryptStream(config.encryption), binaryWritable(io.stdout));
    return 0;
  },
};
