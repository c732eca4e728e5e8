import type { Document } from 'bson';
import type { Db } from 'mongodb';
import { driverModuleOf, toDriverValues } from '../driver/index.js';

/** What one insert batch did. */
export interface InsertOutcome {
  readonly inserted: number;
  readonly duplicates: number;
  readonly failures: number;
  /** The first non-duplicate error message, if any (other errors before mixed-schema refusals). */
  readonly firstError: string | undefined;
  /**
   * Positions (in the batch) of timeseries buckets refused until the collection allows mixed-schema buckets
   * (error 408); they are counted in `failures`.
   */
  readonly mixedSchemaRefused: readonly number[];
}

/** Settings of the insert command. */
export interface RawInsertOptions {
  readonly ordered: boolean;
  readonly bypassDocumentValidation: boolean;
  /** Ask the server to keep `Timestamp(0, 0)` values instead of replacing them (servers that accept it). */
  readonly bypassEmptyTsReplacement: boolean;
  readonly writeConcern: Document | undefined;
  /** Insert into the raw storage of the collection (timeseries buckets, servers from 8.3). */
  readonly rawData: boolean;
}

/**
 * `raw` when the client's driver sends documents as the exact bytes given (its document sequences), `reencoded`
 * otherwise.
 */
export function insertFidelity(client: object): 'raw' | 'reencoded' {
  return driverModuleOf(client).documentSequence ? 'raw' : 'reencoded';
}

const DUPLICATE_KEY = 11000;
const MIXED_SCHEMA_BUCKETS = 408;

/**
 * Inserts raw BSON documents with one `insert` command. With the driver's document sequences the bytes are sent
 * untouched (field order, numeric types, deprecated types and all); otherwise they are decoded keeping every BSON
 * type and encoded again. Write errors are counted, never thrown; command errors are thrown.
 */
export async function insertRawDocuments(
  db: Db,
  collection: string,
  documents: readonly Buffer[],
  options: RawInsertOptions,
): Promise<InsertOutcome> {
  const command: Document = {
    insert: collection,
    documents: encodeDocuments(db, documents),
    ordered: options.ordered,
  };
  if (options.bypassDocumentValidation) command['bypassDocumentValidation'] = true;
  if (options.bypassEmptyTsReplacement) command['bypassEmptyTsReplacement'] = true;
  if (options.writeConcern) command['writeConcern'] = options.writeConcern;
  if (options.rawData) command['rawData'] = true;
  const reply = await db.command(toDriverValues(db.client, command));
  const writeErrors = (reply['writeErrors'] ?? []) as { index?: number; code?: number; errmsg?: string }[];
  let duplicates = 0;
  let firstError: string | undefined;
  const mixedSchemaRefused: number[] = [];
  let mixedSchemaError: string | undefined;
  for (const error of writeErrors) {
    const message = `${error.errmsg ?? 'write error'} (code ${error.code ?? '?'})`;
    if (error.code === DUPLICATE_KEY) {
      duplicates += 1;
    } else if (error.code === MIXED_SCHEMA_BUCKETS && typeof error.index === 'number') {
      mixedSchemaRefused.push(error.index);
      mixedSchemaError ??= message;
    } else {
      firstError ??= message;
    }
  }
  firstError ??= mixedSchemaError;
  const writeConcernError = reply['writeConcernError'] as { errmsg?: string } | undefined;
  if (writeConcernError) firstError ??= `write concern: ${writeConcernError.errmsg ?? 'failed'}`;
  return {
    inserted: Number(reply['n'] ?? 0),
    duplicates,
    failures: writeErrors.length - duplicates,
    firstError,
    mixedSchemaRefused,
  };
}

/** The documents for the client's driver: its document sequence of the bytes, else decoded with its own BSON. */
function encodeDocuments(db: Db, documents: readonly Buffer[]): unknown {
  const driver = driverModuleOf(db.client);
  if (driver.documentSequence) {
    const sequence = new driver.documentSequence('documents');
    for (const document of documents) sequence.push(undefined, document);
    return sequence;
  }
  return documents.map((document) =>
    driver.bson.deserialize(document, { promoteValues: false, promoteBuffers: false, bsonRegExp: true }),
  );
}
