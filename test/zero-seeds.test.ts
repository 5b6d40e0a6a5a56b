/**
 * Pullback calls skipped where their cotangent is zero (passes/zero-seeds.ts): the nearest of
 * several helpers' values (`Math.min`), where every other helper's pullback gets 0. References are
 * closed forms and central differences of the plain functions.
 */
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jvp } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose } from "./support/numeric.js";

/** |p - c_j|² over a row of a flat array. */
function squaredDistance(p: number[], c: number[], j: number, d: number): number {
  let s = 0;
  for (let l = 0; l < d; l++) {
    const diff = p[l]! - c[j * d + l]!;
    s += diff * diff;
  }
  return s;
}
/** The squared distance from p to its nearest centroid (rows of c, d = 2). */
function nearest(c: number[], p: number[]): number {
  let best = Infinity;
  for (let j = 0; j < c.length / 2; j++) best = Math.min(best, squaredDistance(p, c, j, 2));
  return best;
}
function nearestPlain(c: number[], p: number[]): { value: number; j: number } {
  let value = Infinity;
  let j = -1;
  for (let i = 0; i < c.length / 2; i++) {
    const v = (p[0]! - c[2 * i]!) ** 2 + (p[1]! - c[2 * i + 1]!) ** 2;
    if (v < value) [value, j] = [v, i];
  }
  return { value, j };
}

describe("the nearest of several helpers' values", () => {
  const c = [0, 0, 3, 1, -2, 4, 1, -3];
  const p = [2.2, 0.9];
  it("grad moves only the nearest centroid: 2 (c_j - p) in its row, zeros elsewhere", () => {
    const { j } = nearestPlain(c, p);
    const expected = c.map((x, i) => (Math.floor(i / 2) === j ? 2 * (x - p[i % 2]!) : 0));
    expectClose(grad(nearest, { wrt: [0] })(c, p), expected, 1e-12);
  });
  it("hvp along ones is the Hessian's diagonal: 2 in the nearest row, 0 elsewhere", () => {
    const { j } = nearestPlain(c, p);
    const ones = c.map(() => 1);
    expectClose(
      hvp(nearest, { wrt: [0] })(c, p, ones),
      c.map((_, i) => (Math.floor(i / 2) === j ? 2 : 0)),
      1e-12,
    );
  });
  it("grad equals central differences of the plain function, at several points", () => {
    for (const q of [
      [2.2, 0.9],
      [-1, 3],
      [0.4, -2.5],
    ]) {
      const g = grad(nearest, { wrt: [0] })(c, q);
      c.forEach((_, i) => {
        const at = (h: number) =>
          nearestPlain(
            c.map((x, k) => (k === i ? x + h : x)),
            q,
          ).value;
        expectClose(g[i]!, (at(1e-6) - at(-1e-6)) / 2e-6, 1e-6);
      });
    }
  });
  it("the generated gradient tests the cotangent before calling the pullback", () => {
    const { js, messages } = compileSource(`import { grad } from "tsgrad";
function squaredDistance(p: number[], c: number[], j: number): number {
  return (p[0]! - c[2 * j]!) ** 2 + (p[1]! - c[2 * j + 1]!) ** 2;
}
function nearest(c: number[], p: number[]): number {
  let best = Infinity;
  for (let j = 0; j < c.length / 2; j++) best = Math.min(best, squaredDistance(p, c, j));
  return best;
}
export const g = grad(nearest, { wrt: [0] });
`);
    expect(messages).toEqual([]);
    expect(js).toMatch(/if \(seed !== 0\)\s*\{?\s*squaredDistance_adjoint\(/);
  });
});

/** A helper's pullback whose seed is sin(x): zero at x = 0 while its tangent, cos(x) u, is not. */
function squareOfFirst(p: number[]): number {
  return p[0]! * p[0]!;
}
/** (x + 1)² sin(x): the second derivative at 0 is 4. */
function scaledBySine(x: number): number {
  return squareOfFirst([x + 1]) * Math.sin(x);
}
function scaledBySineOfArray(z: number[]): number {
  return scaledBySine(z[0]!);
}
const secondDerivative = (x: number) => 2 * Math.sin(x) + 4 * (x + 1) * Math.cos(x) - (x + 1) ** 2 * Math.sin(x);

describe("a zero cotangent whose tangent is not zero (second order)", () => {
  it("hvp and hessian at x = 0 include the pullback's tangent: 4, not 2", () => {
    expectClose(hvp(scaledBySine)(0, 1), 4, 1e-12);
    expectClose(hessian(scaledBySineOfArray)([0]), [[4]], 1e-12);
    expectClose(jvp(grad(scaledBySine))(0, 1).tangent, 4, 1e-12);
  });
  it("grad(grad(f)) is the closed form at 0 and elsewhere", () => {
    for (const x of [0, 0.4, -1.3]) expectClose(grad(grad(scaledBySine))(x), secondDerivative(x), 1e-12);
  });
});

/** The nearer of a quadratic and a helper that overflows: the overflowing one's pullback gets 0. */
function steep(p: number[]): number {
  return Math.exp(800 * p[0]!);
}
function gentle(p: number[]): number {
  return p[0]! * p[0]!;
}
function lowerOf(x: number): number {
  const p = [x];
  return Math.min(gentle(p), steep(p));
}
/** The same with number arguments: the pullbacks return their adjoints instead of adding into arrays. */
function steepOf(a: number): number {
  return Math.exp(800 * a);
}
function gentleOf(a: number): number {
  return a * a;
}
function lowerOfNumbers(x: number): number {
  return Math.min(gentleOf(x), steepOf(x));
}

describe("a helper never chosen whose partials overflow", () => {
  it("grad and hvp are the quadratic's, not NaN (0 times its infinite partial is skipped)", () => {
    for (const x of [1.5, 2]) {
      expectClose(grad(lowerOf)(x), 2 * x, 1e-12);
      expectClose(hvp(lowerOf)(x, 1), 2, 1e-12);
      expectClose(grad(lowerOfNumbers)(x), 2 * x, 1e-12);
      expectClose(hvp(lowerOfNumbers)(x, 1), 2, 1e-12);
    }
  });
});

/**
 * The pullback's result read inside a larger expression (`x_bar = Math.min(2, t) + h_adjoint(x,
 * seed)`, as the simplifier writes it for the product below): its zero stands in where it is
 * skipped. min(2, e^x + x²) x: 2x where e^x + x² >= 2 (and, at x = 800, e^x overflows).
 */
function overflowing(a: number): number {
  return Math.exp(a) + a * a;
}
function cappedTimesX(x: number): number {
  return Math.min(2, overflowing(x)) * x;
}
function cappedTimesXPlain(x: number): number {
  return Math.min(2, Math.exp(x) + x * x) * x;
}

describe("a skipped pullback whose result is read inside an expression", () => {
  it("at x = 800, where the helper overflows and is not chosen: grad 2 and hvp 0, not NaN", () => {
    expectClose(grad(cappedTimesX)(800), 2, 1e-12);
    expectClose(hvp(cappedTimesX)(800, 1), 0, 1e-12);
    expectClose(grad(grad(cappedTimesX))(800), 0, 1e-12);
  });
  it("where the helper is chosen, or not: central differences of the plain function", () => {
    for (const x of [0.1, 0.3, 0.5, 1.5, -0.4]) {
      const h = 1e-6;
      const slope = (cappedTimesXPlain(x + h) - cappedTimesXPlain(x - h)) / (2 * h);
      expectClose(grad(cappedTimesX)(x), slope, 1e-6);
      const curvature = (grad(cappedTimesX)(x + h) - grad(cappedTimesX)(x - h)) / (2 * h);
      expectClose(hvp(cappedTimesX)(x, 1), curvature, 1e-5);
    }
  });
});
