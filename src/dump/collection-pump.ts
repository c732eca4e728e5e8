import type { Document, MongoClient, ReadPreferenceMode } from 'mongodb';
import type { OrderedDocument } from '../archive/ordered-document.js';
import { toDriverValues } from '../driver/index.js';
import { AbortError } from '../errors.js';
import type { PlannedNamespace } from './catalog.js';
import { rawBatches } from './raw-batches.js';
import { batchSizeForReplyBytes, steerBatchSize } from './reply-size.js';
import type { NamespaceSink } from './sink.js';
import type { DumpedNamespace, DumpProgress } from './types.js';

/** How to read one collection. */
export interface PumpOptions {
  /** Sent as it is: a `Map` keeps its keys in order on the wire. */
  readonly filter: OrderedDocument;
  readonly readPreference: ReadPreferenceMode | undefined;
  /** Documents per reply; without it, replies are sized in bytes (see `reply-size.ts`). */
  readonly batchSize: number | undefined;
  readonly signal: AbortSignal;
  readonly onProgress: ((progress: DumpProgress) => void) | undefined;
}

const PROGRESS_EVERY_DOCUMENTS = 2000;
const PROGRESS_EVERY_MS = 250;

/**
 * Streams one namespace's documents from a raw cursor into its sink, a batch at a time, byte for byte (no decode, no
 * re-encode).
 * The cursor is always closed, also on failure or abort.
 */
export async function pumpCollection(
  client: MongoClient,
  namespace: PlannedNamespace,
  sink: NamespaceSink,
  options: PumpOptions,
): Promise<DumpedNamespace> {
  const name = `${namespace.db}.${namespace.collection}`;
  const from = namespace.readFrom;
  const collection = from
    ? client.db(from.db).collection(from.collection)
    : client.db(namespace.db).collection(namespace.bodyCollection);
  // The estimate only feeds progress events: without a listener, the server is spared the count (which some
  // servers answer by scanning the collection).
  const estimatedTotal =
    namespace.type === 'view' || options.onProgress === undefined
      ? 0
      : await (
          from
            ? collection.countDocuments(toDriverValues(client, from.filter) as Document)
            : collection.estimatedDocumentCount()
        ).catch(() => 0);
  let documents = 0;
  let bytes = 0;
  let lastReport = Date.now();
  const report = (phase: DumpProgress['phase']): void =>
    options.onProgress?.({ phase, namespace: name, documents, bytes, estimatedTotal });

  report('start');
  if (namespace.type !== 'view') {
    const filter = from ? from.filter : options.filter;
    const cursor = collection.find(toDriverValues(client, filter) as Document, {
      raw: true,
      // A whole-collection read says so, as mongodump does: servers that refuse large estimated scans
      // (maxEstimatedScanBytes) exempt an explicit `$natural` scan.
      ...(filter.size === 0 ? { hint: { $natural: 1 } } : {}),
      // The driver's `rawData` (not in its public types) sends the buckets of an 8.3+ timeseries collection.
      ...(namespace.rawData ? ({ rawData: true } as object) : {}),
      ...(options.readPreference === undefined ? {} : { readPreference: options.readPreference }),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    });
    const sizeReplies = options.batchSize === undefined;
    try {
      let reported = 0;
      for await (const batch of rawBatches(cursor)) {
        if (options.signal.aborted)
          throw new AbortError(`Dump of ${name} was aborted`, { cause: options.signal.reason });
        await sink.writeMany(batch);
        documents += batch.length;
        for (const document of batch) bytes += document.length;
        if (sizeReplies && documents > 0) steerBatchSize(cursor, batchSizeForReplyBytes(bytes / documents));
        if (
          documents - reported >= PROGRESS_EVERY_DOCUMENTS &&
          Date.now() - lastReport >= PROGRESS_EVERY_MS
        ) {
          reported = documents;
          lastReport = Date.now();
          report('progress');
        }
      }
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }
  await sink.end();
  report('end');
  return { namespace: name, type: namespace.type, documents, bytes };
}
