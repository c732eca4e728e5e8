import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PART_SIZE,
  MAX_PART_SIZE,
  MAX_UPLOAD_PARTS,
  MIN_PART_SIZE,
  partSizeFor,
} from '../../../src/storage/part-size.js';

describe('partSizeFor', () => {
  it('a declared 6 TB stream fits in 10,000 parts, each within S3 limits', () => {
    const sixTb = 6e12;
    const size = partSizeFor(sixTb);
    expect(size * MAX_UPLOAD_PARTS).toBeGreaterThanOrEqual(sixTb);
    expect(size).toBeLessThanOrEqual(MAX_PART_SIZE);
    expect(size % (1024 * 1024)).toBe(0);
    expect(size).toBe(573 * 1024 * 1024); // the smallest whole MiB that does
    expect((size - 1024 * 1024) * MAX_UPLOAD_PARTS).toBeLessThan(sixTb);
  });

  it('10,000 parts reach 5 TB (S3 object limit) when that much is declared', () => {
    expect(partSizeFor(5 * 1024 ** 4) * MAX_UPLOAD_PARTS).toBeGreaterThanOrEqual(5 * 1024 ** 4);
  });

  it('small or unknown-but-modest sizes use the default, never below the S3 minimum', () => {
    expect(partSizeFor(0)).toBe(DEFAULT_PART_SIZE);
    expect(partSizeFor(1e9)).toBe(DEFAULT_PART_SIZE);
    expect(partSizeFor(1e9, 1)).toBe(MIN_PART_SIZE);
  });

  it('refuses what 10,000 parts of 5 GiB cannot hold, and nonsense', () => {
    expect(() => partSizeFor(MAX_PART_SIZE * MAX_UPLOAD_PARTS + 1)).toThrow(/does not fit/);
    expect(() => partSizeFor(-1)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => partSizeFor(Number.NaN)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
