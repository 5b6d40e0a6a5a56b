/**
 * Second-order optimisation of the n-dimensional Rosenbrock function with generated derivatives:
 *
 *   - Newton-CG (truncated Newton): each step solves H p = -g by conjugate gradients, touching H
 *     only through Hessian-vector products, hvp(rosen)(x, v) (forward over reverse: about the cost
 *     of a few gradients, and the n-by-n matrix never exists);
 *   - Newton's method with the full Hessian, hessian(rosen)(x), for a small n.
 *
 * Run: npx tsgrad run examples/newton-cg.ts [n]    (n defaults to 100)
 */
import { pathToFileURL } from "node:url";
import { grad, hessian, hvp } from "tsgrad";
import { rosen } from "./rosenbrock.ts";

const rosenGrad = grad(rosen);
const rosenHvp = hvp(rosen);
const rosenHessian = hessian(rosen);

const dot = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + ai * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

/** Conjugate gradients for H p = -g, stopped early on negative curvature or a small residual. */
function newtonDirection(x: number[], g: number[]): { p: number[]; products: number } {
  const n = x.length;
  let p = new Array<number>(n).fill(0);
  let r = g.map((gi) => -gi);
  let d = r.slice();
  let products = 0;
  const tolerance = Math.min(0.5, Math.sqrt(norm(g))) * norm(g);
  for (let k = 0; k < 2 * n; k++) {
    const hd = rosenHvp(x, d);
    products++;
    const curvature = dot(d, hd);
    if (curvature <= 0) return { p: k === 0 ? r : p, products }; // not a descent model here
    const alpha = dot(r, r) / curvature;
    p = p.map((pi, i) => pi + alpha * d[i]!);
    const next = r.map((ri, i) => ri - alpha * hd[i]!);
    if (norm(next) < tolerance) return { p, products };
    const beta = dot(next, next) / dot(r, r);
    d = next.map((ni, i) => ni + beta * d[i]!);
    r = next;
  }
  return { p, products };
}

/** Backtracking (Armijo) line search along p. */
function lineSearch(x: number[], g: number[], p: number[]): number[] {
  const f0 = rosen(x);
  const slope = dot(g, p);
  for (let t = 1; t > 1e-12; t /= 2) {
    const candidate = x.map((xi, i) => xi + t * p[i]!);
    if (rosen(candidate) <= f0 + 1e-4 * t * slope) return candidate;
  }
  return x;
}

export function newtonCG(x0: number[], tolerance = 1e-10): { x: number[]; iterations: number; products: number } {
  let x = x0.slice();
  let products = 0;
  for (let it = 0; it < 500; it++) {
    const g = rosenGrad(x);
    if (norm(g) < tolerance) return { x, iterations: it, products };
    const step = newtonDirection(x, g);
    products += step.products;
    x = lineSearch(x, g, step.p);
  }
  return { x, iterations: 500, products };
}

/**
 * Newton's method with the full Hessian, for small n. Where H is not positive definite (Rosenbrock
 * has such regions), H + lambda I with the smallest lambda in 0, 1e-3, 1e-2, ... that gives a
 * descent direction (Levenberg's regularisation).
 */
export function newtonFull(x0: number[], tolerance = 1e-10): { x: number[]; iterations: number } {
  let x = x0.slice();
  for (let it = 0; it < 200; it++) {
    const g = rosenGrad(x);
    if (norm(g) < tolerance) return { x, iterations: it };
    const H = rosenHessian(x);
    let p = g.map((gi) => -gi);
    for (let lambda = 0; lambda < 1e8; lambda = lambda === 0 ? 1e-3 : lambda * 10) {
      const shifted = H.map((row, i) => row.map((h, j) => (i === j ? h + lambda : h)));
      const q = solve(shifted, g.map((gi) => -gi));
      if (q.every(Number.isFinite) && dot(q, g) < 0) {
        p = q;
        break;
      }
    }
    x = lineSearch(x, g, p);
  }
  return { x, iterations: 200 };
}

/** Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[pivot]![c]!)) pivot = r;
    [M[c], M[pivot]] = [M[pivot]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

function main(): void {
  const n = Number(process.argv[2] ?? 100);
  const start = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
  const cg = newtonCG(start);
  const distance = Math.sqrt(cg.x.reduce((s, xi) => s + (xi - 1) ** 2, 0));
  console.log(`Newton-CG, n = ${n}: ${cg.iterations} iterations, ${cg.products} Hessian-vector products, f = ${rosen(cg.x).toExponential(3)}, distance to (1, ..., 1) = ${distance.toExponential(3)}`);
  // the classic start (-1.2, 1) in two dimensions: Newton's quadratic convergence shows
  const full = newtonFull([-1.2, 1]);
  const d2 = Math.hypot(full.x[0]! - 1, full.x[1]! - 1);
  console.log(`Newton with the full Hessian, n = 2 from (-1.2, 1): ${full.iterations} iterations, f = ${rosen(full.x).toExponential(3)}, distance to (1, 1) = ${d2.toExponential(3)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
