/**
 * The AWS SDK, loaded on first use: importing the library does not load it (about 23 MB of memory and its start-up
 * time) unless a bucket is actually used. `@aws-sdk/client-s3` is an optional peer dependency: applications that
 * use an `s3://` location install it; the others never download it.
 *
 * @internal
 * @packageDocumentation
 */
import type * as ClientS3 from '@aws-sdk/client-s3';
import { ErrorCode, MongoBackupConfigError } from '../errors.js';

/** The SDK package the S3 store uses. */
export interface S3Sdk {
  readonly s3: typeof ClientS3;
}

/** The package an `s3://` location needs. */
export const S3_SDK_PACKAGE = '@aws-sdk/client-s3';

let loaded: Promise<S3Sdk> | undefined;

/**
 * Loads the SDK once; every later call gets the same module.
 *
 * @throws {@link MongoBackupConfigError} (`INVALID_CONFIG`) when `@aws-sdk/client-s3` is not installed.
 */
export function loadS3Sdk(): Promise<S3Sdk> {
  loaded ??= importS3Sdk(() => import('@aws-sdk/client-s3'));
  return loaded;
}

/**
 * Imports the SDK through `load`; a missing package becomes a configuration error that says what to install, and
 * the next call tries again (the package may be installed meanwhile).
 */
export async function importS3Sdk(load: () => Promise<typeof ClientS3>): Promise<S3Sdk> {
  try {
    return { s3: await load() };
  } catch (error) {
    loaded = undefined;
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    const message = `An s3:// backup location needs the AWS SDK: npm install ${S3_SDK_PACKAGE}`;
    throw new MongoBackupConfigError(message, [`backupDir: ${S3_SDK_PACKAGE} is not installed`], {
      code: ErrorCode.INVALID_CONFIG,
      cause: error,
    });
  }
}
