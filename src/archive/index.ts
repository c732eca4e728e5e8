/**
 * The mongodump archive codec: read, write and inspect `mongodump --archive` streams without a database.
 * Importable on its own as `mongo-backup-service/archive`.
 *
 * @packageDocumentation
 * @module mongo-backup-service/archive
 */

export {
  ArchiveError,
  ErrorCode,
  MongoBackupConfigError,
  MongoBackupError,
  MongoBackupRuntimeError,
  MongoBackupUsageError,
} from '../errors.js';
export {
  ARCHIVE_FORMAT_VERSION,
  ARCHIVE_MAGIC,
  ARCHIVE_TERMINATOR,
  DEFAULT_BATCH_BYTES,
  DEFAULT_CONCURRENT_COLLECTIONS,
  DEFAULT_SEGMENT_SIZE,
  DEFAULT_TOOL_VERSION,
  DEFAULT_ZLIB_CHUNK_SIZE,
  MAX_BSON_SIZE,
  MIN_BSON_SIZE,
} from './constants.js';
export { Crc64, crc64, crc64FromInt64, crc64ToInt64 } from './crc64.js';
export { inspectArchive, inspectEvents } from './inspect.js';
export {
  DEFAULT_GZIP_MEMBER_SIZE,
  defaultGzipConcurrency,
  MAX_GZIP_MEMBER_SIZE,
} from './gzip/member-options.js';
export { formatMetadataJson, parseMetadataJson } from './metadata-json.js';
export {
  decodeOrderedDocument,
  encodeOrderedDocument,
  isOrderedDocument,
  toOrderedDocument,
} from './ordered-document.js';
export { parseOrderedExtendedJson, stringifyOrderedExtendedJson } from './ordered-ejson.js';
export { decodeBlockHeader, encodeBlockHeader } from './namespace-header.js';
export {
  BUCKETS_PREFIX,
  VIEWLESS_TIMESERIES_VERSION,
  bodyCollection,
  isOplog,
  namespaceString,
  parseServerVersion,
  usesBucketsNamespace,
} from './namespace-layout.js';
export {
  decodeArchiveHeader,
  decodeNamespaceEntry,
  encodeArchiveHeader,
  encodeNamespaceEntry,
} from './prelude.js';
export { readArchive } from './reader.js';
export { createArchiveWriter } from './writer.js';

// Directory dumps (`mongodump --out`) and their .tar.gz packing.
export {
  collectionFileStem,
  createDirectoryWriter,
  DEFAULT_DIRECTORY_GZIP_LEVEL,
  EXTRACT_FREE_SPACE_MARGIN,
  extractTarGz,
  packDirectoryToTarGz,
  queryEscape,
  queryUnescape,
  readBsonFile,
  readDirectoryDump,
} from './directory/index.js';
export type {
  DirectoryNamespaceSummary,
  DirectoryNamespaceWriter,
  DirectoryWriteSummary,
  DirectoryWriter,
  DirectoryWriterOptions,
  ExtractTarGzOptions,
  PackDirectoryOptions,
  PackSummary,
  ReadBsonFileOptions,
  ReadDirectoryDumpOptions,
} from './directory/index.js';

export type { ArchiveErrorOptions, MongoBackupErrorOptions } from '../errors.js';
export type { ArchiveInspection, InspectedNamespace } from './inspect.js';
export type { GzipParallelOptions } from './gzip/member-options.js';
export type { ArchiveSource } from './input-source.js';
export type { BlockHeader } from './namespace-header.js';
export type { ServerVersion } from './namespace-layout.js';
export type { NamespaceSummary, NamespaceWriter } from './namespace-writer.js';
export type { OrderedDocument } from './ordered-document.js';
export type { ArchiveWriterNamespace, ArchiveWriterOptions, ReadArchiveOptions } from './options.js';
export type { NamespaceEntryFields } from './prelude.js';
export type {
  ArchiveEvent,
  ArchiveHeader,
  CollectionMetadata,
  NamespaceEntry,
  NamespaceType,
} from './types.js';
export type { ArchiveWriter, ArchiveWriterSummary } from './writer.js';
