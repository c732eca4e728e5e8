/**
 * Server replies sized in bytes rather than in documents. Without a `batchSize`, a dump asks each `getMore` for as
 * many documents as fill about {@link REPLY_BYTES_TARGET} at the average size read so far from that collection.
 *
 * Left to the defaults, a reply's size follows the data: mongod sends up to 16 MiB per `getMore`, driver 6 asks for
 * 1000 documents, FerretDB sends a few hundred. Large documents then make large replies (the reply, the socket reads
 * it is assembled from and the garbage of both are what a dump's memory is made of), and small ones make many round
 * trips (each costs the client about a millisecond of CPU in the driver). A reply of about half a MiB bounds the
 * first and keeps the second small.
 *
 * @packageDocumentation
 */

/** Bytes of documents a dump asks the server for per reply when no `batchSize` is given. */
export const REPLY_BYTES_TARGET = 512 * 1024;

/** Documents per `getMore` that fill about {@link REPLY_BYTES_TARGET} with documents of `averageBytes`; at least 1. */
export function batchSizeForReplyBytes(averageBytes: number): number {
  return Math.max(1, Math.floor(REPLY_BYTES_TARGET / Math.max(averageBytes, 1)));
}

/**
 * Sets how many documents `cursor` asks for in its next `getMore`s. The driver reads the number from its internal
 * `cursorOptions` at each `getMore` (mongodb 6 and 7), while its public `batchSize()` refuses once the cursor has
 * started. Returns `false`, changing nothing, when the cursor does not keep it there: the driver's and the server's
 * defaults then stay, which costs memory or round trips, never documents.
 */
export function steerBatchSize(cursor: object, documents: number): boolean {
  const options = (cursor as { cursorOptions?: unknown }).cursorOptions;
  if (typeof options !== 'object' || options === null) return false;
  const current = (options as { batchSize?: unknown }).batchSize;
  if (current !== undefined && typeof current !== 'number') return false;
  (options as { batchSize?: number }).batchSize = documents;
  return true;
}
