/**
 * The AWS SDK, loaded on first use: importing the library does not load it (about 23 MB of memory and its start-up
 * time) unless a bucket is actually used.
 *
 * @internal
 * @packageDocumentation
 */
import type * as ClientS3 from '@aws-sdk/client-s3';
import type * as LibStorage from '@aws-sdk/lib-storage';

/** The two SDK packages the S3 store uses. */
export interface S3Sdk {
  readonly s3: typeof ClientS3;
  readonly storage: typeof LibStorage;
}

let loaded: Promise<S3Sdk> | undefined;

/** Loads the SDK once; every later call gets the same modules. */
export function loadS3Sdk(): Promise<S3Sdk> {
  loaded ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(
    ([s3, storage]) => ({
      s3,
      storage,
    }),
  );
  return loaded;
}
