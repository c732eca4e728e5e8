/**
 * CRC-64/XZ, the checksum mongodump stores in every namespace's EOF block.
 *
 * The ECMA-182 polynomial used reflected (0xC96C5795D7870F42), initial value and final xor all ones; the check value
 * of the ASCII bytes "123456789" is 0x995DC9BBDF1939FA. The 64-bit register is kept as two 32-bit halves and the
 * input is consumed sixteen bytes at a time through sixteen lookup tables ("slicing-by-16"), reading aligned 32-bit
 * words where the platform is little-endian, so no BigInt is touched until {@link Crc64.digest}. The words are read
 * through one Int32Array view of the whole underlying ArrayBuffer, kept (weakly) for the next call: the documents of
 * an archive are many small views of the same large buffers, and a new view per call cost a quarter of the time.
 *
 * @packageDocumentation
 */

const POLY_LO = 0xd7870f42 | 0;
const POLY_HI = 0xc96c5795 | 0;
const SLICES = 16;

/** Low and high halves of the sixteen tables, `table k` at `[k * 256, k * 256 + 255]`. */
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
/** The largest byte offset into an ArrayBuffer read by words. */
const WORD_PATH_LIMIT = 0x7fffffff;

/** The last word view made, of a whole ArrayBuffer; weak, so that it never keeps a buffer alive. */
let lastView: WeakRef<Int32Array> | undefined;

/** An Int32Array over all of `data`'s ArrayBuffer (the last one made when it is of the same buffer). */
function wordView(data: Uint8Array): Int32Array {
  const buffer = data.buffer;
  let view = lastView?.deref();
  if (view === undefined || view.buffer !== buffer) {
    view = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    lastView = new WeakRef(view);
  }
  return view;
}
/** The 64-bit CRC register as two 32-bit halves (before the final xor). */
interface Register {
  lo: number;
  hi: number;
}

/**
 * Feeds bytes `[start, end)` of `data` into `register`. Made by a closure that holds the tables as its own
 * constants: bundlers turn a module's top-level `const` into `var`, which V8 reads about a third slower in this loop.
 */
const updateRegister = (() => {
  const tablesLo = TABLE_LO;
  const tablesHi = TABLE_HI;
  return (register: Register, data: Uint8Array, start: number, end: number): void => {
    const tLo = tablesLo;
    const tHi = tablesHi;
    let lo = register.lo;
    let hi = register.hi;
    let i = start;
    const offset = data.byteOffset;
    // Word offsets stay 32-bit integers (faster code) below 2 GiB into the ArrayBuffer; beyond, bytes one by one.
    if (LITTLE_ENDIAN && end - start >= 32 && offset + end <= WORD_PATH_LIMIT) {
      for (; ((offset + i) & 3) !== 0; i++) {
        const index = (lo ^ (data[i] as number)) & 0xff;
        lo = ((lo >>> 8) | (hi << 24)) ^ (tLo[index] as number);
        hi = (hi >>> 8) ^ (tHi[index] as number);
      }
      const view = wordView(data);
      let w = (offset + i) >>> 2;
      for (const stop = w + (((end - i) >>> 4) << 2); w < stop; w += 4) {
        const a = lo ^ (view[w] as number);
        const b = hi ^ (view[w + 1] as number);
        const c = view[w + 2] as number;
        const d = view[w + 3] as number;
        lo =
          (tLo[3840 + (a & 0xff)] as number) ^
          (tLo[3584 + ((a >>> 8) & 0xff)] as number) ^
          (tLo[3328 + ((a >>> 16) & 0xff)] as number) ^
          (tLo[3072 + (a >>> 24)] as number) ^
          (tLo[2816 + (b & 0xff)] as number) ^
          (tLo[2560 + ((b >>> 8) & 0xff)] as number) ^
          (tLo[2304 + ((b >>> 16) & 0xff)] as number) ^
          (tLo[2048 + (b >>> 24)] as number) ^
          (tLo[1792 + (c & 0xff)] as number) ^
          (tLo[1536 + ((c >>> 8) & 0xff)] as number) ^
          (tLo[1280 + ((c >>> 16) & 0xff)] as number) ^
          (tLo[1024 + (c >>> 24)] as number) ^
          (tLo[768 + (d & 0xff)] as number) ^
          (tLo[512 + ((d >>> 8) & 0xff)] as number) ^
          (tLo[256 + ((d >>> 16) & 0xff)] as number) ^
          (tLo[d >>> 24] as number);
        hi =
          (tHi[3840 + (a & 0xff)] as number) ^
          (tHi[3584 + ((a >>> 8) & 0xff)] as number) ^
          (tHi[3328 + ((a >>> 16) & 0xff)] as number) ^
          (tHi[3072 + (a >>> 24)] as number) ^
          (tHi[2816 + (b & 0xff)] as number) ^
          (tHi[2560 + ((b >>> 8) & 0xff)] as number) ^
          (tHi[2304 + ((b >>> 16) & 0xff)] as number) ^
          (tHi[2048 + (b >>> 24)] as number) ^
          (tHi[1792 + (c & 0xff)] as number) ^
          (tHi[1536 + ((c >>> 8) & 0xff)] as number) ^
          (tHi[1280 + ((c >>> 16) & 0xff)] as number) ^
          (tHi[1024 + (c >>> 24)] as number) ^
          (tHi[768 + (d & 0xff)] as number) ^
          (tHi[512 + ((d >>> 8) & 0xff)] as number) ^
          (tHi[256 + ((d >>> 16) & 0xff)] as number) ^
          (tHi[d >>> 24] as number);
      }
      i = (w << 2) - offset;
    }
    for (; i < end; i++) {
      const index = (lo ^ (data[i] as number)) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ (tLo[index] as number);
      hi = (hi >>> 8) ^ (tHi[index] as number);
    }
    register.lo = lo;
    register.hi = hi;
  };
})();

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
  /** The register, before the final xor. */
  private readonly register: Register = { lo: -1, hi: -1 };

  /**
   * Feeds bytes `[start, end)` of `data` into the checksum.
   *
   * @returns this, for chaining.
   */
  update(data: Uint8Array, start = 0, end = data.length): this {
    updateRegister(this.register, data, start, end);
    return this;
  }

  /** The checksum of everything fed so far, as an unsigned 64-bit value. Does not reset the state. */
  digest(): bigint {
    return (BigInt(~this.register.hi >>> 0) << 32n) | BigInt(~this.register.lo >>> 0);
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
