/**
 * Second order by forward over reverse: the forward pass applied to the reverse pass's output,
 * its stacks, loops, branches and calls included. Checked against finite differences of the
 * generated gradient, for symmetry (Clairaut), and hvp against hessian(f) v.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jvp, valueAndGrad } from "tsgrad";
import { dot, expectClose } from "./support/numeric.js";
import { anisotropicGrad, classify, eigenvalues2, hessians, newtonStep } from "../examples/critical-points.js";
import { rosen } from "../examples/rosenbrock.js";
import { full, item, mean, mul, scalar, softmax, sum, tanh, add, tensor, logsumexp, exp, matmul, reshape, stack, type Tensor } from "tsgrad/tensor";

/** Overwrites in a loop (a stack), a data-dependent trip count, a branch. */
function newtonMix(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    let y = 1 + x[i]! * x[i]!;
    const target = y;
    let k = 0;
    while (Math.abs(y * y - target) > 1e-12 && k < 50) {
      y = 0.5 * (y + target / y);
      k++;
    }
    s += x[i]! > 0 ? y * Math.exp(x[i]! * 0.3) : y * y;
  }
  return s;
}

function cube(v: number): number {
  return v * v * v;
}
function weighted(w: number[], x: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += Math.tanh(w[i]! * x[i]!);
  return s;
}
/** Calls: joint pullbacks accumulating into adjoint arrays, differentiated again. */
function withCalls(x: number[]): number {
  return cube(x[0]! - x[1]!) + weighted(x, [0.5, -1, 2]) * x[2]!;
}

function power(x: number, n: number): number {
  if (n === 0) return 1;
  return x * power(x, n - 1);
}
/** Recursion. */
function recursive(x: number[]): number {
  return power(x[0]!, 4) * x[1]! + power(x[1]!, 3);
}

/** Local arrays: writes that overwrite, and pushes. */
function arrays(x: number[]): number {
  const a = x.slice();
  for (let k = 0; k < 2; k++) for (let i = 1; i < a.length; i++) a[i] = a[i]! * a[i - 1]! * 0.5 + Math.sin(a[i]!);
  const grown: number[] = [];
  for (const v of a) grown.push(v * v);
  let s = 0;
  for (let i = 0; i < grown.length; i++) s += grown[i]! * (i + 1);
  return s;
}

function f64(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i]! * x[(i + 1) % x.length]!);
  return s;
}

/** Central differences of a gradient along v: (g(x + h v) - g(x - h v)) / 2h. */
function fdHvp(g: (x: number[]) => ArrayLike<number>, x: number[], v: number[], h = 1e-5): number[] {
  const up = Array.from(g(x.map((xi, i) => xi + h * v[i]!)));
  const down = Array.from(g(x.map((xi, i) => xi - h * v[i]!)));
  return up.map((u, i) => (u - down[i]!) / (2 * h));
}

const WEIGHTS = tensor([0.5, -1, 2, 0.25, 1.5, -0.75], [2, 3]);
/** Tensor code over numbers: full, scalar, reductions with and without axes, softmax, logsumexp. */
function tensorCurvature(v: number[]): number {
  const t = add(mul(full([2, 3], v[0]!), WEIGHTS), scalar(v[1]! * v[2]!));
  const p = softmax(t, 1);
  return item(sum(mul(p, t))) + item(mean(tanh(t))) * v[1]! + item(logsumexp(mul(t, v[2]!)));
}

/** A function of the rows of a matrix. */
function matrixCurvature(P: number[][]): number {
  let s = 0;
  for (let i = 0; i < P.length; i++) {
    const row = P[i]!;
    s += row[0]! * row[0]! * row[1]! + Math.sin(row[1]! * (i + 1));
  }
  return s * P[0]![1]!;
}

function branchy(a: number, on: boolean): number {
  return on ? a * a * a : Math.sin(a);
}
/** Comparisons passed straight to a boolean parameter. */
function comparisonArguments(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += branchy(x[i]! * x[(i + 1) % x.length]!, x[i]! > 0);
  return s;
}

/** An array read through other names (a pushed row, `?:`) after it is written through its own. */
function sharedRows(x: number[]): number {
  const a = x.slice();
  const rows: number[][] = [];
  rows.push(a);
  const b = x[0]! > 0 ? a : x;
  a[1] = a[1]! * x[2]!;
  a[0] = Math.sin(a[0]!) * x[1]!;
  return rows[0]![0]! * rows[0]![1]! + b[1]! * b[0]!;
}

function readRows(rows: number[][], k: number): number {
  let s = 0;
  for (let i = 0; i < rows.length; i++) s += rows[i]![k]! * rows[i]![k]!;
  return s;
}
/** Rows built in a loop and passed to a helper, whose pullback accumulates into rows of adjoints. */
function rowsToHelper(x: number[]): number {
  const rows: number[][] = [];
  for (let i = 0; i < 3; i++) {
    const r = x.slice();
    r[i] = r[i]! * 2;
    rows.push(r);
  }
  return readRows(rows, 0) + readRows(rows, 2) * x[1]!;
}

interface Case {
  readonly name: string;
  readonly grad: (x: number[]) => number[];
  readonly hvp: (x: number[], v: number[]) => number[];
  readonly hessian: (x: number[]) => number[][];
  readonly jvpGrad: (x: number[], v: number[]) => { value: number[]; tangent: number[] };
  readonly point: number[];
}

const cases: Case[] = [
  { name: "Rosenbrock", grad: grad(rosen), hvp: hvp(rosen), hessian: hessian(rosen), jvpGrad: jvp(grad(rosen)), point: [1.2, 0.8, 1.1, -0.4] },
  { name: "loops with stacks and a data-dependent Newton iteration", grad: grad(newtonMix), hvp: hvp(newtonMix), hessian: hessian(newtonMix), jvpGrad: jvp(grad(newtonMix)), point: [0.6, -0.8, 1.3] },
  { name: "calls into other functions", grad: grad(withCalls), hvp: hvp(withCalls), hessian: hessian(withCalls), jvpGrad: jvp(grad(withCalls)), point: [0.4, -0.3, 0.9] },
  { name: "recursion", grad: grad(recursive), hvp: hvp(recursive), hessian: hessian(recursive), jvpGrad: jvp(grad(recursive)), point: [1.1, 0.7] },
  { name: "tensor code (rules' own calls differentiated again)", grad: grad(tensorCurvature), hvp: hvp(tensorCurvature), hessian: hessian(tensorCurvature), jvpGrad: jvp(grad(tensorCurvature)), point: [0.7, -0.4, 0.9] },
  { name: "comparisons passed to boolean parameters", grad: grad(comparisonArguments), hvp: hvp(comparisonArguments), hessian: hessian(comparisonArguments), jvpGrad: jvp(grad(comparisonArguments)), point: [0.6, -0.8, 1.3] },
  { name: "arrays with several names (a pushed row, ?:)", grad: grad(sharedRows), hvp: hvp(sharedRows), hessian: hessian(sharedRows), jvpGrad: jvp(grad(sharedRows)), point: [0.6, -0.8, 1.3] },
  { name: "rows pushed in a loop, passed to a helper", grad: grad(rowsToHelper), hvp: hvp(rowsToHelper), hessian: hessian(rowsToHelper), jvpGrad: jvp(grad(rowsToHelper)), point: [0.3, -0.5, 1.2] },
  { name: "local arrays, overwritten and pushed", grad: grad(arrays), hvp: hvp(arrays), hessian: hessian(arrays), jvpGrad: jvp(grad(arrays)), point: [0.5, 0.8, -0.3, 0.4] },
];

describe("Hessian-vector products and Hessians", () => {
  for (const c of cases) {
    it(`${c.name}: hvp = finite differences of the gradient; H symmetric; hvp = H v`, () => {
      const x = c.point;
      const H = c.hessian(x.slice());
      expect(H).toHaveLength(x.length);
      for (let i = 0; i < x.length; i++)
        for (let j = 0; j < i; j++) expectClose(H[i]![j], H[j]![i], 1e-9, `symmetry H[${i}][${j}]`);
      fc.assert(
        fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: x.length, maxLength: x.length }), (v) => {
          const hv = c.hvp(x.slice(), v.slice());
          expectClose(hv, fdHvp(c.grad, x, v), 1e-5, "hvp vs finite differences of grad");
          expectClose(hv, H.map((row) => dot(row, v)), 1e-9, "hvp vs H v");
          const r = c.jvpGrad(x.slice(), v.slice());
          expectClose(r.value, c.grad(x.slice()), 0, "jvp(grad f) value is grad f, bit for bit");
          expectClose(r.tangent, hv, 1e-12, "jvp(grad f) tangent is hvp");
        }),
        { numRuns: 20 },
      );
    });
  }

  it("a number[][] parameter: hvp and jvp(grad f) = finite differences of the gradient, row by row", () => {
    const P = [[0.7, -0.3], [1.2, 0.4], [-0.5, 0.9]];
    const U = [[1, 0.5], [-0.25, 0], [0.75, -1]];
    const g = grad(matrixCurvature);
    const e = 1e-5;
    const up = g(P.map((r, i) => r.map((p, j) => p + e * U[i]![j]!)));
    const down = g(P.map((r, i) => r.map((p, j) => p - e * U[i]![j]!)));
    const fd = up.map((r, i) => r.map((u, j) => (u - down[i]![j]!) / (2 * e)));
    const hv = hvp(matrixCurvature)(P, U);
    for (let i = 0; i < P.length; i++) expectClose(hv[i]!, fd[i]!, 1e-6, `row ${i}`);
    const t = jvp(grad(matrixCurvature))(P, U).tangent;
    for (let i = 0; i < P.length; i++) expectClose(t[i]!, hv[i]!, 1e-12, `jvp(grad) row ${i}`);
  });

  it("Float64Array parameters give Float64Array products", () => {
    const x = Float64Array.of(0.3, -0.2, 0.5);
    const v = Float64Array.of(1, 0.5, -1);
    const hv = hvp(f64)(x, v);
    expect(hv).toBeInstanceOf(Float64Array);
    const g = grad(f64);
    const h = 1e-5;
    const fd = Array.from(g(x.map((xi, i) => xi + h * v[i]!))).map((u, i) => (u - g(x.map((xj, j) => xj - h * v[j]!))[i]!) / (2 * h));
    expectClose(hv, fd, 1e-5);
  });
});

/** The same function of a [2, 2] tensor and of the four numbers in it (row-major). */
function tensorQuartic(t: Tensor): number {
  return item(sum(mul(exp(t), matmul(t, t))));
}
function numbersQuartic(x: number[]): number {
  return tensorQuartic(reshape(stack([scalar(x[0]!), scalar(x[1]!), scalar(x[2]!), scalar(x[3]!)]), [2, 2]));
}

describe("the Hessian of a function of a tensor", () => {
  it("has shape [...x, ...x], is symmetric, matches finite differences of the gradient and hvp", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }), (x) => {
        const H = hessian(tensorQuartic)(tensor(x, [2, 2]));
        expect(H.shape).toEqual([2, 2, 2, 2]);
        for (let i = 0; i < 4; i++) for (let j = 0; j < i; j++) expectClose(H.data[i * 4 + j], H.data[j * 4 + i], 1e-9, `symmetry ${i} ${j}`);
        const gradient = (y: number[]) => Array.from(grad(tensorQuartic)(tensor(y, [2, 2])).data);
        for (let j = 0; j < 4; j++) {
          const e = [0, 0, 0, 0];
          e[j] = 1;
          const column = Array.from({ length: 4 }, (_, i) => H.data[i * 4 + j]!);
          expectClose(column, fdHvp(gradient, x, e), 1e-5, `column ${j} vs finite differences`);
          expectClose(column, Array.from(hvp(tensorQuartic)(tensor(x, [2, 2]), tensor(e, [2, 2])).data), 1e-12, `column ${j} vs hvp`);
        }
        expectClose(Array.from(H.data), hessian(numbersQuartic)(x).flat(), 1e-9, "the same Hessian through number[]");
      }),
      { numRuns: 20 },
    );
  });
});

function g(x: number): number {
  return Math.sin(x) * x * x + Math.exp(-x) / (1 + x * x);
}

const dRosen = grad(rosen);
const jvpOfBoundGrad = jvp(dRosen);

describe("nested markers", () => {
  it("grad(grad(g)) is the second derivative of a function of one number", () => {
    const g2 = grad(grad(g));
    const g1 = grad(g);
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), (x) => {
        const h = 1e-5;
        expectClose(g2(x), (g1(x + h) - g1(x - h)) / (2 * h), 1e-6);
      }),
    );
  });
  it("valueAndGrad(grad(g)) gives g' and g''", () => {
    const r = valueAndGrad(grad(g))(0.7);
    expect(r.value).toBe(grad(g)(0.7));
    expect(r.grad).toBe(grad(grad(g))(0.7));
  });
  it("a marker of a const that holds a marker: jvp(dRosen) with const dRosen = grad(rosen)", () => {
    const x = [1.2, 0.8, 1.1, -0.4];
    const v = [0.3, -1, 0.5, 2];
    expectClose(jvpOfBoundGrad(x, v).tangent, hvp(rosen)(x, v), 1e-12);
    expectClose(jvpOfBoundGrad(x, v).value, dRosen(x), 0);
  });
  it("hessian of a function of one number is its second derivative", () => {
    expect(hessian(g)(0.4)).toBe(grad(grad(g))(0.4));
  });
});

describe("curvature (examples/critical-points.ts)", () => {
  it("classifies critical points from the generated Hessians' eigenvalues", () => {
    expect(classify(hessians.bowl([0, 0]))).toBe("minimum");
    expect(classify(hessians.saddle([0, 0]))).toBe("saddle");
    expect(classify(hessians.dome([0, 0]))).toBe("maximum");
  });
  it("the anisotropic quadratic: condition number 10 everywhere, and one Newton step from anywhere lands on the minimum", () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), (a, b) => {
        const H = hessians.anisotropic([a, b]);
        const [lo, hi] = eigenvalues2(H);
        expect(hi / lo).toBeCloseTo(10, 12);
        const next = newtonStep([a, b], anisotropicGrad([a, b]), H);
        expect(Math.abs(next[0]!)).toBeLessThan(1e-12);
        expect(Math.abs(next[1]!)).toBeLessThan(1e-12);
      }),
    );
  });
});
