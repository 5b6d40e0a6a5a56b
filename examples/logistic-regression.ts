/**
 * Logistic regression with tsgrad's tensors: a linear score w.x + b, the probability
 * sigmoid(score), and the mean binary cross-entropy written stably as
 * mean(softplus(score) - label * score). Trained by gradient descent with grad(loss).
 *
 * Run: npx tsgrad run examples/logistic-regression.ts
 */
import { pathToFileURL } from "node:url";
import { grad } from "tsgrad";
import { add, greater, item, matmul, mean, mul, randn, reshape, sigmoid, softplus, sub, sum, Tensor, tensor } from "tsgrad/tensor";

export function loss(w: Tensor, b: number, x: Tensor, labels: Tensor): number {
  const score = add(matmul(x, w), b);
  return item(mean(sub(softplus(score), mul(labels, score))));
}

export const lossGrad = grad(loss, { wrt: [0, 1] });

/** Two Gaussian clouds in five dimensions, labelled 0 and 1, separated along a hidden direction. */
export function clouds(perClass: number, seed: number): { x: Tensor; labels: Tensor } {
  const direction = randn([5], seed);
  const a = add(randn([perClass, 5], seed + 1), mul(direction, 1.2));
  const c = sub(randn([perClass, 5], seed + 2), mul(direction, 1.2));
  const x = tensor([...a.data, ...c.data], [2 * perClass, 5]);
  const labels = tensor([...new Array<number>(perClass).fill(1), ...new Array<number>(perClass).fill(0)], [2 * perClass]);
  return { x, labels };
}

export function accuracy(w: Tensor, b: number, x: Tensor, labels: Tensor): number {
  const predicted = greater(sigmoid(add(matmul(x, w), b)), 0.5);
  return 1 - item(mean(mul(sub(predicted, labels), sub(predicted, labels))));
}

export function train(x: Tensor, labels: Tensor, steps: number, rate = 0.5): { w: Tensor; b: number; losses: number[] } {
  let w = mul(reshape(randn([5], 3), [5]), 0.01);
  let b = 0;
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(loss(w, b, x, labels));
    const [gw, gb] = lossGrad(w, b, x, labels);
    w = sub(w, mul(gw, rate));
    b -= rate * gb;
  }
  return { w, b, losses };
}

function main(): void {
  const { x, labels } = clouds(100, 5);
  const { w, b, losses } = train(x, labels, 200);
  console.log(`logistic regression, ${x.shape[0]} points in 5 dimensions`);
  for (const step of [0, 10, 50, 199]) console.log(`step ${String(step).padStart(3)}: loss ${losses[step]!.toFixed(4)}`);
  console.log(`accuracy: ${(100 * accuracy(w, b, x, labels)).toFixed(1)}%, |w| = ${Math.sqrt(item(sum(mul(w, w)))).toFixed(3)}, b = ${b.toFixed(3)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
