// Shared by the benchmarks: a seeded generator and the vocabulary of the generated order documents, so that every
// run measures the same data.

/** mulberry32: a small seeded PRNG returning numbers in [0, 1). */
export function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words the generated orders' strings are made of. */
export const WORDS =
  'order customer invoice shipping pending delivered cancelled refund premium standard express warehouse paris berlin london tokyo lisbon oslo cable adapter laptop monitor keyboard mouse charger battery screen phone tablet camera lens tripod bag'.split(
    ' ',
  );
