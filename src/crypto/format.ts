/**
 * The encrypted backup format (see `docs/encryption.md`): a small header, then the archive in fixed-size chunks,
 * each sealed with AES-256-GCM under a counter nonce, the last one flagged in its additional data.
 *
 * ```
 * header:  "MBSENC" | version u8 (1) | algorithm u8 (1 = AES-256-GCM) | chunk size u32 BE | nonce prefix (8 bytes)
 *          | key check (16 bytes) | key id length u8 | key id (UTF-8)
 * chunk i: ciphertext (chunk size bytes; the final chunk fewer, possibly none) | GCM tag (16 bytes)
 *          nonce = nonce prefix | i as u32 BE;  additional data = header | final flag u8 (1 on the last chunk, else 0)
 * ```
 *
 * @packageDocumentation
 */
import { createHmac } from 'node:crypto';

/** The first bytes of an encrypted backup. */
export const ENCRYPTION_MAGIC = Buffer.from('MBSENC', 'latin1');

/** The format version written and read. */
export const ENCRYPTION_FORMAT_VERSION = 1;

/** The algorithm id of AES-256-GCM in the header. */
export const AES_256_GCM = 1;

/** Plaintext bytes per chunk unless told otherwise (64 KiB). */
export const DEFAULT_ENCRYPTION_CHUNK_SIZE = 64 * 1024;

/** Bytes of a GCM tag. */
export const TAG_BYTES = 16;

/** Bytes of the random nonce prefix; the chunk counter takes the remaining 4 of GCM's 12. */
export const NONCE_PREFIX_BYTES = 8;

/** Bytes of the key check value. */
export const KEY_CHECK_BYTES = 16;

/** The fixed part of the header, before the key id. */
export const FIXED_HEADER_BYTES =
  ENCRYPTION_MAGIC.length + 1 + 1 + 4 + NONCE_PREFIX_BYTES + KEY_CHECK_BYTES + 1;

/** The most chunks one stream may have (the counter is 32 bits). */
export const MAX_CHUNKS = 2 ** 32;

/** A parsed header. */
export interface EncryptionHeader {
  readonly chunkSize: number;
  readonly noncePrefix: Buffer;
  readonly keyCheck: Buffer;
  readonly keyId: string;
  /** The header's exact bytes, authenticated with every chunk. */
  readonly bytes: Buffer;
}

/** Encodes a header. */
export function encodeHeader(fields: Omit<EncryptionHeader, 'bytes'>): EncryptionHeader {
  const keyId = Buffer.from(fields.keyId, 'utf8');
  const bytes = Buffer.alloc(FIXED_HEADER_BYTES + keyId.length);
  let at = ENCRYPTION_MAGIC.copy(bytes, 0);
  at = bytes.writeUInt8(ENCRYPTION_FORMAT_VERSION, at);
  at = bytes.writeUInt8(AES_256_GCM, at);
  at = bytes.writeUInt32BE(fields.chunkSize, at);
  at += fields.noncePrefix.copy(bytes, at);
  at += fields.keyCheck.copy(bytes, at);
  at = bytes.writeUInt8(keyId.length, at);
  keyId.copy(bytes, at);
  return { ...fields, bytes };
}

/**
 * The key check value: the first 16 bytes of HMAC-SHA256(key, label | nonce prefix). It tells a wrong key apart
 * from tampering before any chunk is opened, and reveals nothing about the key.
 */
export function keyCheckFor(key: Uint8Array, noncePrefix: Uint8Array): Buffer {
  return createHmac('sha256', key)
    .update('mongo-backup-service key check v1')
    .update(noncePrefix)
    .digest()
    .subarray(0, KEY_CHECK_BYTES);
}

/** The 12-byte GCM nonce of chunk `index`. */
export function chunkNonce(prefix: Buffer, index: number): Buffer {
  const nonce = Buffer.alloc(NONCE_PREFIX_BYTES + 4);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  return nonce;
}

/** The additional data of a chunk: the header, then 1 for the final chunk or 0. */
export function chunkAad(header: EncryptionHeader, final: boolean): Buffer {
  return Buffer.concat([header.bytes, Buffer.from([final ? 1 : 0])]);
}

/** Whether `bytes` start like an encrypted backup. */
export function looksEncrypted(bytes: Uint8Array): boolean {
  return (
    bytes.length >= ENCRYPTION_MAGIC.length &&
    ENCRYPTION_MAGIC.equals(bytes.subarray(0, ENCRYPTION_MAGIC.length))
  );
}
