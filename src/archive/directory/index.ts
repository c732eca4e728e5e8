/**
 * The mongodump directory layout (`mongodump --out DIR`): a writer, a reader producing the same events as the
 * archive reader, and `.tar.gz` packing of a dump folder. No database needed.
 *
 * @packageDocumentation
 */
export { readBsonFile, readDirectoryDump } from './directory-reader.js';
export type { ReadBsonFileOptions, ReadDirectoryDumpOptions } from './directory-reader.js';
export { createDirectoryWriter, DEFAULT_DIRECTORY_GZIP_LEVEL } from './directory-writer.js';
export type {
  DirectoryNamespaceSummary,
  DirectoryNamespaceWriter,
  DirectoryWriteSummary,
  DirectoryWriter,
  DirectoryWriterOptions,
} from './directory-writer.js';
export { collectionFileStem, queryEscape, queryUnescape } from './file-names.js';
export { packDirectoryToTarGz } from './tar-pack.js';
export type { PackDirectoryOptions, PackSummary } from './tar-pack.js';
export { EXTRACT_FREE_SPACE_MARGIN, extractTarGz } from './tar-extract.js';
export type { ExtractTarGzOptions } from './tar-extract.js';
