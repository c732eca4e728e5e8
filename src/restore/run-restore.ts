import type { Db, MongoClient } from 'mongodb';
import { z } from 'zod';
import { bsonStructureError } from '../archive/bson-validate.js';
import type { ManifestCheck } from '../archive/directory/manifest.js';
import { namespaceString, parseServerVersion, type ServerVersion } from '../archive/namespace-layout.js';
import type { ArchiveEvent, ArchiveHeader } from '../archive/types.js';
import {
  AbortError,
  ArchiveError,
  ErrorCode,
  MongoBackupError,
  MongoBackupUsageError,
  RestoreError,
} from '../errors.js';
import {
  createNamespaceRenamer,
  createNamespaceSelector,
  pairNamespaceRenames,
  unmatchedPatternWarnings,
} from '../namespaces/index.js';
import { parseOptions } from '../util/parse-options.js';
import { Semaphore } from '../util/semaphore.js';
import { buildIndexes, createView, prepareCollection } from './collection-setup.js';
import { NamespaceState } from './namespace-state.js';
import { openRestoreSource, type OpenedSource, type SourceAccess } from './open-source.js';
import { insertRetryingMixedSchema } from './mixed-schema-retry.js';
import { insertFidelity, insertRawDocuments, type InsertOutcome } from './raw-insert.js';
import { assertRestorable, planRestore, usersAndRolesWarning } from './restore-plan.js';
import { dropTempAuthCollections, mergeStagedUsersAndRoles } from './users-and-roles.js';
import { acceptsIgnoreUnknownIndexOptions, acceptsLiteralZeroTimestamp } from './server-features.js';
import {
  DEFAULT_RESTORE_BATCH_BYTES,
  DEFAULT_RESTORE_BATCH_SIZE,
  DEFAULT_RESTORE_PARALLEL_COLLECTIONS,
  type RestoreOptions,
  type RestorePlanSummary,
  type RestoreReport,
  type RestoreSource,
} from './types.js';

/** Context the service gives a restore. */
export interface RestoreContext {
  /** Scrubs credentials from error messages. */
  readonly redact: (text: string) => string;
  /** How backups in object stores and encrypted backups are reached. */
  readonly access?: SourceAccess;
  /** Where the restore writes, as the report says it (hosts without credentials, and which cluster). */
  readonly destination?: RestoreReport['destination'];
}

const strings = z.array(z.string()).readonly().optional();
const restoreOptionsSchema = z
  .strictObject({
    from: z.union([
      z.string().min(1),
      z.custom<NodeJS.ReadableStream>((v) => typeof (v as { pipe?: unknown })?.pipe === 'function'),
    ]),
    nsInclude: strings,
    nsExclude: strings,
    nsFrom: strings,
    nsTo: strings,
    db: z.string().min(1).optional(),
    collection: z.string().min(1).optional(),
    drop: z.boolean().optional(),
    dryRun: z.boolean().optional(),
    noIndexRestore: z.boolean().optional(),
    noOptionsRestore: z.boolean().optional(),
    convertLegacyIndexes: z.boolean().optional(),
    stopOnError: z.boolean().optional(),
    maintainInsertionOrder: z.boolean().optional(),
    parallelCollections: z.number().int().min(1).max(64).optional(),
    insertionWorkersPerCollection: z.number().int().min(1).max(64).optional(),
    batchSize: z.number().int().min(1).max(100_000).optional(),
    batchBytes: z
      .number()
      .int()
      .min(1024)
      .max(48 * 1024 * 1024)
      .optional(),
    writeConcern: z
      .strictObject({
        w: z.union([z.number().int().min(0), z.literal('majority')]).optional(),
        j: z.boolean().optional(),
        wtimeoutMS: z.number().int().min(0).optional(),
      })
      .optional(),
    bypassDocumentValidation: z.boolean().optional(),
    preserveUUID: z.boolean().optional(),
    usersAndRoles: z.boolean().optional(),
    verify: z.enum(['before', 'during']).optional(),
    signal: z.instanceof(AbortSignal).optional(),
    onProgress: z.function().optional(),
    onPlan: z.function().optional(),
  })
  .refine((o) => !o.preserveUUID || o.drop === true, {
    message: 'preserveUUID requires drop',
    path: ['preserveUUID'],
  })
  .refine((o) => o.collection === undefined || o.db !== undefined, {
    message: 'collection requires db',
    path: ['collection'],
  });

type Parsed = RestoreOptions & { readonly from: RestoreSource };

/** The report with the context's destination, when it has one. */
function withDestination(report: RestoreReport, context: RestoreContext): RestoreReport {
  return context.destination === undefined ? report : { ...report, destination: context.destination };
}

/**
 * Restores a backup into the target following mongorestore's rules: every prelude entry and its metadata are read
 * and checked before anything is written; then, per collection, drop (if asked) just before it, create with its
 * options, insert in unordered batches (raw bytes), build indexes after its data; views last.
 *
 * Options and the source are checked before `connect` is called, so a mistake is reported at once.
 *
 * @throws {@link RestoreError} when the restore stops part-way, with the exact report.
 */
export async function runRestore(
  connect: () => Promise<MongoClient>,
  input: Parsed,
  context: RestoreContext,
): Promise<RestoreReport> {
  const options = parseOptions(restoreOptionsSchema, input, 'restore options') as Parsed;
  const select = createNamespaceSelector({
    ...(options.nsInclude ? { include: options.nsInclude } : {}),
    ...(options.nsExclude ? { exclude: options.nsExclude } : {}),
    ...(options.db === undefined ? {} : { db: options.db }),
    ...(options.collection === undefined ? {} : { collection: options.collection }),
  });
  const rename = createNamespaceRenamer(pairNamespaceRenames(options.nsFrom ?? [], options.nsTo ?? []));
  const signal = options.signal;
  if (signal?.aborted)
    throw new AbortError('Restore was aborted before it started', { cause: signal.reason });

  const startedAt = new Date();
  const source = await openRestoreSource(
    options.from,
    {
      ...(options.db === undefined ? {} : { db: options.db }),
      ...(options.collection === undefined ? {} : { collection: options.collection }),
    },
    context.access,
  );
  let run: RestoreRun;
  try {
    run = new RestoreRun(await connect(), options, select, rename);
  } catch (error) {
    await source.close();
    throw error;
  }
  try {
    if ((options.verify ?? (source.rereadable ? 'before' : 'during')) === 'before') {
      if (!source.rereadable) {
        throw new MongoBackupUsageError(
          ErrorCode.INVALID_OPTIONS,
          'verify: "before" needs a path; a stream can be read only once',
        );
      }
      await verifyWholeBackup(source, run, signal);
    }
    await run.consume(source.events(signal), signal);
    await run.finishUsersAndRoles();
    return withDestination(run.report(source.path, startedAt), context);
  } catch (error) {
    // A mistake in the options or in what they ask of this backup is found before anything is written.
    if (error instanceof MongoBackupUsageError) throw error;
    // Inserts already sent still land: wait for their answers, so that the report counts them.
    await run.settle();
    const cause =
      error instanceof MongoBackupError
        ? error
        : new Error(context.redact(String((error as Error)?.message ?? error)), { cause: error });
    run.markStopped(cause.message);
    const report = withDestination(run.report(source.path, startedAt), context);
    if (error instanceof AbortError || signal?.aborted) {
      throw new RestoreError(`Restore was aborted: ${summary(report)}`, report, { cause });
    }
    throw new RestoreError(`Restore stopped: ${cause.message}. ${summary(report)}`, report, { cause });
  } finally {
    await run.dropStagedUsersAndRoles();
    await source.close();
  }
}

/**
 * Reads the whole backup once, so that a corrupt or truncated one is rejected before anything is written. The
 * prelude is planned on the way, so that a rejection still reports every namespace as not restored.
 */
async function verifyWholeBackup(
  source: OpenedSource,
  run: RestoreRun,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (source.integrity !== undefined) run.setManifest(await source.integrity());
  const seen = new Map<string, number>();
  for await (const event of source.events(signal)) {
    if (event.kind === 'header' || event.kind === 'prelude') run.plan(event);
    if (event.kind === 'documents') assertWellFormed(event.db, event.collection, event.documents, seen);
    if (signal?.aborted)
      throw new AbortError('Restore was aborted while verifying the backup', { cause: signal.reason });
  }
}

/**
 * Checks the BSON structure of every document of a batch (framing and CRCs are checked by the readers), so that a
 * document the server would refuse, or read differently, stops the restore before its first write.
 */
function assertWellFormed(
  db: string,
  collection: string,
  documents: readonly Uint8Array[],
  seen: Map<string, number>,
): void {
  const namespace = namespaceString(db, collection);
  const before = seen.get(namespace) ?? 0;
  documents.forEach((document, index) => {
    const problem = bsonStructureError(document);
    if (problem !== undefined) {
      throw new ArchiveError(
        ErrorCode.ARCHIVE_CORRUPT,
        `Document ${before + index + 1} of ${namespace} is not valid BSON (${problem}); nothing was restored`,
        { namespace },
      );
    }
  });
  seen.set(namespace, before + documents.length);
}

function summary(report: RestoreReport): string {
  const count = (status: string): number => report.namespaces.filter((ns) => ns.status === status).length;
  return `${count('restored')} namespace(s) restored, ${count('failed')} failed, ${count('not-restored')} not restored`;
}

/** One restore in progress: the per-namespace states and the insert pipeline. */
class RestoreRun {
  #header: ArchiveHeader | undefined;
  #states: NamespaceState[] = [];
  readonly #byBody = new Map<string, NamespaceState>();
  readonly #slots: Semaphore;
  #bypassEmptyTs = false;
  #targetVersion: ServerVersion | undefined;
  #ignoreUnknownIndexOptions = false;
  #firstFatal: Error | undefined;
  /** The backup's auth-version documents (small), kept for the schema check before merging users and roles. */
  #authVersionDocuments: Buffer[] | undefined;
  /** Whether users or roles were written to the temporary collections (dropped at the end whatever happens). */
  #stagedAuth = false;
  /** Insert batches of one collection in flight at most; 1 keeps them in dump order. */
  readonly #workers: number;
  /** What the report must say beyond each namespace's line (indexes left out...). */
  readonly #warnings: string[] = [];
  /** Patterns that matched nothing, found when the prelude is planned. */
  #patternWarnings: string[] = [];
  /** `stopOnError`, which `maintainInsertionOrder` implies as in mongorestore. */
  readonly #stopOnError: boolean;
  /** What the checksum manifest check found (directory dumps verified before restoring). */
  #manifest: ManifestCheck | undefined;

  constructor(
    readonly client: MongoClient,
    readonly options: Parsed,
    readonly select: ReturnType<typeof createNamespaceSelector>,
    readonly rename: ReturnType<typeof createNamespaceRenamer>,
  ) {
    // As mongorestore: maintainInsertionOrder means one insertion worker and stopping at the first error, so that
    // an ordered insert cut short by a duplicate never goes on with the next batch as if nothing was lost.
    this.#workers = options.maintainInsertionOrder ? 1 : (options.insertionWorkersPerCollection ?? 1);
    this.#stopOnError = (options.stopOnError ?? false) || (options.maintainInsertionOrder ?? false);
    this.#slots = new Semaphore(
      (options.parallelCollections ?? DEFAULT_RESTORE_PARALLEL_COLLECTIONS) * this.#workers,
    );
  }

  async consume(events: AsyncIterable<ArchiveEvent>, signal: AbortSignal | undefined): Promise<void> {
    for await (const event of events) {
      if (signal?.aborted) throw new AbortError('Restore was aborted', { cause: signal.reason });
      if (this.#firstFatal) throw this.#firstFatal;
      switch (event.kind) {
        case 'header':
          this.plan(event);
          break;
        case 'prelude':
          await this.#probeTarget();
          this.plan(event);
          if (!this.options.dryRun) this.options.onPlan?.(this.#summary());
          break;
        case 'documents':
          await this.#onDocuments(`${event.db}.${event.collection}`, event.documents);
          break;
        case 'namespace-end':
          await this.#onNamespaceEnd(`${event.db}.${event.collection}`);
          break;
      }
    }
    await this.settle();
    if (this.#firstFatal) throw this.#firstFatal;
    await this.#createViews();
  }

  /** Waits for every insert batch sent and not yet answered (inserts never reject: they record their failures). */
  async settle(): Promise<void> {
    await Promise.all(this.#states.map((state) => Promise.all(state.inflight)));
  }

  /** Takes the header, or plans every prelude entry (selection, renaming, skip reasons). */
  plan(event: Extract<ArchiveEvent, { kind: 'header' | 'prelude' }>): void {
    if (event.kind === 'header') {
      this.#header = event.header;
      return;
    }
    const header = this.#header as ArchiveHeader;
    this.#states = planRestore(header, event.entries, this.select, this.rename, {
      usersAndRoles: this.options.usersAndRoles ?? false,
      targetVersion: this.#targetVersion,
    }).map((plan) => new NamespaceState(plan));
    assertRestorable(
      this.#states.map((state) => state.plan),
      this.options.usersAndRoles ?? false,
    );
    this.#byBody.clear();
    for (const state of this.#states) this.#byBody.set(state.plan.sourceBody, state);
    this.#patternWarnings = unmatchedPatternWarnings(
      this.options,
      event.entries.map((entry) => `${entry.db}.${entry.collection}`),
    );
  }

  /** The namespaces (and their databases) this restore writes. */
  #summary(): RestorePlanSummary {
    const namespaces = this.#states
      .filter((state) => state.plan.skipReason === undefined)
      .map((state) => state.plan.target);
    const databases = [
      ...new Set(this.#states.filter((s) => s.plan.skipReason === undefined).map((s) => s.plan.targetDb)),
    ].sort();
    return { databases, namespaces };
  }

  /** Learns which insert and index flags the target accepts. */
  async #probeTarget(): Promise<void> {
    if (!this.options.dryRun) {
      const build = await this.client.db('admin').command({ buildInfo: 1 });
      this.#targetVersion = parseServerVersion(String(build['version'] ?? ''));
      this.#bypassEmptyTs = acceptsLiteralZeroTimestamp(build);
      this.#ignoreUnknownIndexOptions = acceptsIgnoreUnknownIndexOptions(build);
    }
  }

  async #onDocuments(body: string, documents: readonly Buffer[]): Promise<void> {
    const state = this.#stateOf(body);
    state.documentsRead += documents.length;
    if (state.plan.auth?.kind === 'version' && this.options.usersAndRoles) {
      (this.#authVersionDocuments ??= []).push(...documents);
    }
    if (!state.active || state.plan.type === 'view' || state.status === 'failed') return;
    if (this.options.dryRun) return;
    try {
      await this.#prepare(state);
    } catch (error) {
      state.fail(messageOf(error));
      if (this.#stopOnError) throw error;
      return;
    }
    const maxDocs = this.options.batchSize ?? DEFAULT_RESTORE_BATCH_SIZE;
    const maxBytes = this.options.batchBytes ?? DEFAULT_RESTORE_BATCH_BYTES;
    for (const document of documents) {
      if (
        state.batch.length > 0 &&
        (state.batch.length >= maxDocs || state.batchBytes + document.length > maxBytes)
      ) {
        await this.#flush(state);
      }
      state.batch.push(document);
      state.batchBytes += document.length;
    }
  }

  async #onNamespaceEnd(body: string): Promise<void> {
    const state = this.#stateOf(body);
    if (!state.active || state.plan.type === 'view') return;
    if (this.options.dryRun) {
      state.status = 'checked';
      return;
    }
    try {
      await this.#prepare(state);
      if (state.batch.length > 0) await this.#flush(state);
      await Promise.all(state.inflight);
      if (state.status === 'failed') return;
      // Users and roles are only staged here; they are merged once every collection is restored.
      if (state.plan.auth !== undefined) return;
      if (!this.options.noIndexRestore) {
        const indexes = await buildIndexes(
          this.#db(state),
          state.plan.targetCollection,
          state.plan.metadata,
          {
            convertLegacyIndexes: this.options.convertLegacyIndexes ?? false,
            ignoreUnknownIndexOptions: this.#ignoreUnknownIndexOptions,
          },
        );
        state.indexesBuilt = indexes.built;
        if (indexes.leftOut.length > 0) {
          this.#warnings.push(
            `${state.plan.target}: index(es) ${indexes.leftOut.join(', ')} left out: after convertLegacyIndexes ` +
              'their key duplicates another index (as mongorestore does)',
          );
        }
      }
      state.status = 'restored';
      this.#progress(state, 'end');
    } catch (error) {
      state.fail(messageOf(error));
      if (this.#stopOnError) throw error;
    }
  }

  #stateOf(body: string): NamespaceState {
    const state = this.#byBody.get(body);
    if (!state) {
      throw new ArchiveError(
        ErrorCode.ARCHIVE_BAD_BLOCK,
        `Documents for ${body}, which the backup does not announce`,
        {
          namespace: body,
        },
      );
    }
    return state;
  }

  #db(state: NamespaceState): Db {
    return this.client.db(state.plan.targetDb);
  }

  #prepare(state: NamespaceState): Promise<void> {
    state.prepared ??= (async () => {
      this.#progress(state, 'start');
      const staging = state.plan.auth !== undefined;
      if (staging) this.#stagedAuth = true;
      // A temporary users/roles collection left by an earlier run is replaced, as mongorestore does.
      await prepareCollection(this.#db(state), state.plan.targetCollection, state.plan.metadata, {
        drop: staging || (this.options.drop ?? false),
        noOptionsRestore: this.options.noOptionsRestore ?? false,
        preserveUUID: !staging && (this.options.preserveUUID ?? false),
      });
    })();
    return state.prepared;
  }

  /** Sends the gathered batch; waits for a free insert slot first (backpressure on the reader). */
  async #flush(state: NamespaceState): Promise<void> {
    const documents = state.batch;
    state.batch = [];
    state.batchBytes = 0;
    // One collection never has more batches in flight than its insertion workers: with one, batches land in order.
    while (state.inflight.size >= this.#workers) await Promise.race(state.inflight);
    if (this.#firstFatal) throw this.#firstFatal;
    await this.#slots.acquire();
    const sent = this.#insert(state, documents).finally(() => {
      this.#slots.release();
      state.inflight.delete(sent);
    });
    state.inflight.add(sent);
  }

  async #insert(state: NamespaceState, documents: Buffer[]): Promise<void> {
    try {
      const outcome = await this.#insertBatch(state, documents);
      state.documentsInserted += outcome.inserted;
      state.duplicates += outcome.duplicates;
      state.failures += outcome.failures;
      if (outcome.firstError !== undefined) state.reason ??= outcome.firstError;
      if (this.#stopOnError && (outcome.duplicates > 0 || outcome.failures > 0)) {
        const why = outcome.firstError ?? `${outcome.duplicates} duplicate key error(s)`;
        state.fail(why);
        this.#firstFatal ??= new Error(`${state.plan.target}: ${why} (stopOnError)`);
      }
      this.#progress(state, 'progress');
    } catch (error) {
      state.fail(messageOf(error));
      this.#firstFatal ??= error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * One insert command; timeseries buckets the target refuses as mixed-schema (error 408) are sent again once the
   * collection allows them (`timeseriesBucketsMayHaveMixedSchemaData`), as mongorestore does.
   */
  async #insertBatch(state: NamespaceState, documents: readonly Buffer[]): Promise<InsertOutcome> {
    const send = (batch: readonly Buffer[]): Promise<InsertOutcome> =>
      insertRawDocuments(this.#db(state), state.plan.targetBodyCollection, batch, {
        ordered: this.options.maintainInsertionOrder ?? false,
        // Buckets are the server's own format: mongorestore never bypasses validation for them.
        bypassDocumentValidation:
          state.plan.type !== 'timeseries' && (this.options.bypassDocumentValidation ?? false),
        bypassEmptyTsReplacement: this.#bypassEmptyTs,
        writeConcern: this.options.writeConcern,
        rawData: state.plan.rawData,
      });
    if (state.plan.type !== 'timeseries') return send(documents);
    return insertRetryingMixedSchema(documents, {
      send,
      ordered: this.options.maintainInsertionOrder ?? false,
      allowMixedSchema: () =>
        (state.mixedSchemaAllowed ??= this.#db(state)
          .command({ collMod: state.plan.targetCollection, timeseriesBucketsMayHaveMixedSchemaData: true })
          .then(() => undefined)),
    });
  }

  async #createViews(): Promise<void> {
    for (const state of this.#states) {
      if (!state.active || state.plan.type !== 'view') continue;
      if (this.options.dryRun) {
        state.status = 'checked';
        continue;
      }
      try {
        await createView(
          this.#db(state),
          state.plan.targetCollection,
          state.plan.metadata,
          this.options.drop ?? false,
        );
        state.status = 'restored';
      } catch (error) {
        state.fail(messageOf(error));
        if (this.#stopOnError) throw error;
      }
    }
  }

  /**
   * Merges the staged users and roles into the target's (after every collection and view), once the backup's auth
   * schema version is known to fit the target's. A failure marks them failed (and stops with `stopOnError`).
   */
  async finishUsersAndRoles(): Promise<void> {
    const staged = this.#states.filter((state) => state.active && state.plan.auth !== undefined);
    if (staged.length === 0 || this.options.dryRun) return;
    try {
      const unstaged = staged.find((state) => state.status === 'failed');
      if (unstaged)
        throw new Error(`not merged: ${unstaged.plan.source} could not be staged (${unstaged.reason})`);
      await mergeStagedUsersAndRoles(this.client, {
        kinds: staged.map((state) => state.plan.auth?.kind ?? 'users'),
        scope: staged[0]?.plan.auth?.scope ?? '',
        backupServerVersion: parseServerVersion(this.#header?.serverVersion ?? ''),
        versionDocuments: this.#authVersionDocuments,
        drop: this.options.drop ?? false,
        writeConcern: this.options.writeConcern,
      });
      for (const state of staged) {
        state.status = 'restored';
        this.#progress(state, 'end');
      }
    } catch (error) {
      for (const state of staged) state.fail(messageOf(error));
      if (this.#stopOnError) throw error;
    } finally {
      await this.dropStagedUsersAndRoles();
    }
  }

  /** Drops `admin.tempusers`/`admin.temproles` when this run wrote them. */
  async dropStagedUsersAndRoles(): Promise<void> {
    if (!this.#stagedAuth) return;
    this.#stagedAuth = false;
    await dropTempAuthCollections(this.client);
  }

  #progress(state: NamespaceState, phase: 'start' | 'progress' | 'end'): void {
    this.options.onProgress?.({
      phase,
      source: state.plan.source,
      target: state.plan.target,
      documents: state.documentsInserted,
    });
  }

  /** After a stop: the namespace being written is failed; the rest keep their state ('not-restored' if unreached). */
  markStopped(reason: string): void {
    for (const state of this.#states) {
      if (state.active && state.prepared !== undefined && state.status === 'not-restored') state.fail(reason);
    }
  }

  /** Records what the checksum manifest check found, for the report. */
  setManifest(check: ManifestCheck): void {
    this.#manifest = check;
  }

  report(path: string | undefined, startedAt: Date): RestoreReport {
    const namespaces = this.#states.map((state) => state.toReport());
    const finishedAt = new Date();
    const manifest = this.#manifest;
    return {
      ...(manifest === undefined
        ? {}
        : {
            manifest: manifest.present ? 'verified' : 'absent',
            ...(manifest.unlisted.length > 0 ? { unlistedFiles: manifest.unlisted } : {}),
          }),
      source: path,
      dryRun: this.options.dryRun ?? false,
      namespaces,
      documentsInserted: namespaces.reduce((sum, ns) => sum + ns.documentsInserted, 0),
      duplicates: namespaces.reduce((sum, ns) => sum + ns.duplicates, 0),
      failures: namespaces.reduce((sum, ns) => sum + ns.failures, 0),
      fidelity: insertFidelity(this.client),
      warnings: [
        usersAndRolesWarning(this.#states.map((state) => state.plan)),
        ...this.#patternWarnings,
        ...this.#warnings,
      ].filter((warning) => warning !== undefined),
      startedAt,
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
