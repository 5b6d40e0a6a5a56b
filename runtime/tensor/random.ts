/**
 * mulberry32: a small, fast, seedable generator of 32-bit draws. The same seed gives the same
 * numbers on every machine, so seeded tensors (`rand`, `randn`) and the test suite's random
 * programs and inputs are reproducible.
 */
export function uint32Stream(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform draws in [0, 1) from a seed. */
export function unitStream(seed: number): () => number {
  const next = uint32Stream(seed);
  return () => next() / 4294967296;
}
