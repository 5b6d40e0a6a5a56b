/**
 * Workload 2: the mean squared error of a linear model over N points with d features,
 *
 *   L(w, b) = (1/N) sum_i (w . x_i + b - y_i)^2,
 *
 * differentiated with respect to w and b (the data x, y are not), written twice for tsgrad: as a
 * scalar loop over Float64Arrays, and with tsgrad/tensor operations. The hand-written gradients
 * follow each form: a loop, and tensor operations (the residual times the data).
 */
import { grad } from "tsgrad";
import { add, item, matmul, mean, mul, sub, sum, Tensor } from "tsgrad/tensor";
import { tsgradStackPeak } from "../harness/memory.js";
import type { Case, MethodEntry, Params, Peers, Workload } from "../harness/types.js";
import { centralDifferences } from "../methods/finite-differences.js";
import { array, readAll, type JaxArray } from "../methods/jax.js";
import { flatten, tfPeakBytes, tidyRead } from "../methods/tfjs.js";
import { concat, method, numberParam, sizeLabel, uniform } from "./common.js";

export function mse(w: Float64Array, b: number, x: Float64Array, y: Float64Array): number {
  const d = w.length;
  const n = y.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let p = b;
    for (let j = 0; j < d; j++) p += w[j]! * x[i * d + j]!;
    const r = p - y[i]!;
    s += r * r;
  }
  return s / n;
}

export const mseGrad = grad(mse, { wrt: [0, 1] });

export function mseByHand(w: Float64Array, b: number, x: Float64Array, y: Float64Array): [Float64Array, number] {
  const d = w.length;
  const n = y.length;
  const gw = new Float64Array(d);
  let gb = 0;
  for (let i = 0; i < n; i++) {
    let p = b;
    for (let j = 0; j < d; j++) p += w[j]! * x[i * d + j]!;
    const r = (2 * (p - y[i]!)) / n;
    for (let j = 0; j < d; j++) gw[j]! += r * x[i * d + j]!;
    gb += r;
  }
  return [gw, gb];
}

export function mseTensor(w: Tensor, b: number, x: Tensor, y: Tensor): number {
  const r = sub(add(matmul(x, w), b), y);
  return item(mean(mul(r, r)));
}

export const mseTensorGrad = grad(mseTensor, { wrt: [0, 1] });

/** By hand with the same tensor operations: dL/dw = (2/N) x^T r, dL/db = (2/N) sum(r). */
export function mseTensorByHand(w: Tensor, b: number, x: Tensor, y: Tensor): [Tensor, number] {
  const r = mul(sub(add(matmul(x, w), b), y), 2 / y.size);
  return [matmul(r, x), item(sum(r))];
}

interface Data {
  readonly n: number;
  readonly d: number;
  readonly w: Float64Array;
  readonly b: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

function data(n: number, d: number): Data {
  const x = uniform(n * d, 11);
  const truth = uniform(d, 12);
  const noise = uniform(n, 13, -0.1, 0.1);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let p = 0.5;
    for (let j = 0; j < d; j++) p += truth[j]! * x[i * d + j]!;
    y[i] = p + noise[i]!;
  }
  return { n, d, w: uniform(d, 14), b: 0.1, x, y };
}

/** TF.js and jax-js: the vectorised form their users write; the same methods serve both cases. */
function peerMethods(D: Data, peers: Peers): { methods: MethodEntry[]; dispose: () => void } {
  const { tf, jax } = peers;
  const np = jax.numpy;
  const xTf = tf.tensor2d(Float32Array.from(D.x), [D.n, D.d]);
  const yTf = tf.tensor2d(Float32Array.from(D.y), [D.n, 1]);
  const wTf = tf.tensor2d(Float32Array.from(D.w), [D.d, 1]);
  const bTf = tf.scalar(D.b);
  const lossTf = (w: import("@tensorflow/tfjs").Tensor, b: import("@tensorflow/tfjs").Tensor) => xTf.matMul(w as import("@tensorflow/tfjs").Tensor2D).add(b).sub(yTf).square().mean();
  const gradsTf = tf.grads(lossTf);
  const xJax = array(jax, D.x, [D.n, D.d]);
  const yJax = array(jax, D.y, [D.n]);
  const wJax = array(jax, D.w, [D.d]);
  const bJax = array(jax, Float64Array.of(D.b), []);
  const lossJax = (w: JaxArray, b: JaxArray, x: JaxArray, y: JaxArray) => np.mean(np.square(np.matmul(x, w).add(b).sub(y)));
  const jaxF = jax.jit(lossJax);
  const jaxGrad = jax.jit(jax.grad(lossJax, { argnums: [0, 1] }));
  const methods: MethodEntry[] = [
    method({ id: "tfjs.f", label: "TF.js f", library: "TF.js", computes: "f", run: () => tidyRead(tf, () => lossTf(wTf, bTf)), read: ([v]) => v! }),
    method({ id: "tfjs", label: "TF.js tf.grads", library: "TF.js", computes: "gradient", baseline: "tfjs.f", run: () => tidyRead(tf, () => gradsTf([wTf, bTf])), read: (g) => flatten(g), memory: tfPeakBytes(tf, () => tidyRead(tf, () => gradsTf([wTf, bTf]))) }),
    method({ id: "jax.f", label: "jax-js jit(f)", library: "jax-js", computes: "f", run: () => jaxF(wJax.ref, bJax.ref, xJax.ref, yJax.ref).dataSync(), read: (v) => v }),
    method({ id: "jax", label: "jax-js jit(grad(f))", library: "jax-js", computes: "gradient", baseline: "jax.f", run: () => readAll(jaxGrad(wJax.ref, bJax.ref, xJax.ref, yJax.ref)), read: (g) => g }),
  ];
  return {
    methods,
    dispose: () => {
      for (const t of [xTf, yTf, wTf, bTf]) t.dispose();
      for (const a of [xJax, yJax, wJax, bJax]) a.dispose();
    },
  };
}

function cases(params: Params, peers: Peers): Case[] {
  const D = data(numberParam(params, "N"), numberParam(params, "d"));
  const { w, b, x, y } = D;
  const size = `${sizeLabel("N", D.n)}, d = ${D.d}`;
  const wT = new Tensor(w.slice(), [D.d]);
  const xT = new Tensor(x.slice(), [D.n, D.d]);
  const yT = new Tensor(y.slice(), [D.n]);
  const peersA = peerMethods(D, peers);
  const fd = method({ id: "fd", label: "central differences", library: "finite differences", computes: "gradient", baseline: "f", run: () => {
    const wb = Float64Array.of(...w, b);
    return centralDifferences(() => mse(wb.subarray(0, D.d), wb[D.d]!, x, y), [wb]);
  }, read: (g) => g });
  const scalar: Case = {
    workload: "mse",
    title: "Linear model MSE, scalar loop",
    kind: "scalar",
    size,
    methods: [
      method({ id: "f", label: "f", library: "TypeScript", computes: "f", run: () => mse(w, b, x, y), read: (v) => v }),
      method({ id: "tsgrad", label: "tsgrad grad", library: "tsgrad", computes: "gradient", baseline: "f", run: () => mseGrad(w, b, x, y), read: ([gw, gb]) => concat([gw, [gb]]), memory: tsgradStackPeak(() => mseGrad(w, b, x, y)) }),
      method({ id: "hand", label: "hand-written gradient", library: "hand-written", computes: "gradient", baseline: "f", run: () => mseByHand(w, b, x, y), read: ([gw, gb]) => concat([gw, [gb]]) }),
      ...peersA.methods,
      fd,
    ],
    references: { f: "f", gradient: "hand" },
    headline: { tsgrad: "tsgrad", hand: "hand", tape: "tfjs", jax: "jax", fd: "fd" },
  };
  const tensor: Case = {
    workload: "mse",
    title: "Linear model MSE, tensors",
    kind: "tensor",
    size,
    methods: [
      method({ id: "f", label: "f (tsgrad/tensor)", library: "TypeScript", computes: "f", run: () => mseTensor(wT, b, xT, yT), read: (v) => v }),
      method({ id: "tsgrad", label: "tsgrad grad", library: "tsgrad", computes: "gradient", baseline: "f", run: () => mseTensorGrad(wT, b, xT, yT), read: ([gw, gb]) => concat([gw.data, [gb]]), memory: tsgradStackPeak(() => mseTensorGrad(wT, b, xT, yT)) }),
      method({ id: "hand", label: "hand-written gradient (tensor ops)", library: "hand-written", computes: "gradient", baseline: "f", run: () => mseTensorByHand(wT, b, xT, yT), read: ([gw, gb]) => concat([gw.data, [gb]]) }),
      ...peersA.methods,
    ],
    references: { f: "f", gradient: "hand" },
    headline: { tsgrad: "tsgrad", hand: "hand", tape: "tfjs", jax: "jax" },
    dispose: peersA.dispose,
  };
  return [scalar, tensor];
}

export const linearMse: Workload = {
  id: "mse",
  title: "Linear model MSE",
  kind: "scalar",
  params: { N: 10_000, d: 10 },
  quickParams: { N: 50, d: 3 },
  cases,
};
