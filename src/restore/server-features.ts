import type { Document } from 'bson';

/**
 * Whether the target accepts `bypassEmptyTsReplacement` on inserts, so that `Timestamp(0, 0)` values are stored as
 * they are instead of being replaced by the current time: MongoDB 8.0 and later, and the backports in 7.0.13+,
 * 6.0.17+ and 5.0.29+. FerretDB accepts and ignores the flag.
 */
export function acceptsLiteralZeroTimestamp(buildInfo: Document): boolean {
  if (isFerretDb(buildInfo)) return true;
  const [major, minor, patch] = versionOf(buildInfo);
  if (major >= 8) return true;
  if (minor !== 0) return false;
  const minimumPatch: Record<number, number> = { 7: 13, 6: 17, 5: 29 };
  const needed = minimumPatch[major];
  return needed !== undefined && patch >= needed;
}

/** Whether `createIndexes` accepts `ignoreUnknownIndexOptions` (MongoDB 4.1.9 and later; not FerretDB). */
export function acceptsIgnoreUnknownIndexOptions(buildInfo: Document): boolean {
  if (isFerretDb(buildInfo)) return false;
  const [major, minor, patch] = versionOf(buildInfo);
  return major > 4 || (major === 4 && (minor > 1 || (minor === 1 && patch >= 9)));
}

function isFerretDb(buildInfo: Document): boolean {
  return buildInfo['ferretdbVersion'] !== undefined;
}

function versionOf(buildInfo: Document): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = String(buildInfo['version'] ?? '')
    .split(/[.-]/)
    .map((part) => Number.parseInt(part, 10) || 0);
  return [major, minor, patch];
}
