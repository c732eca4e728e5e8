import type { Document } from 'bson';
import { ErrorCode, MongoBackupUsageError } from '../errors.js';
import { isOrderedDocument, toOrderedDocument, type OrderedDocument } from '../archive/ordered-document.js';
import { parseOrderedExtendedJson } from '../archive/ordered-ejson.js';

/**
 * Reads a dump filter (`query`/`queries`): Extended JSON text is parsed keeping every key in its order, so
 * `{"b": {"9": 1, "a": 2, "1": 3}}` reaches the server as written (a plain object would send `"1"` and `"9"` first
 * and match other documents); a document given as an object or `Map` is taken in its own order.
 *
 * @throws {@link MongoBackupUsageError} when the text is not an Extended JSON object.
 */
export function parseQuery(query: string | Document | undefined, option: string): OrderedDocument {
  if (query === undefined) return new Map();
  if (typeof query !== 'string') return toOrderedDocument(query);
  let parsed: unknown;
  try {
    parsed = parseOrderedExtendedJson(query);
  } catch (error) {
    throw usage(option, query, error);
  }
  if (!isOrderedDocument(parsed)) throw usage(option, query);
  return parsed;
}

function usage(option: string, query: string, cause?: unknown): MongoBackupUsageError {
  return new MongoBackupUsageError(
    ErrorCode.INVALID_OPTIONS,
    `${option}: expected an Extended JSON object, got ${JSON.stringify(query)}`,
    cause === undefined ? undefined : { cause },
  );
}
