/**
 * Test helpers for ordered documents (`Map`s, see OrderedDocument): convert to and from plain objects where a test
 * compares values, not key order.
 */

import { toOrderedDocument, type OrderedDocument } from '../../src/archive/ordered-document.js';

/** A plain-object copy of an ordered value, nested `Map`s included (integer-like keys then enumerate first). */
export function plainOf(value: unknown): unknown {
  if (value instanceof Map) {
    return Object.fromEntries([...(value as OrderedDocument)].map(([key, item]) => [key, plainOf(item)]));
  }
  if (Array.isArray(value)) return value.map(plainOf);
  return value;
}

/** An ordered document from a plain object literal (keys in JavaScript's enumeration order). */
export function ordered(value: Record<string, unknown>): OrderedDocument {
  return toOrderedDocument(value);
}
