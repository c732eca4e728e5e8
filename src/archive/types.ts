import type { OrderedDocument } from './ordered-document.js';

/**
 * Shapes shared by the archive writer and reader, and by the directory-dump reader and writer.
 * Both readers produce the same {@link ArchiveEvent} stream, so a restore does not care where the dump came from.
 */

/** The archive header: the first prelude document. */
export interface ArchiveHeader {
  /** How many namespaces may be interleaved in the body (mongodump's `-j`). */
  readonly concurrentCollections: number;
  /** Format version; always "0.1" when written. */
  readonly version: string;
  /** The source server's version, `X.Y.Z[-suffix]`. */
  readonly serverVersion: string;
  /** The version string of the tool that wrote the archive. */
  readonly toolVersion: string;
}

/** What kind of namespace a prelude entry announces. "" is the oplog. */
export type NamespaceType = 'collection' | 'view' | 'timeseries' | '';

/**
 * The parsed `<coll>.metadata.json` text of a namespace. Options and index specs are {@link OrderedDocument}s (`Map`s,
 * nested documents too), so that user-defined keys keep their order: `{ z: 1, "5": 1 }` is another index than
 * `{ "5": 1, z: 1 }`.
 */
export interface CollectionMetadata {
  /** Collection options as given to `create` (capped, size, viewOn, pipeline, timeseries, validator...). */
  readonly options: OrderedDocument;
  /** Index specifications, `_id_` included, as `listIndexes` returned them, in order. */
  readonly indexes: readonly OrderedDocument[];
  /** The collection UUID as 32 lowercase hex characters, when known. */
  readonly uuid?: string;
  /** The collection name (authoritative for long, hashed file names). */
  readonly collectionName?: string;
  /** The namespace type, when the metadata records it. */
  readonly type?: NamespaceType;
}

/** One collection-metadata document of the prelude. */
export interface NamespaceEntry {
  readonly db: string;
  /** Collection name; may contain dots. */
  readonly collection: string;
  /** The metadata JSON text exactly as stored ("" when none, e.g. the oplog). */
  readonly metadataJson: string;
  /** The parsed metadata; `undefined` when `metadataJson` is "". */
  readonly metadata: CollectionMetadata | undefined;
  /** Informational size; always 0 in real archives. */
  readonly size: number;
  /** Namespace type; "collection" when the archive predates the field. */
  readonly type: NamespaceType;
}

/** The stream of events produced by {@link readArchive} and by the directory-dump reader. */
export type ArchiveEvent =
  | { readonly kind: 'header'; readonly header: ArchiveHeader }
  /** Emitted once, after the whole prelude has been read and validated, before any document. */
  | { readonly kind: 'prelude'; readonly entries: readonly NamespaceEntry[] }
  /**
   * A batch of raw BSON documents of one body namespace, in archive order. Buffers are owned by the consumer
   * (never views into a reused buffer). `db`/`collection` are the BODY namespace (for timeseries below 8.3, the
   * `system.buckets.<coll>` namespace).
   */
  | {
      readonly kind: 'documents';
      readonly db: string;
      readonly collection: string;
      readonly documents: readonly Buffer[];
    }
  /** A body namespace was closed by its EOF block and its CRC matched. */
  | {
      readonly kind: 'namespace-end';
      readonly db: string;
      readonly collection: string;
      readonly documents: number;
      readonly bytes: number;
      /** CRC-64/XZ of the namespace's documents as the unsigned 64-bit value. */
      readonly crc: bigint;
    };
