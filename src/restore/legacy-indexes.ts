import { Decimal128, Double, Int32, Long } from 'bson';
import { isOrderedDocument, type OrderedDocument } from '../archive/ordered-document.js';

/** Index options the server knows; others are dropped by {@link convertLegacyIndex}. */
const VALID_INDEX_OPTIONS: ReadonlySet<string> = new Set([
  '2dsphereIndexVersion',
  'background',
  'bits',
  'bucketSize',
  'coarsestIndexedLevel',
  'collation',
  'default_language',
  'expireAfterSeconds',
  'finestIndexedLevel',
  'key',
  'language_override',
  'max',
  'min',
  'name',
  'ns',
  'partialFilterExpression',
  'sparse',
  'storageEngine',
  'textIndexVersion',
  'unique',
  'v',
  'weights',
  'wildcardProjection',
]);

const EPSILON = 1e-9;

/**
 * Rewrites an index spec from servers before 3.4 into one current servers accept (mongorestore's
 * `--convertLegacyIndexes`): key values that are zero, an empty string, or not a number or string become 1 (a zero
 * double becomes 1, or -1 when below zero), and unknown options are removed. Keys keep their order.
 */
export function convertLegacyIndex(spec: OrderedDocument): OrderedDocument {
  const converted = new Map<string, unknown>();
  for (const [option, value] of spec) {
    if (!VALID_INDEX_OPTIONS.has(option)) continue;
    converted.set(option, option === 'key' && isOrderedDocument(value) ? convertKey(value) : value);
  }
  return converted;
}

/**
 * Converts every index spec (see {@link convertLegacyIndex}) and, as mongorestore does, leaves out each one whose
 * converted key equals the key of one before it (legacy `{ a: 0 }` next to `{ a: 1 }`): the server would refuse the
 * whole `createIndexes` command for it. Returns the specs to build and the names of those left out.
 */
export function convertLegacyIndexes(specs: readonly OrderedDocument[]): {
  readonly kept: OrderedDocument[];
  readonly duplicates: string[];
} {
  const kept: OrderedDocument[] = [];
  const duplicates: string[] = [];
  for (const spec of specs) {
    const converted = convertLegacyIndex(spec);
    const key = converted.get('key');
    const same = kept.some((other) => sameIndexKey(other.get('key'), key));
    if (same) duplicates.push(String(converted.get('name')));
    else kept.push(converted);
  }
  return { kept, duplicates };
}

/** Index keys equal field by field, in order: strings exactly, numbers within 1e-9 (mongorestore's rule). */
function sameIndexKey(a: unknown, b: unknown): boolean {
  if (!isOrderedDocument(a) || !isOrderedDocument(b) || a.size !== b.size) return false;
  const right = [...b];
  return [...a].every(([field, value], i) => {
    const [otherField, otherValue] = right[i] as [string, unknown];
    if (field !== otherField) return false;
    if (typeof value === 'string' || typeof otherValue === 'string') return value === otherValue;
    const x = numberOf(value);
    const y = numberOf(otherValue);
    return x !== undefined && y !== undefined && Math.abs(x - y) < EPSILON;
  });
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof Int32 || value instanceof Double) return value.value;
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Math.trunc(Number(value.toString()));
  return undefined;
}

function convertKey(key: OrderedDocument): OrderedDocument {
  return new Map([...key].map(([field, value]) => [field, convertKeyValue(value)]));
}

function convertKeyValue(value: unknown): unknown {
  if (typeof value === 'string') return value === '' ? new Int32(1) : value;
  if (value instanceof Int32) return value.value === 0 ? new Int32(1) : value;
  if (value instanceof Long) return value.isZero() ? new Int32(1) : value;
  if (value instanceof Double || typeof value === 'number') {
    const number = typeof value === 'number' ? value : value.value;
    return Math.abs(number) < EPSILON ? new Int32(number >= 0 ? 1 : -1) : value;
  }
  if (value instanceof Decimal128)
    return /^-?0(\.0*)?(E[+-]?\d+)?$/i.test(value.toString()) ? new Int32(1) : value;
  return new Int32(1);
}
