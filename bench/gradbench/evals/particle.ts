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

/** The gradient of the potential in the position: reverse mode, or forward mode with one sweep per axis. */
export function force(x: number, y: number, w: number, forward: boolean): [number, number] {
  if (forward) {
    return [jvp(potential, { wrt: [0, 1] })(x, y, w, 1, 0).tangent, jvp(potential, { wrt: [0, 1] })(x, y, w, 0, 1).tangent];
  }
  return grad(potential, { wrt: [0, 1] })(x, y, w);
}

/** The miss distance for control w, with the force in the inner mode. */
export function miss(w: number, forwardInner: boolean): number {
  let x = 0;
  let y = 8;
  let vx = 0.75;
  let vy = 0;
  const dt = 0.1;
  for (;;) {
    const [px, py] = force(x, y, w, forwardInner);
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

type Modes = "rr" | "rf" | "fr" | "ff";

/** The derivative of the miss distance in w, in the outer mode (modes[0]) over the inner one. */
export function missDerivative(w: number, modes: Modes): number {
  const forwardInner = modes[1] === "f";
  if (modes[0] === "r") return grad(miss, { wrt: [0] })(w, forwardInner);
  return jvp(miss, { wrt: [0] })(w, forwardInner, 1).tangent;
}

function optimise(w0: number, modes: Modes): number {
  const forwardInner = modes[1] === "f";
  return argmin(
    (w) => miss(w[0]!, forwardInner),
    (w) => [missDerivative(w[0]!, modes)],
    [w0],
  )[0]!;
}

const prepare = (input: unknown) => number(record(input).w, "w");
const same = (w: number) => w;

export const particle: EvalModule = {
  name: "particle",
  functions: {
    rr: evalFunction({ prepare, compute: (w0) => optimise(w0, "rr"), answer: same }),
    rf: evalFunction({ prepare, compute: (w0) => optimise(w0, "rf"), answer: same }),
    fr: evalFunction({ prepare, compute: (w0) => optimise(w0, "fr"), answer: same }),
    ff: evalFunction({ prepare, compute: (w0) => optimise(w0, "ff"), answer: same }),
  },
};
