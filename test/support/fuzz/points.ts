/**
 * Inputs for the checks: fast-check arbitraries (the CI test asserts properties over them) and
 * the same points sampled for a seed (the campaign tool, and reproducers, which record them).
 */
import fc from "fast-check";
import { MAX_FLAT, VEC_OUTPUTS, type Point } from "./checks.js";

/** Uniform in value with 6 decimals (fc.double spreads over the representation: mostly tiny numbers). */
const uniform = (bound: number) => fc.integer({ min: -bound * 1e6, max: bound * 1e6 }).map((i) => i / 1e6);
const coordinate = uniform(1.5);
const direction = uniform(1);

export const pointArbitrary: fc.Arbitrary<Point> = fc.record({
  z: fc.array(coordinate, { minLength: MAX_FLAT, maxLength: MAX_FLAT }),
  u: fc.array(direction, { minLength: MAX_FLAT, maxLength: MAX_FLAT }),
  u2: fc.array(direction, { minLength: MAX_FLAT, maxLength: MAX_FLAT }),
  k: fc.integer({ min: 0, max: 4 }),
  s: uniform(0.5),
  c: fc.array(direction, { minLength: VEC_OUTPUTS, maxLength: VEC_OUTPUTS }),
});

/**
 * `count` points for a seed, the same on every run. Unbiased: fast-check's usual bias towards
 * 0 and the bounds puts points exactly on kinks (|x| at 0), where central differences at any
 * step agree with each other and with neither one-sided derivative.
 */
export function samplePoints(seed: number, count: number): Point[] {
  return fc.sample(pointArbitrary, { seed, numRuns: count, unbiased: true });
}
