/**
 * Text formatting shared by the commands: tables, human-readable sizes and durations, JSON output.
 *
 * @packageDocumentation
 */

/** Column alignment in {@link formatTable}. */
export type Align = 'left' | 'right';

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Alignment per column. Defaults to left for every column. */
  readonly align?: readonly Align[];
  /** Spaces between columns. Defaults to 2. */
  readonly gap?: number;
}

const SIZE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Lays out rows under a header, each column as wide as its widest cell; trailing spaces are trimmed.
 *
 * @example
 * ```ts
 * formatTable(['NAME', 'SIZE'], [['a.gz', '1.0 KiB']], { align: ['left', 'right'] });
 * // ['NAME     SIZE', 'a.gz  1.0 KiB']
 * ```
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string[] {
  const gap = ' '.repeat(options.gap ?? 2);
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    headers
      .map((_, column) => {
        const cell = cells[column] ?? '';
        const width = widths[column] ?? 0;
        return options.align?.[column] === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join(gap)
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/**
 * A byte count for humans, in binary units: `0 B`, `512 B`, `1.5 KiB`, `12.3 MiB`, `1.21 GiB`.
 *
 * @example
 * ```ts
 * formatBytes(1536); // '1.5 KiB'
 * ```
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  if (Math.abs(bytes) < 1024) return `${bytes} B`;
  let value = bytes;
  let unit: string = 'B';
  for (const next of SIZE_UNITS) {
    if (Math.abs(value) < 1024) break;
    value /= 1024;
    unit = next;
  }
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${unit}`;
}

/**
 * A duration for humans: `850 ms`, `1.23 s`, `2m 03s`, `1h 02m 03s`.
 *
 * @example
 * ```ts
 * formatDuration(123_000); // '2m 03s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}h ${pad(minutes)}m ${pad(seconds)}s` : `${minutes}m ${pad(seconds)}s`;
}

/** `1 backup`, `2 backups`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** A date as ISO 8601 UTC, e.g. `2026-11-21T23:10:54.123Z`. */
export function formatDate(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString();
}

/**
 * The one JSON document of `--json`: bigints as decimal strings (CRCs are signed 64-bit values that a JSON number
 * cannot hold), dates as ISO 8601 strings, two-space indentation.
 *
 * @example
 * ```ts
 * toJson({ crc: -682997726120892866n, at: new Date(0) });
 * // '{\n  "crc": "-682997726120892866",\n  "at": "1970-01-01T00:00:00.000Z"\n}'
 * ```
 */
export function toJson(value: unknown, indent: number | undefined = 2): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item),
    indent,
  );
}
