/**
 * The four ways in: vjp (value and pullback, scalar and array outputs), jvp of array outputs
 * (a Jacobian-vector product), checkGrad, and the agreement of all modes on one function.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkGrad, customVjp, grad, hvp, jvp, valueAndGrad, vjp } from "tsgrad";
import { add, exp, item, matmul, mul, sum, tanh, type Tensor, tensor } from "tsgrad/tensor";
import { dot, expectClose, numericDirectional } from "./support/numeric.js";

function logistic(w: number[], x: number[]): number {
  let z = 0;
  for (let i = 0; i < w.length; i++) z += w[i]! * x[i]!;
  return 1 / (1 + Math.exp(-z));
}
/** The logistic's gradient in closed form: s (1 - s) x and s (1 - s) w, s = logistic(w, x). */
function logisticGradient(w: number[], x: number[]): [number[], number[]] {
  const s = logistic(w, x);
  return [x.map((xi) => s * (1 - s) * xi), w.map((wi) => s * (1 - s) * wi)];
}

/** A map R^3 -> R^3 with a loop and a branch. */
function field(x: number[]): number[] {
  const out = new Array(x.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    const next = x[(i + 1) % x.length]!;
    out[i] = x[i]! > 0 ? x[i]! * next + Math.sin(next) : Math.exp(x[i]!) - next * next;
  }
  return out;
}

function float64Field(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  let carry = 1;
  for (let i = 0; i < x.length; i++) {
    carry = carry * Math.tanh(x[i]!) + 0.5;
    out[i] = carry * x[i]!;
  }
  return out;
}

const vec3 = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 });
/** Points away from the branch of `field` at 0, where it jumps. */
const smooth3 = vec3.filter((xs) => xs.every((a) => Math.abs(a) > 0.01));

describe("vjp", () => {
  it("scalar output: the pullback of 1 is the gradient; value is f's", () => {
    const w = [0.5, -0.3, 0.8];
    const x = [1, 2, -1];
    const r = vjp(logistic)(w, x);
    expect(r.value).toBe(logistic(w, x));
    const [gw, gx] = r.pullback(1);
    const [ew, ex] = logisticGradient(w, x);
    expectClose(gw, ew, 1e-14);
    expectClose(gx, ex, 1e-14);
    // linear in the cotangent, and callable again
    const [gw3] = r.pullback(3);
    expectClose(gw3, ew.map((g) => 3 * g), 1e-14);
  });

  it("array output: <u, J v> = <J^T u, v> against jvp (dot-product test) and finite differences", () => {
    fc.assert(
      fc.property(smooth3, vec3, vec3, (x, u, v) => {
        const { value, pullback } = vjp(field)(x.slice());
        expectClose(value, field(x), 0);
        const jtu = pullback(u.slice());
        const jv = jvp(field)(x.slice(), v.slice());
        expectClose(jv.value, field(x), 0);
        expectClose(dot(u, jv.tangent), dot(jtu, v), 1e-10, "dot-product test");
        expectClose(jv.tangent, numericDirectional(field, [x], [v]), 1e-5, "jvp vs finite differences");
      }),
      { numRuns: 100 },
    );
  });

  it("Float64Array output keeps its storage", () => {
    const x = Float64Array.of(0.3, -0.7, 1.1);
    const u = Float64Array.of(1, 2, 3);
    const jtu = vjp(float64Field)(x).pullback(u);
    expect(jtu).toBeInstanceOf(Float64Array);
    const v = Float64Array.of(-0.5, 0.25, 1);
    const jv = jvp(float64Field)(x, v).tangent;
    expect(jv).toBeInstanceOf(Float64Array);
    expectClose(dot(u, jv), dot(jtu, v), 1e-12);
  });
});

describe("vjp of an arrow function", () => {
  it("computes the value with a copy of the arrow and pulls back through it", () => {
    const r = vjp((x: number[]) => [x[0]! * x[1]!, Math.exp(x[0]!)])([0.5, 2]);
    expectClose(r.value, [1, Math.exp(0.5)], 0);
    // J = [[x1, x0], [e^x0, 0]]; J^T u for u = (1, 1)
    expectClose(r.pullback([1, 1]), [2 + Math.exp(0.5), 0.5], 1e-15);
  });
});

/** x² with a deliberately wrong rule: 4 x instead of 2 x. */
const wrongSquare = customVjp(
  (x: number): number => x * x,
  (x, y, ybar) => 4 * x * ybar,
);
function usesWrongSquare(w: number, x: number): number {
  return wrongSquare(w) * x + w * x;
}

/** usesWrongSquare's loss beside an aux: its prediction and a label. */
function wrongSquareWithAux(w: number, x: number): [number, { scaled: number; label: string }] {
  const loss = usesWrongSquare(w, x);
  return [loss, { scaled: 10 * loss, label: "square" }];
}
function logisticWithAux(w: number[], x: number[]): [number, number[]] {
  return [logistic(w, x), w.map((v) => 2 * v)];
}

describe("checkGrad", () => {
  it("reports a large error for a wrong gradient (a customVjp rule off by a factor of 2), and only where it is wrong", () => {
    const [ew, ex] = checkGrad(usesWrongSquare, 1.5, 0.8);
    // the generated d/dw is 4 w x + x = 5.6, the true one 2 w x + x = 3.2: error |5.6 - 3.2| / 5.6
    expect(ew).toBeCloseTo(2.4 / 5.6, 6);
    // d/dx = w² + w reads no rule: right
    expect(ex).toBeLessThan(1e-7);
  });
  it("reports tiny errors for a correct gradient, one per parameter", () => {
    const errors = checkGrad(logistic, [0.5, -0.3, 0.8], [1, 2, -1]);
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toBeLessThan(1e-7);
  });
  it("checks a function returning [loss, aux] on its loss, and still catches a wrong rule there", () => {
    const [ew, ex] = checkGrad(wrongSquareWithAux, 1.5, 0.8);
    expect(ew).toBeCloseTo(2.4 / 5.6, 6);
    expect(ex).toBeLessThan(1e-7);
    const errors = checkGrad(logisticWithAux, [0.5, -0.3, 0.8], [1, 2, -1]);
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toBeLessThan(1e-7);
  });
  it("takes tensors, and objects holding them, as parameters", () => {
    const t = tensor([0.1, 0.2, -0.4], [3]);
    const [e1] = checkGrad(tensorEnergy, t);
    expect(e1).toBeLessThan(1e-7);
    expect(Array.from(t.data)).toEqual([0.1, 0.2, -0.4]);
    const [e2] = checkGrad(layerEnergy, { w: tensor([0.5, -1], [2]), b: 0.3 });
    expect(e2).toBeLessThan(1e-7);
  });
});

function flagged(p: readonly [boolean, number, string, number], q: { w: number; name: string; on: boolean }): number {
  return p[0] && q.on ? p[1] * p[3] * 10 + q.w * q.w : q.w;
}

describe("gradients of tuples and objects with booleans and strings", () => {
  it("a tuple keeps every position (0 where no derivative flows); an object leaves those fields out", () => {
    const [gp, gq] = grad(flagged)([true, 2, "a", 3], { w: 1.5, name: "n", on: true });
    expect(gp).toEqual([0, 30, 0, 20]);
    expect(gq).toEqual({ w: 3 });
    const [e1, e2] = checkGrad(flagged, [true, 2, "a", 3], { w: 1.5, name: "n", on: true });
    expect(e1).toBeLessThan(1e-7);
    expect(e2).toBeLessThan(1e-7);
  });
});

function product(x: number[]): number {
  return x[0]! * x[1]! + Math.sin(x[1]!);
}

describe("tangents shaped unlike their primals", () => {
  it("are refused at run time with an error naming the parameter (jvp, hvp; arrays and tensors)", () => {
    expect(() => jvp(product)([1, 2], [1])).toThrow(/tangent \(direction\) for `x` must have the shape of `x`/);
    expect(() => hvp(product)([1, 2], [1, 0, 0])).toThrow(/^product: the tangent \(direction\) for `x`/);
    expect(() => jvp(layerEnergy)({ w: tensor([0.5, -1], [2]), b: 0.3 }, { w: tensor([1], [1]), b: 1 })).toThrow(/tangent \(direction\) for `p.w` must have the shape of `p.w`/);
    expect(() => hvp(layerEnergy)({ w: tensor([0.5, -1], [2]), b: 0.3 }, { w: tensor([1, 0, 0], [3]), b: 1 })).toThrow(/^layerEnergy: .*`p.w`/);
    expect(() => jvp(tensorEnergy)(tensor([0, 1, 2], [3]), 1 as unknown as Tensor)).toThrow(RangeError);
    expect(() => jvp(tensorEnergy)(tensor([0, 1, 2], [3]), tensor([1], [1]))).toThrow(/tangent \(direction\) for `t`/);
    expect(jvp(product)([1, 2], [1, 0]).tangent).toBe(2);
  });
  it("a pullback's cotangent shaped unlike the output is refused too (arrays and tensors)", () => {
    const { pullback } = vjp(field)([0.5, -1, 2]);
    expect(() => pullback([1, 0])).toThrow(/cotangent must have the shape of the output/);
    expect(pullback([1, 0, 0])).toHaveLength(3);
    const tensorPull = vjp(expLayer)(tensor([0, 1, 2], [3])).pullback;
    expect(() => tensorPull(tensor([1, 1], [2]))).toThrow(RangeError);
    expect(Array.from(tensorPull(tensor([1, 0, 0], [3])).data)).toEqual([1, 0, 0]);
  });
});

function expLayer(t: Tensor): Tensor {
  return exp(t);
}

/** A tensor-valued layer of two tensor parameters, with a broadcast bias and a reduction. */
function tensorLayer(w: Tensor, x: Tensor): Tensor {
  const h = tanh(add(matmul(w, x), 0.5));
  return mul(h, sum(mul(x, x)));
}

const tensorOf = (shape: number[]) =>
  fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: shape[0]! * shape[1]!, maxLength: shape[0]! * shape[1]! }).map((d) => tensor(d, shape));

describe("vjp and jvp of tensor-valued functions", () => {
  it("agree with each other (dot-product test), with finite differences, and with the function", () => {
    fc.assert(
      fc.property(tensorOf([2, 3]), tensorOf([3, 2]), tensorOf([2, 3]), tensorOf([3, 2]), tensorOf([2, 2]), (w, x, dw, dx, u) => {
        const { value, pullback } = vjp(tensorLayer)(w, x);
        expect(Array.from(value.data)).toEqual(Array.from(tensorLayer(w, x).data));
        const [gw, gx] = pullback(u);
        expect(gw.shape).toEqual([2, 3]);
        expect(gx.shape).toEqual([3, 2]);
        const forward = jvp(tensorLayer)(w, x, dw, dx);
        expect(Array.from(forward.value.data)).toEqual(Array.from(value.data));
        const along = dot(Array.from(u.data), Array.from(forward.tangent.data));
        const back = dot(Array.from(gw.data), Array.from(dw.data)) + dot(Array.from(gx.data), Array.from(dx.data));
        expect(Math.abs(along - back)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(along)));
        const numeric = numericDirectional(
          (a: number[], b: number[]) => tensorLayer(tensor(a, [2, 3]), tensor(b, [3, 2])).data,
          [Array.from(w.data), Array.from(x.data)],
          [Array.from(dw.data), Array.from(dx.data)],
        );
        expectClose(Array.from(forward.tangent.data), numeric, 1e-5, "jvp vs finite differences");
      }),
      { numRuns: 50 },
    );
  });
});

function tensorEnergy(t: Tensor): number {
  return item(sum(exp(t)));
}
function layerEnergy(p: { w: Tensor; b: number }): number {
  return item(sum(tanh(add(p.w, p.b)))) * p.b;
}

describe("valueAndGrad", () => {
  it("gives f's value and the closed-form gradient on random points", () => {
    fc.assert(
      fc.property(vec3, vec3, (w, x) => {
        const r = valueAndGrad(logistic)(w, x);
        expect(r.value).toBe(logistic(w, x));
        expectClose(r.grad, logisticGradient(w, x), 1e-14);
      }),
    );
  });
});
