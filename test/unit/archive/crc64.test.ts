import { readFileSync } from 'node:fs';
import { BSON } from 'bson';
import { describe, expect, test } from 'vitest';
import { Crc64, crc64, crc64FromInt64, crc64ToInt64 } from '../../../src/archive/index.js';
import { fixture } from '../../support/paths.js';
import { rawItems } from './helpers.js';

/** Bit-by-bit CRC-64/XZ straight from the definition, as an independent oracle. */
function reference(data: Uint8Array): bigint {
  const poly = 0xc96c5795d7870f42n;
  let crc = 0xffffffffffffffffn;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc ^ 0xffffffffffffffffn;
}

describe('crc64', () => {
  test('check value of "123456789" is 0x995DC9BBDF1939FA', () => {
    expect(crc64(Buffer.from('123456789'))).toBe(0x995dc9bbdf1939fan);
  });

  test('empty input gives 0, the CRC of an empty namespace', () => {
    expect(crc64(new Uint8Array(0))).toBe(0n);
  });

  test('matches the bit-by-bit definition for every length 0..100 and every alignment', () => {
    const data = Buffer.alloc(140);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
    for (let offset = 0; offset < 8; offset++) {
      for (let length = 0; length <= 100; length++) {
        const slice = data.subarray(offset, offset + length);
        expect(crc64(slice)).toBe(reference(slice));
      }
    }
  });

  test('incremental updates over any split equal the one-shot value', () => {
    const data = Buffer.alloc(1000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 17) ^ (i >> 3);
    const whole = crc64(data);
    for (const split of [0, 1, 3, 7, 8, 9, 15, 16, 17, 500, 999, 1000]) {
      const crc = new Crc64().update(data.subarray(0, split)).update(data.subarray(split));
      expect(crc.digest()).toBe(whole);
    }
    expect(new Crc64().update(data, 10, 990).digest()).toBe(crc64(data.subarray(10, 990)));
  });

  test('views of many buffers, interleaved, at every alignment and length (the cached word view follows the buffer)', () => {
    // Buffers whose sizes are not multiples of 4, views ending at their last byte, updates alternating between them.
    const buffers = [1001, 1002, 1003, 1004, 77].map((size, k) => {
      const bytes = new Uint8Array(new ArrayBuffer(size));
      for (let i = 0; i < size; i++) bytes[i] = (i * (31 + k) + k) & 0xff;
      return bytes;
    });
    const crcs = buffers.map(() => new Crc64());
    const fed: number[][] = buffers.map(() => []);
    for (let round = 0; round < 40; round++) {
      for (const [k, bytes] of buffers.entries()) {
        const start = (round * 7 + k) % bytes.length;
        const end = round % 3 === 0 ? bytes.length : Math.min(bytes.length, start + 13 * round);
        const view = bytes.subarray(start, end);
        crcs[k]?.update(view);
        fed[k]?.push(...view);
      }
    }
    for (const [k, crc] of crcs.entries())
      expect(crc.digest()).toBe(reference(Uint8Array.from(fed[k] ?? [])));
    const shared = new Uint8Array(new SharedArrayBuffer(203));
    shared.fill(0x5a);
    expect(crc64(shared.subarray(3))).toBe(reference(shared.subarray(3)));
  });

  test('digest does not reset the state', () => {
    const crc = new Crc64().update(Buffer.from('1234'));
    crc.digest();
    crc.update(Buffer.from('56789'));
    expect(crc.digest()).toBe(0x995dc9bbdf1939fan);
  });

  test('signed int64 conversions keep the 64 bits', () => {
    expect(crc64ToInt64(0xf685812fd02a263en)).toBe(-682997726120892866n);
    expect(crc64FromInt64(-682997726120892866n)).toBe(0xf685812fd02a263en);
    expect(crc64FromInt64(-1n)).toBe(0xffffffffffffffffn);
    expect(crc64ToInt64(5n)).toBe(5n);
    expect(crc64FromInt64(crc64ToInt64(0x995dc9bbdf1939fan))).toBe(0x995dc9bbdf1939fan);
  });

  test('reproduces the CRCs stored in a real archive (test.bar.archive)', () => {
    // Walk the raw archive: documents after a header with EOF false, CRC checked against the EOF header's value.
    const items = rawItems(readFileSync(fixture('real-archives/test.bar.archive')));
    const expected: Record<string, bigint> = {
      'admin.system.version': -682997726120892866n,
      'test.bar': -7824457949569593127n,
    };
    const body = items.slice(items.findIndex((item) => item.kind === 'terminator') + 1);
    const docsByNs = new Map<string, Buffer[]>();
    let current: string | undefined;
    for (const item of body) {
      if (item.kind === 'terminator') continue;
      const fields = BSON.deserialize(item.bytes);
      if ('EOF' in fields) {
        current = `${fields['db']}.${fields['collection']}`;
        if (!docsByNs.has(current)) docsByNs.set(current, []);
        continue;
      }
      docsByNs.get(current as string)?.push(item.bytes);
    }
    for (const [name, docs] of docsByNs) {
      expect(crc64ToInt64(crc64(Buffer.concat(docs)))).toBe(expected[name]);
    }
    expect([...docsByNs.keys()].sort()).toEqual(Object.keys(expected).sort());
  });
});
