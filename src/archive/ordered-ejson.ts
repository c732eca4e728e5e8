/**
 * Extended JSON that keeps key order: `bson`'s `EJSON.parse` builds plain objects, whose integer-like keys enumerate
 * first, so `{"b": {"9": 1, "a": 2}}` would come back as `{"b": {"9": 1, ...}}` reordered. These read and write the
 * {@link OrderedDocument} representation instead, with `bson`'s own rules for every type wrapper.
 *
 * @packageDocumentation
 */

import { Code, EJSON, type Document } from 'bson';
import { isPlainDocument, type OrderedDocument } from './ordered-document.js';

/**
 * Parses Extended JSON text (canonical or relaxed, as `EJSON.parse` with `relaxed: false` reads it: bare numbers
 * become `Int32`, `Long` or `Double`) into ordered values: every JSON object that is not a type wrapper (`$oid`,
 * `$numberInt`, `$date`...) becomes a `Map` with the keys in the text's order.
 *
 * @throws `SyntaxError` when the text is not JSON, or what `bson` throws for an invalid type wrapper.
 */
export function parseOrderedExtendedJson(text: string): unknown {
  const parser = new JsonParser(text);
  const value = parser.value();
  parser.end();
  return value;
}

/**
 * Formats ordered values (see {@link parseOrderedExtendedJson}) as canonical Extended JSON v2 text without spaces,
 * as mongodump writes it; `Map`s keep their order. Plain objects are written in their enumeration order.
 */
export function stringifyOrderedExtendedJson(value: unknown): string {
  if (value instanceof Map) return stringifyEntries([...(value as OrderedDocument)]);
  if (Array.isArray(value))
    return `[${value.map((item: unknown) => stringifyOrderedExtendedJson(item === undefined ? null : item)).join(',')}]`;
  if (isPlainDocument(value)) return stringifyEntries(Object.entries(value));
  if (value instanceof Code && value.scope !== null && value.scope !== undefined) {
    return `{"$code":${JSON.stringify(value.code)},"$scope":${stringifyOrderedExtendedJson(value.scope)}}`;
  }
  return EJSON.stringify(value as Document, { relaxed: false });
}

function stringifyEntries(entries: readonly (readonly [string, unknown])[]): string {
  const parts = entries
    .filter(([, item]) => item !== undefined)
    .map(([key, item]) => `${JSON.stringify(key)}:${stringifyOrderedExtendedJson(item)}`);
  return `{${parts.join(',')}}`;
}

/** Turns a parsed JSON object into a `bson` value when it is a type wrapper, else keeps it as an ordered `Map`. */
function fromJsonObject(entries: Map<string, unknown>): unknown {
  const first = entries.keys().next().value;
  const code = entries.get('$code');
  const scope = entries.get('$scope');
  if (first === '$code' && typeof code === 'string' && entries.size === 2 && scope instanceof Map) {
    // Code with scope: the scope is a document whose keys keep their order.
    return new Code(code, scope as unknown as Document);
  }
  if (typeof first === 'string' && first.startsWith('$')) {
    const decoded: unknown = EJSON.deserialize(toPlain(entries) as Document, { relaxed: false });
    const tag = (decoded as { _bsontype?: unknown } | null)?._bsontype;
    // A DBRef is an ordinary document with `$ref`/`$id` first: kept as such, it encodes to the same bytes.
    if (decoded instanceof Date || (typeof tag === 'string' && tag !== 'DBRef')) return decoded;
  }
  return entries;
}

/** The plain JSON form of a parsed type wrapper, whose keys are fixed names (no integer-like keys). */
function toPlain(value: unknown): unknown {
  if (value instanceof Map) {
    return Object.fromEntries([...(value as OrderedDocument)].map(([key, item]) => [key, toPlain(item)]));
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object' && value !== null && '_bsontype' in value) {
    return JSON.parse(EJSON.stringify(value as Document, { relaxed: false })) as unknown;
  }
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** A small recursive-descent JSON parser that builds `Map`s. */
class JsonParser {
  #at = 0;

  constructor(readonly text: string) {}

  value(): unknown {
    this.#skip();
    const char = this.text[this.#at];
    switch (char) {
      case '{':
        return this.#object();
      case '[':
        return this.#array();
      case '"':
        return this.#string();
      case 't':
        return this.#literal('true', true);
      case 'f':
        return this.#literal('false', false);
      case 'n':
        return this.#literal('null', null);
      default:
        return this.#number();
    }
  }

  end(): void {
    this.#skip();
    if (this.#at < this.text.length) this.#fail('unexpected text after the JSON value');
  }

  #object(): unknown {
    this.#at += 1;
    const entries = new Map<string, unknown>();
    this.#skip();
    if (this.text[this.#at] === '}') {
      this.#at += 1;
      return fromJsonObject(entries);
    }
    for (;;) {
      this.#skip();
      if (this.text[this.#at] !== '"') this.#fail('expected a string key');
      const key = this.#string();
      this.#skip();
      this.#expect(':');
      const item = this.value();
      entries.set(key, item);
      this.#skip();
      if (this.text[this.#at] === ',') {
        this.#at += 1;
        continue;
      }
      this.#expect('}');
      return fromJsonObject(entries);
    }
  }

  #array(): unknown[] {
    this.#at += 1;
    const items: unknown[] = [];
    this.#skip();
    if (this.text[this.#at] === ']') {
      this.#at += 1;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.#skip();
      if (this.text[this.#at] === ',') {
        this.#at += 1;
        continue;
      }
      this.#expect(']');
      return items;
    }
  }

  #string(): string {
    const start = this.#at;
    let at = start + 1;
    for (;;) {
      const char = this.text[at];
      if (char === undefined) this.#fail('unterminated string');
      if (char === '\\') at += 2;
      else if (char === '"') break;
      else at += 1;
    }
    this.#at = at + 1;
    try {
      return JSON.parse(this.text.slice(start, at + 1)) as string;
    } catch {
      return this.#fail('invalid string');
    }
  }

  #number(): unknown {
    NUMBER.lastIndex = this.#at;
    const match = NUMBER.exec(this.text);
    if (!match) return this.#fail('unexpected character');
    this.#at += match[0].length;
    // Bare numbers follow bson's reading of Extended JSON: Int32, Long or Double by value.
    return EJSON.deserialize(JSON.parse(match[0]) as Document, { relaxed: false });
  }

  #literal(word: string, value: boolean | null): boolean | null {
    if (!this.text.startsWith(word, this.#at)) this.#fail('unexpected character');
    this.#at += word.length;
    return value;
  }

  #expect(char: string): void {
    if (this.text[this.#at] !== char) this.#fail(`expected "${char}"`);
    this.#at += 1;
  }

  #skip(): void {
    WHITESPACE.lastIndex = this.#at;
    WHITESPACE.exec(this.text);
    this.#at = WHITESPACE.lastIndex;
  }

  #fail(why: string): never {
    throw new SyntaxError(`${why} at position ${this.#at} of the JSON text`);
  }
}
