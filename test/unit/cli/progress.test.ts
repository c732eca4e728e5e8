import { describe, expect, it } from 'vitest';

import { createDumpProgress, createRestoreProgress } from '../../../src/cli/progress.js';
import { CapturedOutput } from './helpers.js';

const dumpEvent = (
  phase: 'start' | 'progress' | 'end',
  namespace: string,
  documents: number,
  estimatedTotal = 0,
) => ({
  phase,
  namespace,
  documents,
  bytes: documents * 10,
  estimatedTotal,
});

describe('progress on a terminal', () => {
  it('rewrites one aggregate line with \\r, at most 10 times a second, and clears it at the end', () => {
    let now = 1000;
    const output = new CapturedOutput({ isTTY: true });
    const progress = createDumpProgress(output, { enabled: true, now: () => now });
    progress.onProgress(dumpEvent('start', 'shop.orders', 0, 4000));
    now += 50;
    progress.onProgress(dumpEvent('progress', 'shop.orders', 1000, 4000)); // throttled
    now += 60;
    progress.onProgress(dumpEvent('start', 'shop.users', 0, 10));
    now += 890;
    progress.onProgress(dumpEvent('progress', 'shop.orders', 2000, 4000));
    now += 1000;
    progress.onProgress(dumpEvent('end', 'shop.users', 10));
    expect(output.chunks).toEqual([
      '\r\x1b[Kdumping: 0 documents, 0 docs/s | shop.orders 0/4000',
      '\r\x1b[Kdumping: 1000 documents, 9091 docs/s | shop.orders 1000/4000, shop.users 0/10',
      '\r\x1b[Kdumping: 2000 documents, 2000 docs/s | shop.orders 2000/4000, shop.users 0/10',
      '\r\x1b[Kdumping: 2010 documents, 1005 docs/s | shop.orders 2000/4000',
    ]);
    progress.finish();
    expect(output.chunks.at(-1)).toBe('\r\x1b[K');
    progress.finish();
    expect(output.chunks).toHaveLength(5);
  });

  it('never renders more often than every 100 ms', () => {
    let now = 0;
    const output = new CapturedOutput({ isTTY: true });
    const progress = createDumpProgress(output, { enabled: true, now: () => now });
    for (let i = 0; i < 1000; i += 1) {
      now += 7;
      progress.onProgress(dumpEvent('progress', 'a.b', i));
    }
    expect(output.chunks.length).toBeLessThanOrEqual(Math.ceil(7000 / 100) + 1);
  });

  it('keeps the line within the terminal width', () => {
    const output = new CapturedOutput({ isTTY: true, columns: 40 });
    const progress = createDumpProgress(output, { enabled: true, now: () => 0 });
    progress.onProgress(dumpEvent('start', 'a_very_long_database_name.a_very_long_collection', 0));
    const line = String(output.chunks[0]).replace('\r\x1b[K', '');
    expect(line.length).toBe(39);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('progress elsewhere', () => {
  it('writes one line per namespace as it ends, nothing else', () => {
    const output = new CapturedOutput();
    const progress = createRestoreProgress(output, { enabled: true });
    progress.onProgress({ phase: 'start', source: 'a.x', target: 'b.x', documents: 0 });
    progress.onProgress({ phase: 'progress', source: 'a.x', target: 'b.x', documents: 500 });
    progress.onProgress({ phase: 'end', source: 'a.x', target: 'b.x', documents: 900 });
    progress.onProgress({ phase: 'end', source: 'a.y', target: 'a.y', documents: 3 });
    progress.finish();
    expect(output.text()).toBe('restored a.x → b.x: 900 documents\nrestored a.y: 3 documents\n');
  });

  it('writes nothing when disabled (--json)', () => {
    const output = new CapturedOutput({ isTTY: true });
    const progress = createDumpProgress(output, { enabled: false });
    progress.onProgress(dumpEvent('end', 'a.b', 1));
    progress.finish();
    expect(output.chunks).toEqual([]);
  });
});
