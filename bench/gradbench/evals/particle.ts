/**
 * particle (Pearlmutter and Siskind): a unit charge starts at (0, 8) with velocity (0.75, 0),
 * pushed by the field of unit charges at (10, 10 - w) and (10, 0), integrated by Euler steps of
 * 0.1 until it crosses y = 0. The miss distance, the squared x at the crossing (linearly
 * interpolated), is minimised in w by gradient descent.
 *
 * Nested AD: each Euler step needs the gradient of the potential in the position (inner), and the
 * descent needs the derivative of the whole trajectory in w (outer), through those inner
 * derivatives and the data-dependent loop. The four functions are the four combinations of
 * forward (f) and reverse (r) mode, outer mode first.
 */
import { grad, jvp } from "tsgrad";
import { number, record } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";
import { argmin } from "./descent.ts";

/** The potential at (x, y) of unit charges at (10, 10 - w) and (10, 0). */
export function potential(x: number, y: number, w: number): number {
  return 1 / Math.sqrt((x - 10) * (x - 10) + (y - (10 - w)) * (y - (10 - w))) + 1 / Math.sqrt((x - 10) * (x - 10) + y * y);
}

/** The miss distance for control w, with the force from reverse mode. */
export function missReverse(w: number): number {
  let x = 0;
  let y = 8;
  let vx = 0.75;
  let vy = 0;
  const dt = 0.1;
  for (;;) {
    const [px, py] = grad(potential, { wrt: [0, 1] })(x, y, w);
    x += dt * vx;
    y += dt * vy;
    if (y <= 0) {
      const tf = -y / vy;
      const xf = x + tf * vx;
      return xf * xf;
    }
    vx -= dt * px;
    vy -= dt * py;
  }
}

/** The miss distance for control w, with the force from forward mode (one sweep per axis). */
export function missForward(w: number): number {
  let x = 0;
  let y = 8;
  let vx = 0.75;
  let vy = 0;
  const dt = 0.1;
  for (;;) {
    const px = jvp(potential, { wrt: [0, 1] })(x, y, w, 1, 0).tangent;
    const py = jvp(potential, { wrt: [0, 1] })(x, y, w, 0, 1).tangent;
    x += dt * vx;
    y += dt * vy;
    if (y <= 0) {
      const tf = -y / vy;
      const xf = x + tf * vx;
      return xf * xf;
    }
    vx -= dt * px;
    vy -= dt * py;
  }
}

/** The derivative of the miss distance in w, in each combination of modes (outer first). */
export const missDerivative = {
  rr: (w: number) => grad(missReverse)(w),
  rf: (w: number) => grad(missForward)(w),
  fr: (w: number) => jvp(missReverse)(w, 1).tangent,
  ff: (w: number) => jvp(missForward)(w, 1).tangent,
};

function optimise(w0: number, miss: (w: number) => number, derivative: (w: number) => number): number {
  return argmin(
    (w) => miss(w[0]!),
    (w) => [derivative(w[0]!)],
    [w0],
  )[0]!;
}

const prepare = (input: unknown) => number(record(input).w, "w");
const same = (w: number) => w;

export const particle: EvalModule = {
  name: "particle",
  functions: {
    rr: evalFunction({ prepare, compute: (w0) => optimise(w0, missReverse, missDerivative.rr), answer: same }),
    rf: evalFunction({ prepare, compute: (w0) => optimise(w0, missForward, missDerivative.rf), answer: same }),
    fr: evalFunction({ prepare, compute: (w0) => optimise(w0, missReverse, missDerivative.fr), answer: same }),
    ff: evalFunction({ prepare, compute: (w0) => optimise(w0, missForward, missDerivative.ff), answer: same }),
  },
};
