/**
 * Likely causes of common read failures, appended to error messages.
 *
 * @internal
 * @packageDocumentation
 */

/** Appended to every error caused by input that ends too early. */
export const TRUNCATION_HINT = 'the file ends early: was the copy or the dump interrupted?';

/**
 * Guesses why a stream does not start with the archive magic number, from its first bytes.
 *
 * @returns a sentence to append to the message, or "" when nothing obvious stands out.
 */
export function badMagicHint(sample: Uint8Array): string {
  if (sample[0] === 0x1f && sample[1] === 0x8b) return 'the file looks gzipped; pass gzip: true or "auto"';
  if (
    (sample[0] === 0xff && sample[1] === 0xfe) ||
    (sample[0] === 0xfe && sample[1] === 0xff) ||
    everyOtherByteZero(sample)
  ) {
    return 'was the file re-encoded as UTF-16 text? Copy it as binary';
  }
  if (
    sample.length > 0 &&
    sample.every((byte) => byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f))
  ) {
    return 'it looks like text: is this a JSON export (mongoexport) rather than a mongodump --archive file?';
  }
  return '';
}

function everyOtherByteZero(sample: Uint8Array): boolean {
  if (sample.length < 8) return false;
  let evenZero = true;
  let oddZero = true;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] !== 0) {
      if (i % 2 === 0) evenZero = false;
      else oddZero = false;
    }
  }
  return evenZero !== oddZero;
}

/** Joins a message and an optional hint. */
export function withHint(message: string, hint: string): string {
  return hint === '' ? message : `${message} (${hint})`;
}
