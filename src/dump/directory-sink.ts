import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import {
  createDirectoryWriter,
  type DirectoryNamespaceWriter,
} from '../archive/directory/directory-writer.js';
import { writeDumpManifest } from '../archive/directory/manifest.js';
import { packDirectoryToTarGz } from '../archive/directory/tar-pack.js';
import { pipeline } from 'node:stream/promises';
import { createAtomicFile } from '../storage/atomic-file.js';
import type { BackupUpload } from '../storage/backup-store.js';
import { assertReplaceableFile, createStagingDir, publishStagingDir } from '../storage/staging.js';
import { ByteCounter } from '../util/byte-counter.js';
import type { DumpPlan, PlannedNamespace } from './catalog.js';
import type { DumpSink, NamespaceSink, SinkResult } from './sink.js';

/** Settings of a directory (or tarball) output. */
export interface DirectorySinkOptions {
  /**
   * The dump folder, the `.tar.gz` file, or (tarball only) a new backup of a store (committed on success, discarded
   * on failure) or any Writable.
   */
  readonly output: string | Writable | BackupUpload;
  /** zlib level for every file (or for the tarball), or `undefined` for none. */
  readonly gzipLevel: number | undefined;
  /** Parallel gzip members (`true`) or one deflate stream per file (or for the tarball). */
  readonly parallelGzip: boolean;
  /** Pack the folder into one `.tar.gz`. */
  readonly tarball: boolean;
}

/**
 * Writes a dump in the `mongodump --out` layout into a new, private staging folder next to `<dir>`
 * (`.<dir name>.partial-<random>`), published on success: renamed to `<dir>`, or, when `<dir>` is an existing folder,
 * its files moved in, replacing those of the same names (as mongodump overwrites them) and keeping the others. A
 * tarball is staged the same way (a private temporary folder when it goes to a stream), then packed into an atomic
 * file.
 */
export async function createDirectorySink(plan: DumpPlan, options: DirectorySinkOptions): Promise<DumpSink> {
  // A tarball for a file is staged next to it (never in a shared temporary folder, where a killed run would leave
  // a plain copy); only one for a caller's stream uses a private temporary folder.
  if (options.tarball && typeof options.output === 'string') await assertReplaceableFile(options.output);
  const staging =
    typeof options.output === 'string'
      ? await createStagingDir(options.output)
      : await mkdtemp(path.join(os.tmpdir(), 'mongo-backup-'));
  const writer = createDirectoryWriter({
    dir: staging,
    serverVersion: plan.serverVersion,
    // In a tarball the whole file is compressed once; files inside stay plain, as mongorestore --dir expects.
    ...(options.gzipLevel === undefined || options.tarball
      ? {}
      : { gzip: { level: options.gzipLevel, parallel: options.parallelGzip } }),
  });

  return {
    open(namespace): NamespaceSink {
      const target = openNamespace(writer, namespace);
      return {
        writeMany: async (documents) => {
          const files = await target;
          if (files !== undefined) for (const document of documents) await files.write(document);
        },
        end: async () => {
          await (await target)?.end();
        },
      };
    },

    async finish(): Promise<SinkResult> {
      const summary = await writer.close();
      // The manifest is one more file of the dump, never compressed.
      const manifestBytes = await writeDumpManifest(staging);
      if (!options.tarball) {
        const finalDir = path.resolve(options.output as string);
        // Measured before publishing: a merged folder also holds files of earlier dumps.
        const sizeBytes = await folderSize(staging);
        try {
          await publishStagingDir(staging, finalDir);
        } catch (error) {
          await rm(staging, { recursive: true, force: true });
          throw error;
        }
        return {
          path: finalDir,
          sizeBytes,
          uncompressedBytes: summary.fileBytes + manifestBytes,
        };
      }
      try {
        return await packStaging(staging, options);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },

    async abort(): Promise<void> {
      await rm(staging, { recursive: true, force: true });
      if (isUpload(options.output)) await options.output.discard();
    },
  };
}

async function openNamespace(
  writer: ReturnType<typeof createDirectoryWriter>,
  ns: PlannedNamespace,
): Promise<DirectoryNamespaceWriter | undefined> {
  if (ns.type === 'view') {
    await writer.writeMetadataOnly(ns.db, ns.collection, ns.metadataJson);
    return undefined;
  }
  if (ns.bodyCollection !== ns.collection) {
    await writer.writeMetadataOnly(ns.db, ns.collection, ns.metadataJson);
    return writer.namespace(ns.db, ns.bodyCollection, undefined);
  }
  // The users, roles and auth version of a database dump have no metadata file.
  return writer.namespace(ns.db, ns.collection, ns.metadata === undefined ? undefined : ns.metadataJson);
}

async function packStaging(staging: string, options: DirectorySinkOptions): Promise<SinkResult> {
  const level = {
    ...(options.gzipLevel === undefined ? {} : { level: options.gzipLevel }),
    parallel: options.parallelGzip,
  };
  if (isUpload(options.output)) {
    const upload = options.output;
    try {
      const counter = new ByteCounter();
      const flowing = pipeline(counter, upload.stream);
      flowing.catch(() => undefined);
      const packed = await packDirectoryToTarGz(staging, counter, level);
      await flowing;
      await upload.commit();
      return { path: upload.path, sizeBytes: counter.bytes, uncompressedBytes: packed.bytes };
    } catch (error) {
      await upload.discard();
      throw error;
    }
  }
  if (typeof options.output !== 'string') {
    const counter = new ByteCounter();
    counter.pipe(options.output);
    const packed = await packDirectoryToTarGz(staging, counter, level);
    return { path: undefined, sizeBytes: counter.bytes, uncompressedBytes: packed.bytes };
  }
  const finalPath = path.resolve(options.output);
  const file = await createAtomicFile(path.dirname(finalPath), path.basename(finalPath));
  try {
    const packed = await packDirectoryToTarGz(staging, file.stream, level);
    await file.commit();
    return { path: file.path, sizeBytes: (await stat(file.path)).size, uncompressedBytes: packed.bytes };
  } finally {
    await file.discard();
  }
}

async function folderSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function isUpload(output: string | Writable | BackupUpload): output is BackupUpload {
  return typeof output !== 'string' && typeof (output as Partial<BackupUpload>).commit === 'function';
}
