/**
 * Reading a `raw: true` cursor a batch at a time: the documents of each server reply as views of its bytes, with no
 * per-document work in the driver.
 *
 * @packageDocumentation
 */

/** The cursor methods used: public in every supported driver major. */
export interface RawCursor {
  hasNext(): Promise<boolean>;
  readBufferedDocuments(count?: number): unknown[];
}

/** Documents handed out per call at most, so that the views of a 16 MiB reply never pile up. */
export const RAW_BATCH_DOCUMENTS = 1024;

/** BSON type of an embedded document. */
const BSON_DOCUMENT = 0x03;

/**
 * The driver's parsed reply (`CursorResponse`, not public): the batch array with its elements already located
 * (type, name offset, name length, value offset, value length), and how many of them were handed out.
 */
interface CursorResponseLike {
  iterated: number;
  readonly batchSize: number;
  readonly batch: { readonly bson: Uint8Array; readonly elements: ArrayLike<ArrayLike<number>> };
}

/**
 * Yields the documents of `cursor` (opened with `raw: true`) in order, in arrays of at most
 * {@link RAW_BATCH_DOCUMENTS}, each a view of the driver's reply (nothing decoded, nothing copied). The views stay
 * valid: each reply is a buffer of its own, never reused by the driver.
 *
 * With the drivers that keep a reply's batch as located elements (mongodb 6.8 and later), the documents are taken
 * from there directly; the driver's own path (`readBufferedDocuments`, which builds a lazy document object per
 * document to return its bytes) is the fallback, with the same bytes.
 */
export async function* rawBatches(cursor: RawCursor): AsyncGenerator<Uint8Array[], void, undefined> {
  while (await cursor.hasNext()) {
    yield takeBuffered(cursor) ?? (cursor.readBufferedDocuments(RAW_BATCH_DOCUMENTS) as Uint8Array[]);
  }
}

/**
 * Up to {@link RAW_BATCH_DOCUMENTS} buffered documents of `cursor` taken from its reply's located elements, or
 * `undefined` when the driver does not keep its reply that way (the caller then asks the driver).
 *
 * @throws Error when an element of the batch is not a document or its length disagrees with the reply (a reply the
 * driver itself would refuse).
 */
export function takeBuffered(cursor: RawCursor): Uint8Array[] | undefined {
  const response = (cursor as { documents?: unknown }).documents;
  if (!isCursorResponse(response)) return undefined;
  const { bson, elements } = response.batch;
  const start = response.iterated;
  const end = Math.min(response.batchSize, start + RAW_BATCH_DOCUMENTS);
  const documents: Uint8Array[] = new Array<Uint8Array>(Math.max(end - start, 0));
  for (let i = start; i < end; i++) {
    const element = elements[i] as ArrayLike<number>;
    const offset = element[3] as number;
    const length = element[4] as number;
    const declared =
      ((bson[offset] as number) |
        ((bson[offset + 1] as number) << 8) |
        ((bson[offset + 2] as number) << 16) |
        ((bson[offset + 3] as number) << 24)) >>>
      0;
    if (element[0] !== BSON_DOCUMENT || declared !== length || offset + length > bson.length) {
      throw new Error(`The server's reply holds a malformed document at position ${i} of its batch`);
    }
    documents[i - start] = Buffer.from(bson.buffer, bson.byteOffset + offset, length);
  }
  response.iterated = end;
  return documents;
}

function isCursorResponse(value: unknown): value is CursorResponseLike {
  if (typeof value !== 'object' || value === null) return false;
  const response = value as Partial<CursorResponseLike>;
  if (typeof response.iterated !== 'number' || typeof response.batchSize !== 'number') return false;
  const batch = response.batch as Partial<CursorResponseLike['batch']> | undefined;
  return (
    typeof batch === 'object' &&
    batch !== null &&
    batch.bson instanceof Uint8Array &&
    Array.isArray(batch.elements) &&
    batch.elements.length === response.batchSize
  );
}
