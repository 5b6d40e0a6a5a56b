/**
 * Differentiating through an iterative solver.
 *
 * `root(p, q)` finds the real root x of x^3 + p x - q = 0 by Newton's method, iterating until the
 * step falls below a tolerance, so the number of iterations depends on the data. grad(root)
 * differentiates straight through that loop (every iteration, as executed) and gives dx/dp and
 * dx/dq. Two independent references:
 *
 *   - the implicit function theorem: with g(x, p, q) = x^3 + p x - q and g(x(p, q), p, q) = 0,
 *       dx/dp = -(dg/dp) / (dg/dx) = -x / (3 x^2 + p),   dx/dq = 1 / (3 x^2 + p);
 *   - central finite differences of root itself.
 *
 * Run: npx tsgrad run examples/newton-root.ts
 */
import { pathToFileURL } from "node:url";
import { grad } from "tsgrad";

/** The real root of x^3 + p x - q = 0 (p > 0, where the cubic is increasing), by Newton's method. */
export function root(p: number, q: number): number {
  let x = 1;
  let step = 1;
  let iterations = 0;
  while (Math.abs(step) > 1e-14 && iterations < 100) {
    step = (x * x * x + p * x - q) / (3 * x * x + p);
    x -= step;
    iterations++;
  }
  return x;
}

/** How many Newton steps `root` takes for (p, q): the same loop, counting instead of returning x. */
function newtonSteps(p: number, q: number): number {
  let x = 1;
  let step = 1;
  let iterations = 0;
  while (Math.abs(step) > 1e-14 && iterations < 100) {
    step = (x * x * x + p * x - q) / (3 * x * x + p);
    x -= step;
    iterations++;
  }
  return iterations;
}

const rootGrad = grad(root);

function central(f: (t: number) => number, t: number, h = 1e-6): number {
  return (f(t + h) - f(t - h)) / (2 * h);
}

const fmt = (v: number) => (v < 0 ? "" : " ") + v.toFixed(12);

function main(): void {
  console.log("Root x(p, q) of x^3 + p x - q = 0 by Newton's method, and its derivatives");
  console.log("(grad: differentiated through the solver's loop; implicit: the implicit function theorem;");
  console.log(" finite differences: central, step 1e-6, on root itself)");
  const cases: [p: number, q: number][] = [
    [2, 5],
    [0.5, 10],
    [4, -3],
  ];
  for (const [p, q] of cases) {
    const x = root(p, q);
    const [dxdp, dxdq] = rootGrad(p, q);
    const ift = { p: -x / (3 * x * x + p), q: 1 / (3 * x * x + p) };
    const fd = { p: central((t) => root(t, q), p), q: central((t) => root(p, t), q) };
    console.log(`\np = ${p}, q = ${q}: x = ${x.toFixed(12)} after ${newtonSteps(p, q)} Newton steps (residual ${(x ** 3 + p * x - q).toExponential(1)})`);
    console.log(`  dx/dp:  grad ${fmt(dxdp)}   implicit ${fmt(ift.p)}   finite differences ${fmt(fd.p)}`);
    console.log(`  dx/dq:  grad ${fmt(dxdq)}   implicit ${fmt(ift.q)}   finite differences ${fmt(fd.q)}`);
  }
}

// run when executed, not when imported (the tests import root)
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
