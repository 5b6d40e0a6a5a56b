/**
 * Implicit differentiation: the root y(x) of F(x, y) = 0, found by Newton's method, and its
 * derivative dy/dx two ways:
 *
 *   1. through the solver's loop: grad follows every Newton step (exact for the iterate it
 *      returns, and its cost grows with the number of steps);
 *   2. by the implicit function theorem, dy/dx = -F_x / F_y at the root, given to tsgrad as a
 *      customVjp rule: the solver becomes a black box with a derivative that costs one gradient
 *      of F, however many steps the solver took.
 *
 * Both are checked against central finite differences of the solver.
 *
 * Run: npx tsgrad run examples/implicit.ts
 */
import { pathToFileURL } from "node:url";
import { customVjp, grad } from "tsgrad";

/** F(x, y) = y^3 + x y + sin(y) - 2: for every x > -1 it has one real root in y. */
export function F(x: number, y: number): number {
  return y * y * y + x * y + Math.sin(y) - 2;
}

/** The root y(x) of F(x, y) = 0 by Newton's method (F_y written out), until the step is tiny. */
export function solve(x: number): number {
  let y = 1;
  let step = 1;
  let iterations = 0;
  while (Math.abs(step) > 1e-15 && iterations < 100) {
    step = F(x, y) / (3 * y * y + x + Math.cos(y));
    y -= step;
    iterations++;
  }
  return y;
}

const dF = grad(F);

/**
 * The same solver with its derivative from the implicit function theorem: differentiating
 * F(x, y(x)) = 0 gives F_x + F_y y'(x) = 0, so the pullback of a cotangent ybar is
 * -F_x / F_y * ybar, with F's gradient at the root from tsgrad.
 */
export const solveImplicit = customVjp(solve, (x, y, ybar) => {
  const [fx, fy] = dF(x, y);
  return (-fx / fy) * ybar;
});

/** A loss of the root, differentiated both ways. */
export function lossThroughLoop(x: number): number {
  const y = solve(x);
  return y * y + x;
}
export function lossImplicit(x: number): number {
  const y = solveImplicit(x);
  return y * y + x;
}

export const gradThroughLoop = grad(lossThroughLoop);
export const gradImplicit = grad(lossImplicit);

function main(): void {
  console.log("y(x): the root of F(x, y) = y^3 + x y + sin(y) - 2 = 0, by Newton's method");
  console.log("d/dx of L(x) = y(x)^2 + x, three ways:\n");
  console.log("     x   y(x)              through the loop    implicit function   finite differences");
  for (const x of [-0.5, 0, 0.5, 2, 5]) {
    const h = 1e-6;
    const fd = (lossThroughLoop(x + h) - lossThroughLoop(x - h)) / (2 * h);
    const row = [gradThroughLoop(x), gradImplicit(x), fd].map((v) => v.toFixed(12).padStart(18)).join("  ");
    console.log(`${x.toFixed(2).padStart(6)}   ${solve(x).toFixed(12)}  ${row}`);
  }
}

// run when executed, not when imported (the tests import the functions)
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
