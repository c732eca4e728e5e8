/**
 * Client-side authenticated encryption of backups (AES-256-GCM in chunks); the format is in `docs/encryption.md`.
 *
 * @packageDocumentation
 */
export { createDecryptStream } from './decrypt-stream.js';
export { createEncryptStream } from './encrypt-stream.js';
export { DEFAULT_ENCRYPTION_CHUNK_SIZE, ENCRYPTION_MAGIC, looksEncrypted } from './format.js';
export { DEFAULT_KEY_ID, EncryptionKeyring, KEY_BYTES } from './keys.js';
export type { EncryptionKeyOptions, KeyProvider } from './keys.js';
