import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  createDecryptStream,
  createEncryptStream,
  EncryptionKeyring,
  looksEncrypted,
} from '../../../src/crypto/index.js';

const KEY = randomBytes(32);
const keyring = new EncryptionKeyring({ key: KEY, keyId: 'prod-2026' });

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function encrypt(plain: Buffer, chunkSize = 1024, pieces = 7): Promise<Buffer> {
  const parts: Buffer[] = [];
  const step = Math.max(1, Math.ceil(plain.length / pieces));
  for (let at = 0; at < plain.length; at += step) parts.push(plain.subarray(at, at + step));
  return collect(Readable.from(parts).pipe(await createEncryptStream(keyring, chunkSize)));
}

async function decrypt(sealed: Buffer, ring = keyring): Promise<Buffer> {
  return collect(
    Readable.from([sealed.subarray(0, 100), sealed.subarray(100)]).pipe(createDecryptStream(ring)),
  );
}

function header(keyId = 'prod-2026'): number {
  return 6 + 1 + 1 + 4 + 8 + 16 + 1 + Buffer.byteLength(keyId);
}

describe('AES-256-GCM chunked encryption', () => {
  it('round-trips any length, including empty and exact multiples of the chunk size', async () => {
    for (const length of [0, 1, 1023, 1024, 1025, 4096, 10_000]) {
      const plain = randomBytes(length);
      const sealed = await encrypt(plain);
      expect(looksEncrypted(sealed)).toBe(true);
      const fullChunks = Math.floor(length / 1024);
      expect(sealed.length).toBe(header() + length + (fullChunks + 1) * 16);
      expect((await decrypt(sealed)).equals(plain)).toBe(true);
    }
  });

  it('never repeats a nonce prefix: the same plaintext encrypts differently', async () => {
    const plain = randomBytes(3000);
    expect((await encrypt(plain)).equals(await encrypt(plain))).toBe(false);
  });

  it('a wrong key is ENCRYPTION_WRONG_KEY before any plaintext', async () => {
    const sealed = await encrypt(randomBytes(5000));
    const other = new EncryptionKeyring({ key: randomBytes(32), keyId: 'prod-2026' });
    await expect(decrypt(sealed, other)).rejects.toMatchObject({ code: 'ENCRYPTION_WRONG_KEY' });
  });

  it('an unknown key id is ENCRYPTION_KEY_MISSING', async () => {
    const sealed = await encrypt(randomBytes(10));
    const other = new EncryptionKeyring({ key: KEY, keyId: 'other' });
    await expect(decrypt(sealed, other)).rejects.toMatchObject({ code: 'ENCRYPTION_KEY_MISSING' });
  });

  it('one flipped bit anywhere (header, ciphertext, tag) is detected', async () => {
    const sealed = await encrypt(randomBytes(5000));
    for (const at of [7, 12, header() + 3, header() + 1024 + 5, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[at] = (altered[at] as number) ^ 0x01;
      await expect(decrypt(altered), `byte ${at}`).rejects.toMatchObject({
        code: expect.stringMatching(/^ENCRYPTION_(CORRUPT|WRONG_KEY|BAD_HEADER)$/),
      });
    }
  });

  it('swapped chunks are ENCRYPTION_CORRUPT', async () => {
    const sealed = await encrypt(randomBytes(5000));
    const h = header();
    const record = 1024 + 16;
    const swapped = Buffer.concat([
      sealed.subarray(0, h),
      sealed.subarray(h + record, h + 2 * record),
      sealed.subarray(h, h + record),
      sealed.subarray(h + 2 * record),
    ]);
    await expect(decrypt(swapped)).rejects.toMatchObject({ code: 'ENCRYPTION_CORRUPT' });
  });

  it('truncation at a chunk boundary is ENCRYPTION_TRUNCATED; inside the header too; inside a chunk is caught', async () => {
    const sealed = await encrypt(randomBytes(5000));
    const h = header();
    const record = 1024 + 16;
    await expect(decrypt(sealed.subarray(0, h + 2 * record))).rejects.toMatchObject({
      code: 'ENCRYPTION_TRUNCATED',
    });
    await expect(decrypt(sealed.subarray(0, h - 3))).rejects.toMatchObject({ code: 'ENCRYPTION_TRUNCATED' });
    await expect(decrypt(sealed.subarray(0, h + 10))).rejects.toMatchObject({ code: 'ENCRYPTION_TRUNCATED' });
    await expect(decrypt(sealed.subarray(0, sealed.length - 1))).rejects.toMatchObject({
      code: 'ENCRYPTION_CORRUPT',
    });
    // Bytes appended after the final chunk are caught too.
    await expect(decrypt(Buffer.concat([sealed, Buffer.alloc(1)]))).rejects.toMatchObject({
      code: 'ENCRYPTION_CORRUPT',
    });
  });

  it('data that is not encrypted is ENCRYPTION_BAD_HEADER', async () => {
    await expect(decrypt(Buffer.from('\x1f\x8b not ours, a gzip file'))).rejects.toMatchObject({
      code: 'ENCRYPTION_BAD_HEADER',
    });
  });

  it('keys come from hex or base64 text, a file, or a provider; never shown', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mbs-key-'));
    const file = path.join(dir, 'key');
    await writeFile(file, `${KEY.toString('base64')}\n`, { mode: 0o600 });
    const sealed = await encrypt(randomBytes(2000));
    for (const ring of [
      new EncryptionKeyring({ key: KEY.toString('hex'), keyId: 'prod-2026' }),
      new EncryptionKeyring({ key: KEY.toString('base64'), keyId: 'prod-2026' }),
      new EncryptionKeyring({ keyFile: file, keyId: 'prod-2026' }),
      new EncryptionKeyring({
        keyProvider: (id) => (id === 'prod-2026' ? KEY : undefined),
        keyId: 'prod-2026',
      }),
    ]) {
      expect((await decrypt(sealed, ring)).length).toBe(2000);
      const shown = `${JSON.stringify(ring)} ${inspect(ring)} ${String(Object.values(ring))}`;
      expect(shown).not.toContain(KEY.toString('hex'));
      expect(shown).not.toContain(KEY.toString('base64'));
    }
    expect(() => new EncryptionKeyring({ key: 'c2hvcnQ=' })).toThrow(/expected a 32-byte key.*got 5 bytes/);
    expect(() => new EncryptionKeyring({ key: 'short text' })).not.toThrow(/short text/);
    expect(() => new EncryptionKeyring({})).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
