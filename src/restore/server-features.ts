import type { Document } from 'bson';

/**
 * Whether the target accepts `bypassEmptyTsReplacement` on inserts, so that `Timestamp(0, 0)` values are stored as
 * they are instead of being replaced by the current time: MongoDB 8.0 and later, and the backports in 7.0.13+,
 * 6.0.17+ and 5.0.29+. FerretDB accepts and ignores the flag.
 */
export function acceptsLiteralZeroTimestamp(buildInfo: Document): boolean {
  if (buildInfo['ferretdbVersion'] !== undefined) return true;
  const [major = 0, minor = 0, patch = 0] = String(buildInfo['version'] ?? '')
    .split(/[.-]/)
    .map((part) => Number.parseInt(part, 10) || 0);
  if (major >= 8) return true;
  if (minor !== 0) return false;
  const minimumPatch: Record<number, number> = { 7: 13, 6: 17, 5: 29 };
  const needed = minimumPatch[major];
  return needed !== undefined && patch >= needed;
}
