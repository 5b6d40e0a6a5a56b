/**
 * saddle (Pearlmutter and Siskind): the saddle point of f(p, q) = |p|² - |q|² in R² × R², as
 * min over p of (max over q of f(p, q)), both by gradient descent from the same start, then q as
 * the argmax for the p found. The outer descent differentiates the inner maximisation, solver
 * loop and inner derivatives included: nested AD. The four functions are the four combinations
 * of forward (f) and reverse (r) mode, outer mode first; the final argmax uses the outer mode.
 */
import { grad, jvp } from "tsgrad";
import { record, vector } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";
import { argmax, argmin } from "./descent.ts";

export function saddleObjective(p0: number, p1: number, q0: number, q1: number): number {
  return p0 * p0 + p1 * p1 - (q0 * q0 + q1 * q1);
}

/**
 * max over q of f(p, q), by the prescribed descent (see descent.ts) on -f from q = (s0, s1), with
 * the gradient in q from reverse mode. Written out rather than through descent.ts because the
 * outer derivative differentiates this whole loop.
 */
export function innerMaxReverse(p0: number, p1: number, s0: number, s1: number): number {
  let q0 = s0;
  let q1 = s1;
  let fq = -saddleObjective(p0, p1, q0, q1);
  const [d0, d1] = grad(saddleObjective, { wrt: [2, 3] })(p0, p1, q0, q1);
  let g0 = -d0;
  let g1 = -d1;
  let eta = 1e-5;
  let taken = 0;
  for (;;) {
    if (Math.sqrt(g0 * g0 + g1 * g1) <= 1e-5) break;
    if (taken === 10) {
      eta *= 2;
      taken = 0;
      continue;
    }
    const n0 = q0 - eta * g0;
    const n1 = q1 - eta * g1;
    if (Math.sqrt((q0 - n0) * (q0 - n0) + (q1 - n1) * (q1 - n1)) <= 1e-5) break;
    const fn = -saddleObjective(p0, p1, n0, n1);
    if (fn < fq) {
      q0 = n0;
      q1 = n1;
      fq = fn;
      const [e0, e1] = grad(saddleObjective, { wrt: [2, 3] })(p0, p1, q0, q1);
      g0 = -e0;
      g1 = -e1;
      taken++;
    } else {
      eta /= 2;
      taken = 0;
    }
  }
  return saddleObjective(p0, p1, q0, q1);
}

/** The same with the gradient in q from forward mode, one sweep per coordinate. */
export function innerMaxForward(p0: number, p1: number, s0: number, s1: number): number {
  let q0 = s0;
  let q1 = s1;
  let fq = -saddleObjective(p0, p1, q0, q1);
  let g0 = -jvp(saddleObjective, { wrt: [2, 3] })(p0, p1, q0, q1, 1, 0).tangent;
  let g1 = -jvp(saddleObjective, { wrt: [2, 3] })(p0, p1, q0, q1, 0, 1).tangent;
  let eta = 1e-5;
  let taken = 0;
  for (;;) {
    if (Math.sqrt(g0 * g0 + g1 * g1) <= 1e-5) break;
    if (taken === 10) {
      eta *= 2;
      taken = 0;
      continue;
    }
    const n0 = q0 - eta * g0;
    const n1 = q1 - eta * g1;
    if (Math.sqrt((q0 - n0) * (q0 - n0) + (q1 - n1) * (q1 - n1)) <= 1e-5) break;
    const fn = -saddleObjective(p0, p1, n0, n1);
    if (fn < fq) {
      q0 = n0;
      q1 = n1;
      fq = fn;
      g0 = -jvp(saddleObjective, { wrt: [2, 3] })(p0, p1, q0, q1, 1, 0).tangent;
      g1 = -jvp(saddleObjective, { wrt: [2, 3] })(p0, p1, q0, q1, 0, 1).tangent;
      taken++;
    } else {
      eta /= 2;
      taken = 0;
    }
  }
  return saddleObjective(p0, p1, q0, q1);
}

type Vec = number[];

/** The outer gradient in p of the inner maximum, by each combination of modes. */
export const outerGradient = {
  rr: (p: Vec, s: Vec): Vec => grad(innerMaxReverse, { wrt: [0, 1] })(p[0]!, p[1]!, s[0]!, s[1]!),
  rf: (p: Vec, s: Vec): Vec => grad(innerMaxForward, { wrt: [0, 1] })(p[0]!, p[1]!, s[0]!, s[1]!),
  fr: (p: Vec, s: Vec): Vec => [
    jvp(innerMaxReverse, { wrt: [0, 1] })(p[0]!, p[1]!, s[0]!, s[1]!, 1, 0).tangent,
    jvp(innerMaxReverse, { wrt: [0, 1] })(p[0]!, p[1]!, s[0]!, s[1]!, 0, 1).tangent,
  ],
  ff: (p: Vec, s: Vec): Vec => [
    jvp(innerMaxForward, { wrt: [0, 1] })(p[0]!, p[1]!, s[0]!, s[1]!, 1, 0).tangent,
    jvp(innerMaxForward, { wrt: [0, 1] })(p[0]!, p[1]!, s[0]!, s[1]!, 0, 1).tangent,
  ],
};

/** The gradient of f in q for the final argmax, in the outer mode. */
const finalGradient = {
  r: (p: Vec, q: Vec): Vec => grad(saddleObjective, { wrt: [2, 3] })(p[0]!, p[1]!, q[0]!, q[1]!),
  f: (p: Vec, q: Vec): Vec => [
    jvp(saddleObjective, { wrt: [2, 3] })(p[0]!, p[1]!, q[0]!, q[1]!, 1, 0).tangent,
    jvp(saddleObjective, { wrt: [2, 3] })(p[0]!, p[1]!, q[0]!, q[1]!, 0, 1).tangent,
  ],
};

type Modes = keyof typeof outerGradient;

function solve(start: Vec, modes: Modes): number[] {
  const innerMax = modes[1] === "r" ? innerMaxReverse : innerMaxForward;
  const p = argmin(
    (p) => innerMax(p[0]!, p[1]!, start[0]!, start[1]!),
    (p) => outerGradient[modes](p, start),
    start,
  );
  const q = argmax(
    (q) => saddleObjective(p[0]!, p[1]!, q[0]!, q[1]!),
    (q) => finalGradient[modes[0] as "r" | "f"](p, q),
    start,
  );
  return [...p, ...q];
}

const prepare = (input: unknown) => Array.from(vector(record(input).start, "start", 2));
const same = (xy: number[]) => xy;

export const saddle: EvalModule = {
  name: "saddle",
  functions: {
    rr: evalFunction({ prepare, compute: (s) => solve(s, "rr"), answer: same }),
    rf: evalFunction({ prepare, compute: (s) => solve(s, "rf"), answer: same }),
    fr: evalFunction({ prepare, compute: (s) => solve(s, "fr"), answer: same }),
    ff: evalFunction({ prepare, compute: (s) => solve(s, "ff"), answer: same }),
  },
};
