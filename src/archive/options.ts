/**
 * Options of the archive writer and reader, their defaults and their validation.
 *
 * @packageDocumentation
 */

import { z } from 'zod';
import { MongoBackupConfigError } from '../errors.js';
import {
  DEFAULT_CONCURRENT_COLLECTIONS,
  DEFAULT_SEGMENT_SIZE,
  DEFAULT_TOOL_VERSION,
  MAX_BSON_SIZE,
} from './constants.js';
import { gzipParallelShape, resolveGzip } from './gzip/member-options.js';
import type { GzipParallelOptions, ResolvedGzip } from './gzip/member-options.js';
import { parseServerVersion } from './namespace-layout.js';
import type { CollectionMetadata, NamespaceType } from './types.js';

/** One namespace the archive announces in its prelude. */
export interface ArchiveWriterNamespace {
  /** Database name; "" only for the oplog (`{ db: '', collection: 'oplog' }`). */
  readonly db: string;
  /** Collection name, as in the source (not `system.buckets.*` for a timeseries collection). */
  readonly collection: string;
  /**
   * The `metadata.json` text, written verbatim. Takes precedence over {@link ArchiveWriterNamespace.metadata}.
   * Defaults to the formatted `metadata`, or "" when neither is given.
   */
  readonly metadataJson?: string | undefined;
  /** The metadata to format with `formatMetadataJson` when `metadataJson` is not given. */
  readonly metadata?: CollectionMetadata | undefined;
  /**
   * Namespace type. Defaults to the metadata's `type`, else "" for the oplog and "collection" for anything else.
   */
  readonly type?: NamespaceType | undefined;
}

/** Options of {@link createArchiveWriter}. */
export interface ArchiveWriterOptions {
  /** The header of the archive. */
  readonly header: {
    /** The source server's version, `X.Y.Z[-suffix]`; decides where timeseries data goes. Required. */
    readonly serverVersion: string;
    /** The writer's version string. Defaults to {@link DEFAULT_TOOL_VERSION}. */
    readonly toolVersion?: string | undefined;
    /** How many namespaces may be interleaved. Defaults to {@link DEFAULT_CONCURRENT_COLLECTIONS}. */
    readonly concurrentCollections?: number | undefined;
  };
  /** Every namespace of the archive, written first as the prelude. Order is kept. */
  readonly namespaces: readonly ArchiveWriterNamespace[];
  /**
   * Gzip the whole stream, magic included, as `mongodump --gzip` does. Defaults to `false`; `true` means level 6 with
   * parallel members ({@link GzipParallelOptions}); `{ parallel: false }` writes one single deflate stream as
   * mongodump does.
   */
  readonly gzip?: boolean | ({ readonly level?: number | undefined } & GzipParallelOptions) | undefined;
  /** Bytes of documents gathered per namespace before a data segment is written. Defaults to {@link DEFAULT_SEGMENT_SIZE}. */
  readonly segmentSize?: number | undefined;
}

/** Options of {@link readArchive} and {@link inspectArchive}. */
export interface ReadArchiveOptions {
  /**
   * Whether the input is gzipped: `true`, `false`, or `'auto'` to decide from its first two bytes (`1f 8b`).
   * Defaults to `'auto'`.
   */
  readonly gzip?: boolean | 'auto' | undefined;
  /**
   * Inflate several gzip members at once when they carry their length (as this library's parallel gzip writes
   * them); other gzip input is read as one stream either way. Defaults to `true`; `false` reads every gzip input as
   * one stream.
   */
  readonly parallelGunzip?: boolean | undefined;
}

/**
 * Writer options with every default applied.
 *
 * @internal
 */
export interface ResolvedWriterOptions {
  /** As {@link ArchiveWriterOptions.header}. */
  readonly serverVersion: string;
  /** As {@link ArchiveWriterOptions.header}, defaulted. */
  readonly toolVersion: string;
  /** As {@link ArchiveWriterOptions.header}, defaulted. */
  readonly concurrentCollections: number;
  /** As {@link ArchiveWriterOptions.namespaces}. */
  readonly namespaces: readonly ArchiveWriterNamespace[];
  /** How to gzip, or `undefined` for no compression. */
  readonly gzip: ResolvedGzip | undefined;
  /** As {@link ArchiveWriterOptions.segmentSize}, defaulted. */
  readonly segmentSize: number;
}

const namespaceSchema = z.object({
  db: z.string(),
  collection: z.string().min(1, 'the collection name must not be empty'),
  metadataJson: z.string().optional(),
  metadata: z
    .custom<CollectionMetadata>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        (v as { options?: unknown }).options instanceof Map &&
        Array.isArray((v as { indexes?: unknown }).indexes),
      'expected { options: Map, indexes: Map[] } (see OrderedDocument)',
    )
    .optional(),
  type: z.enum(['collection', 'view', 'timeseries', '']).optional(),
});

const writerSchema = z.object({
  header: z.object({
    serverVersion: z
      .string()
      .refine(
        (v) => parseServerVersion(v) !== undefined,
        'expected a server version X.Y.Z (mongorestore rejects others)',
      ),
    toolVersion: z.string().optional(),
    concurrentCollections: z.number().int().min(1).max(0x7fffffff).optional(),
  }),
  namespaces: z.array(namespaceSchema),
  gzip: z
    .union([
      z.boolean(),
      z.object({ level: z.number().int().min(-1).max(9).optional(), ...gzipParallelShape }),
    ])
    .optional(),
  segmentSize: z.number().int().min(1).max(MAX_BSON_SIZE).optional(),
});

const readerSchema = z.object({
  gzip: z.union([z.boolean(), z.literal('auto')]).optional(),
  parallelGunzip: z.boolean().optional(),
});

function validate<T>(schema: z.ZodType, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return value as T;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new MongoBackupConfigError(`Invalid ${what}: ${issues.join('; ')}`, issues, { cause: result.error });
}

/**
 * Validates writer options and applies defaults.
 *
 * @throws {@link MongoBackupConfigError} listing every invalid field.
 */
export function resolveWriterOptions(options: ArchiveWriterOptions): ResolvedWriterOptions {
  const valid = validate<ArchiveWriterOptions>(writerSchema, options, 'archive writer options');
  const gzip = valid.gzip ?? false;
  return {
    serverVersion: valid.header.serverVersion,
    toolVersion: valid.header.toolVersion ?? DEFAULT_TOOL_VERSION,
    concurrentCollections: valid.header.concurrentCollections ?? DEFAULT_CONCURRENT_COLLECTIONS,
    namespaces: valid.namespaces,
    gzip: gzip === false ? undefined : gzip === true ? resolveGzip(6) : resolveGzip(gzip.level ?? 6, gzip),
    segmentSize: valid.segmentSize ?? DEFAULT_SEGMENT_SIZE,
  };
}

/**
 * Reader options with every default applied.
 *
 * @internal
 */
export interface ResolvedReaderOptions {
  /** As {@link ReadArchiveOptions.gzip}, defaulted. */
  readonly gzip: boolean | 'auto';
  /** As {@link ReadArchiveOptions.parallelGunzip}, defaulted. */
  readonly parallelGunzip: boolean;
}

/**
 * Validates reader options and applies defaults.
 *
 * @throws {@link MongoBackupConfigError} when an option is invalid.
 */
export function resolveReaderOptions(options: ReadArchiveOptions): ResolvedReaderOptions {
  const valid = validate<ReadArchiveOptions>(readerSchema, options, 'archive reader options');
  return { gzip: valid.gzip ?? 'auto', parallelGunzip: valid.parallelGunzip ?? true };
}
