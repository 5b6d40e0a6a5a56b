/**
 * Rules in source: customVjp and customJvp give a function its own derivative (used wherever it
 * is called in differentiated code, in both modes); stopGradient cuts a derivative;
 * nonDifferentiable makes a function's result a constant. The rules must really be used: some
 * here differ on purpose from the primal's true derivative.
 */
import { describe, expect, it } from "vitest";
import { customJvp, customVjp, grad, hvp, jvp, nonDifferentiable, stopGradient, valueAndGrad, vjp } from "tsgrad";
import fc from "fast-check";
import { gradImplicit, gradThroughLoop, lossThroughLoop, solve } from "../examples/implicit.js";
import { compileSource } from "./support/compile.js";
import { verifyDerivatives } from "./support/verify.js";
import { item, mul, sum, tanh, type Tensor, tensor } from "tsgrad/tensor";

/** A smooth clip with its derivative written by hand. */
const softclip = customVjp(
  (x: number): number => x / (1 + Math.abs(x)),
  (x, y, ybar) => ybar / ((1 + Math.abs(x)) * (1 + Math.abs(x))),
);

/** Rounding with the straight-through estimator: derivative 1, not 0. */
const roundST = customVjp(
  (x: number): number => Math.round(x),
  (x, y, ybar) => ybar,
);

/** A cube given its forward rule. */
const cube = customJvp(
  (x: number): number => x * x * x,
  (x, dx) => 3 * x * x * dx,
);

/** A body tsgrad could not differentiate (try/catch), wrapped with its derivative. */
function guardedLogImpl(x: number): number {
  try {
    return Math.log(x);
  } catch {
    return 0;
  }
}
const guardedLog = customVjp(guardedLogImpl, (x, y, ybar) => ybar / x);

/** Two arguments, one an array: the rule returns a tuple. */
const weightedSum = customVjp(
  (w: number[], s: number): number => {
    let t = 0;
    for (let i = 0; i < w.length; i++) t += w[i]! * (i + 1);
    return t * s;
  },
  (w, s, y, ybar): [number[], number] => [w.map((_, i) => (i + 1) * s * ybar), (y / s) * ybar],
);

const TABLE = [1, 4, 9, 16, 25];
let lookups = 0;
const lookup = nonDifferentiable((k: number): number => {
  lookups++;
  return TABLE[Math.floor(k)]!;
});

function usesSoftclip(x: number, y: number): number {
  return softclip(x * y) + softclip(x) * y;
}
function usesRound(x: number): number {
  return roundST(x) * x;
}
function usesCube(x: number, y: number): number {
  return cube(x + y) * y;
}
function usesGuarded(x: number): number {
  return guardedLog(x * x + 1);
}
function usesWeighted(w: number[], s: number): number {
  return weightedSum(w, s * s);
}
function usesStop(x: number): number {
  return x * stopGradient(x);
}
function usesLookup(x: number): number {
  return lookup(x) * x;
}

describe("customVjp", () => {
  it("is used in reverse and forward mode, and agrees with finite differences when exact", () =>
    verifyDerivatives(usesSoftclip, { grad: grad(usesSoftclip), jvp: jvp(usesSoftclip), valueAndGrad: valueAndGrad(usesSoftclip) }, [0.7, -1.3]));
  it("overrides the true derivative (straight-through estimator)", () => {
    const x = 1.3;
    expect(grad(usesRound)(x)).toBe(1 * x + Math.round(x));
    expect(jvp(usesRound)(x, 2).tangent).toBe(2 * (x + Math.round(x)));
  });
  it("wraps a function whose body tsgrad cannot differentiate", () =>
    verifyDerivatives(usesGuarded, { grad: grad(usesGuarded), jvp: jvp(usesGuarded) }, [0.8]));
  it("handles several arguments and arrays (the rule returns a tuple)", () =>
    verifyDerivatives(usesWeighted, { grad: grad(usesWeighted), jvp: jvp(usesWeighted), valueAndGrad: valueAndGrad(usesWeighted) }, [[0.5, -1, 2], 1.5]));
  it("is an ordinary function at run time", () => {
    expect(softclip(1)).toBe(0.5);
    expect(roundST(2.4)).toBe(2);
  });
});

/** A rule over a tensor argument: half the squared norm, its gradient t * ybar. */
const energy = customVjp(
  (t: Tensor): number => item(sum(mul(t, t))) * 0.5,
  (t, y, ybar) => mul(t, ybar),
);
function usesEnergy(t: Tensor, s: number): number {
  return energy(tanh(mul(t, s))) * s;
}

describe("customVjp over tensors", () => {
  it("forward mode dots the rule's gradient with the tensor tangent; both modes agree with finite differences", () => {
    const t = tensor([0.3, -0.8, 1.1], [3]);
    const [gt, gs] = grad(usesEnergy)(t, 0.7);
    const h = 1e-6;
    for (let i = 0; i < 3; i++) {
      const up = t.data.slice();
      const down = t.data.slice();
      up[i]! += h;
      down[i]! -= h;
      const fd = (usesEnergy(tensor(Array.from(up), [3]), 0.7) - usesEnergy(tensor(Array.from(down), [3]), 0.7)) / (2 * h);
      expect(Math.abs(gt.data[i]! - fd)).toBeLessThan(1e-6);
    }
    const dir = tensor([1, 0.5, -2], [3]);
    const tangent = jvp(usesEnergy)(t, 0.7, dir, 0.25).tangent;
    expect(Math.abs(tangent - (item(sum(mul(gt, dir))) + 0.25 * gs))).toBeLessThan(1e-12);
  });
});

/** A rule whose adjoint reads the output y: the cube root, y' = 1 / (3 y²). */
const cbrtRule = customVjp(
  (a: number): number => Math.cbrt(a),
  (a, y, ybar) => ybar / (3 * y * y),
);
/** Variables given a rule's value computed from themselves, once and in a loop, both kinds of rule. */
function selfUpdates(x: number): number {
  let v = x;
  v = cbrtRule(v);
  let w = x;
  for (let i = 0; i < 3; i++) w = cube(w * 0.5 + 0.3);
  for (let i = 0; i < 2; i++) v = softclip(v) + cbrtRule(v);
  return v * w;
}

describe("rules applied to the variable they update (v = rule(v))", () => {
  it("the rule sees the old value, in both modes", () => {
    for (const x of [8, 0.7, 2.5]) verifyDerivatives(selfUpdates, { grad: grad(selfUpdates), jvp: jvp(selfUpdates), valueAndGrad: valueAndGrad(selfUpdates) }, [x]);
  });
});

describe("customJvp", () => {
  it("is used in forward mode, and in reverse mode along each argument", () =>
    verifyDerivatives(usesCube, { grad: grad(usesCube), jvp: jvp(usesCube), valueAndGrad: valueAndGrad(usesCube) }, [0.4, 0.9]));
});

describe("stopGradient and nonDifferentiable", () => {
  it("stopGradient cuts the derivative of its argument", () => {
    expect(grad(usesStop)(3)).toBe(3);
    expect(jvp(usesStop)(3, 1).tangent).toBe(3);
    expect(usesStop(3)).toBe(9);
  });
  it("a nonDifferentiable function's result is a constant, and it runs (effects kept)", () => {
    lookups = 0;
    expect(grad(usesLookup)(2.5)).toBe(9);
    expect(jvp(usesLookup)(2.5, 1)).toEqual({ value: 22.5, tangent: 9 });
    expect(lookups).toBeGreaterThanOrEqual(2);
  });
});

describe("second order through a rule", () => {
  it("hvp differentiates the rule function itself", () => {
    const f = (v: number[]) => usesSoftclip(v[0]!, v[1]!);
    const h = 1e-5;
    const g = grad(wrapped);
    const hv = hvp(wrapped)([0.7, -1.3], [1, 0]);
    const fd = g([0.7 + h, -1.3]).map((a, i) => (a - g([0.7 - h, -1.3])[i]!) / (2 * h));
    expect(Math.abs(hv[0]! - fd[0]!)).toBeLessThan(1e-5);
    expect(Math.abs(hv[1]! - fd[1]!)).toBeLessThan(1e-5);
    void f;
  });
});

function wrapped(v: number[]): number {
  return usesSoftclip(v[0]!, v[1]!);
}

describe("vjp through a rule", () => {
  it("pulls back through customVjp", () => {
    const r = vjp(usesSoftclip)(0.7, -1.3);
    const [gx, gy] = grad(usesSoftclip)(0.7, -1.3);
    const [px, py] = r.pullback(1);
    expect(px).toBe(gx);
    expect(py).toBe(gy);
  });
});

describe("rule signatures are checked at compile time", () => {
  it("a customVjp rule with the wrong number of parameters is refused", () => {
    const c = compileSource(`import { customVjp, grad } from "tsgrad";
const f = customVjp((x: number): number => x * x, (x: number, ybar: number) => 2 * x * ybar);
export const g = grad((x: number) => f(x));
`);
    expect(c.messages.some((m) => m.startsWith("TSG1020 2:51") && m.includes("takes 3"))).toBe(true);
  });
  it("customVjp used inline (not declared at module level) is refused", () => {
    const c = compileSource(`import { customVjp, grad } from "tsgrad";
export const g = grad((x: number) => customVjp((v: number): number => v, (v: number, y: number, b: number) => b)(x));
`);
    expect(c.messages.some((m) => m.startsWith("TSG1020"))).toBe(true);
  });
});

describe("implicit differentiation (examples/implicit.ts)", () => {
  it("the customVjp rule from the implicit function theorem matches the loop and finite differences", () => {
    fc.assert(
      fc.property(fc.double({ min: -0.9, max: 10, noNaN: true }), (x) => {
        const h = 1e-6 * Math.max(1, Math.abs(x));
        const fd = (lossThroughLoop(x + h) - lossThroughLoop(x - h)) / (2 * h);
        expect(Math.abs(gradImplicit(x) - gradThroughLoop(x))).toBeLessThan(1e-9);
        expect(Math.abs(gradImplicit(x) - fd)).toBeLessThan(1e-5);
        expect(Number.isFinite(solve(x))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
