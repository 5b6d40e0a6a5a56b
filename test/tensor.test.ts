/**
 * Tensors: every differentiable operation, differentiated in both modes inside ordinary
 * functions, against central finite differences over random values and shapes (broadcasting
 * included), and forward against reverse (the dot-product test). Then the runtime's own checks:
 * values against naive loops, and shape errors that name the operation and both shapes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkGrad, grad, hvp, jvp } from "tsgrad";
import { expectClose } from "./support/numeric.js";
import {
  abs, add, broadcastShapes, concat, div, dot, exp, item, log, logSoftmax, logsumexp, matmul, matmulGradA, matmulGradB, max, mean, mul, neg, outer, pow, randn, relu, reshape,
  row, scalar, sigmoid, slice, softmax, softplus, sqrt, stack, sub, sum, tanh, tensor, transpose, where, full, Tensor, rand,
} from "tsgrad/tensor";

/** A weighted sum of all elements: turns a tensor into a number that depends on every element. */
function wsum(t: Tensor, r: Tensor): number {
  return item(sum(mul(t, r)));
}

function fAdd(a: Tensor, b: Tensor, r: Tensor): number { return wsum(add(a, b), r); }
function fSub(a: Tensor, b: Tensor, r: Tensor): number { return wsum(sub(a, b), r); }
function fMul(a: Tensor, b: Tensor, r: Tensor): number { return wsum(mul(a, b), r); }
function fDiv(a: Tensor, b: Tensor, r: Tensor): number { return wsum(div(a, b), r); }
function fPow(a: Tensor, b: Tensor, r: Tensor): number { return wsum(pow(a, b), r); }
function fMatmul(a: Tensor, b: Tensor, r: Tensor): number { return wsum(matmul(a, b), r); }
function fOuter(a: Tensor, b: Tensor, r: Tensor): number { return wsum(outer(a, b), r); }
function fDot(a: Tensor, b: Tensor, r: Tensor): number { return item(dot(a, b)) * item(sum(r)); }
function fUnary(a: Tensor, b: Tensor, r: Tensor): number {
  // every element-wise function, on values where each is smooth (b > 0 keeps log and sqrt defined)
  return wsum(add(add(add(neg(exp(a)), log(b)), mul(sqrt(b), tanh(a))), add(add(sigmoid(a), softplus(a)), add(relu(a), abs(a)))), r);
}
function fReduce(a: Tensor, b: Tensor, r: Tensor): number {
  return item(add(add(sum(mul(a, b)), mean(mul(a, a))), sum(mul(max(a, 1), sum(b, 1)))));
}
function fAxes(a: Tensor, b: Tensor, r: Tensor): number {
  return wsum(add(add(sum(a, 0, true), mean(b, [0], true)), max(mul(a, b), 0, true)), r);
}
function fSoftmax(a: Tensor, b: Tensor, r: Tensor): number {
  return wsum(add(add(softmax(a), logSoftmax(b, 0)), logsumexp(a, 1, true)), r) + item(logsumexp(b));
}
function fShapes(a: Tensor, b: Tensor, r: Tensor): number {
  const t = transpose(reshape(a, [3, 2]));
  const c = concat([t, b], 0);
  const s = stack([row(c, 0), row(c, 3)], 1);
  return wsum(slice(s, 1, 3), reshape(r, [2, 2])) + item(sum(transpose(stack([a, b], 0), [2, 0, 1])));
}
function fWhere(a: Tensor, b: Tensor, r: Tensor): number {
  return wsum(where(r, mul(a, a), exp(b)), r) + item(sum(where(r, 0, b)));
}
function fScalars(a: Tensor, b: Tensor, r: Tensor): number {
  const s = item(sum(a));
  const t = mul(scalar(s * s), b);
  return wsum(add(t, full([2, 3], Math.sin(s))), r) + s * item(sum(b));
}
/** Tensor variables given new values computed from their own (rules that read their output). */
function fRebind(a: Tensor, b: Tensor, r: Tensor): number {
  let h = a;
  for (let i = 0; i < 3; i++) {
    h = tanh(h);
    h = add(mul(h, b), h);
  }
  let s = b;
  s = softmax(s);
  s = sigmoid(mul(s, 3));
  b = exp(b);
  return wsum(add(add(h, s), b), r);
}
/** Tensor variables widened by broadcasting in their own updates (their shape changes). */
function fWiden(a: Tensor, b: Tensor, r: Tensor): number {
  let h = a;
  h = add(h, b);
  h = tanh(h);
  let s = sum(a);
  s = sub(s, b);
  return wsum(add(h, s), r);
}

type F = (a: Tensor, b: Tensor, r: Tensor) => number;
interface Case {
  readonly name: string;
  readonly f: F;
  readonly grad: (a: Tensor, b: Tensor, r: Tensor) => [Tensor, Tensor];
  readonly jvp: (a: Tensor, b: Tensor, r: Tensor, da: Tensor, db: Tensor) => { value: number; tangent: number };
  /** Shapes of a, b and r. */
  readonly shapes: fc.Arbitrary<[number[], number[], number[]]>;
  /** Values of a and b: "any", or "positive" (away from 0). */
  readonly domain?: [("any" | "positive" | "nonzero"), ("any" | "positive" | "nonzero")];
}

const dim = fc.integer({ min: 1, max: 4 });
/** Two shapes that broadcast, and the output's shape. */
const broadcastPair = fc.tuple(dim, dim, fc.boolean(), fc.boolean(), fc.boolean()).map(([m, n, collapseA, collapseB, dropB]): [number[], number[], number[]] => {
  const a = [collapseA ? 1 : m, n];
  const b = dropB ? [collapseB ? 1 : n] : [m, collapseB ? 1 : n];
  return [a, b, broadcastShapes("test", a, b)];
});

const cases: Case[] = [
  { name: "add (broadcasting)", f: fAdd, grad: grad(fAdd, { wrt: [0, 1] }), jvp: jvp(fAdd, { wrt: [0, 1] }), shapes: broadcastPair },
  { name: "sub (broadcasting)", f: fSub, grad: grad(fSub, { wrt: [0, 1] }), jvp: jvp(fSub, { wrt: [0, 1] }), shapes: broadcastPair },
  { name: "mul (broadcasting)", f: fMul, grad: grad(fMul, { wrt: [0, 1] }), jvp: jvp(fMul, { wrt: [0, 1] }), shapes: broadcastPair },
  { name: "div (broadcasting)", f: fDiv, grad: grad(fDiv, { wrt: [0, 1] }), jvp: jvp(fDiv, { wrt: [0, 1] }), shapes: broadcastPair, domain: ["any", "positive"] },
  { name: "pow", f: fPow, grad: grad(fPow, { wrt: [0, 1] }), jvp: jvp(fPow, { wrt: [0, 1] }), shapes: broadcastPair, domain: ["positive", "any"] },
  {
    name: "matmul (2-D, batched with broadcasting, vector)",
    f: fMatmul,
    grad: grad(fMatmul, { wrt: [0, 1] }),
    jvp: jvp(fMatmul, { wrt: [0, 1] }),
    shapes: fc.tuple(dim, dim, dim, fc.integer({ min: 0, max: 3 })).map(([m, k, n, form]): [number[], number[], number[]] =>
      form === 0 ? [[m, k], [k, n], [m, n]] : form === 1 ? [[2, m, k], [k, n], [2, m, n]] : form === 2 ? [[k], [k, n], [n]] : [[m, k], [k], [m]],
    ),
  },
  { name: "outer", f: fOuter, grad: grad(fOuter, { wrt: [0, 1] }), jvp: jvp(fOuter, { wrt: [0, 1] }), shapes: fc.tuple(dim, dim).map(([m, n]): [number[], number[], number[]] => [[m], [n], [m, n]]) },
  { name: "dot", f: fDot, grad: grad(fDot, { wrt: [0, 1] }), jvp: jvp(fDot, { wrt: [0, 1] }), shapes: dim.map((n): [number[], number[], number[]] => [[n], [n], [2]]) },
  { name: "element-wise functions", f: fUnary, grad: grad(fUnary, { wrt: [0, 1] }), jvp: jvp(fUnary, { wrt: [0, 1] }), shapes: fc.tuple(dim, dim).map(([m, n]): [number[], number[], number[]] => [[m, n], [m, n], [m, n]]), domain: ["nonzero", "positive"] },
  { name: "sum, mean, max over everything and axes", f: fReduce, grad: grad(fReduce, { wrt: [0, 1] }), jvp: jvp(fReduce, { wrt: [0, 1] }), shapes: fc.tuple(dim, dim).map(([m, n]): [number[], number[], number[]] => [[m, n], [m, n], [1]]) },
  { name: "reductions with keepdims", f: fAxes, grad: grad(fAxes, { wrt: [0, 1] }), jvp: jvp(fAxes, { wrt: [0, 1] }), shapes: fc.tuple(dim, dim).map(([m, n]): [number[], number[], number[]] => [[m, n], [m, n], [1, n]]) },
  { name: "softmax, logSoftmax, logsumexp", f: fSoftmax, grad: grad(fSoftmax, { wrt: [0, 1] }), jvp: jvp(fSoftmax, { wrt: [0, 1] }), shapes: fc.tuple(dim, dim).map(([m, n]): [number[], number[], number[]] => [[m, n], [m, n], [m, n]]) },
  { name: "transpose, reshape, concat, stack, row, slice", f: fShapes, grad: grad(fShapes, { wrt: [0, 1] }), jvp: jvp(fShapes, { wrt: [0, 1] }), shapes: fc.constant<[number[], number[], number[]]>([[2, 3], [2, 3], [4]]) },
  { name: "where", f: fWhere, grad: grad(fWhere, { wrt: [0, 1] }), jvp: jvp(fWhere, { wrt: [0, 1] }), shapes: fc.tuple(dim, dim).map(([m, n]): [number[], number[], number[]] => [[m, n], [m, n], [m, n]]) },
  { name: "tensor variables reassigned from themselves, in loops too", f: fRebind, grad: grad(fRebind, { wrt: [0, 1] }), jvp: jvp(fRebind, { wrt: [0, 1] }), shapes: fc.tuple(dim, dim).map(([m, n]): [number[], number[], number[]] => [[m, n], [m, n], [m, n]]) },
  { name: "tensor variables widened by broadcasting in their own updates", f: fWiden, grad: grad(fWiden, { wrt: [0, 1] }), jvp: jvp(fWiden, { wrt: [0, 1] }), shapes: fc.tuple(dim, dim).map(([m, n]): [number[], number[], number[]] => [[1, n], [m, n], [m, n]]) },
  { name: "item, scalar, full: numbers and tensors mixed", f: fScalars, grad: grad(fScalars, { wrt: [0, 1] }), jvp: jvp(fScalars, { wrt: [0, 1] }), shapes: fc.constant<[number[], number[], number[]]>([[3], [2, 3], [2, 3]]) },
];

function values(shape: number[], seed: number, domain: "any" | "positive" | "nonzero" = "any"): Tensor {
  const t = randn(shape, seed);
  if (domain === "positive") return add(abs(t), 0.5);
  if (domain === "nonzero") return where(tensorGreater(t), add(t, 0.2), sub(t, 0.2));
  return t;
}
const tensorGreater = (t: Tensor) => tensor(Array.from(t.data, (v) => (v > 0 ? 1 : 0)), t.shape);

function numericGrad(f: F, args: Tensor[], which: number, h = 1e-6): Tensor {
  const x = args[which]!;
  const out = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const at = (delta: number) => {
      const d = x.data.slice();
      d[i]! += delta;
      const copy = args.slice();
      copy[which] = new Tensor(d, x.shape);
      return f(copy[0]!, copy[1]!, copy[2]!);
    };
    out[i] = (at(h) - at(-h)) / (2 * h);
  }
  return new Tensor(out, x.shape);
}

function close(actual: Tensor, expected: Tensor, tol: number, label: string): void {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  for (let i = 0; i < actual.size; i++) {
    const a = actual.data[i]!;
    const b = expected.data[i]!;
    if (Math.abs(a - b) > tol * Math.max(1, Math.abs(a), Math.abs(b))) expect.fail(`${label}: element ${i}: ${a} vs ${b}`);
  }
}

describe("tensor operations: reverse and forward mode against finite differences", () => {
  for (const c of cases)
    it(c.name, () => {
      fc.assert(
        fc.property(c.shapes, fc.integer({ min: 1, max: 1e6 }), ([sa, sb, sr], seed) => {
          const a = values(sa, seed, c.domain?.[0]);
          const b = values(sb, seed + 1, c.domain?.[1]);
          const r = c.name === "where" ? tensor(Array.from(rand(sr, seed + 2).data, (v) => (v > 0.5 ? 1 : 0)), sr) : randn(sr, seed + 2);
          const [ga, gb] = c.grad(a, b, r);
          close(ga, numericGrad(c.f, [a, b, r], 0), 1e-5, `${c.name}: d/da`);
          close(gb, numericGrad(c.f, [a, b, r], 1), 1e-5, `${c.name}: d/db`);
          // forward vs reverse: <grad, (da, db)> = jvp along (da, db)
          const da = randn(sa, seed + 3);
          const db = randn(sb, seed + 4);
          const t = c.jvp(a, b, r, da, db);
          expect(t.value).toBe(c.f(a, b, r));
          const expected = item(sum(mul(ga, da))) + item(sum(mul(gb, db)));
          expect(Math.abs(t.tangent - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
        }),
        { numRuns: 25 },
      );
    });
});

function powSum(x: Tensor, p: Tensor): number {
  return item(sum(pow(x, p)));
}
function powLoop(x: number[], p: number): number {
  let r = 0;
  for (const v of x) r += v ** p;
  return r;
}

/** A number as the base: a constant, and a parameter. */
function numberBase(w: number, t: Tensor): number {
  return item(sum(add(pow(2, t), pow(w, t))));
}
function numberBaseLoop(w: number, t: number[]): number {
  let r = 0;
  for (const v of t) r += 2 ** v + w ** v;
  return r;
}

function itemOfPair(a: Tensor): number {
  return item(mul(a, 2));
}

describe("bad input fails in the gradient as in the function", () => {
  it("item() of a tensor of several elements throws in grad too", () => {
    const t = tensor([1, 2, 3], [3]);
    expect(() => itemOfPair(t)).toThrow(/item: needs a tensor with one element, got shape \[3\]/);
    expect(() => grad(itemOfPair)(t)).toThrow(/item: needs a tensor with one element, got shape \[3\]/);
    expect(item(grad(itemOfPair)(tensor([4], [1])))).toBe(2);
  });
});

describe("pow at a zero base", () => {
  it("d(a ** b)/db is 0 where a = 0, as for numbers, in both modes", () => {
    const [, gp] = grad(powSum)(tensor([0, 1, 2], [3]), scalar(2));
    // d/dp sum x^p = sum x^p ln x, the x = 0 term taken as 0: 0 + 1 ln 1 + 4 ln 2
    const expected = 4 * Math.LN2;
    expect(item(gp)).toBeCloseTo(expected, 12);
    expect(grad(powLoop)([0, 1, 2], 2)[1]).toBeCloseTo(expected, 12);
    expect(jvp(powSum)(tensor([0, 1, 2], [3]), scalar(2), tensor([0, 0, 0], [3]), scalar(1)).tangent).toBeCloseTo(expected, 12);
  });
});

describe("pow with a number as the base", () => {
  it("has the derivatives of the same sum over numbers, in both modes", () => {
    const t = [0.5, -1.2, 2];
    const [gw, gt] = grad(numberBase)(1.7, tensor(t, [3]));
    // closed forms: d/dw = sum t w^(t - 1), d/dt = 2^t ln 2 + w^t ln w
    const ew = t.reduce((s, v) => s + v * 1.7 ** (v - 1), 0);
    const et = t.map((v) => 2 ** v * Math.LN2 + 1.7 ** v * Math.log(1.7));
    expect(gw).toBeCloseTo(ew, 12);
    expectClose(Array.from(gt.data), et, 1e-12);
    const [lw, lt] = grad(numberBaseLoop)(1.7, t);
    expect(lw).toBeCloseTo(ew, 12);
    expectClose(lt, et, 1e-12);
    const along = jvp(numberBase)(1.7, tensor(t, [3]), 0.3, tensor([1, -1, 0.5], [3])).tangent;
    expect(along).toBeCloseTo(0.3 * ew + et[0]! - et[1]! + 0.5 * et[2]!, 12);
    expect(jvp(numberBaseLoop)(1.7, t, 0.3, [1, -1, 0.5]).tangent).toBeCloseTo(along, 12);
    const [e1, e2] = checkGrad(numberBase, 1.7, tensor(t, [3]));
    expect(Math.max(e1!, e2!)).toBeLessThan(1e-6);
  });
});

/** Layers as an array of tensors, walked with for...of and by index. */
function deep(Ws: Tensor[], x: Tensor): number {
  let h = x;
  for (const W of Ws) h = tanh(matmul(h, W));
  return item(sum(mul(h, h))) + item(sum(mul(Ws[0]!, Ws[Ws.length - 1]!)));
}

const shift = (Ws: Tensor[], Vs: Tensor[], e: number) => Ws.map((W, i) => add(W, mul(Vs[i]!, e)));
const flatAll = (Ws: Tensor[]) => Ws.flatMap((W) => Array.from(W.data));

describe("an array of tensors as a parameter (layers)", () => {
  it("gradient (an array of tensors) = finite differences; jvp agrees with it; hvp = finite differences of the gradient", () => {
    const Ws = [randn([2, 2], 11), randn([2, 2], 12), randn([2, 2], 13)].map((W) => mul(W, 0.5));
    const x = randn([3, 2], 14);
    const [gWs, gx] = grad(deep)(Ws, x);
    expect(gWs).toHaveLength(3);
    for (const g of gWs) expect(g.shape).toEqual([2, 2]);
    const [e1, e2] = checkGrad(deep, Ws, x);
    expect(Math.max(e1!, e2!)).toBeLessThan(1e-6);
    const Vs = [randn([2, 2], 21), randn([2, 2], 22), randn([2, 2], 23)];
    const u = randn([3, 2], 24);
    const along = jvp(deep)(Ws, x, Vs, u).tangent;
    const dot = flatAll(gWs).reduce((s, g, i) => s + g * flatAll(Vs)[i]!, 0) + Array.from(gx.data).reduce((s, g, i) => s + g * u.data[i]!, 0);
    expect(along).toBeCloseTo(dot, 10);
    const hWs = hvp(deep, { wrt: [0] })(Ws, x, Vs);
    const e = 1e-5;
    const up = flatAll(grad(deep, { wrt: [0] })(shift(Ws, Vs, e), x));
    const down = flatAll(grad(deep, { wrt: [0] })(shift(Ws, Vs, -e), x));
    expectClose(flatAll(hWs), up.map((g, i) => (g - down[i]!) / (2 * e)), 1e-5, "hvp vs finite differences of grad");
  });
});

describe("tensor runtime", () => {
  it("matmul matches the naive triple loop, for shapes that cross the block size", () => {
    const a = randn([70, 130], 1);
    const b = randn([130, 67], 2);
    const c = matmul(a, b);
    for (const [i, j] of [[0, 0], [69, 66], [33, 64], [64, 1]] as const) {
      let s = 0;
      for (let p = 0; p < 130; p++) s += a.data[i * 130 + p]! * b.data[p * 67 + j]!;
      expect(c.data[i * 67 + j]).toBeCloseTo(s, 10);
    }
  });
  it("matmul matches the naive triple loop entry by entry, with zero runs in the left factor and every remainder of k by 4", () => {
    for (const k of [1, 2, 3, 4, 5, 7, 64, 66, 69]) {
      const a = randn([5, k], k);
      for (let i = 0; i < a.size; i += 3) a.data[i] = 0;
      a.data.fill(0, 0, Math.min(a.size, 8));
      const b = randn([k, 9], k + 100);
      const c = matmul(a, b);
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 9; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a.data[i * k + p]! * b.data[p * 9 + j]!;
          expect(c.data[i * 9 + j]).toBeCloseTo(s, 12);
        }
    }
  });
  it("matmul of a matrix and a vector (or a one-column matrix) is the row-by-row dot product", () => {
    const a = randn([7, 69], 5);
    const v = randn([69], 6);
    for (const c of [matmul(a, v), reshape(matmul(a, reshape(v, [69, 1])), [7])]) {
      expect(c.shape).toEqual([7]);
      for (let i = 0; i < 7; i++) {
        let s = 0;
        for (let p = 0; p < 69; p++) s += a.data[i * 69 + p]! * v.data[p]!;
        expect(c.data[i]).toBeCloseTo(s, 12);
      }
    }
  });
  it("the adjoints of a 2-D matmul equal products with the explicit transposes, across block sizes", () => {
    for (const [m, k, n] of [[3, 5, 1], [70, 130, 67], [64, 7, 129]] as const) {
      const a = randn([m, k], m + k);
      const b = randn([k, n], k + n);
      const g = randn([m, n], m + n);
      const ga = matmulGradA(g, a, b);
      const gb = matmulGradB(g, a, b);
      const ea = matmul(g, transpose(b));
      const eb = matmul(transpose(a), g);
      expect(ga.shape).toEqual([m, k]);
      expect(gb.shape).toEqual([k, n]);
      for (let i = 0; i < ga.size; i++) expect(ga.data[i]).toBeCloseTo(ea.data[i]!, 10);
      for (let i = 0; i < gb.size; i++) expect(gb.data[i]).toBeCloseTo(eb.data[i]!, 10);
    }
  });
  it("softmax and logsumexp are stable for large inputs", () => {
    const t = tensor([[1000, 1001, 1002], [-1000, -1000, -1000]]);
    const s = softmax(t);
    expect(Array.from(s.data).every(Number.isFinite)).toBe(true);
    expect(item(sum(row(s, 0)))).toBeCloseTo(1, 12);
    expect(logsumexp(t, 1).data[0]).toBeCloseTo(1002 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 10);
  });
  it("shape errors name the operation, both shapes and the rule", () => {
    expect(() => add(tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow(/add: shapes \[1, 3\] and \[2\] do not broadcast \(dimensions are aligned from the right/);
    expect(() => matmul(tensor([[1, 2]]), tensor([[1, 2]]))).toThrow(/matmul: shapes \[1, 2\] and \[1, 2\] do not match/);
    expect(() => reshape(tensor([1, 2, 3]), [2, 2])).toThrow(/reshape: cannot reshape \[3\]/);
    expect(() => reshape(tensor([1, 2, 3]), [2, -1])).toThrow(/reshape: cannot reshape \[3\] \(size 3\) to \[2, -1\]: the sizes differ/);
    expect(() => reshape(tensor([1, 2, 3, 4]), [-1, -1])).toThrow(/reshape: .*only one dimension can be -1/);
    expect(() => reshape(tensor([1, 2, 3, 4]), [1.5, 2])).toThrow(/reshape: .*whole numbers/);
    expect(reshape(tensor([1, 2, 3, 4]), [-1, 2]).shape).toEqual([2, 2]);
    expect(reshape(tensor([1, 2, 3, 4]), [4, -1]).shape).toEqual([4, 1]);
    expect(() => item(tensor([1, 2]))).toThrow(/item: needs a tensor with one element/);
  });
  it("sum over axes with keepdims, and mean", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(sum(t, 1).toArray()).toEqual([6, 15]);
    expect(sum(t, 0, true).toArray()).toEqual([[5, 7, 9]]);
    expect(mean(t).toArray()).toBe(3.5);
    expect(max(t, 1).toArray()).toEqual([3, 6]);
  });
});
