import type { MongoClient } from 'mongodb';
import path from 'node:path';
import { Writable } from 'node:stream';
import { z } from 'zod';
import {
  AbortError,
  ErrorCode,
  MongoBackupError,
  MongoBackupRuntimeError,
  MongoBackupUsageError,
} from '../errors.js';
import { createNamespaceSelector, unmatchedPatternWarnings } from '../namespaces/index.js';
import { parseOptions } from '../util/parse-options.js';
import { backupFileName } from '../storage/naming.js';
import { runWithConcurrency } from '../util/concurrency.js';
import { createArchiveSink } from './archive-sink.js';
import { planDump, type DumpPlan, type PlannedNamespace } from './catalog.js';
import { pumpCollection } from './collection-pump.js';
import { filterForNamespace } from './namespace-filter.js';
import { parseQuery } from './query.js';
import { createDirectorySink } from './directory-sink.js';
import type { DumpSink } from './sink.js';
import { estimateDumpBytes } from './expected-size.js';
import type { EncryptionKeyring } from '../crypto/keys.js';
import type { BackupStore } from '../storage/backup-store.js';
import {
  DEFAULT_GZIP_LEVEL,
  DEFAULT_PARALLEL_COLLECTIONS,
  type DumpedNamespace,
  type DumpOptions,
  type DumpReport,
} from './types.js';

/** Context the service gives a dump. */
export interface DumpContext {
  /** Folder for outputs when `options.output` is not given. */
  readonly backupDir: string;
  /** Scrubs credentials from error messages. */
  readonly redact: (text: string) => string;
  /** Where new backups go when `options.output` is not given; defaults to the folder `backupDir`. */
  readonly store?: BackupStore;
  /** Encrypt archives with this keyring's current key. */
  readonly encryption?: EncryptionKeyring | undefined;
}

const readPreferences = [
  'primary',
  'primaryPreferred',
  'secondary',
  'secondaryPreferred',
  'nearest',
] as const;

const dumpOptionsSchema = z
  .strictObject({
    databases: z.array(z.string().min(1)).readonly().optional(),
    collection: z.string().min(1).optional(),
    nsInclude: z.array(z.string()).readonly().optional(),
    nsExclude: z.array(z.string()).readonly().optional(),
    excludeCollections: z.array(z.string().min(1)).readonly().optional(),
    excludeCollectionPrefixes: z.array(z.string().min(1)).readonly().optional(),
    query: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    queries: z
      .record(
        z.string().regex(/^[^.]+\..+$/, 'expected a "db.collection" key'),
        z.union([z.string(), z.record(z.string(), z.unknown())]),
      )
      .optional(),
    readPreference: z.enum(readPreferences).optional(),
    parallelCollections: z.number().int().min(1).max(64).optional(),
    gzip: z.boolean().optional(),
    gzipLevel: z.number().int().min(0).max(9).optional(),
    parallelGzip: z.boolean().optional(),
    format: z.enum(['archive', 'directory']).optional(),
    tarball: z.boolean().optional(),
    output: z.union([z.string().min(1), z.instanceof(Writable)]).optional(),
    batchSize: z.number().int().min(1).optional(),
    usersAndRoles: z.boolean().optional(),
    signal: z.instanceof(AbortSignal).optional(),
    onProgress: z.function().optional(),
    onBytesStored: z.function().optional(),
  })
  .refine((o) => o.collection === undefined || o.databases?.length === 1, {
    message: '"collection" needs exactly one database in "databases"',
    path: ['collection'],
  })
  .refine((o) => o.usersAndRoles !== true || o.databases?.length === 1, {
    message: '"usersAndRoles" dumps the users and roles of one database: give exactly one in "databases"',
    path: ['usersAndRoles'],
  })
  .refine((o) => o.usersAndRoles !== true || o.collection === undefined, {
    message: '"usersAndRoles" cannot be combined with "collection"',
    path: ['usersAndRoles'],
  })
  .refine(
    (o) =>
      o.collection === undefined ||
      (o.excludeCollections ?? []).length + (o.excludeCollectionPrefixes ?? []).length === 0,
    {
      message: '"collection" cannot be combined with "excludeCollections" or "excludeCollectionPrefixes"',
      path: ['collection'],
    },
  )
  .refine((o) => !o.collection?.startsWith('system.buckets.'), {
    message: 'a timeseries collection is dumped through its own name, not its system.buckets collection',
    path: ['collection'],
  })
  .refine((o) => !(o.tarball === true && o.format !== 'directory'), {
    message: '"tarball" packs a directory dump: set format to "directory"',
    path: ['tarball'],
  })
  .refine((o) => !(o.format === 'directory' && o.output instanceof Writable && o.tarball !== true), {
    message: 'a directory dump is written to a folder: give a path, or set tarball to write a stream',
    path: ['output'],
  });

/**
 * Dumps the selected namespaces of the source into an archive, a directory dump or a tarball, streaming raw BSON
 * with bounded memory. On failure or abort the partial output is removed and nothing complete-looking remains.
 * Options are checked before `connect` is called, so a mistake is reported at once, not after a connection attempt.
 */
export async function runDump(
  connect: () => Promise<MongoClient>,
  input: DumpOptions,
  context: DumpContext,
): Promise<DumpReport> {
  const options = parseOptions(dumpOptionsSchema, input, 'dump options') as DumpOptions;
  const filter = parseQuery(options.query, 'query');
  const filters = new Map(
    Object.entries(options.queries ?? {}).map(([ns, query]) => [ns, parseQuery(query, `queries["${ns}"]`)]),
  );
  const single = options.databases?.length === 1 ? options.databases[0] : undefined;
  const selectByPattern = createNamespaceSelector({
    ...(options.nsInclude ? { include: options.nsInclude } : {}),
    ...(options.nsExclude ? { exclude: options.nsExclude } : {}),
    ...(options.collection !== undefined && single !== undefined
      ? { db: single, collection: options.collection }
      : {}),
  });
  // mongodump compares collection names themselves here (not `*.name` patterns, whose `*` would cross dots).
  const excludedNames = new Set(options.excludeCollections ?? []);
  const excludedPrefixes = options.excludeCollectionPrefixes ?? [];
  const select = (namespace: string): boolean => {
    const collection = namespace.slice(namespace.indexOf('.') + 1);
    if (excludedNames.has(collection) || excludedPrefixes.some((prefix) => collection.startsWith(prefix))) {
      return false;
    }
    return selectByPattern(namespace);
  };
  const format = options.format ?? 'archive';
  const gzip = options.gzip ?? true;
  const tarball = options.tarball ?? false;
  const level = options.gzipLevel ?? DEFAULT_GZIP_LEVEL;
  const parallel = options.parallelCollections ?? DEFAULT_PARALLEL_COLLECTIONS;
  const signal = options.signal ?? new AbortController().signal;
  if (signal.aborted) throw new AbortError('Dump was aborted before it started', { cause: signal.reason });
  const store = options.output === undefined ? context.store : undefined;
  if (format === 'directory' && ((store?.kind === 's3' && !tarball) || context.encryption !== undefined)) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      store?.kind === 's3' && !tarball
        ? `A directory dump cannot be written to ${store.location}: an object store holds single objects ` +
            '(format "archive", or "directory" with tarball)'
        : 'Encryption applies to archives: use format "archive", or a service without encryption',
    );
  }

  const client = await connect();
  const startedAt = new Date();
  const plan = await guard(
    () =>
      planDump(client, {
        ...(options.databases ? { databases: options.databases } : {}),
        select,
        ...(options.usersAndRoles === true && single !== undefined ? { usersAndRolesOf: single } : {}),
      }),
    context,
  );
  const unknown = [...filters.keys()].filter(
    (ns) => !plan.namespaces.some((planned) => `${planned.db}.${planned.collection}` === ns),
  );
  if (unknown.length > 0) {
    throw new MongoBackupUsageError(
      ErrorCode.INVALID_OPTIONS,
      `queries: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the namespaces this dump writes`,
    );
  }
  // Every namespace's filter is settled (and checked) before any output exists.
  const namespaceFilters = new Map(
    plan.namespaces.map((ns) => {
      const name = `${ns.db}.${ns.collection}`;
      return [name, filterForNamespace(ns, filters.get(name) ?? filter)];
    }),
  );
  const name = backupFileName({
    ...(single === undefined ? {} : { database: single }),
    date: startedAt,
    kind: format === 'directory' ? (tarball ? 'tar.gz' : 'directory') : gzip ? 'archive-gzip' : 'archive',
    encrypted: context.encryption !== undefined,
  });
  // A folder store's tarball is packed into an atomic file by the directory sink; a bucket's is uploaded.
  const upload =
    store !== undefined && (format === 'archive' || (tarball && store.kind === 's3'))
      ? await guard(
          async () =>
            store.createUpload(name, {
              ...(store.kind === 's3' ? { expectedBytes: await estimateDumpBytes(client, plan) } : {}),
              ...(options.onBytesStored === undefined ? {} : { onBytesStored: options.onBytesStored }),
            }),
          context,
        )
      : undefined;
  const output = options.output ?? upload ?? path.join(store?.location ?? context.backupDir, name);
  let sink: DumpSink;
  try {
    sink =
      format === 'archive'
        ? await createArchiveSink(plan, {
            output,
            gzipLevel: gzip ? level : undefined,
            parallelGzip: options.parallelGzip ?? true,
            concurrentCollections: parallel,
            encryption: context.encryption,
          })
        : await createDirectorySink(plan, {
            output,
            gzipLevel: gzip ? level : undefined,
            parallelGzip: options.parallelGzip ?? true,
            tarball,
          });
  } catch (error) {
    await upload?.discard();
    throw error;
  }

  const results = new Map<string, DumpedNamespace>();
  const pump = async (namespace: PlannedNamespace, taskSignal: AbortSignal): Promise<void> => {
    const result = await pumpCollection(client, namespace, sink.open(namespace), {
      filter: namespaceFilters.get(`${namespace.db}.${namespace.collection}`) ?? new Map(),
      readPreference: options.readPreference,
      batchSize: options.batchSize,
      signal: taskSignal,
      onProgress: options.onProgress,
    });
    results.set(result.namespace, result);
  };
  try {
    // Users, roles and auth version go first and whole, as mongodump writes them: mongorestore sets them aside
    // only when they come before the first collection.
    await runWithConcurrency(
      plan.namespaces.filter((ns) => ns.readFrom !== undefined),
      1,
      pump,
      signal,
    );
    await runWithConcurrency(
      plan.namespaces.filter((ns) => ns.readFrom === undefined),
      parallel,
      pump,
      signal,
    );
    const written = await sink.finish();
    const finishedAt = new Date();
    const namespaces = plan.namespaces.map(
      (ns) => results.get(`${ns.db}.${ns.collection}`) as DumpedNamespace,
    );
    const fields = {
      format,
      gzip,
      tarball,
      sizeBytes: written.sizeBytes,
      uncompressedBytes: written.uncompressedBytes,
      namespaces,
      totalDocuments: namespaces.reduce((sum, ns) => sum + ns.documents, 0),
      collectionCount: namespaces.length,
      serverVersion: plan.serverVersion,
      warnings: [
        ...unmatchedPatternWarnings(
          { nsInclude: options.nsInclude, nsExclude: options.nsExclude },
          plan.candidates,
          'the source',
        ),
        ...emptyDumpWarnings(plan, options.databases, options.collection),
      ],
      startedAt,
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
    return written.path === undefined
      ? { outputKind: 'stream', ...fields }
      : { outputKind: 'path', path: written.path, ...fields };
  } catch (error) {
    const failure = signal.aborted
      ? new AbortError('Dump was aborted; its partial output was removed', { cause: error })
      : wrap(error, context);
    await sink.abort(failure);
    throw failure;
  }
}

/**
 * Warnings for a dump that found nothing to write where something was asked for: a named database with no
 * collection (misspelled?), or no collection at all. mongodump writes such empty backups without a word.
 */
function emptyDumpWarnings(
  plan: DumpPlan,
  databases: readonly string[] | undefined,
  collection: string | undefined,
): string[] {
  if (collection !== undefined && plan.namespaces.length === 0) {
    const namespace = `${databases?.[0] ?? ''}.${collection}`;
    return [`collection ${JSON.stringify(namespace)} was not found (misspelled?): the backup is empty`];
  }
  const found = new Set(plan.namespaces.map((ns) => ns.db));
  const missing = (databases ?? []).filter((db) => !found.has(db));
  const warnings = missing.map(
    (db) =>
      `database ${JSON.stringify(db)} has no collection to dump (misspelled, or empty?): the backup holds nothing of it`,
  );
  if (plan.namespaces.length === 0 && missing.length === 0) {
    warnings.push('the dump found no collection to write: the backup is empty');
  }
  return warnings;
}

async function guard<T>(work: () => Promise<T>, context: DumpContext): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw wrap(error, context);
  }
}

function wrap(error: unknown, context: DumpContext): MongoBackupError {
  if (error instanceof MongoBackupError) return error;
  const message = context.redact(error instanceof Error ? error.message : String(error));
  return new MongoBackupRuntimeError(
    ErrorCode.DUMP_FAILED,
    `Dump failed: ${message}; no backup was written`,
    {
      cause: error,
    },
  );
}
