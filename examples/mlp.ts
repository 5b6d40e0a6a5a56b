/**
 * A two-layer perceptron (tanh hidden layer, softmax cross-entropy) trained on a small synthetic
 * data set with tsgrad's tensors: the parameters are one object { W1, b1, W2, b2 }, passed whole to
 * the network function, and valueAndGrad(loss) returns the loss and a gradient of the same shape,
 * in one sweep.
 *
 * Run: npx tsgrad run examples/mlp.ts
 */
import { pathToFileURL } from "node:url";
import { valueAndGrad } from "tsgrad";
import { add, argmaxMask, item, logSoftmax, matmul, mean, mul, randn, sub, sum, tanh, Tensor, tensor } from "tsgrad/tensor";

export interface Params {
  readonly W1: Tensor;
  readonly b1: Tensor;
  readonly W2: Tensor;
  readonly b2: Tensor;
}

/** The network: one score per class for each row of x. */
export function logits(p: Params, x: Tensor): Tensor {
  const hidden = tanh(add(matmul(x, p.W1), p.b1));
  return add(matmul(hidden, p.W2), p.b2);
}

/** Mean softmax cross-entropy of the network's logits against one-hot labels. */
export function loss(p: Params, x: Tensor, labels: Tensor): number {
  return -item(mean(sum(mul(labels, logSoftmax(logits(p, x), 1)), 1)));
}

export const lossAndGrad = valueAndGrad(loss, { wrt: [0] });

/** Three interleaved spirals in the plane, one class each: not linearly separable. */
export function spirals(perClass: number, seed: number): { x: Tensor; labels: Tensor; classes: number[] } {
  const noise = randn([perClass * 3, 2], seed, 0, 0.08);
  const points: number[] = [];
  const onehot: number[] = [];
  const classes: number[] = [];
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < perClass; i++) {
      const r = (i + 1) / perClass;
      const angle = (c * 2 * Math.PI) / 3 + r * 2.5;
      const k = c * perClass + i;
      points.push(r * Math.cos(angle) + noise.data[2 * k]!, r * Math.sin(angle) + noise.data[2 * k + 1]!);
      onehot.push(...[0, 1, 2].map((j) => (j === c ? 1 : 0)));
      classes.push(c);
    }
  return { x: tensor(points, [perClass * 3, 2]), labels: tensor(onehot, [perClass * 3, 3]), classes };
}

export function init(hidden: number, seed: number): Params {
  return {
    W1: randn([2, hidden], seed, 0, 1),
    b1: randn([hidden], seed + 1, 0, 0.1),
    W2: randn([hidden, 3], seed + 2, 0, 1 / Math.sqrt(hidden)),
    b2: randn([3], seed + 3, 0, 0.1),
  };
}

export function accuracy(p: Params, x: Tensor, classes: number[]): number {
  const predicted = argmaxMask(logits(p, x), 1);
  let right = 0;
  classes.forEach((c, i) => (right += predicted.data[i * 3 + c]!));
  return right / classes.length;
}

/** Gradient descent with momentum. Returns the loss after each epoch. */
export function train(p: Params, x: Tensor, labels: Tensor, epochs: number, rate = 0.5, momentum = 0.9): { params: Params; losses: number[] } {
  let params = p;
  let velocity: Params = { W1: mul(p.W1, 0), b1: mul(p.b1, 0), W2: mul(p.W2, 0), b2: mul(p.b2, 0) };
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const { value, grad } = lossAndGrad(params, x, labels);
    losses.push(value);
    const step = (v: Tensor, g: Tensor) => sub(mul(v, momentum), mul(g, rate));
    velocity = { W1: step(velocity.W1, grad.W1), b1: step(velocity.b1, grad.b1), W2: step(velocity.W2, grad.W2), b2: step(velocity.b2, grad.b2) };
    params = { W1: add(params.W1, velocity.W1), b1: add(params.b1, velocity.b1), W2: add(params.W2, velocity.W2), b2: add(params.b2, velocity.b2) };
  }
  return { params, losses };
}

function main(): void {
  const { x, labels, classes } = spirals(60, 7);
  const start = init(16, 11);
  console.log(`three spirals, ${classes.length} points; network 2-16-3, tanh, softmax cross-entropy`);
  console.log(`accuracy before training: ${(100 * accuracy(start, x, classes)).toFixed(1)}%`);
  const { params, losses } = train(start, x, labels, 400);
  for (const epoch of [0, 50, 100, 200, 300, 399]) console.log(`epoch ${String(epoch).padStart(3)}: loss ${losses[epoch]!.toFixed(4)}`);
  console.log(`accuracy after training: ${(100 * accuracy(params, x, classes)).toFixed(1)}%`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
