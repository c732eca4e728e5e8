/**
 * File names of a mongodump directory dump.
 *
 * A collection's files are `<stem>.bson` and `<stem>.metadata.json` (plus `.gz` with `--gzip`), where the stem is
 * the collection name URL-query-escaped: ASCII letters, digits and `-_.~` are kept, a space becomes `+`, every
 * other byte of the UTF-8 encoding becomes `%XX` (uppercase hex). So `cafés` is stored as `caf%C3%A9s`.
 *
 * When the escaped name is longer than 238 characters (so that the longest file name,
 * `<stem>.metadata.json.gz`, stays within 255 bytes), the stem becomes the first 208 characters of the ESCAPED name,
 * then `%24` (an escaped `$`), then the unpadded base64url SHA-1 of the RAW collection name's UTF-8 bytes (27
 * characters): 238 characters in all. The cut may fall inside a `%XX` triple, so such a stem cannot be unescaped;
 * the real name is the `collectionName` of the metadata file. Checked against the real dump
 * `real-dirs/longcollectionname` (a 247-character name; the hash of the name alone, without the database, matches).
 *
 * @packageDocumentation
 */

import { createHash } from 'node:crypto';
import { databaseAuthKind } from '../namespace-layout.js';

/** The longest stem mongodump writes as the escaped name itself; longer escaped names are hashed. */
export const MAX_PLAIN_FILE_STEM_LENGTH = 238;

/** How many characters of the escaped name a hashed stem keeps before the `%24` delimiter. */
export const HASHED_STEM_PREFIX_LENGTH = 208;

/** The delimiter between the kept prefix and the hash in a hashed stem: an escaped `$`. */
export const HASHED_STEM_DELIMITER = '%24';

/** A hashed stem: 208 characters, `%24`, then 27 base64url characters (a SHA-1 without padding). */
const HASHED_STEM = new RegExp(`^[A-Za-z0-9\\-_.~+%]{${HASHED_STEM_PREFIX_LENGTH}}%24[A-Za-z0-9_-]{27}$`);

const UNRESERVED_BYTE = /^[A-Za-z0-9\-_.~]$/;

/** What a file of a database folder holds. */
export type DumpFileKind = 'bson' | 'metadata';

/** A recognised file name of a database folder. */
export interface DumpFileName {
  /** Documents (`.bson`) or collection metadata (`.metadata.json`). */
  readonly kind: DumpFileKind;
  /** The file name without its suffixes: the escaped (possibly hashed) collection name. */
  readonly stem: string;
  /** Whether the name ends in `.gz` (the file is then gzip-compressed). */
  readonly gzip: boolean;
}

/** Suffixes recognised in a database folder, longest first so that `.metadata.json.gz` wins over `.gz`. */
const SUFFIXES: readonly (readonly [suffix: string, kind: DumpFileKind, gzip: boolean])[] = [
  ['.metadata.json.gz', 'metadata', true],
  ['.metadata.json', 'metadata', false],
  ['.bson.gz', 'bson', true],
  ['.bson', 'bson', false],
  // Dumps from very old tools named data files `.bin`.
  ['.bin', 'bson', false],
];

/**
 * Escapes text as Go's `url.QueryEscape` does, which is how mongodump names collection files.
 *
 * @example
 * ```ts
 * queryEscape('cafés');  // 'caf%C3%A9s'
 * queryEscape('a b/c$'); // 'a+b%2Fc%24'
 * ```
 */
export function queryEscape(text: string): string {
  let escaped = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const character = String.fromCharCode(byte);
    if (UNRESERVED_BYTE.test(character)) escaped += character;
    else if (byte === 0x20) escaped += '+';
    else escaped += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return escaped;
}

/**
 * Reverses {@link queryEscape} as Go's `url.QueryUnescape` does (`+` is a space, `%XX` a byte, hex in either case).
 * Returns `undefined` when the text holds a malformed `%` sequence or the bytes are not UTF-8.
 *
 * @example
 * ```ts
 * queryUnescape('caf%C3%A9s'); // 'cafés'
 * queryUnescape('100%');       // undefined
 * ```
 */
export function queryUnescape(text: string): string | undefined {
  const bytes: number[] = [];
  let index = 0;
  while (index < text.length) {
    const character = String.fromCodePoint(text.codePointAt(index) ?? 0);
    if (character === '%') {
      const hex = text.slice(index + 1, index + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      index += 3;
    } else {
      bytes.push(...Buffer.from(character === '+' ? ' ' : character, 'utf8'));
      index += character.length;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/**
 * The stem mongodump gives a collection's files: the escaped name, or the hashed form past 238 characters.
 *
 * @example
 * ```ts
 * collectionFileStem('cafés'); // 'caf%C3%A9s'
 * collectionFileStem('x'.repeat(300)).length; // 238
 * collectionFileStem('$admin.system.users'); // '$admin.system.users' (as mongodump names it)
 * ```
 */
export function collectionFileStem(collection: string): string {
  // The per-database users, roles and auth-version files keep their `$` (`$admin.system.users.bson`).
  if (databaseAuthKind(collection) !== undefined) return collection;
  const escaped = queryEscape(collection);
  if (escaped.length <= MAX_PLAIN_FILE_STEM_LENGTH) return escaped;
  const hash = createHash('sha1').update(collection, 'utf8').digest('base64url');
  return escaped.slice(0, HASHED_STEM_PREFIX_LENGTH) + HASHED_STEM_DELIMITER + hash;
}

/**
 * Whether a stem has the hashed form, so that the collection name must come from the metadata's `collectionName`.
 * (mongorestore only checks for a 238-character stem holding `%24`; the full shape is checked here so that an
 * ordinary 238-character name with a `$` in it is not mistaken for one.)
 */
export function isHashedFileStem(stem: string): boolean {
  return HASHED_STEM.test(stem);
}

/**
 * Recognises the file name of a collection file in a database folder; `undefined` for anything else (`prelude.json`,
 * `.txt` files...), which readers ignore.
 *
 * @example
 * ```ts
 * parseDumpFileName('orders.metadata.json.gz'); // { kind: 'metadata', stem: 'orders', gzip: true }
 * parseDumpFileName('notes.txt');               // undefined
 * ```
 */
export function parseDumpFileName(fileName: string): DumpFileName | undefined {
  for (const [suffix, kind, gzip] of SUFFIXES) {
    if (fileName.length > suffix.length && fileName.endsWith(suffix)) {
      return { kind, stem: fileName.slice(0, -suffix.length), gzip };
    }
  }
  return undefined;
}

/**
 * The file name of a collection's documents or metadata, as mongodump writes it.
 *
 * @example
 * ```ts
 * dumpFileName('caf%C3%A9s', 'bson', true); // 'caf%C3%A9s.bson.gz'
 * ```
 */
export function dumpFileName(stem: string, kind: DumpFileKind, gzip: boolean): string {
  return `${stem}${kind === 'bson' ? '.bson' : '.metadata.json'}${gzip ? '.gz' : ''}`;
}
