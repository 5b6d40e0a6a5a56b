/**
 * Second order and nested derivatives when the differentiated array reaches the computation
 * through chains of helpers. A pullback that only passes its adjoint array on to the next
 * pullback writes into it through that call alone; activity analysis once missed that write,
 * took the adjoint array for one nothing fills, and forward over reverse then called the
 * callee's first-order pullback: Hessians of zero, silently. Module constants passed down were
 * taken for values that vary (ReferenceError: C_dot is not defined).
 *
 * References are closed forms or central finite differences of the plain functions, never
 * another of tsgrad's modes.
 */
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jacobian, jvp, valueAndGrad, vjp } from "tsgrad";
import { cubicSumVia } from "./fixtures/chain-helper.js";
import { expectClose } from "./support/numeric.js";

/** Central differences of a scalar function: the gradient. */
function fdGradient(f: (x: number[]) => number, x: readonly number[], h = 1e-5): number[] {
  return x.map((_, i) => {
    const up = x.slice();
    const down = x.slice();
    up[i]! += h;
    down[i]! -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** Central differences of second order: the Hessian of a plain scalar function. */
function fdHessian(f: (x: number[]) => number, x: readonly number[], h = 1e-4): number[][] {
  return x.map((_, i) => {
    const up = x.slice();
    const down = x.slice();
    up[i]! += h;
    down[i]! -= h;
    const gu = fdGradient(f, up, h);
    const gd = fdGradient(f, down, h);
    return gu.map((g, j) => (g - gd[j]!) / (2 * h));
  });
}

function inner(p: number[]): number {
  return p[0]! * p[0]! * p[0]!;
}
function middle(p: number[]): number {
  return inner(p);
}
function outer(p: number[]): number {
  return middle(p);
}
function usesOtherModule(p: number[]): number {
  return cubicSumVia(p);
}

const C = [1, 2];
function inner2(p: number[], c: number[]): number {
  return p[0]! * p[0]! * c[0]! + p[1]! * c[1]!;
}
function outer2(p: number[]): number {
  return inner2(p, C);
}

describe("second order through pass-through helpers", () => {
  it("hvp and hessian of p0³ through two pass-through helpers are 6 p0", () => {
    expectClose(hvp(outer)([2], [1]), [12], 1e-12);
    expectClose(hessian(outer)([2]), [[12]], 1e-12);
    expectClose(jvp(grad(outer))([2], [1]).tangent, [12], 1e-12);
  });

  it("a module constant passed down under hvp is data (no tangent is read for it)", () => {
    expectClose(hvp(outer2)([1, 2], [1, 0]), [2, 0], 1e-12);
    expectClose(hessian(outer2)([1, 2]), [
      [2, 0],
      [0, 0],
    ]);
  });

  it("jvp(grad(f)) with the helpers in another module", () => {
    // d²/dp² of sum p³ is diag(6 p)
    expectClose(jvp(grad(usesOtherModule))([1, 2], [1, 0]).tangent, [6, 0], 1e-12);
    expectClose(hvp(usesOtherModule)([1, 2], [0.5, -1]), [3, -12], 1e-12);
  });
});

// A fit of y = A exp(-k t) + c by full Newton, the objective split into helpers.
const T = [0, 0.5, 1, 1.5, 2, 2.5, 3];
const Y = [3.1, 2.4, 1.9, 1.6, 1.4, 1.25, 1.2];
function model(p: number[], t: number): number {
  return p[0]! * Math.exp(-p[1]! * t) + p[2]!;
}
function sse(p: number[]): number {
  let s = 0;
  for (let i = 0; i < T.length; i++) {
    const r = model(p, T[i]!) - Y[i]!;
    s += r * r;
  }
  return s;
}
function objective(p: number[]): number {
  return 0.5 * sse(p);
}

function solve3(H: number[][], g: number[]): number[] {
  const a = H.map((row, i) => [...row, g[i]!]);
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const m = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 4; k++) a[r]![k]! -= m * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[3]! / row[i]!);
}

describe("Newton's method through objective -> sse -> model", () => {
  it("the Hessian matches finite differences of the plain objective", () => {
    const p = [2, 0.8, 1];
    expectClose(hessian(objective)(p), fdHessian(objective, p), 1e-5);
  });

  it("full Newton converges to a point where the gradient (by finite differences) vanishes", () => {
    let p = [3, 1, 1];
    for (let it = 0; it < 30; it++) {
      const g = grad(objective)(p);
      const H = hessian(objective)(p);
      const step = solve3(H, g);
      p = p.map((x, i) => x - step[i]!);
    }
    const g = fdGradient(objective, p);
    for (const gi of g) expect(Math.abs(gi)).toBeLessThan(1e-7);
  });
});

function h3(a: number[]): number {
  return a[0]! * a[1]! * a[1]! + Math.sin(a[0]!);
}
function h2(a: number[]): number {
  return h3(a);
}
function h1(a: number[]): number {
  return h2(a);
}
/** One number in, a local array handed down three helpers. */
function g(x: number): number {
  const a = [x, x * x];
  return h1(a);
}
// g(x) = x^5 + sin x: g'' = 20 x^3 - sin x

function pair(r: number[]): number {
  const d = r[0]! - r[1]!;
  return 1 / (d * d) + d * d * d * d;
}
function pairVia(r: number[]): number {
  return pair(r);
}
function energy(x: number[]): number {
  return pairVia(x);
}
function force(x: number[]): number[] {
  const gr = grad(energy)(x);
  return [-gr[0]!, -gr[1]!];
}
// energy(d) = d^-2 + d^4: E'' = 6 d^-4 + 12 d^2, and the Jacobian of -grad is -E'' [[1,-1],[-1,1]]

function q4(a: Float64Array): number {
  return a[0]! * a[0]! * a[1]! * a[1]!;
}
function q3(a: Float64Array): number {
  return q4(a);
}
function q2(a: Float64Array): number {
  return q3(a);
}
function q1(a: Float64Array): number {
  return q2(a);
}

function o3(v: number[]): number {
  return v[0]! * v[0]! * v[1]!;
}
function o2(v: number[]): number {
  return o3(v);
}
function o1(p: { v: number[]; c: number }): number {
  return o2(p.v) * p.c;
}

const X = [1, 2, 3];
const W = new Float64Array([0.5, 0.25, 2]);
const PAIR = [2, 3];
function c3(p: number[], x: number[], w: Float64Array, pr: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += w[i]! * (p[0]! * x[i]! + p[1]!) ** 2;
  return s * pr[0]! + pr[1]!;
}
function c2(p: number[]): number {
  return c3(p, X, W, PAIR);
}
function c1(p: number[]): number {
  return c2(p);
}

/** Each element through a helper chain, inside a loop. */
function elementwise(p: number[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += middle([p[i]!]);
  return s;
}

function payoffInner(p: number[], k: number): number {
  return p[0]! * p[0]! * p[1]! - k * p[0]!;
}
function payoffVia(p: number[], k: number): number {
  return payoffInner(p, k);
}
function payoff(s: number, p: number[]): number {
  return payoffVia([s, p[0]!], p[1]!);
}
/** A function that calls grad inside a loop, of a payoff that reaches its array through a helper. */
function sensitivity(p: number[]): number {
  let t = 0;
  for (let i = 0; i < 3; i++) t += grad(payoff, { wrt: [0] })(1 + 0.1 * i, p) * p[0]!;
  return t;
}
// d payoff/ds = 2 s p0 - p1, so sensitivity = sum_i (2 s_i p0 - p1) p0

describe("the other shapes of the class", () => {
  it("grad(grad(g)) of one number through a local array and three helpers", () => {
    const x = 1.5;
    expectClose(grad(grad(g))(x), 20 * x ** 3 - Math.sin(x), 1e-10);
  });

  it("the Jacobian of a force -grad(energy) through helpers, both modes", () => {
    const d = 1.2 - 0.3;
    const e2 = 6 / d ** 4 + 12 * d * d;
    const want = [
      [-e2, e2],
      [e2, -e2],
    ];
    expectClose(jacobian(force)([1.2, 0.3]), want, 1e-10);
    expectClose(jacobian(force, { mode: "forward" })([1.2, 0.3]), want, 1e-10);
    expectClose(jacobian(force, { mode: "reverse" })([1.2, 0.3]), want, 1e-10);
  });

  it("a Float64Array through four levels", () => {
    const a = new Float64Array([1, 2]);
    // d²(x² y²): [[2 y², 4 x y], [4 x y, 2 x²]]
    expectClose(hessian(q1)(a), [
      [8, 8],
      [8, 2],
    ]);
  });

  it("an object parameter's array field handed down two helpers", () => {
    // f = v0² v1 c: H v along (v = [1, 0], c = 0) is [2 v1 c, 2 v0 c] for v and 2 v0 v1 for c
    expectClose(hvp(o1)({ v: [1, 2], c: 3 }, { v: [1, 0], c: 0 }), { v: [12, 6], c: 4 }, 1e-12);
  });

  it("module constants (number[], Float64Array) passed down under hvp and hessian", () => {
    // s = 2 sum w (p0 x + p1)² + 3: H = 4 [[sum w x², sum w x], [sum w x, sum w]]
    expectClose(hvp(c1)([1, 2], [1, 0]), [78, 28], 1e-12);
    expectClose(hessian(c1)([1, 2]), fdHessian(c1, [1, 2]), 1e-5);
  });

  it("a helper chain called per element inside a loop", () => {
    const p = [0.5, -1, 2];
    expectClose(hessian(elementwise)(p), [
      [3, 0, 0],
      [0, -6, 0],
      [0, 0, 12],
    ]);
  });

  it("grad of a function calling grad in a loop, the inner function reaching its array through a helper", () => {
    const p = [1.3, 0.4];
    const s = [1, 1.1, 1.2];
    // sensitivity = sum (2 s p0² - p1 p0): d/dp0 = sum (4 s p0 - p1), d/dp1 = -3 p0
    const want = [s.reduce((a, si) => a + 4 * si * p[0]! - p[1]!, 0), -3 * p[0]!];
    expectClose(grad(sensitivity)(p), want, 1e-10);
    expectClose(fdGradient(sensitivity, p), want, 1e-6);
  });
});

describe("every composition over a pass-through helper", () => {
  it("the pullback of vjp, and jvp, through the chain", () => {
    const { value, pullback } = vjp(outer)([2]);
    expect(value).toBe(8);
    expectClose(pullback(1), [12], 1e-12);
    expectClose(jvp(outer)([2], [1]).tangent, 12, 1e-12);
    expectClose(valueAndGrad(outer)([2]).grad, [12], 1e-12);
  });

  it("grad of a function that calls jvp of the chain (reverse over forward)", () => {
    const slope = (p: number[]) => jvp(outer)(p, [1]).tangent; // 3 p0²
    expectClose(grad(slopeOf)([2]), [12], 1e-12);
    expectClose(fdGradient(slope, [2]), [12], 1e-6);
  });
});

function slopeOf(p: number[]): number {
  return jvp(outer)(p, [1]).tangent;
}
