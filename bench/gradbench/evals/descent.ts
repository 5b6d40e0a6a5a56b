/**
 * The gradient-descent solver the particle and saddle evals prescribe, so that every tool takes
 * the same steps: start with step size 1e-5; stop when the gradient or the step is shorter than
 * 1e-5; take a step only when it lowers the objective, else halve the step size; double it after
 * ten steps taken in a row.
 *
 * This is ordinary code that calls an objective and its gradient; how the gradient is obtained
 * (which mode of AD) is the caller's choice.
 */

export type Objective = (x: number[]) => number;
export type Gradient = (x: number[]) => number[];

const TOLERANCE = 1e-5;

function norm(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

export function argmin(f: Objective, gradient: Gradient, start: readonly number[]): number[] {
  let x = start.slice();
  let fx = f(x);
  let gx = gradient(x);
  let eta = 1e-5;
  let taken = 0;
  for (;;) {
    if (norm(gx) <= TOLERANCE) return x;
    if (taken === 10) {
      eta *= 2;
      taken = 0;
      continue;
    }
    const next = x.map((xi, i) => xi - eta * gx[i]!);
    if (norm(x.map((xi, i) => xi - next[i]!)) <= TOLERANCE) return x;
    const fNext = f(next);
    if (fNext < fx) {
      x = next;
      fx = fNext;
      gx = gradient(x);
      taken++;
    } else {
      eta /= 2;
      taken = 0;
    }
  }
}

export function argmax(f: Objective, gradient: Gradient, start: readonly number[]): number[] {
  return argmin(
    (x) => -f(x),
    (x) => gradient(x).map((g) => -g),
    start,
  );
}
