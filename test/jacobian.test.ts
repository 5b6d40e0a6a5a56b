/**
 * jacobian(f): rows are outputs (for tensors, the output's axes come first). Forward mode carries
 * every direction in one vector sweep where it can, and falls back to one sweep per input. Forward mode (one sweep per input) and reverse mode (one per
 * output) agree with each other and with finite differences; the default picks the fewer sweeps.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, jacobian } from "tsgrad";
import { add, exp, matmul, mul, randn, sum, tanh, Tensor, tensor } from "tsgrad/tensor";
import { expectClose } from "./support/numeric.js";

/** R^3 -> R^2 */
function wide(x: number[]): number[] {
  return [x[0]! * x[1]! + Math.sin(x[2]!), Math.exp(x[0]! - x[2]!) * x[1]!];
}

/** R^2 -> R^4, with a loop */
function tall(x: number[]): number[] {
  const out: number[] = [];
  let s = x[0]!;
  for (let k = 0; k < 4; k++) {
    s = s * Math.cos(x[1]!) + 0.1 * k;
    out.push(s * s);
  }
  return out;
}

/** One explicit Euler step of a small damped oscillator chain, on Float64Array state. */
function eulerStep(u: Float64Array): Float64Array {
  const n = u.length;
  const next = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const left = u[(i + n - 1) % n]!;
    const right = u[(i + 1) % n]!;
    next[i] = u[i]! + 0.05 * (left - 2 * u[i]! + right - 0.3 * Math.sin(u[i]!));
  }
  return next;
}

function finiteJacobian(f: (x: number[]) => ArrayLike<number>, x: number[], h = 1e-6): number[][] {
  const m = f(x).length;
  const J = Array.from({ length: m }, () => new Array<number>(x.length).fill(0));
  for (let j = 0; j < x.length; j++) {
    const up = x.slice();
    const down = x.slice();
    up[j]! += h;
    down[j]! -= h;
    const a = f(up);
    const b = f(down);
    for (let i = 0; i < m; i++) J[i]![j] = (a[i]! - b[i]!) / (2 * h);
  }
  return J;
}

function weight(a: number, b: number): number {
  return a * Math.exp(b) - Math.sqrt(1 + a * a);
}

/**
 * Every kind of statement the vector forward mode rewrites: number tangents reassigned and
 * self-updated, branches, array tangents made, written, pushed, copied and rebound, arrays of
 * arrays, calls with array elements as arguments, a while loop.
 */
function everything(x: number[]): number[] {
  let s = 0;
  const w = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    s = s * 0.5 + weight(x[i]!, x[(i + 1) % x.length]!);
    w[i] = x[i]! > 0 ? s * x[i]! : Math.sin(s);
  }
  let out = [w[0]! * s, Math.tanh(w[1]!)];
  const grown: number[] = [];
  let k = 0;
  while (k < 3) {
    grown.push(out[0]! * w[k % w.length]! + k);
    k++;
  }
  out = [out[1]! + grown[2]!, out[0]! * grown[1]!];
  const copy = out.slice();
  copy[1] = copy[1]! * copy[0]!;
  // an array of arrays: rows pushed, one read whole, elements read through both
  const rows: number[][] = [];
  for (let i = 0; i < 2; i++) rows.push([x[i]! * s, Math.cos(x[i + 1]!)]);
  const last = rows[1]!;
  return [copy[0]! + rows[0]![1]! * last[0]!, copy[1]!, grown[0]!, Math.max(s, w[2]!)];
}

/** A residual of a model with data: the Jacobian with respect to theta only. */
function residuals(points: number[][], theta: number[], scale: number): number[] {
  const out: number[] = [];
  for (const p of points) out.push(scale * (theta[0]! * Math.exp(theta[1]! * p[0]!) - p[1]!));
  return out;
}

/** A derivative inside: the vector mode declines, the Jacobian comes from one sweep per input. */
function withInnerGradient(x: number[]): number[] {
  const g = grad(weight)(x[0]!, x[1]!);
  return [g[0] * x[1]!, g[1] + x[0]!];
}

const MIX = tensor([[0.5, -1, 0.3, 0.8], [0.2, 0.4, -0.7, 0.1], [1.1, -0.3, 0.6, -0.5]], [3, 4]);

const vec = (n: number) => fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: n, maxLength: n });

describe("jacobian", () => {
  it("forward, reverse and the default agree with finite differences (R^3 -> R^2)", () => {
    fc.assert(
      fc.property(vec(3), (x) => {
        const fwd = jacobian(wide, { mode: "forward" })(x);
        const rev = jacobian(wide, { mode: "reverse" })(x);
        expect(fwd).toHaveLength(2);
        expect(fwd[0]).toHaveLength(3);
        expectClose(fwd, rev, 1e-12, "forward vs reverse");
        expectClose(jacobian(wide)(x), rev, 0, "default");
        expectClose(fwd, finiteJacobian(wide, x), 1e-6, "finite differences");
      }),
      { numRuns: 50 },
    );
  });

  it("works through loops and pushes (R^2 -> R^4)", () => {
    fc.assert(
      fc.property(vec(2), (x) => {
        const fwd = jacobian(tall, { mode: "forward" })(x);
        expectClose(fwd, jacobian(tall, { mode: "reverse" })(x), 1e-12);
        expectClose(fwd, finiteJacobian(tall, x), 1e-5);
      }),
      { numRuns: 50 },
    );
  });

  it("Float64Array state: the Jacobian of an ODE step", () => {
    const u = Float64Array.from({ length: 6 }, (_, i) => Math.sin(i));
    const fwd = jacobian(eulerStep, { mode: "forward" })(u);
    const rev = jacobian(eulerStep, { mode: "reverse" })(u);
    expectClose(fwd, rev, 1e-13);
    expectClose(fwd, finiteJacobian((x) => eulerStep(Float64Array.from(x)), Array.from(u)), 1e-7);
    // tridiagonal plus the corners: the chain couples neighbours only
    expect(fwd[0]![3]).toBe(0);
  });

  it("many directions in one forward sweep: every statement kind, against reverse mode and finite differences", () => {
    fc.assert(
      // away from the branch's jump at x[i] = 0 (finite differences would straddle it)
      fc.property(vec(4).map((v) => v.map((t) => (t < 0 ? t - 0.05 : t + 0.05))), (x) => {
        const fwd = jacobian(everything, { mode: "forward" })(x);
        expect(fwd).toHaveLength(4);
        expect(fwd[0]).toHaveLength(4);
        expectClose(fwd, jacobian(everything, { mode: "reverse" })(x), 1e-10, "forward vs reverse");
        expectClose(fwd, finiteJacobian(everything, x), 1e-5, "finite differences");
      }),
      { numRuns: 50 },
    );
  });

  it("a function the vector mode declines (a derivative inside) still has its forward Jacobian", () => {
    const x = [0.4, -0.7];
    expectClose(jacobian(withInnerGradient, { mode: "forward" })(x), jacobian(withInnerGradient, { mode: "reverse" })(x), 1e-12);
    expectClose(jacobian(withInnerGradient, { mode: "forward" })(x), finiteJacobian(withInnerGradient, x), 1e-6);
  });

  it("with respect to one parameter of several (wrt); the others are data", () => {
    const points = [[0, 1], [0.5, 1.6], [1, 2.9]];
    fc.assert(
      fc.property(vec(2), (theta) => {
        const fwd = jacobian(residuals, { wrt: ["theta"], mode: "forward" })(points, theta, 0.5);
        expectClose(fwd, jacobian(residuals, { wrt: [1], mode: "reverse" })(points, theta, 0.5), 1e-12);
        expectClose(fwd, finiteJacobian((t) => residuals(points, t, 0.5), theta), 1e-6);
      }),
      { numRuns: 30 },
    );
  });

  it("tensors: shape [...output, ...input], forward = reverse = default = finite differences", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const x = randn([4, 2], seed);
        const fwd = jacobian(tensorLayer, { mode: "forward" })(x);
        const rev = jacobian(tensorLayer, { mode: "reverse" })(x);
        expect(fwd.shape).toEqual([3, 2, 4, 2]);
        expectClose(Array.from(fwd.data), Array.from(rev.data), 1e-12, "forward vs reverse");
        expectClose(Array.from(jacobian(tensorLayer)(x).data), Array.from(rev.data), 0, "default");
        const flat = (v: number[]) => Array.from(tensorLayer(new Tensor(Float64Array.from(v), [4, 2])).data);
        const fd = finiteJacobian(flat, Array.from(x.data));
        expectClose(Array.from(fwd.data), fd.flat(), 1e-6, "finite differences");
      }),
      { numRuns: 20 },
    );
  });
});

/** A 4x2 matrix to a 3x2 one: a linear map, tanh, and a coupling of every entry through the sum. */
function tensorLayer(x: Tensor): Tensor {
  return add(tanh(matmul(MIX, x)), mul(exp(mul(sum(x), 0.1)), 0.5));
}
