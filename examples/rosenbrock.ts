import { grad } from "tsgrad";

/** The n-dimensional Rosenbrock function. */
export function rosen(x: number[]): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

const g = grad(rosen);
console.log(g([1.2, 1, 0.8]));
