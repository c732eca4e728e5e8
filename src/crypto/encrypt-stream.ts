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

/**
 * Copies the plaintext into one reused chunk-sized buffer and seals it when full (and more follows: only the end of
 * the stream decides which chunk is final); each sealed chunk goes on as its ciphertext and then its tag, with no
 * further copy.
 */
class EncryptTransform extends Transform {
  readonly #key: Buffer;
  readonly #header: EncryptionHeader;
  readonly #plain: Buffer;
  #filled = 0;
  #index = 0;
  #headerSent = false;

  constructor(key: Buffer, header: EncryptionHeader) {
    super({ highWaterMark: header.chunkSize * 2 });
    this.#key = key;
    this.#header = header;
    this.#plain = Buffer.allocUnsafeSlow(header.chunkSize);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#sendHeader();
      let offset = 0;
      while (offset < chunk.length) {
        // A full chunk is sealed only now that more bytes follow it.
        if (this.#filled === this.#plain.length) this.#seal(false);
        const copied = chunk.copy(this.#plain, this.#filled, offset);
        offset += copied;
        this.#filled += copied;
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#sendHeader();
      // A full last chunk is followed by an empty final one, so that a cut at a chunk boundary is detected.
      if (this.#filled === this.#plain.length) this.#seal(false);
      this.#seal(true);
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

  #seal(final: boolean): void {
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
    const sealed = cipher.update(this.#plain.subarray(0, this.#filled));
    this.#filled = 0;
    if (sealed.length > 0) this.push(sealed);
    const rest = cipher.final(); // empty for GCM
    this.push(rest.length === 0 ? cipher.getAuthTag() : Buffer.concat([rest, cipher.getAuthTag()]));
  }
}
