/**
 * `Array.from({ length: n }, f)` and `Float64Array.from({ length: n }, f)` with any number n,
 * against plain JavaScript: the length is read as JavaScript reads an array-like's (ToLength:
 * NaN and what is not positive give 0, fractions are truncated, an infinite length throws a
 * RangeError). Values and lengths against the plain call, gradients against finite differences
 * and against forward mode.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, jvp, valueAndGrad } from "tsgrad";
import { verifyDerivatives } from "./support/verify.js";

function fromLength(x: number, n: number): number {
  const a = Array.from({ length: n }, (_, i) => x * (i + 1));
  let s = a.length;
  for (const v of a) s += Math.sin(v);
  return s;
}

function typedFromLength(x: number, n: number): number {
  const a = Float64Array.from({ length: n * 0.5 }, (_, i) => x * x + i);
  let s = 10 * a.length;
  for (let i = 0; i < a.length; i++) s += a[i]! * x;
  return s;
}

const EDGES = [2.5, 3, 0.9999, 0, -0, -1, -0.5, NaN, 1e-300, 4.000001, 7.5];

const CASES = [
  { f: fromLength, grad: grad(fromLength, { wrt: [0] }), jvp: jvp(fromLength, { wrt: [0] }), valueAndGrad: valueAndGrad(fromLength, { wrt: [0] }) },
  {
    f: typedFromLength,
    grad: grad(typedFromLength, { wrt: [0] }),
    jvp: jvp(typedFromLength, { wrt: [0] }),
    valueAndGrad: valueAndGrad(typedFromLength, { wrt: [0] }),
  },
];

describe("Array.from({ length: n }) with the length JavaScript gives it", () => {
  it("the value of every edge case is the plain call's, bit for bit, and the gradient checks out", () => {
    for (const d of CASES)
      for (const n of EDGES) {
        const vg = d.valueAndGrad(0.7, n);
        expect(Object.is(vg.value, d.f(0.7, n)), `${d.f.name}(0.7, ${n}): ${vg.value} vs ${d.f(0.7, n)}`).toBe(true);
        verifyDerivatives(d.f, d, [0.7, n], { params: [0] });
      }
  });

  it("an infinite length throws a RangeError, as in JavaScript", () => {
    for (const d of CASES) {
      expect(() => d.f(0.7, Infinity)).toThrow(RangeError);
      expect(() => d.grad(0.7, Infinity)).toThrow(RangeError);
      expect(() => d.jvp(0.7, Infinity, 1)).toThrow(RangeError);
    }
  });

  it("any length in [-3, 12): the value is the plain call's", () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 12, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (n, x) => {
        for (const d of CASES) expect(Object.is(d.valueAndGrad(x, n).value, d.f(x, n)), `${d.f.name}(${x}, ${n})`).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
