import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createArchiveWriter } from '../archive/writer.js';
import { createEncryptStream } from '../crypto/encrypt-stream.js';
import type { EncryptionKeyring } from '../crypto/keys.js';
import { createAtomicFile, type AtomicFile } from '../storage/atomic-file.js';
import { assertReplaceableFile } from '../storage/staging.js';
import type { BackupUpload } from '../storage/backup-store.js';
import { ByteCounter } from '../util/byte-counter.js';
import type { DumpPlan } from './catalog.js';
import type { DumpSink, NamespaceSink, SinkResult } from './sink.js';

/** Settings of an archive output. */
export interface ArchiveSinkOptions {
  /**
   * A file path (written under a hidden staging name, renamed on success; an existing file is replaced only when
   * it is an earlier archive or gzip file), a new backup of a store (committed on success, discarded on failure),
   * or any Writable.
   */
  readonly output: string | Writable | BackupUpload;
  /** zlib level, or `undefined` for no compression. */
  readonly gzipLevel: number | undefined;
  /** Parallel gzip members (`true`) or one deflate stream. */
  readonly parallelGzip: boolean;
  readonly concurrentCollections: number;
  /** Encrypt the stored bytes with this keyring's current key (see `docs/encryption.md`). */
  readonly encryption?: EncryptionKeyring | undefined;
}

/**
 * Writes a dump as one mongodump archive stream (gzipped as a whole when asked), so that
 * `mongorestore --archive=<file> [--gzip]` reads it.
 */
export async function createArchiveSink(plan: DumpPlan, options: ArchiveSinkOptions): Promise<DumpSink> {
  // The key is fetched first: a missing key must fail before any output exists.
  const encrypt = options.encryption === undefined ? [] : [await createEncryptStream(options.encryption)];
  const output = options.output;
  if (typeof output === 'string') await assertReplaceableFile(output);
  const file: AtomicFile | BackupUpload | undefined =
    typeof output === 'string'
      ? await createAtomicFile(path.dirname(path.resolve(output)), path.basename(output))
      : isUpload(output)
        ? output
        : undefined;
  const destination = file?.stream ?? (output as Writable);

  const writer = createArchiveWriter({
    header: { serverVersion: plan.serverVersion, concurrentCollections: options.concurrentCollections },
    namespaces: plan.namespaces.map((ns) => ({
      db: ns.db,
      collection: ns.collection,
      metadataJson: ns.metadataJson,
      type: ns.type,
    })),
    ...(options.gzipLevel === undefined
      ? {}
      : { gzip: { level: options.gzipLevel, parallel: options.parallelGzip } }),
  });
  const stored = new ByteCounter();
  // The file stream is ended by commit(), so that it can be flushed to disk first; a caller's stream by pipeline.
  const flowing = pipeline([writer.stream, ...encrypt, stored, destination], { end: file === undefined });
  flowing.catch(() => undefined);

  return {
    open(namespace): NamespaceSink {
      const target = writer.openNamespace(namespace.db, namespace.bodyCollection);
      return {
        writeMany: (documents) => target.writeMany(documents),
        end: async () => {
          await target.end();
        },
      };
    },

    async finish(): Promise<SinkResult> {
      const summary = await writer.finish();
      await flowing;
      await file?.commit();
      return { path: file?.path, sizeBytes: stored.bytes, uncompressedBytes: summary.archiveBytes };
    },

    async abort(reason): Promise<void> {
      writer.abort(reason);
      await flowing.catch(() => undefined);
      await file?.discard();
    },
  };
}

function isUpload(output: Writable | BackupUpload): output is BackupUpload {
  return typeof (output as Partial<BackupUpload>).commit === 'function';
}
