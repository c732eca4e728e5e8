import { describe, expect, test } from 'vitest';
import { SegmentPool } from '../../../../src/archive/gzip/segment-pool.js';

describe('SegmentPool', () => {
  test('hands a released segment back for the next one of the same size class, at most 16 kept', () => {
    const pool = new SegmentPool();
    const first = pool.allocate(1024 * 1024 + 100);
    expect(first.length).toBe(1024 * 1024 + 64 * 1024);
    pool.release(first.subarray(0, 5000));
    expect(pool.allocate(1024 * 1024 + 300).buffer).toBe(first.buffer);
    expect(pool.allocate(1024 * 1024 + 300).buffer).not.toBe(first.buffer);
  });

  test('ignores views it could not have made, and keeps no more than 16', () => {
    const pool = new SegmentPool();
    const foreign = Buffer.alloc(100_000);
    pool.release(foreign);
    expect(pool.allocate(100_000).buffer).not.toBe(foreign.buffer);
    const made = Array.from({ length: 20 }, () => pool.allocate(70_000));
    for (const buffer of made) pool.release(buffer);
    const again = Array.from({ length: 20 }, () => pool.allocate(70_000));
    expect(again.filter((b) => made.some((m) => m.buffer === b.buffer))).toHaveLength(16);
  });
});
