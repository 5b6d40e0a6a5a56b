/**
 * Every scalar rule through generated code, in both modes. test/rules.test.ts checks the rules as
 * TypeScript functions; here it is the code the transformer generates from them (templates parsed
 * to IR, instantiated by the forward and reverse passes, emitted) that is compared with
 * references independent of tsgrad:
 *   - each primitive at points of its domain, negative arguments included (`%` with negative
 *     dividends and divisors), against central finite differences of the plain function (grad,
 *     reverse mode; jvp, forward mode; and the two against each other);
 *   - the documented choices where no derivative exists (ties of max and min, abs at 0, hypot at
 *     the origin, d(a ** b)/db at a = 0): the exact values the rules promise;
 *   - the piecewise-constant primitives (sign, floor, ceil, round, trunc, the bitwise operators): a zero derivative, in
 *     programs whose gradient is non-zero only through the other factor, and the right value;
 *   - every primitive whose partial derivative reads the primitive's own output, applied to the
 *     variable it overwrites (`v = op(v)`), straight, in a loop and on array elements.
 */
import { describe, expect, it } from "vitest";
import { grad, hvp, jvp, valueAndGrad } from "tsgrad";
import { primitives as primitiveTable, type Primitive } from "../transformer/rules/primitives.js";
import { differentiableOps } from "../transformer/rules/registry.js";

/** A primitive of the table with a derivative rule (not a boolean, not `select`). */
type ScalarRule = Exclude<Primitive, { readonly kind: "comparison" | "boolean" } | { readonly arity: 3 }>;
const scalarRules: Record<string, ScalarRule> = Object.fromEntries(differentiableOps().map((n) => [n, primitiveTable[n] as ScalarRule]));
import { expectClose } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

type Fn = (...args: never[]) => unknown;
interface Case {
  readonly f: Fn;
  readonly grad: Fn;
  readonly jvp: Fn;
  readonly valueAndGrad?: Fn;
  /** Points where the primitive is smooth. */
  readonly points: readonly (readonly number[])[];
}

// ---- one function per primitive ------------------------------------------------------------------

function add(a: number, b: number): number { return a + b; }
function sub(a: number, b: number): number { return a - b; }
function mul(a: number, b: number): number { return a * b; }
function div(a: number, b: number): number { return a / b; }
function mod(a: number, b: number): number { return a % b; }
function pow(a: number, b: number): number { return a ** b; }
function powCall(a: number, b: number): number { return Math.pow(a, b); }
function neg(a: number): number { return -a; }
function sin(x: number): number { return Math.sin(x); }
function cos(x: number): number { return Math.cos(x); }
function tan(x: number): number { return Math.tan(x); }
function asin(x: number): number { return Math.asin(x); }
function acos(x: number): number { return Math.acos(x); }
function atan(x: number): number { return Math.atan(x); }
function atan2(a: number, b: number): number { return Math.atan2(a, b); }
function sinh(x: number): number { return Math.sinh(x); }
function cosh(x: number): number { return Math.cosh(x); }
function tanh(x: number): number { return Math.tanh(x); }
function asinh(x: number): number { return Math.asinh(x); }
function acosh(x: number): number { return Math.acosh(x); }
function atanh(x: number): number { return Math.atanh(x); }
function exp(x: number): number { return Math.exp(x); }
function expm1(x: number): number { return Math.expm1(x); }
function log(x: number): number { return Math.log(x); }
function log1p(x: number): number { return Math.log1p(x); }
function log2(x: number): number { return Math.log2(x); }
function log10(x: number): number { return Math.log10(x); }
function sqrt(x: number): number { return Math.sqrt(x); }
function cbrt(x: number): number { return Math.cbrt(x); }
function hypot(a: number, b: number): number { return Math.hypot(a, b); }
function hypot3(a: number, b: number, c: number): number { return Math.hypot(a, b, c); }
function abs(x: number): number { return Math.abs(x); }
function min(a: number, b: number): number { return Math.min(a, b); }
function max(a: number, b: number): number { return Math.max(a, b); }
function min3(a: number, b: number, c: number): number { return Math.min(a, b, c); }
function max3(a: number, b: number, c: number): number { return Math.max(a, b, c); }

const primitives: Record<string, Case> = {
  add: { f: add, grad: grad(add), jvp: jvp(add), points: [[1.3, -0.7], [-2.1, 0.4]] },
  sub: { f: sub, grad: grad(sub), jvp: jvp(sub), points: [[1.3, -0.7], [-2.1, 0.4]] },
  mul: { f: mul, grad: grad(mul), jvp: jvp(mul), points: [[1.3, -0.7], [-2.1, 0.4]] },
  div: { f: div, grad: grad(div), jvp: jvp(div), points: [[1.3, -0.7], [-2.1, 0.4], [0.5, 3]] },
  // a / b away from integers (where % jumps); negative dividends and divisors: trunc, not floor
  mod: { f: mod, grad: grad(mod), jvp: jvp(mod), points: [[5.3, 2], [-5.3, 2], [7.1, -3], [-7.1, -3], [-0.7, 0.3], [2.2, 5]] },
  pow: { f: pow, grad: grad(pow), jvp: jvp(pow), points: [[1.7, 2.3], [0.4, -1.5], [2, 3], [3.2, 0.5]] },
  powCall: { f: powCall, grad: grad(powCall), jvp: jvp(powCall), points: [[1.7, 2.3], [0.4, -1.5]] },
  neg: { f: neg, grad: grad(neg), jvp: jvp(neg), points: [[-1.2], [0.8]] },
  sin: { f: sin, grad: grad(sin), jvp: jvp(sin), points: [[-1.1], [0.4], [2.5]] },
  cos: { f: cos, grad: grad(cos), jvp: jvp(cos), points: [[-1.1], [0.4], [2.5]] },
  tan: { f: tan, grad: grad(tan), jvp: jvp(tan), points: [[-1.2], [0.3], [1.1]] },
  asin: { f: asin, grad: grad(asin), jvp: jvp(asin), points: [[-0.6], [0.3], [0.8]] },
  acos: { f: acos, grad: grad(acos), jvp: jvp(acos), points: [[-0.6], [0.3], [0.8]] },
  atan: { f: atan, grad: grad(atan), jvp: jvp(atan), points: [[-2.5], [0.3], [1.7]] },
  // every quadrant, away from the origin and the branch cut (b < 0, a = 0)
  atan2: { f: atan2, grad: grad(atan2), jvp: jvp(atan2), points: [[0.5, 1.2], [0.5, -1.2], [-0.8, -0.6], [-0.8, 0.6]] },
  sinh: { f: sinh, grad: grad(sinh), jvp: jvp(sinh), points: [[-1.4], [0.6]] },
  cosh: { f: cosh, grad: grad(cosh), jvp: jvp(cosh), points: [[-1.4], [0.6]] },
  tanh: { f: tanh, grad: grad(tanh), jvp: jvp(tanh), points: [[-1.4], [0.6]] },
  asinh: { f: asinh, grad: grad(asinh), jvp: jvp(asinh), points: [[-1.4], [0.6]] },
  acosh: { f: acosh, grad: grad(acosh), jvp: jvp(acosh), points: [[1.5], [3.2]] },
  atanh: { f: atanh, grad: grad(atanh), jvp: jvp(atanh), points: [[-0.6], [0.3], [0.8]] },
  exp: { f: exp, grad: grad(exp), jvp: jvp(exp), points: [[-1.4], [0.6], [2.1]] },
  expm1: { f: expm1, grad: grad(expm1), jvp: jvp(expm1), points: [[-0.8], [1.1]] },
  log: { f: log, grad: grad(log), jvp: jvp(log), points: [[0.3], [2.7]] },
  log1p: { f: log1p, grad: grad(log1p), jvp: jvp(log1p), points: [[-0.5], [2]] },
  log2: { f: log2, grad: grad(log2), jvp: jvp(log2), points: [[0.3], [2.7]] },
  log10: { f: log10, grad: grad(log10), jvp: jvp(log10), points: [[0.3], [2.7]] },
  sqrt: { f: sqrt, grad: grad(sqrt), jvp: jvp(sqrt), points: [[0.4], [3]] },
  cbrt: { f: cbrt, grad: grad(cbrt), jvp: jvp(cbrt), points: [[-2.5], [0.7]] },
  hypot: { f: hypot, grad: grad(hypot), jvp: jvp(hypot), points: [[3, -4], [-0.5, 1.2]] },
  hypot3: { f: hypot3, grad: grad(hypot3), jvp: jvp(hypot3), points: [[0.5, 1.2, -0.3]] },
  abs: { f: abs, grad: grad(abs), jvp: jvp(abs), points: [[-1.3], [0.8]] },
  min: { f: min, grad: grad(min), jvp: jvp(min), points: [[1.2, -0.5], [-2, 0.3]] },
  max: { f: max, grad: grad(max), jvp: jvp(max), points: [[1.2, -0.5], [-2, 0.3]] },
  min3: { f: min3, grad: grad(min3), jvp: jvp(min3), points: [[1.2, -0.5, 0.7], [0.4, 2, -3]] },
  max3: { f: max3, grad: grad(max3), jvp: jvp(max3), points: [[1.2, -0.5, 0.7], [0.4, 2, -3]] },
};

describe("every primitive through generated code (grad and jvp against finite differences)", () => {
  it("covers every differentiable rule of the registry", () => {
    const smooth = Object.entries(scalarRules).filter(([, r]) => r.partials !== "zero").map(([n]) => n);
    for (const name of smooth) expect(primitives, `a case for ${name}`).toHaveProperty(name);
  });
  for (const [name, c] of Object.entries(primitives))
    it(name, () => {
      for (const point of c.points) verifyDerivatives(c.f, { grad: c.grad, jvp: c.jvp }, point);
    });
});

describe("% through generated code: the partials of a - b * trunc(a / b)", () => {
  const dmod = grad(mod);
  const tmod = jvp(mod);
  it("negative dividends and divisors: d/da = 1, d/db = -trunc(a / b), in both modes", () => {
    for (const [a, b] of [[-5.3, 2], [-7.1, -3], [5.3, -2], [-0.7, 0.3], [-2.5, 1]] as const) {
      const q = Math.trunc(a / b);
      expect(dmod(a, b)).toEqual([1, -q]);
      expect(tmod(a, b, 0, 1)).toEqual({ value: a % b, tangent: -q });
      expect(tmod(a, b, 1, 0)).toEqual({ value: a % b, tangent: 1 });
    }
  });
});

// ---- the documented choices where no derivative exists -----------------------------------------

function relu(x: number): number { return Math.max(x, 0); }
function reluSwapped(x: number): number { return Math.max(0, x); }

describe("ties and kinks through generated code: the documented choices, in both modes", () => {
  it("max and min at a tie: the whole derivative goes to the first argument", () => {
    for (const [d, t] of [[grad(max), jvp(max)], [grad(min), jvp(min)]] as const) {
      expect(d(1, 1)).toEqual([1, 0]);
      expect(d(-2.5, -2.5)).toEqual([1, 0]);
      expect(t(1, 1, 1, 0).tangent).toBe(1);
      expect(t(1, 1, 0, 1).tangent).toBe(0);
      expect(t(1, 1, 0.5, -3).tangent).toBe(0.5);
    }
    expect(grad(max3)(2, 2, 2)).toEqual([1, 0, 0]);
    expect(grad(min3)(2, 2, 2)).toEqual([1, 0, 0]);
    expect(grad(max3)(1, 2, 2)).toEqual([0, 1, 0]);
    expect(jvp(max3)(2, 2, 2, 0.5, 7, 9).tangent).toBe(0.5);
    expect(jvp(min3)(1, 2, 2, 5, 0.25, 9).tangent).toBe(5);
  });
  it("max(x, 0) at 0 has slope 1 (the first argument), max(0, x) slope 0", () => {
    expect(grad(relu)(0)).toBe(1);
    expect(jvp(relu)(0, 2)).toEqual({ value: 0, tangent: 2 });
    expect(grad(reluSwapped)(0)).toBe(0);
    expect(jvp(reluSwapped)(0, 2)).toEqual({ value: 0, tangent: 0 });
  });
  it("abs'(0) is 0", () => {
    expect(grad(abs)(0)).toBe(0);
    expect(jvp(abs)(0, 3)).toEqual({ value: 0, tangent: 0 });
  });
  it("hypot at the origin: the subgradient 0", () => {
    expect(grad(hypot)(0, 0)).toEqual([0, 0]);
    expect(jvp(hypot)(0, 0, 1, -2)).toEqual({ value: 0, tangent: 0 });
    expect(grad(hypot3)(0, 0, 0)).toEqual([0, 0, 0]);
    expect(jvp(hypot3)(0, 0, 0, 1, 1, 1)).toEqual({ value: 0, tangent: 0 });
  });
  it("d(a ** b)/db at a = 0 is 0 (the limit from a > 0), and d/da is b a^(b - 1)", () => {
    expect(grad(pow)(0, 2.5)).toEqual([0, 0]);
    expect(jvp(pow)(0, 2.5, 0, 1)).toEqual({ value: 0, tangent: 0 });
    expect(grad(pow)(0, 1)).toEqual([1, 0]);
    expect(jvp(pow)(0, 1, 2, 1)).toEqual({ value: 0, tangent: 2 });
    expect(grad(powCall)(0, 3)).toEqual([0, 0]);
    // for a < 0 the derivative in b is NaN, as (-a) ** b is for non-integer b
    expect(grad(pow)(-1.5, 2)[1]).toBeNaN();
  });
  // The guarded partials differentiated again: where the guard holds along a whole path (hypot of
  // arguments that are 0 for every x, 0 ** b), the function is smooth there and its second
  // derivative is that of the rest. A second-order pass differentiates both branches of the
  // guard: the other branch's 0 / 0 or log(0) must not turn the zero adjoint into NaN.
  it("second order through hypot at the origin and a ** b at a = 0: every composition agrees with finite differences", () => {
    // k = 0 at run time: the guarded terms vanish on the whole path, so f(x, y) = x y there
    for (const [name, tangentOf, gradOf, hvpOf, jvpGradOf] of [
      ["hypot", hypotTangent, grad(hypotTangent, { wrt: [0] }), hvp(guardedHypot, { wrt: [0] }), jvp(grad(guardedHypot, { wrt: [0] }), { wrt: [0] })],
      ["pow", powTangent, grad(powTangent, { wrt: [0] }), hvp(guardedPow, { wrt: [0] }), jvp(grad(guardedPow, { wrt: [0] }), { wrt: [0] })],
    ] as const) {
      const x = 1.3;
      // the reference: central differences of the first-order tangent, and the closed form 0.5
      const h = 1e-5;
      const fd = (tangentOf(x + h, 0) - tangentOf(x - h, 0)) / (2 * h);
      expectClose(fd, 0.5, 1e-8, `${name}: finite differences`);
      expectClose(gradOf(x, 0), 0.5, 1e-12, `${name}: reverse over forward`);
      // the Hessian of x y is [[0, 1], [1, 0]]: along (1, 0.5) that is (0.5, 1)
      expectClose(hvpOf([x, 2], 0, [1, 0.5]), [0.5, 1], 1e-12, `${name}: forward over reverse (hvp)`);
      expectClose(jvpGradOf([x, 2], 0, [1, 0.5]).tangent, [0.5, 1], 1e-12, `${name}: forward over reverse (jvp of grad)`);
    }
  });
});

/** x y plus a hypot whose arguments are 0 whenever k is. */
function guardedHypot(p: number[], k: number): number {
  return p[0]! * p[1]! + Math.hypot(k * p[0]!, k * p[1]!);
}
/** x y plus (k x) ** (2 + y^2), 0 ** b whenever k is 0. */
function guardedPow(p: number[], k: number): number {
  return p[0]! * p[1]! + (k * p[0]!) ** (2 + p[1]! * p[1]!);
}
/** The directional derivative along (1, 0.5) at (x, 2): 2 + 0.5 x when k = 0. */
function hypotTangent(x: number, k: number): number {
  return jvp(guardedHypot, { wrt: [0] })([x, 2], k, [1, 0.5]).tangent;
}
function powTangent(x: number, k: number): number {
  return jvp(guardedPow, { wrt: [0] })([x, 2], k, [1, 0.5]).tangent;
}

// ---- piecewise-constant primitives --------------------------------------------------------------

// prim(x) * x: the derivative is prim(x) + prim'(x) x, that is prim(x) with prim' = 0; a rule that
// passed the derivative through (prim' = 1) would give prim(x) + x
function floorTimes(x: number): number { return Math.floor(x) * x; }
function ceilTimes(x: number): number { return Math.ceil(x) * x; }
function roundTimes(x: number): number { return Math.round(x) * x; }
function truncTimes(x: number): number { return Math.trunc(x) * x; }
function signTimes(x: number): number { return Math.sign(x) * x; }
// bitwise operators: integers of the operands' 32-bit integer parts
function andTimes(x: number): number { return (x & 6) * x; }
function orTimes(x: number): number { return (x | 1) * x; }
function xorTimes(x: number): number { return (x ^ 5) * x; }
function shlTimes(x: number): number { return (x << 2) * x; }
function shrTimes(x: number): number { return (x >> 1) * x; }
function ushrTimes(x: number): number { return (x >>> 1) * x; }
function notTimes(x: number): number { return ~x * x; }
// alone: locally constant, a derivative of exactly 0
function floorAlone(x: number): number { return Math.floor(x * 3) + 1; }
// inside a chain: y = floor(x) feeds a smooth function of both
function steps(x: number, y: number): number { return Math.sin(Math.round(x * y)) * y + Math.ceil(x) * Math.exp(y); }

const piecewise: Record<string, Case & { readonly valueAndGrad: Fn; readonly prim: (x: number) => number }> = {
  floor: { f: floorTimes, grad: grad(floorTimes), jvp: jvp(floorTimes), valueAndGrad: valueAndGrad(floorTimes), prim: Math.floor, points: [[-2.3], [-2.7], [1.6]] },
  ceil: { f: ceilTimes, grad: grad(ceilTimes), jvp: jvp(ceilTimes), valueAndGrad: valueAndGrad(ceilTimes), prim: Math.ceil, points: [[-2.3], [-2.7], [1.6]] },
  round: { f: roundTimes, grad: grad(roundTimes), jvp: jvp(roundTimes), valueAndGrad: valueAndGrad(roundTimes), prim: Math.round, points: [[-2.3], [-2.7], [1.6]] },
  trunc: { f: truncTimes, grad: grad(truncTimes), jvp: jvp(truncTimes), valueAndGrad: valueAndGrad(truncTimes), prim: Math.trunc, points: [[-2.3], [-2.7], [1.6]] },
  sign: { f: signTimes, grad: grad(signTimes), jvp: jvp(signTimes), valueAndGrad: valueAndGrad(signTimes), prim: Math.sign, points: [[-0.7], [0.4]] },
  bitAnd: { f: andTimes, grad: grad(andTimes), jvp: jvp(andTimes), valueAndGrad: valueAndGrad(andTimes), prim: (x) => x & 6, points: [[-2.3], [-7.7], [13.6]] },
  bitOr: { f: orTimes, grad: grad(orTimes), jvp: jvp(orTimes), valueAndGrad: valueAndGrad(orTimes), prim: (x) => x | 1, points: [[-2.3], [-7.7], [13.6]] },
  bitXor: { f: xorTimes, grad: grad(xorTimes), jvp: jvp(xorTimes), valueAndGrad: valueAndGrad(xorTimes), prim: (x) => x ^ 5, points: [[-2.3], [-7.7], [13.6]] },
  shiftLeft: { f: shlTimes, grad: grad(shlTimes), jvp: jvp(shlTimes), valueAndGrad: valueAndGrad(shlTimes), prim: (x) => x << 2, points: [[-2.3], [-7.7], [13.6]] },
  shiftRight: { f: shrTimes, grad: grad(shrTimes), jvp: jvp(shrTimes), valueAndGrad: valueAndGrad(shrTimes), prim: (x) => x >> 1, points: [[-2.3], [-7.7], [13.6]] },
  shiftRightUnsigned: { f: ushrTimes, grad: grad(ushrTimes), jvp: jvp(ushrTimes), valueAndGrad: valueAndGrad(ushrTimes), prim: (x) => x >>> 1, points: [[-2.3], [-7.7], [13.6]] },
  bitNot: { f: notTimes, grad: grad(notTimes), jvp: jvp(notTimes), valueAndGrad: valueAndGrad(notTimes), prim: (x) => ~x, points: [[-2.3], [-7.7], [13.6]] },
};

describe("piecewise-constant primitives through generated code", () => {
  it("covers every primitive with a zero rule (stopGradient apart)", () => {
    const zero = Object.entries(scalarRules).filter(([n, r]) => r.partials === "zero" && n !== "stop").map(([n]) => n);
    expect(new Set(Object.keys(piecewise))).toEqual(new Set(zero));
  });
  for (const [name, c] of Object.entries(piecewise))
    it(`${name}(x) * x: the derivative is ${name}(x), the value is ${name}(x) * x`, () => {
      for (const [x] of c.points as [number][]) {
        // the closed form: with a zero derivative for the step, only the other factor's remains
        expect((c.grad as (x: number) => number)(x)).toBe(c.prim(x));
        expect((c.jvp as (x: number, v: number) => { tangent: number }).call(null, x, 2).tangent).toBe(2 * c.prim(x));
        expect((c.valueAndGrad as (x: number) => { value: number }).call(null, x).value).toBe(c.prim(x) * x);
        verifyDerivatives(c.f, { grad: c.grad, jvp: c.jvp, valueAndGrad: c.valueAndGrad }, [x]);
      }
    });
  it("a step alone is locally constant: its derivative is exactly 0, its value unchanged", () => {
    expect(grad(floorAlone)(-0.9)).toBe(0);
    expect(jvp(floorAlone)(-0.9, 1)).toEqual({ value: Math.floor(-2.7) + 1, tangent: 0 });
  });
  it("steps inside a chain: finite differences in both modes", () => {
    for (const point of [[0.7, 1.3], [-1.2, 0.4], [2.45, -0.8]]) verifyDerivatives(steps, { grad: grad(steps), jvp: jvp(steps), valueAndGrad: valueAndGrad(steps) }, point);
  });
});

// ---- v = op(v) for every primitive whose partial reads its own output ---------------------------

// straight: the partial needs both the old v (an argument) and the new one (the output)
function expOnce(x: number): number { let v = x * 0.5; v = Math.exp(v); return v * x; }
function expm1Once(x: number): number { let v = x * 0.5; v = Math.expm1(v); return v * x; }
function tanOnce(x: number): number { let v = x * 0.5; v = Math.tan(v); return v * x; }
function tanhOnce(x: number): number { let v = x * 0.5; v = Math.tanh(v); return v * x; }
function sqrtOnce(x: number): number { let v = x * 0.5; v = Math.sqrt(v); return v * x; }
function cbrtOnce(x: number): number { let v = x * 0.5; v = Math.cbrt(v); return v * x; }
function divOnce(x: number): number { let v = x * 0.5; v = 2 / v; return v * x; }
function powOnce(x: number): number { let v = x * 0.5; v = 1.5 ** v; return v * x; }
function hypotOnce(x: number): number { let v = x * 0.5; v = Math.hypot(v, 0.7); return v * x; }
function hypotSecondOnce(x: number): number { let v = x * 0.5; v = Math.hypot(0.7, v); return v * x; }

// in a loop: each trip's partial needs that trip's output, after the variable was overwritten
function expLoop(x: number): number { let v = x * 0.2; for (let i = 0; i < 3; i++) { v = Math.exp(v); v = v * 0.3; } return v + x; }
function expm1Loop(x: number): number { let v = x * 0.2; for (let i = 0; i < 3; i++) v = Math.expm1(v); return v * x; }
function tanLoop(x: number): number { let v = x * 0.2; for (let i = 0; i < 3; i++) v = Math.tan(v); return v * x; }
function tanhLoop(x: number): number { let v = x; for (let i = 0; i < 3; i++) v = Math.tanh(v); return v * x; }
function sqrtLoop(x: number): number { let v = x; for (let i = 0; i < 3; i++) v = Math.sqrt(v); return v * x; }
function cbrtLoop(x: number): number { let v = x; for (let i = 0; i < 3; i++) v = Math.cbrt(v); return v * x; }
function divLoop(x: number): number { let v = x; for (let i = 0; i < 3; i++) v = 2 / v; return v * x; }
function powLoop(x: number): number { let v = x * 0.5; for (let i = 0; i < 3; i++) v = 1.5 ** v; return v * x; }
function hypotLoop(x: number): number { let v = x; for (let i = 0; i < 3; i++) v = Math.hypot(v, 0.7); return v * x; }
function hypotSecondLoop(x: number): number { let v = x; for (let i = 0; i < 3; i++) v = Math.hypot(0.7, v); return v * x; }

// on array elements, in a loop: a[i] = op(a[i])
function expElements(x: number[]): number { const a = x.slice(); let s = 0; for (let i = 0; i < a.length; i++) { a[i] = Math.exp(a[i]!); s += a[i]! * x[i]!; } return s; }
function expm1Elements(x: number[]): number { const a = x.slice(); let s = 0; for (let i = 0; i < a.length; i++) { a[i] = Math.expm1(a[i]!); s += a[i]! * x[i]!; } return s; }
function tanElements(x: number[]): number { const a = x.slice(); let s = 0; for (let i = 0; i < a.length; i++) { a[i] = Math.tan(a[i]!); s += a[i]! * x[i]!; } return s; }
function tanhElements(x: number[]): number { const a = x.slice(); let s = 0; for (let i = 0; i < a.length; i++) { a[i] = Math.tanh(a[i]!); s += a[i]! * x[i]!; } return s; }
function sqrtElements(x: number[]): number { const a = x.slice(); let s = 0; for (let i = 0; i < a.length; i++) { a[i] = Math.sqrt(a[i]!); s += a[i]! * x[i]!; } return s; }
function cbrtElements(x: number[]): number { const a = x.slice(); let s = 0; for (let i = 0; i < a.length; i++) { a[i] = Math.cbrt(a[i]!); s += a[i]! * x[i]!; } return s; }
function divElements(x: number[]): number { const a = x.slice(); let s = 0; for (let i = 0; i < a.length; i++) { a[i] = 2 / a[i]!; s += a[i]! * x[i]!; } return s; }
function powElements(x: number[]): number { const a = x.slice(); let s = 0; for (let i = 0; i < a.length; i++) { a[i] = 1.5 ** a[i]!; s += a[i]! * x[i]!; } return s; }
function hypotElements(x: number[]): number { const a = x.slice(); let s = 0; for (let i = 0; i < a.length; i++) { a[i] = Math.hypot(a[i]!, 0.7); s += a[i]! * x[i]!; } return s; }

interface SelfUpdate {
  readonly once: readonly [Fn, Fn, Fn, Fn];
  readonly loop: readonly [Fn, Fn, Fn, Fn];
  readonly elements?: readonly [Fn, Fn, Fn, Fn];
}
/** Each case: the function, grad, jvp, valueAndGrad. */
const selfUpdates: Record<string, SelfUpdate[]> = {
  exp: [{ once: [expOnce, grad(expOnce), jvp(expOnce), valueAndGrad(expOnce)], loop: [expLoop, grad(expLoop), jvp(expLoop), valueAndGrad(expLoop)], elements: [expElements, grad(expElements), jvp(expElements), valueAndGrad(expElements)] }],
  expm1: [{ once: [expm1Once, grad(expm1Once), jvp(expm1Once), valueAndGrad(expm1Once)], loop: [expm1Loop, grad(expm1Loop), jvp(expm1Loop), valueAndGrad(expm1Loop)], elements: [expm1Elements, grad(expm1Elements), jvp(expm1Elements), valueAndGrad(expm1Elements)] }],
  tan: [{ once: [tanOnce, grad(tanOnce), jvp(tanOnce), valueAndGrad(tanOnce)], loop: [tanLoop, grad(tanLoop), jvp(tanLoop), valueAndGrad(tanLoop)], elements: [tanElements, grad(tanElements), jvp(tanElements), valueAndGrad(tanElements)] }],
  tanh: [{ once: [tanhOnce, grad(tanhOnce), jvp(tanhOnce), valueAndGrad(tanhOnce)], loop: [tanhLoop, grad(tanhLoop), jvp(tanhLoop), valueAndGrad(tanhLoop)], elements: [tanhElements, grad(tanhElements), jvp(tanhElements), valueAndGrad(tanhElements)] }],
  sqrt: [{ once: [sqrtOnce, grad(sqrtOnce), jvp(sqrtOnce), valueAndGrad(sqrtOnce)], loop: [sqrtLoop, grad(sqrtLoop), jvp(sqrtLoop), valueAndGrad(sqrtLoop)], elements: [sqrtElements, grad(sqrtElements), jvp(sqrtElements), valueAndGrad(sqrtElements)] }],
  cbrt: [{ once: [cbrtOnce, grad(cbrtOnce), jvp(cbrtOnce), valueAndGrad(cbrtOnce)], loop: [cbrtLoop, grad(cbrtLoop), jvp(cbrtLoop), valueAndGrad(cbrtLoop)], elements: [cbrtElements, grad(cbrtElements), jvp(cbrtElements), valueAndGrad(cbrtElements)] }],
  div: [{ once: [divOnce, grad(divOnce), jvp(divOnce), valueAndGrad(divOnce)], loop: [divLoop, grad(divLoop), jvp(divLoop), valueAndGrad(divLoop)], elements: [divElements, grad(divElements), jvp(divElements), valueAndGrad(divElements)] }],
  pow: [{ once: [powOnce, grad(powOnce), jvp(powOnce), valueAndGrad(powOnce)], loop: [powLoop, grad(powLoop), jvp(powLoop), valueAndGrad(powLoop)], elements: [powElements, grad(powElements), jvp(powElements), valueAndGrad(powElements)] }],
  hypot: [
    { once: [hypotOnce, grad(hypotOnce), jvp(hypotOnce), valueAndGrad(hypotOnce)], loop: [hypotLoop, grad(hypotLoop), jvp(hypotLoop), valueAndGrad(hypotLoop)], elements: [hypotElements, grad(hypotElements), jvp(hypotElements), valueAndGrad(hypotElements)] },
    { once: [hypotSecondOnce, grad(hypotSecondOnce), jvp(hypotSecondOnce), valueAndGrad(hypotSecondOnce)], loop: [hypotSecondLoop, grad(hypotSecondLoop), jvp(hypotSecondLoop), valueAndGrad(hypotSecondLoop)] },
  ],
};

/** The rules whose partial derivatives read the primitive's output `y` (their last parameter). */
function readsOutput(rule: ScalarRule): boolean {
  const d = rule.partials;
  const fns: readonly ((...a: never[]) => unknown)[] = d === "zero" ? [] : "each" in d ? [d.each] : d;
  return fns.some((f) => {
    const params = /^\(([^)]*)\)/.exec(f.toString())![1]!.split(",").map((p) => p.trim());
    const body = f.toString().slice(f.toString().indexOf("=>") + 2);
    return new RegExp(`\\b${params[params.length - 1]}\\b`).test(body);
  });
}

describe("v = op(v) for every primitive whose partial reads its output (reverse and forward mode)", () => {
  it("covers every such rule of the registry", () => {
    const reading = Object.entries(scalarRules).filter(([, r]) => readsOutput(r)).map(([n]) => n);
    expect(new Set(Object.keys(selfUpdates))).toEqual(new Set(reading));
  });
  for (const [name, forms] of Object.entries(selfUpdates))
    it(name, () => {
      for (const form of forms) {
        for (const x of [0.6, 1.7]) {
          for (const [f, g, j, vg] of [form.once, form.loop]) verifyDerivatives(f, { grad: g, jvp: j, valueAndGrad: vg }, [x]);
        }
        if (form.elements) {
          const [f, g, j, vg] = form.elements;
          verifyDerivatives(f, { grad: g, jvp: j, valueAndGrad: vg }, [[0.3, 0.9, 1.4]]);
        }
      }
    });
});

describe("a self-update's value is the primitive's output, not its input", () => {
  it("straight and in a loop, through grad's value path (valueAndGrad) and jvp's", () => {
    expectClose(valueAndGrad(tanhLoop)(0.8).value, Math.tanh(Math.tanh(Math.tanh(0.8))) * 0.8, 0);
    expectClose(jvp(sqrtOnce)(1.2, 1).value, Math.sqrt(0.6) * 1.2, 0);
  });
});
