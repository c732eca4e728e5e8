/**
 * Encryption keys: from text (base64 or hex of 32 bytes), a file, or a callback (a KMS hook). Key material lives in
 * private fields: it is never part of a message, `JSON.stringify` or `util.inspect` output.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';

import { EncryptionError, ErrorCode, MongoBackupUsageError } from '../errors.js';

/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;

/** The key id written into the header unless told otherwise. */
export const DEFAULT_KEY_ID = 'default';

/** Returns the key for a key id (e.g. by asking a KMS to decrypt a data key), or `undefined` when unknown. */
export type KeyProvider = (keyId: string) => Promise<Uint8Array | undefined> | Uint8Array | undefined;

/** Where the encryption key comes from: exactly one of `key`, `keyFile` and `keyProvider`. */
export interface EncryptionKeyOptions {
  /** The key: 32 bytes, or their base64 or hex text. */
  readonly key?: string | Uint8Array | undefined;
  /** A file holding the key: 32 raw bytes, or their base64 or hex text. Read when first needed. */
  readonly keyFile?: string | undefined;
  /** A callback returning the key for a key id: the hook for a KMS. */
  readonly keyProvider?: KeyProvider | undefined;
  /** The key id written into new backups' headers (at most 255 UTF-8 bytes). Defaults to {@link DEFAULT_KEY_ID}. */
  readonly keyId?: string | undefined;
}

/**
 * The keys of a service: the one new backups are encrypted with, and a lookup by key id for reading. Holds its
 * key material privately; shows only the key id.
 */
export class EncryptionKeyring {
  /** The key id written into new backups. */
  readonly keyId: string;
  readonly #lookup: (keyId: string) => Promise<Buffer | undefined>;

  /** @throws {@link MongoBackupUsageError} (`INVALID_OPTIONS`) unless exactly one key source is given. */
  constructor(options: EncryptionKeyOptions) {
    const sources = [options.key, options.keyFile, options.keyProvider].filter((v) => v !== undefined);
    if (sources.length !== 1) {
      throw new MongoBackupUsageError(
        ErrorCode.INVALID_OPTIONS,
        `encryption: expected exactly one of key, keyFile and keyProvider, got ${sources.length}`,
      );
    }
    this.keyId = options.keyId ?? DEFAULT_KEY_ID;
    if (Buffer.byteLength(this.keyId, 'utf8') > 255 || this.keyId === '') {
      throw new MongoBackupUsageError(
        ErrorCode.INVALID_OPTIONS,
        'encryption: keyId must be 1 to 255 UTF-8 bytes',
      );
    }
    const { key, keyFile, keyProvider } = options;
    if (key !== undefined) {
      const bytes = parseKey(key, 'encryption.key');
      this.#lookup = async (id) => (id === this.keyId ? bytes : undefined);
    } else if (keyFile !== undefined) {
      let loaded: Promise<Buffer> | undefined;
      this.#lookup = async (id) => {
        if (id !== this.keyId) return undefined;
        loaded ??= readKeyFile(keyFile);
        return loaded;
      };
    } else {
      const provider = keyProvider as KeyProvider;
      this.#lookup = async (id) => {
        const bytes = await provider(id);
        return bytes === undefined
          ? undefined
          : parseKey(bytes, `the key provider's key for ${JSON.stringify(id)}`);
      };
    }
  }

  /**
   * The key for `keyId`.
   *
   * @throws {@link EncryptionError} (`ENCRYPTION_KEY_MISSING`) when no key is known for it.
   */
  async keyFor(keyId: string): Promise<Buffer> {
    const key = await this.#lookup(keyId);
    if (key === undefined) {
      throw new EncryptionError(
        ErrorCode.ENCRYPTION_KEY_MISSING,
        `No encryption key for key id ${JSON.stringify(keyId)} (this service encrypts with ${JSON.stringify(this.keyId)})`,
      );
    }
    return key;
  }

  /** Shows the key id only. */
  toJSON(): { keyId: string } {
    return { keyId: this.keyId };
  }

  /** Shows the key id only. */
  [inspect.custom](): string {
    return `EncryptionKeyring { keyId: ${JSON.stringify(this.keyId)} }`;
  }
}

async function readKeyFile(file: string): Promise<Buffer> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `encryption.keyFile: could not read ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parseKey(
    content.length === KEY_BYTES ? content : content.toString('utf8').trim(),
    `the key file ${file}`,
  );
}

/**
 * Reads a 32-byte key from bytes or from base64/hex text. The message never repeats the value.
 *
 * @throws {@link MongoBackupUsageError} (`INVALID_OPTIONS`).
 */
export function parseKey(value: string | Uint8Array, what: string): Buffer {
  let bytes: Buffer | undefined;
  if (typeof value !== 'string') bytes = Buffer.from(value);
  else if (/^[0-9a-f]{64}$/i.test(value.trim())) bytes = Buffer.from(value.trim(), 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value.trim())) bytes = Buffer.from(value.trim(), 'base64');
  if (bytes?.length !== KEY_BYTES) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `${what}: expected a ${KEY_BYTES}-byte key (raw, or as 64 hex digits or base64 text), got ` +
        `${bytes === undefined ? 'text in neither form' : `${bytes.length} bytes`}`,
    );
  }
  return bytes;
}
