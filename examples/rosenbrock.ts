/**
 * Minimising the n-dimensional Rosenbrock function
 *
 *   f(x) = sum_{i=0}^{n-2} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2
 *
 * whose minimum is f = 0 at x = (1, ..., 1), at the bottom of a long, curved, narrow valley where
 * plain gradient descent crawls. valueAndGrad(rosen) supplies f and its gradient in one sweep
 * (reverse mode: the cost of a few evaluations of f, whatever n is), and a small L-BFGS with a
 * backtracking line search, written below, does the minimising.
 *
 * Run: npx tsgrad run examples/rosenbrock.ts [n]    (n defaults to 10)
 */
import { pathToFileURL } from "node:url";
import { valueAndGrad } from "tsgrad";

/** The n-dimensional Rosenbrock function. */
export function rosen(x: number[]): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    s += 100 * a * a + b * b;
  }
  return s;
}

const rosenValueAndGrad = valueAndGrad(rosen);

export interface MinimizeResult {
  readonly x: number[];
  readonly value: number;
  readonly gradNorm: number;
  readonly iterations: number;
  readonly evaluations: number;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * L-BFGS: quasi-Newton steps from the last `memory` pairs (s, y) of position and gradient changes,
 * each accepted by backtracking until the Armijo sufficient-decrease condition holds. Stops when
 * the gradient norm falls below `gradTol`.
 */
export function minimize(
  fg: (x: number[]) => { value: number; grad: number[] },
  start: readonly number[],
  { gradTol = 1e-10, maxIterations = 10_000, memory = 8 } = {},
): MinimizeResult {
  const n = start.length;
  let x = start.slice();
  let { value, grad } = fg(x);
  let evaluations = 1;
  const ss: number[][] = [];
  const ys: number[][] = [];
  let iterations = 0;
  for (; iterations < maxIterations && Math.sqrt(dot(grad, grad)) >= gradTol; iterations++) {
    // Two-loop recursion: d = -H grad, with H the L-BFGS inverse-Hessian approximation.
    const q = grad.slice();
    const alphas: number[] = [];
    for (let k = ss.length - 1; k >= 0; k--) {
      const alpha = dot(ss[k]!, q) / dot(ys[k]!, ss[k]!);
      alphas[k] = alpha;
      for (let i = 0; i < n; i++) q[i]! -= alpha * ys[k]![i]!;
    }
    // Scale by s.y / y.y so that the first trial step of length 1 is usually accepted.
    const last = ss.length - 1;
    const gamma = last >= 0 ? dot(ss[last]!, ys[last]!) / dot(ys[last]!, ys[last]!) : 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
    for (let i = 0; i < n; i++) q[i]! *= gamma;
    for (let k = 0; k < ss.length; k++) {
      const beta = dot(ys[k]!, q) / dot(ys[k]!, ss[k]!);
      for (let i = 0; i < n; i++) q[i]! += (alphas[k]! - beta) * ss[k]![i]!;
    }
    let direction = q.map((v) => -v);
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (can only happen through rounding): fall back to steepest descent.
      direction = grad.map((v) => -v);
      slope = -dot(grad, grad);
      ss.length = 0;
      ys.length = 0;
    }

    // Backtracking line search: halve the step until f decreases enough (Armijo, c = 1e-4).
    let t = 1;
    let next = x.map((xi, i) => xi + t * direction[i]!);
    let trial = fg(next);
    evaluations++;
    while (!(trial.value <= value + 1e-4 * t * slope) && t > 1e-20) {
      t /= 2;
      next = x.map((xi, i) => xi + t * direction[i]!);
      trial = fg(next);
      evaluations++;
    }

    // Keep the pair only if it has positive curvature, so that H stays positive definite.
    const s = next.map((v, i) => v - x[i]!);
    const y = trial.grad.map((v, i) => v - grad[i]!);
    if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      ss.push(s);
      ys.push(y);
      if (ss.length > memory) {
        ss.shift();
        ys.shift();
      }
    }
    x = next;
    value = trial.value;
    grad = trial.grad;
  }
  return { x, value, gradNorm: Math.sqrt(dot(grad, grad)), iterations, evaluations };
}

function main(): void {
  const n = Number(process.argv[2] ?? 10);
  if (!Number.isInteger(n) || n < 2) throw new Error(`n must be an integer of at least 2, not ${process.argv[2]}`);
  // The classical starting point (-1.2, 1, -1.2, 1, ...).
  const start = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
  console.log(`Rosenbrock in n = ${n} dimensions, L-BFGS with backtracking line search`);
  console.log(`  start         f = ${rosen(start).toExponential(4)}  at (-1.2, 1, -1.2, 1, ...)`);

  const result = minimize(rosenValueAndGrad, start);

  let distance = 0;
  for (const xi of result.x) distance += (xi - 1) * (xi - 1);
  distance = Math.sqrt(distance);
  console.log(`  iterations    ${result.iterations}`);
  console.log(`  evaluations   ${result.evaluations}  (value and gradient together)`);
  console.log(`  final f       ${result.value.toExponential(4)}`);
  console.log(`  |grad f|      ${result.gradNorm.toExponential(4)}`);
  console.log(`  |x - (1,...,1)| = ${distance.toExponential(4)}`);
  console.log(`  x_i in [${Math.min(...result.x).toFixed(10)}, ${Math.max(...result.x).toFixed(10)}]`);
}

// Run only as a script, so that other modules can import `rosen` and `minimize`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
