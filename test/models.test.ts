/**
 * The tensor examples as tests: the MLP's gradient (an object of tensors, shaped like its
 * parameters) and the logistic regression's gradient (a tensor and a number) against finite
 * differences, and both models' losses falling in training.
 */
import { describe, expect, it } from "vitest";
import { hvp, jvp } from "tsgrad";
import { Tensor, item, mul, randn, sum } from "tsgrad/tensor";
import * as mlp from "../examples/mlp.js";
import * as logistic from "../examples/logistic-regression.js";

function numericLeaf(f: (t: Tensor) => number, t: Tensor, h = 1e-6): Tensor {
  const out = new Float64Array(t.size);
  for (let i = 0; i < t.size; i++) {
    const up = t.data.slice();
    const down = t.data.slice();
    up[i]! += h;
    down[i]! -= h;
    out[i] = (f(new Tensor(up, t.shape)) - f(new Tensor(down, t.shape))) / (2 * h);
  }
  return new Tensor(out, t.shape);
}

function expectTensorClose(a: Tensor, b: Tensor, tol: number, label: string): void {
  expect(a.shape, label).toEqual(b.shape);
  for (let i = 0; i < a.size; i++)
    if (Math.abs(a.data[i]! - b.data[i]!) > tol * Math.max(1, Math.abs(b.data[i]!))) expect.fail(`${label}[${i}]: ${a.data[i]} vs ${b.data[i]}`);
}

describe("MLP (examples/mlp.ts)", () => {
  const { x, labels } = mlp.spirals(8, 3);
  const p = mlp.init(5, 4);

  it("the gradient has the parameters' shape and matches finite differences, leaf by leaf", () => {
    const { value, grad } = mlp.lossAndGrad(p, x, labels);
    expect(value).toBe(mlp.loss(p, x, labels));
    for (const key of ["W1", "b1", "W2", "b2"] as const) {
      const numeric = numericLeaf((t) => mlp.loss({ ...p, [key]: t }, x, labels), p[key]);
      expectTensorClose(grad[key], numeric, 1e-6, key);
    }
  });

  it("forward mode along a random direction agrees with the gradient (dot-product test)", () => {
    const d = { W1: randn([2, 5], 10), b1: randn([5], 11), W2: randn([5, 3], 12), b2: randn([3], 13) };
    const t = jvp(mlp.loss, { wrt: [0] })(p, x, labels, d).tangent;
    const { grad } = mlp.lossAndGrad(p, x, labels);
    const expected = (["W1", "b1", "W2", "b2"] as const).reduce((s, k) => s + item(sum(mul(grad[k], d[k]))), 0);
    expect(Math.abs(t - expected)).toBeLessThan(1e-10);
  });

  it("a Hessian-vector product through the network matches finite differences of the gradient", () => {
    const d = { W1: randn([2, 5], 20), b1: randn([5], 21), W2: randn([5, 3], 22), b2: randn([3], 23) };
    const hv = hvp(mlp.loss, { wrt: [0] })(p, x, labels, d);
    const h = 1e-5;
    const shifted = (s: number) => ({ W1: addScaled(p.W1, d.W1, s), b1: addScaled(p.b1, d.b1, s), W2: addScaled(p.W2, d.W2, s), b2: addScaled(p.b2, d.b2, s) });
    const up = mlp.lossAndGrad(shifted(h), x, labels).grad;
    const down = mlp.lossAndGrad(shifted(-h), x, labels).grad;
    for (const key of ["W1", "b1", "W2", "b2"] as const) {
      const fd = new Tensor(up[key].data.map((u, i) => (u - down[key].data[i]!) / (2 * h)), up[key].shape);
      expectTensorClose(hv[key], fd, 1e-5, `hvp ${key}`);
    }
  });

  it("training lowers the loss and separates the spirals", () => {
    const data = mlp.spirals(30, 7);
    const { params, losses } = mlp.train(mlp.init(16, 11), data.x, data.labels, 150);
    expect(losses[149]!).toBeLessThan(0.5 * losses[0]!);
    for (let i = 10; i < losses.length; i += 10) expect(losses[i]!).toBeLessThanOrEqual(losses[i - 10]! + 1e-9);
    expect(mlp.accuracy(params, data.x, data.classes)).toBeGreaterThan(0.85);
  });
});

const addScaled = (a: Tensor, d: Tensor, s: number) => new Tensor(a.data.map((v, i) => v + s * d.data[i]!), a.shape);

describe("logistic regression (examples/logistic-regression.ts)", () => {
  it("the gradient (a tensor and a number) matches finite differences", () => {
    const { x, labels } = logistic.clouds(10, 9);
    const w = randn([5], 1);
    const b = 0.3;
    const [gw, gb] = logistic.lossGrad(w, b, x, labels);
    expectTensorClose(gw, numericLeaf((t) => logistic.loss(t, b, x, labels), w), 1e-6, "w");
    const h = 1e-6;
    expect(Math.abs(gb - (logistic.loss(w, b + h, x, labels) - logistic.loss(w, b - h, x, labels)) / (2 * h))).toBeLessThan(1e-6);
  });

  it("training lowers the loss and classifies the clouds", () => {
    const { x, labels } = logistic.clouds(50, 5);
    const { w, b, losses } = logistic.train(x, labels, 100);
    expect(losses[99]!).toBeLessThan(0.2 * losses[0]!);
    expect(logistic.accuracy(w, b, x, labels)).toBeGreaterThan(0.9);
  });
});
