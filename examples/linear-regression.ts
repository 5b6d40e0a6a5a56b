/**
 * Fitting a line y = w x + b by gradient descent on the mean squared error.
 *
 *   L(w, b) = (1/n) * sum_i (w x_i + b - y_i)^2
 *
 * valueAndGrad(mse, { wrt: [0, 1] }) gives the loss and its gradient with respect to the two
 * parameters of the line (w and b, by position) in one sweep; the data (xs, ys) are ordinary
 * arguments that are not differentiated.
 *
 * Run: npx tsgrad run examples/linear-regression.ts
 */
import { valueAndGrad } from "tsgrad";

/** Mean of the squared residuals of the line y = w x + b on the points (xs[i], ys[i]). */
export function mse(w: number, b: number, xs: number[], ys: number[]): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    const residual = w * xs[i]! + b - ys[i]!;
    sum += residual * residual;
  }
  return sum / xs.length;
}

// Parameters chosen by position: the gradient's type is then exactly [number, number].
const lossAndGrad = valueAndGrad(mse, { wrt: [0, 1] });

// The worked example. At w = 2, b = 1 the line predicts 3, 5, 7 for x = 1, 2, 3, so the residuals
// are -1, 0, 0 and L = 1/3. By hand: dL/dw = (2/n) sum r_i x_i = (2/3)(-1)(1) = -2/3 and
// dL/db = (2/n) sum r_i = -2/3.
const xs = [1, 2, 3];
const ys = [4, 5, 7];
const at = lossAndGrad(2, 1, xs, ys);
const [dw, db] = at.grad;
console.log("Worked example: points (1, 4), (2, 5), (3, 7), line at w = 2, b = 1");
console.log(`  loss  L = ${at.value.toFixed(10)}   (by hand:  1/3)`);
console.log(`  dL/dw   = ${dw.toFixed(10)}  (by hand: -2/3)`);
console.log(`  dL/db   = ${db.toFixed(10)}  (by hand: -2/3)`);

// Gradient descent. The loss is a convex quadratic in (w, b); on this data its Hessian
// (2/n) [[sum x^2, sum x], [sum x, n]] = [[28/3, 4], [4, 2]] has eigenvalues of about 0.24 and
// 11.1, so any fixed step below 2 / 11.1 converges, and 0.1 is a safe choice.
const rate = 0.1;
const tolerance = 1e-10;
let w = 2;
let b = 1;
let step = 0;
console.log(`\nGradient descent, step size ${rate}, until |grad| < ${tolerance}`);
console.log("  step        loss            w            b");
for (; step < 100_000; step++) {
  const { value, grad } = lossAndGrad(w, b, xs, ys);
  const [gw, gb] = grad;
  if (Math.hypot(gw, gb) < tolerance) break;
  // Print the loss falling: the first steps, then every 200th, then every 1000th.
  if (step < 5 || (step < 1000 && step % 200 === 0) || step % 1000 === 0)
    console.log(`  ${String(step).padStart(4)}  ${value.toExponential(6).padStart(14)}  ${w.toFixed(6).padStart(11)}  ${b.toFixed(6).padStart(11)}`);
  w -= rate * gw;
  b -= rate * gb;
}
console.log(`\nConverged after ${step} steps:`);
console.log(`  fitted w = ${w.toFixed(8)}`);
console.log(`  fitted b = ${b.toFixed(8)}`);
console.log(`  loss     = ${mse(w, b, xs, ys).toFixed(8)}`);

// For comparison, the least-squares line in closed form (the normal equations):
// w = sum (x - mean x)(y - mean y) / sum (x - mean x)^2, b = mean y - w mean x; here 3/2 and 7/3.
const meanX = xs.reduce((s, x) => s + x, 0) / xs.length;
const meanY = ys.reduce((s, y) => s + y, 0) / ys.length;
let sxy = 0;
let sxx = 0;
for (let i = 0; i < xs.length; i++) {
  sxy += (xs[i]! - meanX) * (ys[i]! - meanY);
  sxx += (xs[i]! - meanX) ** 2;
}
console.log(`  (normal equations: w = ${(sxy / sxx).toFixed(8)}, b = ${(meanY - (sxy / sxx) * meanX).toFixed(8)})`);
