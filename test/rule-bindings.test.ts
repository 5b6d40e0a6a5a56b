/**
 * A function with its own rule passed straight to a marker: `const lse = customVjp(raw, rule);
 * grad(lse)` differentiates the binding with its rule, as `grad((x) => lse(x))` would. The rules
 * here differ on purpose from the primal's true derivative where that shows the rule is used;
 * elsewhere the references are closed forms, finite differences and the other mode.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { customJvp, customVjp, grad, hessian, jvp, nonDifferentiable, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

function logSumExpRaw(x: number[]): number {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  return m + Math.log(s);
}

/** The gradient of log-sum-exp is the softmax: a rule that reads the output. */
const lse = customVjp(logSumExpRaw, (x, y, g) => x.map((v) => g * Math.exp(v - y)));

/** Rounding with the straight-through estimator: derivative 1 where the true one is 0. */
const roundST = customVjp(
  (x: number, scale: number): number => Math.round(x * scale) / scale,
  (x, scale, y, g): [number, number] => [g, 0],
);

/** A forward rule for a function of two numbers. */
const softplus2 = customJvp(
  (x: number, y: number): number => Math.log1p(Math.exp(x * y)),
  (x, y, dx, dy) => (y * dx + x * dy) / (1 + Math.exp(-x * y)),
);

const frozen = nonDifferentiable((x: number): number => x * x);

const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 700 + 0.0003);

describe("a customVjp / customJvp binding passed to a marker", () => {
  it("grad(lse) is the softmax, from the rule", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (x) => {
        const m = Math.max(...x);
        const z = x.reduce((s, v) => s + Math.exp(v - m), 0);
        expectClose(
          grad(lse)(x),
          x.map((v) => Math.exp(v - m) / z),
          1e-12,
          "softmax",
        );
        verifyDerivatives(lse, { grad: grad(lse), valueAndGrad: valueAndGrad(lse) }, [x]);
      }),
      { numRuns: 40 },
    );
  });

  it("the rule is used, not the primal's derivative: the straight-through estimator", () => {
    expect(grad(roundST)(0.3, 4)).toEqual([1, 0]);
    expect(valueAndGrad(roundST)(0.3, 4)).toEqual({ value: 0.25, grad: [1, 0] });
    // wrt chooses among the binding's parameters, named as its primal names them
    expect(grad(roundST, { wrt: ["x"] })(0.3, 4)).toBe(1);
  });

  it("a customJvp binding: grad and jvp against finite differences and each other", () => {
    fc.assert(
      fc.property(entry, entry, (x, y) => {
        verifyDerivatives(softplus2, { grad: grad(softplus2), jvp: jvp(softplus2), valueAndGrad: valueAndGrad(softplus2) }, [x, y]);
      }),
      { numRuns: 40 },
    );
  });

  it("second order through the rule's own body: the Hessian of lse is diag(p) - p pᵀ", () => {
    const x = [0.2, -0.5, 1.1];
    const p = grad(lse)(x);
    const expected = p.map((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj));
    expectClose(hessian(lse)(x), expected, 1e-12, "Hessian");
  });

  it("a nonDifferentiable binding has derivative zero", () => {
    expect(grad(frozen)(3)).toBe(0);
    expect(numericGradient(frozen, [3], 0)).not.toBe(0);
  });

  it("a binding inside a function is refused as before, where it is declared", () => {
    const { messages } = compileSource(
      `import { grad, customVjp } from "tsgrad";\nexport function make() { const sq = customVjp((x: number) => x * x, (x, y, g) => 2 * x * g); return grad(sq); }`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1020 2:32 .*a function with a customVjp rule must be declared at module level/s)]);
  });
});
