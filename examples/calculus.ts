/**
 * Textbook facts of multivariable calculus, computed with tsgrad:
 *
 *   1. The gradient of x^2 + y^2 is (2x, 2y): twice the point, and zero at the origin (the minimum).
 *   2. The directional derivative along a unit vector u is grad f . u (here from forward mode,
 *      jvp), and among all directions it is largest along the gradient, where it equals |grad f|.
 *   3. On f(x1, x2) = (x1^2 + 10 x2^2) / 2 from (1, 1): one gradient-descent step of size 0.1
 *      lands on (0.9, 0), and one Newton step (Hessian diag(1, 10), written by hand) lands on the
 *      minimum (0, 0), because Newton's method is exact on a quadratic.
 *
 * Run: npx tsgrad run examples/calculus.ts
 */
import { grad, jvp, valueAndGrad } from "tsgrad";

/** The bowl x^2 + y^2. */
export function bowl(x: number, y: number): number {
  return x * x + y * y;
}

/** An anisotropic quadratic: ten times steeper along x2 than along x1. */
export function quadratic(p: [number, number]): number {
  return (p[0] * p[0] + 10 * p[1] * p[1]) / 2;
}

const bowlGrad = grad(bowl);
// jvp(bowl)(x, y, dx, dy): the value and the derivative along the direction (dx, dy).
const bowlDirectional = jvp(bowl);
const quadraticValueAndGrad = valueAndGrad(quadratic);

const show = (v: number) => (Object.is(v, -0) ? 0 : v).toFixed(6);
const pair = (a: number, b: number) => `(${show(a)}, ${show(b)})`;

// 1. The gradient is twice the point.
console.log("1. grad(x^2 + y^2) = 2 (x, y)");
const points: [number, number][] = [
  [1, 2],
  [-3, 0.5],
  [0.25, -4],
  [0, 0],
];
for (const [x, y] of points) {
  const [gx, gy] = bowlGrad(x, y);
  console.log(`   at ${pair(x, y).padEnd(24)} grad = ${pair(gx, gy).padEnd(26)} 2 (x, y) = ${pair(2 * x, 2 * y)}`);
}

// 2. Directional derivatives at (1, 2) along unit vectors u = (cos a, sin a).
console.log("\n2. Directional derivative of x^2 + y^2 at (1, 2) along u = (cos a, sin a)");
const [x0, y0] = [1, 2];
const [gx0, gy0] = bowlGrad(x0, y0);
const gradNorm = Math.hypot(gx0, gy0);
let bestAngle = 0;
let best = -Infinity;
let worstMismatch = 0;
const samples = 360;
for (let k = 0; k < samples; k++) {
  const a = (2 * Math.PI * k) / samples;
  const [ux, uy] = [Math.cos(a), Math.sin(a)];
  const along = bowlDirectional(x0, y0, ux, uy).tangent;
  worstMismatch = Math.max(worstMismatch, Math.abs(along - (gx0 * ux + gy0 * uy)));
  if (along > best) {
    best = along;
    bestAngle = a;
  }
  if (k % 45 === 0) console.log(`   a = ${String(k).padStart(3)} deg   jvp = ${show(along).padStart(10)}   grad . u = ${show(gx0 * ux + gy0 * uy).padStart(10)}`);
}
const degrees = (a: number) => ((a * 180) / Math.PI).toFixed(2);
console.log(`   largest |jvp - grad . u| over ${samples} directions: ${worstMismatch.toExponential(2)}`);
console.log(`   steepest sampled direction: a = ${degrees(bestAngle)} deg, rate ${show(best)}`);
console.log(`   gradient direction:         a = ${degrees(Math.atan2(gy0, gx0))} deg, |grad| = ${show(gradNorm)}`);

// 3. One step of gradient descent and one step of Newton's method from (1, 1).
console.log("\n3. f(x1, x2) = (x1^2 + 10 x2^2) / 2 from (1, 1)");
const start: [number, number] = [1, 1];
const { value: f0, grad: g0 } = quadraticValueAndGrad(start);
console.log(`   f = ${show(f0)}, grad f = ${pair(g0[0], g0[1])}`);
// Gradient descent: x - 0.1 grad f.
const rate = 0.1;
const gd: [number, number] = [start[0] - rate * g0[0], start[1] - rate * g0[1]];
console.log(`   gradient step (size ${rate}): ${pair(gd[0], gd[1])}   f = ${show(quadratic(gd))}`);
// Newton: x - H^{-1} grad f, with the Hessian H = diag(1, 10) read off the quadratic.
const hessianDiagonal = [1, 10] as const;
const newton: [number, number] = [start[0] - g0[0] / hessianDiagonal[0], start[1] - g0[1] / hessianDiagonal[1]];
console.log(`   Newton step:                ${pair(newton[0], newton[1])}   f = ${show(quadratic(newton))}`);
