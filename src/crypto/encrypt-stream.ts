/**
 * Encrypting a backup as it is written: a Transform from the archive bytes to the format of `format.ts`.
 *
 * @packageDocumentation
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

import { EncryptionError, ErrorCode } from '../errors.js';
import {
  chunkAad,
  chunkNonce,
  DEFAULT_ENCRYPTION_CHUNK_SIZE,
  encodeHeader,
  keyCheckFor,
  MAX_CHUNKS,
  NONCE_PREFIX_BYTES,
  type EncryptionHeader,
} from './format.js';
import type { EncryptionKeyring } from './keys.js';

/**
 * A Transform that encrypts what is written to it with the keyring's current key, in chunks of `chunkSize`
 * plaintext bytes (a final, shorter chunk always ends the stream, empty when the length is a multiple).
 *
 * @example
 * ```ts
 * import { createEncryptStream, EncryptionKeyring } from 'mongo-backup-service';
 * const keyring = new EncryptionKeyring({ key: process.env.BACKUP_KEY, keyId: 'prod-2026' });
 * await pipeline(createReadStream('dump.gz'), await createEncryptStream(keyring), createWriteStream('dump.gz.enc'));
 * ```
 */
export async function createEncryptStream(
  keyring: EncryptionKeyring,
  chunkSize: number = DEFAULT_ENCRYPTION_CHUNK_SIZE,
): Promise<Transform> {
  const key = await keyring.keyFor(keyring.keyId);
  const noncePrefix = randomBytes(NONCE_PREFIX_BYTES);
  const header = encodeHeader({
    chunkSize,
    noncePrefix,
    keyCheck: keyCheckFor(key, noncePrefix),
    keyId: keyring.keyId,
  });
  return new EncryptTransform(key, header);
}

class EncryptTransform extends Transform {
  readonly #key: Buffer;
  readonly #header: EncryptionHeader;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #index = 0;
  #headerSent = false;

  constructor(key: Buffer, header: EncryptionHeader) {
    super({ highWaterMark: header.chunkSize * 2 });
    this.#key = key;
    this.#header = header;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#sendHeader();
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      const size = this.#header.chunkSize;
      // Keep at least one byte back: only the stream's end decides which chunk is final.
      if (this.#pendingBytes > size) {
        let all = Buffer.concat(this.#pending);
        while (all.length > size) {
          this.push(this.#seal(all.subarray(0, size), false));
          all = all.subarray(size);
        }
        this.#pending = [all];
        this.#pendingBytes = all.length;
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#sendHeader();
      let rest = Buffer.concat(this.#pending);
      if (rest.length === this.#header.chunkSize) {
        this.push(this.#seal(rest, false));
        rest = Buffer.alloc(0);
      }
      this.push(this.#seal(rest, true));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  #sendHeader(): void {
    if (this.#headerSent) return;
    this.#headerSent = true;
    this.push(this.#header.bytes);
  }

  #seal(plain: Buffer, final: boolean): Buffer {
    if (this.#index >= MAX_CHUNKS) {
      throw new EncryptionError(ErrorCode.DUMP_FAILED, 'The backup is too large for one encrypted stream');
    }
    const cipher = createCipheriv(
      'aes-256-gcm',
      this.#key,
      chunkNonce(this.#header.noncePrefix, this.#index),
    );
    cipher.setAAD(chunkAad(this.#header, final));
    this.#index += 1;
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }
}
