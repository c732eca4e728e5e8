import { describe, expect, it } from 'vitest';
import { REPLY_BYTES_TARGET, batchSizeForReplyBytes, steerBatchSize } from '../../../src/dump/reply-size.js';

describe('reply sizes in bytes', () => {
  it('asks for as many documents as fill the target, at least one', () => {
    expect(batchSizeForReplyBytes(16 * 1024)).toBe(REPLY_BYTES_TARGET / (16 * 1024));
    expect(batchSizeForReplyBytes(499)).toBe(Math.floor(REPLY_BYTES_TARGET / 499));
    expect(batchSizeForReplyBytes(REPLY_BYTES_TARGET * 4)).toBe(1);
    expect(batchSizeForReplyBytes(0)).toBe(REPLY_BYTES_TARGET);
  });

  it('sets the batch size where the driver reads it, and changes nothing where it is not', () => {
    const cursor = { cursorOptions: { batchSize: undefined as number | undefined } };
    expect(steerBatchSize(cursor, 32)).toBe(true);
    expect(cursor.cursorOptions.batchSize).toBe(32);

    expect(steerBatchSize({}, 32)).toBe(false);
    const other = { cursorOptions: { batchSize: 'all' } };
    expect(steerBatchSize(other, 32)).toBe(false);
    expect(other.cursorOptions.batchSize).toBe('all');
  });
});
