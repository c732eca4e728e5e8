import { describe, expect, it } from 'vitest';
import { ErrorCode, MongoBackupConfigError } from '../../../src/errors.js';
import { importS3Sdk, loadS3Sdk } from '../../../src/storage/s3-sdk.js';

describe('the AWS SDK, an optional peer dependency', () => {
  it('is loaded on first use of a bucket', async () => {
    const { s3 } = await loadS3Sdk();
    expect(typeof s3.S3Client).toBe('function');
    expect(await loadS3Sdk()).toStrictEqual({ s3 });
  });

  for (const code of ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']) {
    it(`missing (${code}): a configuration error that says what to install`, async () => {
      const missing = Object.assign(new Error("Cannot find package '@aws-sdk/client-s3'"), { code });
      const error = await importS3Sdk(() => Promise.reject(missing)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoBackupConfigError);
      expect(error).toMatchObject({
        code: ErrorCode.INVALID_CONFIG,
        message: 'An s3:// backup location needs the AWS SDK: npm install @aws-sdk/client-s3',
        cause: missing,
      });
    });
  }

  it('any other failure while loading it is not disguised', async () => {
    const broken = new SyntaxError('Unexpected token');
    await expect(importS3Sdk(() => Promise.reject(broken))).rejects.toBe(broken);
  });
});
