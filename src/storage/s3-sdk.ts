/**
 * The AWS SDK, loaded on first use: importing the library does not load it (about 23 MB of memory and its start-up
 * time) unless a bucket is actually used.
 *
 * @internal
 * @packageDocumentation
 */
import type * as ClientS3 from '@aws-sdk/client-s3';

/** The SDK package the S3 store uses. */
export interface S3Sdk {
  readonly s3: typeof ClientS3;
}

let loaded: Promise<S3Sdk> | undefined;

/** Loads the SDK once; every later call gets the same module. */
export function loadS3Sdk(): Promise<S3Sdk> {
  loaded ??= import('@aws-sdk/client-s3').then((s3) => ({ s3 }));
  return loaded;
}
