/**
 * `xs.slice(start, end)` on number arrays and Float64Arrays: a new array of the range, with
 * JavaScript's resolution of the bounds (truncated, NaN as 0, negative from the end, clamped).
 * References: JavaScript's own slice for values, central finite differences and the other mode
 * for derivatives, and the closed form of a window sum's gradient.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hvp, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

/** A weighted sum of a window, so each element's derivative says where it landed. */
function window(xs: number[], start: number, end: number): number {
  const part = xs.slice(start, end);
  let s = 0;
  for (let k = 0; k < part.length; k++) s += (k + 1) * part[k]! * part[k]!;
  return s + part.length;
}

function windowFrom(xs: Float64Array, start: number): number {
  const part = xs.slice(start);
  let s = 0;
  for (let k = 0; k < part.length; k++) s += Math.sin(part[k]!) * (k + 2);
  return s;
}

/** Rows of a flat matrix taken as slices, in a loop (the GradBench style of points). */
function rowNorms(flat: Float64Array, d: number): number {
  let s = 0;
  const n = flat.length / d;
  for (let p = 0; p < n; p++) {
    const row = flat.slice(p * d, (p + 1) * d);
    let r = 0;
    for (let j = 0; j < d; j++) r += row[j]! * row[j]!;
    s += Math.log(1 + r);
  }
  return s;
}

/** The reference: the same weighted sum over JavaScript's own slice. */
function windowReference(xs: number[], start: number, end: number): number {
  const part = xs.slice(start, end);
  return part.reduce((s, v, k) => s + (k + 1) * v * v, 0) + part.length;
}

const bound = fc.oneof(
  fc.integer({ min: -8, max: 8 }),
  fc.double({ min: -8, max: 8, noNaN: true }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0),
);

describe("xs.slice(start, end)", () => {
  it("takes the range JavaScript takes, for any bounds (negative, fractional, NaN, infinite, out of range)", () => {
    const vg = valueAndGrad(window, { wrt: [0] });
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { maxLength: 7 }), bound, bound, (xs, a, b) => {
        const { value, grad: g } = vg(xs, a, b);
        expect(value).toBe(windowReference(xs, a, b));
        // closed form: element xs[i] lands at k = i - from, with weight k + 1
        const from = xs.length - xs.slice(a).length;
        const taken = xs.slice(a, b).length;
        // (+ 0 makes -0 and 0 one value: a zero element's derivative may carry either sign)
        const want = xs.map((x, i) => (i >= from && i < from + taken ? 2 * (i - from + 1) * x : 0));
        expect(g.map((v) => v + 0)).toEqual(want.map((v) => v + 0));
      }),
      { numRuns: 300 },
    );
  });

  it("grad, jvp and finite differences agree, on number[] and Float64Array", () => {
    verifyDerivatives(window, { grad: grad(window, { wrt: [0] }), jvp: jvp(window, { wrt: [0] }) }, [[0.5, -1.2, 2, 0.7, 1.1], 1, -1], {
      params: [0],
    });
    verifyDerivatives(
      windowFrom,
      { grad: grad(windowFrom, { wrt: [0] }), jvp: jvp(windowFrom, { wrt: [0] }) },
      [new Float64Array([0.5, -1.2, 2, 0.7]), -3],
      { params: [0] },
    );
    verifyDerivatives(
      rowNorms,
      { grad: grad(rowNorms, { wrt: [0] }), jvp: jvp(rowNorms, { wrt: [0] }) },
      [new Float64Array([1, 0.5, -0.3, 2, 0.1, -1]), 2],
      { params: [0] },
    );
  });

  it("second order: hvp against finite differences of the gradient", () => {
    const flat = new Float64Array([1, 0.5, -0.3, 2, 0.1, -1]);
    const dir = new Float64Array([0.3, -1, 0.5, 0, 2, 1]);
    const g = grad(rowNorms, { wrt: [0] });
    const h = 1e-5;
    const plus = g(
      flat.map((x, i) => x + h * dir[i]!),
      2,
    );
    const minus = g(
      flat.map((x, i) => x - h * dir[i]!),
      2,
    );
    const fd = Array.from(plus, (p, i) => (p - minus[i]!) / (2 * h));
    expectClose(Array.from(hvp((f: Float64Array) => rowNorms(f, 2))(flat, dir)), fd, 1e-6);
    expectClose(Array.from(g(flat, 2)), numericGradient(rowNorms, [flat, 2], 0) as number[], 1e-6);
  });
});

describe("the generated code of a slice", () => {
  it("runs its reverse loop from the count, known to be an integer (min, max and truncation of lengths), with no rounding", () => {
    const c = compileSource(
      [
        `import { grad } from "tsgrad";`,
        `export function f(x: number[], k: number): number {`,
        `  let s = 0;`,
        `  for (let r = 0; r < 2; r++) {`,
        `    const w = x.slice(1, k);`,
        `    for (let i = 0; i < w.length; i++) s += Math.sin(w[i]! * (r + 1));`,
        `  }`,
        `  return s;`,
        `}`,
        `export const g = grad(f, { wrt: [0] });`,
      ].join("\n"),
    );
    expect(c.messages).toEqual([]);
    expect(c.js).toContain("x.length");
    expect(c.js).not.toContain("Math.ceil");
  });
});
