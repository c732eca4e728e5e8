/**
 * CRC-64/XZ, the checksum mongodump stores in every namespace's EOF block.
 *
 * The ECMA-182 polynomial used reflected (0xC96C5795D7870F42), initial value and final xor all ones; the check value
 * of the ASCII bytes "123456789" is 0x995DC9BBDF1939FA. The 64-bit register is kept as two 32-bit halves and the
 * input is consumed eight bytes at a time through eight lookup tables ("slicing-by-8"), reading aligned 32-bit words
 * where the platform is little-endian, so no BigInt is touched until {@link Crc64.digest}.
 *
 * @packageDocumentation
 */

const POLY_LO = 0xd7870f42 | 0;
const POLY_HI = 0xc96c5795 | 0;
const SLICES = 8;

/** Low and high halves of the eight tables, `table k` at `[k * 256, k * 256 + 255]`. */
const TABLE_LO = new Int32Array(256 * SLICES);
const TABLE_HI = new Int32Array(256 * SLICES);

for (let i = 0; i < 256; i++) {
  let lo = i;
  let hi = 0;
  for (let bit = 0; bit < 8; bit++) {
    const mask = -(lo & 1);
    lo = ((lo >>> 1) | (hi << 31)) ^ (POLY_LO & mask);
    hi = (hi >>> 1) ^ (POLY_HI & mask);
  }
  TABLE_LO[i] = lo;
  TABLE_HI[i] = hi;
}
for (let k = 1; k < SLICES; k++) {
  for (let i = 0; i < 256; i++) {
    const lo = TABLE_LO[(k - 1) * 256 + i] as number;
    const hi = TABLE_HI[(k - 1) * 256 + i] as number;
    const index = lo & 0xff;
    TABLE_LO[k * 256 + i] = ((lo >>> 8) | (hi << 24)) ^ (TABLE_LO[index] as number);
    TABLE_HI[k * 256 + i] = (hi >>> 8) ^ (TABLE_HI[index] as number);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const UINT64_MASK = (1n << 64n) - 1n;

/**
 * An incremental CRC-64/XZ.
 *
 * @example
 * ```ts
 * import { Crc64 } from 'mongo-backup-service/archive';
 * const crc = new Crc64();
 * crc.update(Buffer.from('1234')).update(Buffer.from('56789'));
 * crc.digest(); // 0x995dc9bbdf1939fan
 * ```
 */
export class Crc64 {
  /** Low 32 bits of the register (before the final xor). */
  private lo = -1;
  /** High 32 bits of the register (before the final xor). */
  private hi = -1;

  /**
   * Feeds bytes `[start, end)` of `data` into the checksum.
   *
   * @returns this, for chaining.
   */
  update(data: Uint8Array, start = 0, end = data.length): this {
    const tLo = TABLE_LO;
    const tHi = TABLE_HI;
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    if (LITTLE_ENDIAN && end - start >= 16) {
      const align = Math.min((4 - ((data.byteOffset + i) & 3)) & 3, end - i);
      for (const stop = i + align; i < stop; i++) {
        const index = (lo ^ (data[i] as number)) & 0xff;
        lo = ((lo >>> 8) | (hi << 24)) ^ (tLo[index] as number);
        hi = (hi >>> 8) ^ (tHi[index] as number);
      }
      const words = ((end - i) >>> 3) << 1;
      const view = new Int32Array(data.buffer, data.byteOffset + i, words);
      for (let w = 0; w < words; w += 2) {
        const a = lo ^ (view[w] as number);
        const b = hi ^ (view[w + 1] as number);
        const i7 = 1792 + (a & 0xff);
        const i6 = 1536 + ((a >>> 8) & 0xff);
        const i5 = 1280 + ((a >>> 16) & 0xff);
        const i4 = 1024 + (a >>> 24);
        const i3 = 768 + (b & 0xff);
        const i2 = 512 + ((b >>> 8) & 0xff);
        const i1 = 256 + ((b >>> 16) & 0xff);
        const i0 = b >>> 24;
        lo =
          (tLo[i7] as number) ^
          (tLo[i6] as number) ^
          (tLo[i5] as number) ^
          (tLo[i4] as number) ^
          (tLo[i3] as number) ^
          (tLo[i2] as number) ^
          (tLo[i1] as number) ^
          (tLo[i0] as number);
        hi =
          (tHi[i7] as number) ^
          (tHi[i6] as number) ^
          (tHi[i5] as number) ^
          (tHi[i4] as number) ^
          (tHi[i3] as number) ^
          (tHi[i2] as number) ^
          (tHi[i1] as number) ^
          (tHi[i0] as number);
      }
      i += words * 4;
    }
    for (; i < end; i++) {
      const index = (lo ^ (data[i] as number)) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ (tLo[index] as number);
      hi = (hi >>> 8) ^ (tHi[index] as number);
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  /** The checksum of everything fed so far, as an unsigned 64-bit value. Does not reset the state. */
  digest(): bigint {
    return (BigInt(~this.hi >>> 0) << 32n) | BigInt(~this.lo >>> 0);
  }
}

/**
 * The CRC-64/XZ of `data`, unsigned.
 *
 * @example
 * ```ts
 * crc64(Buffer.from('123456789')) === 0x995dc9bbdf1939fan; // true
 * ```
 */
export function crc64(data: Uint8Array): bigint {
  return new Crc64().update(data).digest();
}

/**
 * Converts an unsigned CRC to the signed int64 with the same 64 bits, as archives store it.
 *
 * @example
 * ```ts
 * crc64ToInt64(0xf685812fd02a263en); // -682997726120892866n
 * ```
 */
export function crc64ToInt64(crc: bigint): bigint {
  return BigInt.asIntN(64, crc);
}

/**
 * Converts a CRC as stored in an archive (a signed int64) to the unsigned value {@link Crc64.digest} returns.
 *
 * @example
 * ```ts
 * crc64FromInt64(-1n) === 0xffffffffffffffffn; // true
 * ```
 */
export function crc64FromInt64(value: bigint): bigint {
  return value & UINT64_MASK;
}
