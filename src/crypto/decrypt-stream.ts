/**
 * Decrypting a backup as it is read: a Transform from the format of `format.ts` back to the archive bytes. A chunk's
 * plaintext is released only once its tag has been checked; the end of the stream is accepted only after the
 * chunk flagged final, so reordering, truncation and alteration are all errors.
 *
 * @packageDocumentation
 */
import { createDecipheriv, timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

import { EncryptionError, ErrorCode } from '../errors.js';
import {
  AES_256_GCM,
  chunkAad,
  chunkNonce,
  ENCRYPTION_FORMAT_VERSION,
  ENCRYPTION_MAGIC,
  FIXED_HEADER_BYTES,
  KEY_CHECK_BYTES,
  keyCheckFor,
  NONCE_PREFIX_BYTES,
  TAG_BYTES,
  type EncryptionHeader,
} from './format.js';
import type { EncryptionKeyring } from './keys.js';

/** The largest chunk size accepted from a header (bounds the memory a hostile header can claim). */
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;

/**
 * A Transform that decrypts an encrypted backup with the key the keyring has for its key id.
 *
 * Errors ({@link EncryptionError}): `ENCRYPTION_BAD_HEADER`, `ENCRYPTION_KEY_MISSING`, `ENCRYPTION_WRONG_KEY`,
 * `ENCRYPTION_CORRUPT` (a chunk altered, reordered, or cut inside), `ENCRYPTION_TRUNCATED`.
 *
 * @example
 * ```ts
 * import { createDecryptStream, EncryptionKeyring } from 'mongo-backup-service';
 * const keyring = new EncryptionKeyring({ keyFile: '/run/secrets/backup-key' });
 * await pipeline(createReadStream('dump.gz.enc'), createDecryptStream(keyring), createWriteStream('dump.gz'));
 * ```
 */
export function createDecryptStream(keyring: EncryptionKeyring): Transform {
  return new DecryptTransform(keyring);
}

class DecryptTransform extends Transform {
  readonly #keyring: EncryptionKeyring;
  #buffered: Buffer = Buffer.alloc(0);
  #header: EncryptionHeader | undefined;
  #key: Buffer | undefined;
  #index = 0;
  #offset = 0;

  constructor(keyring: EncryptionKeyring) {
    super();
    this.#keyring = keyring;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    this.#drain(false).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#drain(true).then(() => callback(), callback);
  }

  async #drain(ended: boolean): Promise<void> {
    if (this.#key === undefined) {
      const header = this.#readHeader(ended);
      if (header === undefined) return;
      this.#key = await this.#keyFor(header);
      this.#header = header;
    }
    const header = this.#header as EncryptionHeader;
    const record = header.chunkSize + TAG_BYTES;
    // A full record followed by more bytes is not the final one.
    while (this.#buffered.length > record) {
      this.push(this.#open(this.#buffered.subarray(0, record), false));
      this.#buffered = this.#buffered.subarray(record);
    }
    if (!ended) return;
    const rest = this.#buffered;
    this.#buffered = Buffer.alloc(0);
    if (rest.length < TAG_BYTES || (rest.length === record && this.#opens(rest, false))) {
      throw new EncryptionError(
        ErrorCode.ENCRYPTION_TRUNCATED,
        `The encrypted backup ends at byte ${this.#offset + rest.length} without its final chunk: it is truncated`,
        { offset: this.#offset + rest.length },
      );
    }
    this.push(this.#open(rest, true));
  }

  #readHeader(ended: boolean): EncryptionHeader | undefined {
    const bytes = this.#buffered;
    const magic = ENCRYPTION_MAGIC.length;
    if (bytes.length >= magic && !ENCRYPTION_MAGIC.equals(bytes.subarray(0, magic))) {
      throw badHeader('it does not start with the encrypted backup magic "MBSENC"');
    }
    if (
      bytes.length < FIXED_HEADER_BYTES ||
      bytes.length < FIXED_HEADER_BYTES + bytes.readUInt8(FIXED_HEADER_BYTES - 1)
    ) {
      if (ended) {
        throw new EncryptionError(
          ErrorCode.ENCRYPTION_TRUNCATED,
          'The encrypted backup ends inside its header',
          {
            offset: bytes.length,
          },
        );
      }
      return undefined;
    }
    let at = magic;
    const version = bytes.readUInt8(at++);
    const algorithm = bytes.readUInt8(at++);
    if (version !== ENCRYPTION_FORMAT_VERSION) throw badHeader(`format version ${version} is not supported`);
    if (algorithm !== AES_256_GCM) throw badHeader(`algorithm ${algorithm} is not supported`);
    const chunkSize = bytes.readUInt32BE(at);
    at += 4;
    if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE)
      throw badHeader(`chunk size ${chunkSize} is out of range`);
    const noncePrefix = Buffer.from(bytes.subarray(at, at + NONCE_PREFIX_BYTES));
    at += NONCE_PREFIX_BYTES;
    const keyCheck = Buffer.from(bytes.subarray(at, at + KEY_CHECK_BYTES));
    at += KEY_CHECK_BYTES;
    const idLength = bytes.readUInt8(at++);
    const keyId = bytes.subarray(at, at + idLength).toString('utf8');
    at += idLength;
    const header = { chunkSize, noncePrefix, keyCheck, keyId, bytes: Buffer.from(bytes.subarray(0, at)) };
    this.#buffered = bytes.subarray(at);
    this.#offset = at;
    return header;
  }

  async #keyFor(header: EncryptionHeader): Promise<Buffer> {
    const key = await this.#keyring.keyFor(header.keyId);
    if (!timingSafeEqual(keyCheckFor(key, header.noncePrefix), header.keyCheck)) {
      throw new EncryptionError(
        ErrorCode.ENCRYPTION_WRONG_KEY,
        `The key given for key id ${JSON.stringify(header.keyId)} is not the one this backup was encrypted with`,
        { offset: 0 },
      );
    }
    return key;
  }

  #opens(record: Buffer, final: boolean): boolean {
    try {
      this.#decrypt(record, final);
      return true;
    } catch {
      return false;
    }
  }

  #open(record: Buffer, final: boolean): Buffer {
    let plain: Buffer;
    try {
      plain = this.#decrypt(record, final);
    } catch (error) {
      throw new EncryptionError(
        ErrorCode.ENCRYPTION_CORRUPT,
        `Encrypted chunk ${this.#index} (byte ${this.#offset}) failed authentication: the backup was altered, ` +
          'reordered or cut inside a chunk',
        { offset: this.#offset, cause: error },
      );
    }
    this.#index += 1;
    this.#offset += record.length;
    return plain;
  }

  #decrypt(record: Buffer, final: boolean): Buffer {
    const header = this.#header as EncryptionHeader;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.#key as Buffer,
      chunkNonce(header.noncePrefix, this.#index),
    );
    decipher.setAAD(chunkAad(header, final));
    decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
    return Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
  }
}

function badHeader(why: string): EncryptionError {
  return new EncryptionError(ErrorCode.ENCRYPTION_BAD_HEADER, `Not a readable encrypted backup: ${why}`, {
    offset: 0,
  });
}
