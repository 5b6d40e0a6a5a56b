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
import { expectClose, matVec, numericHessian } from "./support/numeric.js";
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
  it("hvp differentiates the rule function itself (here exact: second differences of the function)", () => {
    const x = [0.7, -1.3];
    for (const v of [[1, 0], [0.3, -2]]) expectClose(hvp(wrapped)(x, v), matVec(numericHessian(wrapped, x), v), 1e-5);
  });
});

function wrapped(v: number[]): number {
  return usesSoftclip(v[0]!, v[1]!);
}

/** softclip's derivative, 1 / (1 + |u|)², and the gradient of usesSoftclip in closed form. */
const softclipSlope = (u: number) => 1 / ((1 + Math.abs(u)) * (1 + Math.abs(u)));
const usesSoftclipGradient = (x: number, y: number) => [y * softclipSlope(x * y) + softclipSlope(x) * y, x * softclipSlope(x * y) + x / (1 + Math.abs(x))];

describe("vjp through a rule", () => {
  it("pulls back through customVjp", () => {
    const r = vjp(usesSoftclip)(0.7, -1.3);
    expect(r.value).toBe(usesSoftclip(0.7, -1.3));
    expectClose(r.pullback(1), usesSoftclipGradient(0.7, -1.3), 1e-15);
    expectClose(r.pullback(-2), usesSoftclipGradient(0.7, -1.3).map((g) => -2 * g), 1e-15);
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

// ---- rules that differ from the true derivative on purpose: the numbers show which was used -----
// A rule equal to the true derivative cannot show it was used (differentiating the body gives the
// same numbers). These are off by a known factor, and the references are closed forms of what the
// rule says, worked out by hand.

/** x³ with a reverse rule of twice its derivative: 6 x² ȳ. */
const cubeDoubled = customVjp(
  (x: number): number => x * x * x,
  (x, y, ybar) => 6 * x * x * ybar,
);
/** x³ with a forward rule of three times its derivative: 9 x² dx. */
const cubeTripled = customJvp(
  (x: number): number => x * x * x,
  (x, dx) => 9 * x * x * dx,
);
function doubledUser(x: number, y: number): number {
  return cubeDoubled(x * y) + x;
}
function tripledUser(x: number, y: number): number {
  return cubeTripled(x * y) + x;
}
function doubledPacked(v: number[]): number {
  return doubledUser(v[0]!, v[1]!);
}

/** The cube root with half its derivative: ȳ / (6 y²). */
const cbrtHalf = customVjp(
  (a: number): number => Math.cbrt(a),
  (a, y, ybar) => ybar / (6 * y * y),
);
function halfTwice(x: number): number {
  let v = x;
  v = cbrtHalf(v);
  v = cbrtHalf(v);
  return v * x;
}
function halfInLoop(x: number): number {
  let v = x;
  for (let i = 0; i < 2; i++) v = cbrtHalf(v);
  return v * x;
}

/** Half the squared norm of a tensor, with three times its gradient: 3 t ȳ. */
const energyTripled = customVjp(
  (t: Tensor): number => item(sum(mul(t, t))) * 0.5,
  (t, y, ybar) => mul(t, ybar * 3),
);
function usesEnergyTripled(t: Tensor, s: number): number {
  return energyTripled(tanh(mul(t, s))) * s;
}

describe("rules that differ from the true derivative are the ones used", () => {
  const [x, y] = [0.7, -1.3];
  const u = x * y;
  it("customVjp in reverse mode (grad, valueAndGrad, vjp) and forward mode (jvp)", () => {
    const expected = [6 * u * u * y + 1, 6 * u * u * x];
    expectClose(grad(doubledUser)(x, y), expected, 1e-14);
    expectClose(valueAndGrad(doubledUser)(x, y).grad, expected, 1e-14);
    expect(valueAndGrad(doubledUser)(x, y).value).toBe(u * u * u + x);
    const r = vjp(doubledUser)(x, y);
    expectClose(r.pullback(1), expected, 1e-14);
    expectClose(r.pullback(3), expected.map((e) => 3 * e), 1e-14);
    // forward mode uses the reverse rule with cotangent 1, dotted with the tangents
    expectClose(jvp(doubledUser)(x, y, 0.5, -2).tangent, 6 * u * u * (0.5 * y - 2 * x) + 0.5, 1e-14);
  });
  it("customJvp in forward mode, and in reverse mode along each argument", () => {
    expectClose(jvp(tripledUser)(x, y, 0.5, -2).tangent, 9 * u * u * (0.5 * y - 2 * x) + 0.5, 1e-14);
    expectClose(grad(tripledUser)(x, y), [9 * u * u * y + 1, 9 * u * u * x], 1e-14);
  });
  it("second order differentiates the rule: hvp is the Jacobian of the rule's gradient", () => {
    // the rule's gradient is (6 x² y³ + 1, 6 x³ y²); its Jacobian [[12 x y³, 18 x² y²], [18 x² y², 12 x³ y]]
    const [v1, v2] = [0.25, -1.5];
    const H = [[12 * x * y ** 3, 18 * x * x * y * y], [18 * x * x * y * y, 12 * x ** 3 * y]];
    expectClose(hvp(doubledPacked)([x, y], [v1, v2]), [H[0]![0]! * v1 + H[0]![1]! * v2, H[1]![0]! * v1 + H[1]![1]! * v2], 1e-12);
  });
  it("v = rule(v), once after another and in a loop: each application reads its own input and output", () => {
    for (const a of [8, 0.7, 2.5]) {
      const v1 = Math.cbrt(a);
      const v2 = Math.cbrt(v1);
      // each application's rule: 1 / (6 y²) with y its output
      const expected = a * (1 / (6 * v2 * v2)) * (1 / (6 * v1 * v1)) + v2;
      for (const f of [halfTwice, halfInLoop]) expect(f(a)).toBe(v2 * a);
      expectClose(grad(halfTwice)(a), expected, 1e-14);
      expectClose(grad(halfInLoop)(a), expected, 1e-14);
      expectClose(jvp(halfTwice)(a, 2).tangent, 2 * expected, 1e-14);
      expectClose(jvp(halfInLoop)(a, 2).tangent, 2 * expected, 1e-14);
    }
  });
  it("a tensor rule, in both modes", () => {
    const data = [0.3, -0.8, 1.1];
    const s = 0.7;
    const h = data.map((t) => Math.tanh(t * s));
    const energy = 0.5 * h.reduce((acc, hi) => acc + hi * hi, 0);
    // d/dt_i = s (3 h_i) (1 - h_i²) s ; d/ds = energy + s Σ (3 h_i) (1 - h_i²) t_i
    const dt = h.map((hi) => s * 3 * hi * (1 - hi * hi) * s);
    const ds = energy + s * h.reduce((acc, hi, i) => acc + 3 * hi * (1 - hi * hi) * data[i]!, 0);
    const [gt, gs] = grad(usesEnergyTripled)(tensor(data, [3]), s);
    expectClose(Array.from(gt.data), dt, 1e-12);
    expectClose(gs, ds, 1e-12);
    const dir = [1, 0.5, -2];
    const tangent = jvp(usesEnergyTripled)(tensor(data, [3]), s, tensor(dir, [3]), 0.25).tangent;
    expectClose(tangent, dt.reduce((acc, d, i) => acc + d * dir[i]!, 0) + 0.25 * ds, 1e-12);
  });
});
