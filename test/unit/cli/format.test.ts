import { describe, expect, it } from 'vitest';

import {
  formatBytes,
  formatDate,
  formatDuration,
  formatTable,
  plural,
  toJson,
} from '../../../src/cli/format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [12.34 * 1024 * 1024, '12.3 MiB'],
    [512 * 1024 * 1024, '512 MiB'],
    [1.21 * 1024 ** 3, '1.21 GiB'],
    [3 * 1024 ** 4, '3.00 TiB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [1234, '1.23 s'],
    [59_990, '59.99 s'],
    [123_000, '2m 03s'],
    [3_723_000, '1h 02m 03s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatTable', () => {
  it('pads columns to the widest cell, aligns right when asked and trims trailing spaces', () => {
    expect(
      formatTable(
        ['NAME', 'SIZE', 'NOTE'],
        [
          ['a.gz', '1.00 KiB', ''],
          ['longer-name.gz', '12 B', 'x'],
        ],
        { align: ['left', 'right', 'left'] },
      ),
    ).toEqual(['NAME                SIZE  NOTE', 'a.gz            1.00 KiB', 'longer-name.gz      12 B  x']);
  });

  it('prints just the header for no rows', () => {
    expect(formatTable(['A', 'B'], [])).toEqual(['A  B']);
  });
});

describe('toJson and small helpers', () => {
  it('writes bigints as strings and dates as ISO 8601', () => {
    const parsed = JSON.parse(
      toJson({ crc: -682997726120892866n, at: new Date(Date.UTC(2026, 10, 21)) }),
    ) as unknown;
    expect(parsed).toEqual({ crc: '-682997726120892866', at: '2026-11-21T00:00:00.000Z' });
  });

  it('writes one line when asked for no indentation', () => {
    expect(toJson({ a: [1, 2] }, 0)).toBe('{"a":[1,2]}');
  });

  it('pluralises and formats dates', () => {
    expect(plural(1, 'backup')).toBe('1 backup');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
    expect(formatDate(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(formatDate(new Date(Number.NaN))).toBe('invalid date');
  });
});
