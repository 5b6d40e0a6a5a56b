/**
 * Second order by forward over reverse: the forward pass applied to the reverse pass's output,
 * its stacks, loops, branches and calls included. Checked against second differences of the plain
 * function (a reference that involves no derivative code) or closed forms, for symmetry
 * (Clairaut), and the modes against each other (hvp against hessian(f) v, jvp(grad f)).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jvp, valueAndGrad } from "tsgrad";
import { dot, expectClose, matVec, numericHessian } from "./support/numeric.js";
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
  readonly f: (x: number[]) => number;
  readonly grad: (x: number[]) => number[];
  readonly hvp: (x: number[], v: number[]) => number[];
  readonly hessian: (x: number[]) => number[][];
  readonly jvpGrad: (x: number[], v: number[]) => { value: number[]; tangent: number[] };
  readonly point: number[];
}

const cases: Case[] = [
  { name: "Rosenbrock", f: rosen, grad: grad(rosen), hvp: hvp(rosen), hessian: hessian(rosen), jvpGrad: jvp(grad(rosen)), point: [1.2, 0.8, 1.1, -0.4] },
  { name: "loops with stacks and a data-dependent Newton iteration", f: newtonMix, grad: grad(newtonMix), hvp: hvp(newtonMix), hessian: hessian(newtonMix), jvpGrad: jvp(grad(newtonMix)), point: [0.6, -0.8, 1.3] },
  { name: "calls into other functions", f: withCalls, grad: grad(withCalls), hvp: hvp(withCalls), hessian: hessian(withCalls), jvpGrad: jvp(grad(withCalls)), point: [0.4, -0.3, 0.9] },
  { name: "recursion", f: recursive, grad: grad(recursive), hvp: hvp(recursive), hessian: hessian(recursive), jvpGrad: jvp(grad(recursive)), point: [1.1, 0.7] },
  { name: "tensor code (rules' own calls differentiated again)", f: tensorCurvature, grad: grad(tensorCurvature), hvp: hvp(tensorCurvature), hessian: hessian(tensorCurvature), jvpGrad: jvp(grad(tensorCurvature)), point: [0.7, -0.4, 0.9] },
  { name: "comparisons passed to boolean parameters", f: comparisonArguments, grad: grad(comparisonArguments), hvp: hvp(comparisonArguments), hessian: hessian(comparisonArguments), jvpGrad: jvp(grad(comparisonArguments)), point: [0.6, -0.8, 1.3] },
  { name: "arrays with several names (a pushed row, ?:)", f: sharedRows, grad: grad(sharedRows), hvp: hvp(sharedRows), hessian: hessian(sharedRows), jvpGrad: jvp(grad(sharedRows)), point: [0.6, -0.8, 1.3] },
  { name: "rows pushed in a loop, passed to a helper", f: rowsToHelper, grad: grad(rowsToHelper), hvp: hvp(rowsToHelper), hessian: hessian(rowsToHelper), jvpGrad: jvp(grad(rowsToHelper)), point: [0.3, -0.5, 1.2] },
  { name: "local arrays, overwritten and pushed", f: arrays, grad: grad(arrays), hvp: hvp(arrays), hessian: hessian(arrays), jvpGrad: jvp(grad(arrays)), point: [0.5, 0.8, -0.3, 0.4] },
];

describe("Hessian-vector products and Hessians", () => {
  for (const c of cases) {
    it(`${c.name}: H and hvp = second differences of f; H symmetric; hvp = H v`, () => {
      const x = c.point;
      const H = c.hessian(x.slice());
      expect(H).toHaveLength(x.length);
      expectClose(H, numericHessian(c.f, x), 2e-5, "H vs second differences of f");
      for (let i = 0; i < x.length; i++)
        for (let j = 0; j < i; j++) expectClose(H[i]![j], H[j]![i], 1e-9, `symmetry H[${i}][${j}]`);
      const reference = numericHessian(c.f, x);
      fc.assert(
        fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: x.length, maxLength: x.length }), (v) => {
          const hv = c.hvp(x.slice(), v.slice());
          expectClose(hv, matVec(reference, v), 2e-5, "hvp vs second differences of f");
          expectClose(hv, H.map((row) => dot(row, v)), 1e-9, "hvp vs H v");
          const r = c.jvpGrad(x.slice(), v.slice());
          expectClose(r.value, c.grad(x.slice()), 0, "jvp(grad f) value is grad f, bit for bit");
          expectClose(r.tangent, hv, 1e-12, "jvp(grad f) tangent is hvp");
        }),
        { numRuns: 20 },
      );
    });
  }

  it("a number[][] parameter: hvp and jvp(grad f) = second differences of f, row by row", () => {
    const P = [[0.7, -0.3], [1.2, 0.4], [-0.5, 0.9]];
    const U = [[1, 0.5], [-0.25, 0], [0.75, -1]];
    const rows = (flat: number[]) => [flat.slice(0, 2), flat.slice(2, 4), flat.slice(4, 6)];
    const reference = rows(matVec(numericHessian((flat) => matrixCurvature(rows(flat)), P.flat()), U.flat()));
    const hv = hvp(matrixCurvature)(P, U);
    for (let i = 0; i < P.length; i++) expectClose(hv[i]!, reference[i]!, 2e-5, `row ${i}`);
    const t = jvp(grad(matrixCurvature))(P, U).tangent;
    for (let i = 0; i < P.length; i++) expectClose(t[i]!, hv[i]!, 1e-12, `jvp(grad) row ${i}`);
  });

  it("Float64Array parameters give Float64Array products", () => {
    const x = Float64Array.of(0.3, -0.2, 0.5);
    const v = Float64Array.of(1, 0.5, -1);
    const hv = hvp(f64)(x, v);
    expect(hv).toBeInstanceOf(Float64Array);
    expectClose(hv, matVec(numericHessian((y) => f64(Float64Array.from(y)), Array.from(x)), Array.from(v)), 2e-5);
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
  it("has shape [...x, ...x], is symmetric, matches second differences of f and hvp", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }), (x) => {
        const H = hessian(tensorQuartic)(tensor(x, [2, 2]));
        expect(H.shape).toEqual([2, 2, 2, 2]);
        for (let i = 0; i < 4; i++) for (let j = 0; j < i; j++) expectClose(H.data[i * 4 + j], H.data[j * 4 + i], 1e-9, `symmetry ${i} ${j}`);
        const reference = numericHessian((y) => tensorQuartic(tensor(y, [2, 2])), x);
        for (let j = 0; j < 4; j++) {
          const e = [0, 0, 0, 0];
          e[j] = 1;
          const column = Array.from({ length: 4 }, (_, i) => H.data[i * 4 + j]!);
          expectClose(column, reference.map((row) => row[j]!), 2e-5, `column ${j} vs second differences of f`);
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
/** g' and g'' in closed form: (sin x x²)' = x² cos x + 2x sin x, (e^-x q)' = e^-x (q' - q), q = 1 / (1 + x²). */
function gPrime(x: number): number {
  const q = 1 / (1 + x * x);
  const dq = -2 * x * q * q;
  return x * x * Math.cos(x) + 2 * x * Math.sin(x) + Math.exp(-x) * (dq - q);
}
function gSecond(x: number): number {
  const q = 1 / (1 + x * x);
  const dq = -2 * x * q * q;
  const ddq = -2 * q * q + 8 * x * x * q * q * q;
  return -x * x * Math.sin(x) + 4 * x * Math.cos(x) + 2 * Math.sin(x) + Math.exp(-x) * (ddq - 2 * dq + q);
}

/** The Rosenbrock Hessian in closed form (banded: each term couples x_i and x_i+1). */
function rosenHessian(x: number[]): number[][] {
  const H = x.map(() => x.map(() => 0));
  for (let i = 0; i + 1 < x.length; i++) {
    H[i]![i]! += 1200 * x[i]! * x[i]! - 400 * x[i + 1]! + 2;
    H[i]![i + 1]! += -400 * x[i]!;
    H[i + 1]![i]! += -400 * x[i]!;
    H[i + 1]![i + 1]! += 200;
  }
  return H;
}
function rosenGradient(x: number[]): number[] {
  const out = x.map(() => 0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    out[i]! += -400 * x[i]! * a - 2 * (1 - x[i]!);
    out[i + 1]! += 200 * a;
  }
  return out;
}

const dRosen = grad(rosen);
const jvpOfBoundGrad = jvp(dRosen);

describe("nested markers", () => {
  it("the closed forms of g' and g'' used below agree with differences of g", () => {
    for (const x of [-2, -0.3, 0.4, 0.7, 2.5]) {
      const e = 1e-4;
      expectClose(gPrime(x), (g(x + e) - g(x - e)) / (2 * e), 1e-7);
      expectClose(gSecond(x), (g(x + e) - 2 * g(x) + g(x - e)) / (e * e), 1e-5);
    }
  });
  it("grad(grad(g)) is the second derivative of a function of one number", () => {
    const g2 = grad(grad(g));
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), (x) => {
        expectClose(g2(x), gSecond(x), 1e-12);
      }),
    );
  });
  it("valueAndGrad(grad(g)) gives g' and g''", () => {
    const r = valueAndGrad(grad(g))(0.7);
    expectClose(r.value, gPrime(0.7), 1e-14);
    expectClose(r.grad, gSecond(0.7), 1e-12);
  });
  it("a marker of a const that holds a marker: jvp(dRosen) with const dRosen = grad(rosen)", () => {
    const x = [1.2, 0.8, 1.1, -0.4];
    const v = [0.3, -1, 0.5, 2];
    expectClose(jvpOfBoundGrad(x, v).tangent, matVec(rosenHessian(x), v), 1e-12);
    expectClose(jvpOfBoundGrad(x, v).value, rosenGradient(x), 1e-13);
  });
  it("hessian of a function of one number is its second derivative", () => {
    expectClose(hessian(g)(0.4), gSecond(0.4), 1e-12);
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
