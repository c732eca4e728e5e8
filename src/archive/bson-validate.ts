/**
 * Checking the structure of a raw BSON document without decoding it: what `verify: 'before'` runs on every
 * document, so that a backup the server would refuse halfway is refused before anything is written.
 *
 * @packageDocumentation
 */

/** Deeper nesting is refused (the server refuses documents nested deeper than about 200 levels). */
export const MAX_BSON_DEPTH = 250;

/**
 * Checks that `document` is one well-formed BSON document: its length prefix matches, every element has a known
 * type, a NUL-terminated name and a value that fits inside its parent (strings with a valid length and trailing
 * NUL, booleans 0 or 1, binary and code-with-scope lengths consistent, sub-documents recursively well-formed, at
 * most {@link MAX_BSON_DEPTH} levels), and the document ends with its 0x00 right at the end.
 *
 * @returns `undefined` when well-formed, else what is wrong and at which byte.
 */
export function bsonStructureError(document: Uint8Array): string | undefined {
  try {
    checkDocument(document, 0, document.length, 1);
    return undefined;
  } catch (error) {
    if (error instanceof BsonShapeError) return error.message;
    throw error;
  }
}

// The checks below run on every document of a restore: plain byte reads (no Buffer wrapper, no bounds-checked
// readers), names scanned in place, and an exception only for a malformed document.

class BsonShapeError extends Error {}

function fail(offset: number, expected: string): never {
  throw new BsonShapeError(`at byte ${offset}: expected ${expected}`);
}

/** The little-endian int32 at `at` (the caller has checked that 4 bytes are there). */
function int32(buf: Uint8Array, at: number): number {
  return (
    (buf[at] as number) |
    ((buf[at + 1] as number) << 8) |
    ((buf[at + 2] as number) << 16) |
    ((buf[at + 3] as number) << 24)
  );
}

/** Checks the document spanning exactly `start..end`. */
function checkDocument(buf: Uint8Array, start: number, end: number, depth: number): void {
  if (depth > MAX_BSON_DEPTH) fail(start, `at most ${MAX_BSON_DEPTH} levels of nesting`);
  if (end - start < 5) fail(start, 'a document of at least 5 bytes');
  const length = int32(buf, start);
  if (length !== end - start) fail(start, `a length prefix of ${end - start}, found ${length}`);
  if (buf[end - 1] !== 0) fail(end - 1, 'the document to end with 0x00');
  let at = start + 4;
  const last = end - 1;
  while (at < last) {
    const type = buf[at] as number;
    at = skipCString(buf, at + 1, last);
    at = checkValue(buf, type, at, last, depth);
  }
  if (at !== last) fail(at, 'the last element to end right before the closing 0x00');
}

/** Skips a NUL-terminated string starting at `at` that must end before `limit`; returns the offset after its NUL. */
function skipCString(buf: Uint8Array, at: number, limit: number): number {
  let nul = at;
  while (nul < limit && buf[nul] !== 0) nul += 1;
  if (nul >= limit) fail(at, 'a NUL-terminated name inside the document');
  return nul + 1;
}

/** Checks a BSON string (int32 length including the NUL, bytes, NUL); returns the offset after it. */
function checkString(buf: Uint8Array, at: number, limit: number): number {
  if (at + 4 > limit) fail(at, 'a string length inside the document');
  const length = int32(buf, at);
  if (length < 1 || at + 4 + length > limit)
    fail(at, `a string length that fits the document, found ${length}`);
  if (buf[at + 4 + length - 1] !== 0) fail(at + 4 + length - 1, 'a string ending with 0x00');
  return at + 4 + length;
}

/** Checks a sub-document starting at `at` inside `..limit`; returns the offset after it. */
function checkEmbedded(buf: Uint8Array, at: number, limit: number, depth: number): number {
  if (at + 4 > limit) fail(at, 'a sub-document length inside the document');
  const length = int32(buf, at);
  if (length < 5 || at + length > limit)
    fail(at, `a sub-document length that fits the document, found ${length}`);
  checkDocument(buf, at, at + length, depth + 1);
  return at + length;
}

function fixed(at: number, size: number, limit: number): number {
  if (at + size > limit) fail(at, `${size} value bytes inside the document`);
  return at + size;
}

/** Checks one value of the given type starting at `at`; returns the offset after it. */
function checkValue(buf: Uint8Array, type: number, at: number, limit: number, depth: number): number {
  switch (type) {
    case 0x01: // double
    case 0x09: // UTC datetime
    case 0x11: // timestamp
    case 0x12: // int64
      return fixed(at, 8, limit);
    case 0x02: // string
    case 0x0d: // JavaScript code
    case 0x0e: // symbol
      return checkString(buf, at, limit);
    case 0x03: // document
    case 0x04: // array
      return checkEmbedded(buf, at, limit, depth);
    case 0x05: {
      // binary: int32 length, subtype, bytes
      if (at + 5 > limit) fail(at, 'a binary length and subtype inside the document');
      const length = int32(buf, at);
      if (length < 0 || at + 5 + length > limit)
        fail(at, `a binary length that fits the document, found ${length}`);
      if (buf[at + 4] === 0x02 && (length < 4 || int32(buf, at + 5) !== length - 4)) {
        fail(at + 5, 'the old binary subtype 0x02 to hold its own length (total - 4)');
      }
      return at + 5 + length;
    }
    case 0x06: // undefined
    case 0x0a: // null
    case 0xff: // min key
    case 0x7f: // max key
      return at;
    case 0x07: // ObjectId
      return fixed(at, 12, limit);
    case 0x08: // boolean
      if (at + 1 > limit) fail(at, 'a boolean byte inside the document');
      if (buf[at] !== 0 && buf[at] !== 1)
        fail(at, `a boolean 0x00 or 0x01, found 0x${(buf[at] ?? 0).toString(16)}`);
      return at + 1;
    case 0x0b: // regular expression: pattern, options
      return skipCString(buf, skipCString(buf, at, limit), limit);
    case 0x0c: // DBPointer: string, ObjectId
      return fixed(checkString(buf, at, limit), 12, limit);
    case 0x0f: {
      // code with scope: int32 total, string, document
      if (at + 4 > limit) fail(at, 'a code-with-scope length inside the document');
      const total = int32(buf, at);
      if (total < 14 || at + total > limit) fail(at, `a code-with-scope length that fits, found ${total}`);
      const afterCode = checkString(buf, at + 4, at + total);
      if (checkEmbedded(buf, afterCode, at + total, depth) !== at + total) {
        fail(at, 'a code-with-scope length equal to its code and scope');
      }
      return at + total;
    }
    case 0x10: // int32
      return fixed(at, 4, limit);
    case 0x13: // decimal128
      return fixed(at, 16, limit);
    default:
      return fail(at - 1, `a known BSON type, found 0x${type.toString(16).padStart(2, '0')}`);
  }
}
