/**
 * Parsing `--writeConcern` as mongorestore accepts it: `majority`, a number, or a document such as
 * `{w: 'majority', j: true, wtimeout: 500}` (JSON, or the relaxed form with bare keys and single quotes).
 *
 * @packageDocumentation
 */
import type { RestoreOptions } from '../restore/types.js';
import { usageError } from './args.js';

/** A write concern as {@link RestoreOptions.writeConcern} takes it. */
export type WriteConcern = NonNullable<RestoreOptions['writeConcern']>;

const EXPECTED = "expected majority, a number, or a document such as {w: 'majority', j: true, wtimeout: 500}";

/**
 * Parses the value of `--writeConcern`.
 *
 * @throws {@link MongoBackupUsageError} when the text is none of the accepted forms, or names an unknown field.
 *
 * @example
 * ```ts
 * parseWriteConcern('majority'); // { w: 'majority' }
 * parseWriteConcern('{w: 2, wtimeout: 500}'); // { w: 2, wtimeoutMS: 500 }
 * ```
 */
export function parseWriteConcern(text: string): WriteConcern {
  const trimmed = text.trim();
  if (trimmed === 'majority') return { w: 'majority' };
  if (/^\d+$/.test(trimmed)) return { w: Number(trimmed) };
  const document = parseDocument(trimmed);
  if (document === undefined) throw invalid(text);
  let concern: { w?: number | 'majority'; j?: boolean; wtimeoutMS?: number } = {};
  for (const [key, value] of Object.entries(document)) {
    if (key === 'w' && (value === 'majority' || isCount(value))) concern = { ...concern, w: value };
    else if (key === 'j' && typeof value === 'boolean') concern = { ...concern, j: value };
    else if ((key === 'wtimeout' || key === 'wtimeoutMS') && isCount(value))
      concern = { ...concern, wtimeoutMS: value };
    else {
      throw usageError(
        `--writeConcern: expected fields w (a number or "majority"), j (true or false) and wtimeout (milliseconds), ` +
          `got ${key}: ${JSON.stringify(value)}`,
      );
    }
  }
  return concern;
}

function parseDocument(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  for (const candidate of [text, relaxedToJson(text)]) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // Try the next form.
    }
  }
  return undefined;
}

/** `{w: 'majority'}` → `{"w": "majority"}`. */
function relaxedToJson(text: string): string {
  return text.replace(/'/g, '"').replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":');
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function invalid(text: string): Error {
  return usageError(`--writeConcern: ${EXPECTED}, got ${JSON.stringify(text)}`);
}
