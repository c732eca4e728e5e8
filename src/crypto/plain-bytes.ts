/**
 * The plain bytes of a backup that may be encrypted: recognised by its first bytes, decrypted with the keyring when
 * it is, passed through untouched when it is not.
 *
 * @packageDocumentation
 */
import { Readable, pipeline } from 'node:stream';

import { EncryptionError, ErrorCode } from '../errors.js';
import { createDecryptStream } from './decrypt-stream.js';
import { ENCRYPTION_MAGIC, looksEncrypted } from './format.js';
import type { EncryptionKeyring } from './keys.js';

/**
 * Yields the plain bytes of `source`, decrypting it when it starts with the encrypted backup magic.
 *
 * @throws {@link EncryptionError} (`ENCRYPTION_KEY_MISSING`) for an encrypted backup when no keyring is given,
 *   and the decryption errors of {@link createDecryptStream}.
 */
export async function* plainBytes(
  source: Readable,
  keyring: EncryptionKeyring | undefined,
  what: string,
): AsyncGenerator<Buffer, void, undefined> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const head: Buffer[] = [];
    let headBytes = 0;
    let done = false;
    while (headBytes < ENCRYPTION_MAGIC.length) {
      const next = await iterator.next();
      if (next.done === true) {
        done = true;
        break;
      }
      head.push(next.value);
      headBytes += next.value.length;
    }
    const rest = async function* (): AsyncGenerator<Buffer> {
      yield* head;
      if (done) return;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
        yield next.value;
    };
    if (!looksEncrypted(Buffer.concat(head))) {
      yield* rest();
      return;
    }
    if (keyring === undefined) {
      throw new EncryptionError(
        ErrorCode.ENCRYPTION_KEY_MISSING,
        `${what} is encrypted: configure its key (encryption option, or MONGO_BACKUP_ENCRYPTION_KEY / _KEY_FILE)`,
      );
    }
    const decrypt = createDecryptStream(keyring);
    // pipeline() destroys the decrypting stream with any error of the encrypted side, so the loop below sees it.
    pipeline(Readable.from(rest(), { objectMode: false }), decrypt, () => undefined);
    for await (const chunk of decrypt) yield chunk as Buffer;
  } finally {
    source.destroy();
  }
}
