import { Decimal128, Double, Int32, Long, type Document } from 'bson';

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
 * double becomes 1, or -1 when below zero), and unknown options are removed.
 */
export function convertLegacyIndex(spec: Document): Document {
  const converted: Document = {};
  for (const [option, value] of Object.entries(spec)) {
    if (!VALID_INDEX_OPTIONS.has(option)) continue;
    converted[option] = option === 'key' ? convertKey(value as Document) : value;
  }
  return converted;
}

function convertKey(key: Document): Document {
  const out: Document = {};
  for (const [field, value] of Object.entries(key)) out[field] = convertKeyValue(value);
  return out;
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
