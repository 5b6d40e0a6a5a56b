/**
 * Small idioms of everyday numeric TypeScript: `Number(x)` of a number (itself, its derivative
 * passes) or a boolean (1 or 0), and the array methods of an array TypeScript types `any[]`
 * (`Array(n).fill(0)`), which is the array its initialiser made. References: closed forms,
 * central finite differences and forward against reverse mode (verifyDerivatives).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, jvp, valueAndGrad } from "tsgrad";
import { expectClose, numericHessian } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

/** `Number` of a comparison gates a term; `Number(x)` and unary `+` pass the derivative. */
function gated(xs: number[]): number {
  const a = Array(xs.length).fill(0);
  for (let i = 0; i < xs.length; i++) a[i] = xs[i]! ** 2;
  const total = a.reduce((s, v) => s + v, 0);
  return total * Number(xs[0]! > 0) + Number(xs[1]!) * +xs[0]! + Math.sin(Number(xs[xs.length - 1]!));
}

/** d gated / d xs, in closed form. */
function gatedSlope(xs: number[]): number[] {
  const on = xs[0]! > 0 ? 1 : 0;
  const g = xs.map((v) => 2 * v * on);
  g[0]! += xs[1]!;
  g[1]! += xs[0]!;
  g[xs.length - 1]! += Math.cos(xs[xs.length - 1]!);
  return g;
}

const entries = fc.array(
  fc.double({ min: -3, max: 3, noNaN: true }).filter((v) => Math.abs(v) > 1e-3),
  { minLength: 2, maxLength: 5 },
);

describe("Number(x) and arrays typed any[]", () => {
  it("grad is the closed form; valueAndGrad, jvp and finite differences agree", () => {
    fc.assert(
      fc.property(entries, (xs) => {
        expectClose(grad(gated)(xs), gatedSlope(xs), 1e-12, "grad vs closed form");
        verifyDerivatives(gated, { grad: grad(gated), jvp: jvp(gated), valueAndGrad: valueAndGrad(gated) }, [xs]);
      }),
      { numRuns: 40 },
    );
  });

  it("the Hessian matches finite differences of the function", () => {
    const xs = [0.7, -1.2, 0.4];
    expectClose(hessian(gated)(xs), numericHessian(gated, xs), 1e-5, "Hessian");
    expect(hessian(gated)(xs)[0]![1]).toBeCloseTo(1, 10);
  });
});
