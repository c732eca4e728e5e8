/**
 * The zod schemas of the storage options: `s3` (how to reach an `s3://` backupDir) and `encryption` (the client-side
 * key). Secrets are validated without ever being echoed: every message here says what it found itself.
 *
 * @packageDocumentation
 */
import { z } from 'zod';

import { KEY_BYTES } from '../crypto/keys.js';
import { isS3Url, parseS3Url } from '../storage/s3-location.js';
import { MIN_PART_SIZE } from '../storage/part-size.js';

const NOT_SHOWN = 'got a value (not shown)';

/** Why a backupDir is unusable, or `undefined`. @internal */
export function backupLocationProblem(dir: string): string | undefined {
  if (!isS3Url(dir)) return undefined;
  try {
    parseS3Url(dir);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Expected/, 'expected');
  }
}

const secret = (what: string): z.ZodString =>
  z
    .string({ error: `expected ${what} as text, ${NOT_SHOWN}` })
    .min(1, { error: `expected ${what}, got an empty value` });

/** `s3`: how to reach the bucket of an `s3://` backupDir. @internal */
export const s3Schema = z.strictObject(
  {
    region: z.string({ error: 'expected a region name such as "us-east-1"' }).min(1).optional(),
    endpoint: z.url({ error: 'expected an endpoint URL such as "http://127.0.0.1:7070"' }).optional(),
    forcePathStyle: z.boolean({ error: 'expected true or false' }).optional(),
    credentials: z
      .strictObject(
        {
          accessKeyId: secret('an access key id'),
          secretAccessKey: secret('a secret access key'),
          sessionToken: secret('a session token').optional(),
        },
        { error: `expected { accessKeyId, secretAccessKey[, sessionToken] }, ${NOT_SHOWN}` },
      )
      .optional(),
    partsInFlight: z.int({ error: 'expected an integer from 1 to 16' }).min(1).max(16).optional(),
    minPartSize: z
      .int({ error: `expected an integer >= ${MIN_PART_SIZE} (5 MiB)` })
      .min(MIN_PART_SIZE, { error: `expected an integer >= ${MIN_PART_SIZE} (5 MiB)` })
      .optional(),
    checksumAlgorithm: z.enum(['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME']).optional(),
  },
  { error: 'expected an object such as { region: "us-east-1", endpoint: "http://127.0.0.1:7070" }' },
);

const keyText = z.custom<string | Uint8Array>(
  (value) => {
    if (value instanceof Uint8Array) return value.length === KEY_BYTES;
    if (typeof value !== 'string') return false;
    const text = value.trim();
    if (/^[0-9a-f]{64}$/i.test(text)) return true;
    return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) && Buffer.from(text, 'base64').length === KEY_BYTES;
  },
  { error: `expected a ${KEY_BYTES}-byte key as 64 hex digits or base64 text, ${NOT_SHOWN}` },
);

/** `encryption`: the key that new backups are encrypted with and encrypted backups are read with. @internal */
export const encryptionSchema = z
  .strictObject(
    {
      key: keyText.optional(),
      keyFile: z.string({ error: 'expected a file path' }).min(1).optional(),
      keyProvider: z
        .custom<(keyId: string) => unknown>((v) => typeof v === 'function', {
          error: 'expected a function (keyId) => key',
        })
        .optional(),
      keyId: z
        .string({ error: 'expected a key id' })
        .min(1)
        .refine((id) => Buffer.byteLength(id, 'utf8') <= 255, { error: 'expected at most 255 UTF-8 bytes' })
        .optional(),
    },
    { error: `expected { key | keyFile | keyProvider, keyId? }, ${NOT_SHOWN}` },
  )
  .refine((e) => [e.key, e.keyFile, e.keyProvider].filter((v) => v !== undefined).length === 1, {
    error: `expected exactly one of key, keyFile and keyProvider, ${NOT_SHOWN}`,
  });
