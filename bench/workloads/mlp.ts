/**
 * Workload 4: one gradient step of a two-layer perceptron on a batch, with tensors: inputs of
 * `inputs` features, a tanh hidden layer, `classes` outputs, softmax cross-entropy against one-hot
 * labels, averaged over the batch (784-128-10 with a batch of 64 is an MNIST-sized step). The
 * parameters are one object { W1, b1, W2, b2 }; the gradient has its shape.
 */
import { grad } from "tsgrad";
import { add, item, logSoftmax, matmul, mean, mul, softmax, sub, sum, tanh, Tensor, transpose } from "tsgrad/tensor";
import { tsgradStackPeak } from "../harness/memory.js";
import type { Case, Params, Peers, Workload } from "../harness/types.js";
import { readAll, type JaxArray } from "../methods/jax.js";
import { flatten, tfPeakBytes, tidyRead } from "../methods/tfjs.js";
import { concat, method, normal, numberParam, uniform, unavailable } from "./common.js";

export interface Mlp {
  readonly W1: Tensor;
  readonly b1: Tensor;
  readonly W2: Tensor;
  readonly b2: Tensor;
}

export function loss(p: Mlp, x: Tensor, labels: Tensor): number {
  const hidden = tanh(add(matmul(x, p.W1), p.b1));
  const logits = add(matmul(hidden, p.W2), p.b2);
  return -item(mean(sum(mul(labels, logSoftmax(logits, 1)), 1)));
}

export const lossGrad = grad(loss, { wrt: [0] });

/** Backpropagation by hand, with the same tensor operations. */
export function lossGradByHand(p: Mlp, x: Tensor, labels: Tensor): Mlp {
  const hidden = tanh(add(matmul(x, p.W1), p.b1));
  const logits = add(matmul(hidden, p.W2), p.b2);
  const dLogits = mul(sub(softmax(logits, 1), labels), 1 / x.shape[0]!);
  const dHidden = mul(matmul(dLogits, transpose(p.W2)), sub(1, mul(hidden, hidden)));
  return {
    W1: matmul(transpose(x), dHidden),
    b1: sum(dHidden, 0),
    W2: matmul(transpose(hidden), dLogits),
    b2: sum(dLogits, 0),
  };
}

const flat = (g: Mlp): Float64Array => concat([g.W1.data, g.b1.data, g.W2.data, g.b2.data]);

function cases(params: Params, peers: Peers): Case[] {
  const batch = numberParam(params, "batch");
  const inputs = numberParam(params, "inputs");
  const hiddenSize = numberParam(params, "hidden");
  const classes = numberParam(params, "classes");
  const x = new Tensor(uniform(batch * inputs, 31, 0, 1), [batch, inputs]);
  const labelData = new Float64Array(batch * classes);
  for (let i = 0; i < batch; i++) labelData[i * classes + ((i * 7) % classes)] = 1;
  const labels = new Tensor(labelData, [batch, classes]);
  const p: Mlp = {
    W1: new Tensor(normal(inputs * hiddenSize, 32, 1 / Math.sqrt(inputs)), [inputs, hiddenSize]),
    b1: new Tensor(normal(hiddenSize, 33, 0.1), [hiddenSize]),
    W2: new Tensor(normal(hiddenSize * classes, 34, 1 / Math.sqrt(hiddenSize)), [hiddenSize, classes]),
    b2: new Tensor(normal(classes, 35, 0.1), [classes]),
  };
  const count = p.W1.size + p.b1.size + p.W2.size + p.b2.size;

  const { tf, jax } = peers;
  type T = import("@tensorflow/tfjs").Tensor;
  const toTf = (t: Tensor) => tf.tensor(Float32Array.from(t.data), [...t.shape]);
  const pTf = [toTf(p.W1), toTf(p.b1), toTf(p.W2), toTf(p.b2)];
  const xTf = toTf(x);
  const labelsTf = toTf(labels);
  const lossTf = (W1: T, b1: T, W2: T, b2: T): T => {
    const hidden = tf.tanh(xTf.matMul(W1 as import("@tensorflow/tfjs").Tensor2D).add(b1));
    const logits = hidden.matMul(W2 as import("@tensorflow/tfjs").Tensor2D).add(b2);
    return tf.losses.softmaxCrossEntropy(labelsTf, logits);
  };
  const gradsTf = tf.grads((W1: T, b1: T, W2: T, b2: T) => lossTf(W1, b1, W2, b2));

  const np = jax.numpy;
  const toJax = (t: Tensor) => np.array(t.data, { dtype: np.float64 }).reshape([...t.shape]);
  type P = { W1: JaxArray; b1: JaxArray; W2: JaxArray; b2: JaxArray };
  const pJax: P = { W1: toJax(p.W1), b1: toJax(p.b1), W2: toJax(p.W2), b2: toJax(p.b2) };
  const xJax = toJax(x);
  const labelsJax = toJax(labels);
  const lossJax = (q: P, xs: JaxArray, ys: JaxArray): JaxArray => {
    const hidden = np.tanh(np.matmul(xs, q.W1).add(q.b1));
    const logits = np.matmul(hidden, q.W2).add(q.b2);
    return np.negative(np.mean(np.sum(ys.mul(jax.nn.logSoftmax(logits, 1)), 1)));
  };
  const jaxF = jax.jit(lossJax);
  const jaxGrad = jax.jit(jax.grad(lossJax));
  const refs = (): P => ({ W1: pJax.W1.ref, b1: pJax.b1.ref, W2: pJax.W2.ref, b2: pJax.b2.ref });

  return [
    {
      workload: "mlp",
      title: "MLP step, tensors",
      kind: "tensor",
      size: `batch ${batch}, ${inputs}-${hiddenSize}-${classes}`,
      methods: [
        method({ id: "f", label: "f (tsgrad/tensor)", library: "TypeScript", computes: "f", run: () => loss(p, x, labels), read: (v) => v }),
        method({ id: "tsgrad", label: "tsgrad grad", library: "tsgrad", computes: "gradient", baseline: "f", run: () => lossGrad(p, x, labels), read: flat, memory: tsgradStackPeak(() => lossGrad(p, x, labels)) }),
        method({ id: "hand", label: "hand-written backpropagation (tensor ops)", library: "hand-written", computes: "gradient", baseline: "f", run: () => lossGradByHand(p, x, labels), read: flat }),
        method({ id: "tfjs.f", label: "TF.js f", library: "TF.js", computes: "f", run: () => tidyRead(tf, () => lossTf(pTf[0]!, pTf[1]!, pTf[2]!, pTf[3]!)), read: ([v]) => v! }),
        method({ id: "tfjs", label: "TF.js tf.grads", library: "TF.js", computes: "gradient", baseline: "tfjs.f", run: () => tidyRead(tf, () => gradsTf(pTf)), read: (g) => flatten(g), memory: tfPeakBytes(tf, () => tidyRead(tf, () => gradsTf(pTf))) }),
        method({ id: "jax.f", label: "jax-js jit(f)", library: "jax-js", computes: "f", run: () => jaxF(refs(), xJax.ref, labelsJax.ref).dataSync(), read: (v) => v }),
        method({ id: "jax", label: "jax-js jit(grad(f))", library: "jax-js", computes: "gradient", baseline: "jax.f", run: () => { const g = jaxGrad(refs(), xJax.ref, labelsJax.ref); return readAll([g.W1, g.b1, g.W2, g.b2]); }, read: (g) => g }),
        unavailable("fd", "central differences", "finite differences", "gradient", `not run: 2 x ${count.toLocaleString("en")} parameters = ${(2 * count).toLocaleString("en")} calls of f per gradient`),
      ],
      references: { f: "f", gradient: "hand" },
      headline: { tsgrad: "tsgrad", hand: "hand", tape: "tfjs", jax: "jax", fd: "fd" },
      dispose: () => {
        for (const t of [...pTf, xTf, labelsTf]) t.dispose();
        for (const a of [pJax.W1, pJax.b1, pJax.W2, pJax.b2, xJax, labelsJax]) a.dispose();
      },
    },
  ];
}

export const mlpStep: Workload = {
  id: "mlp",
  title: "MLP step, tensors",
  kind: "tensor",
  params: { batch: 64, inputs: 784, hidden: 128, classes: 10 },
  quickParams: { batch: 4, inputs: 12, hidden: 6, classes: 3 },
  cases,
};
