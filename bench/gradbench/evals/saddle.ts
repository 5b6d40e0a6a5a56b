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

/** The gradient of f in q: reverse mode, or forward mode with one sweep per coordinate. */
export function gradientInQ(p0: number, p1: number, q0: number, q1: number, forward: boolean): [number, number] {
  if (forward) {
    return [
      jvp(saddleObjective, { wrt: [2, 3] })(p0, p1, q0, q1, 1, 0).tangent,
      jvp(saddleObjective, { wrt: [2, 3] })(p0, p1, q0, q1, 0, 1).tangent,
    ];
  }
  return grad(saddleObjective, { wrt: [2, 3] })(p0, p1, q0, q1);
}

/**
 * max over q of f(p, q), by the prescribed descent (see descent.ts) on -f from q = (s0, s1), with
 * the gradient in q in the inner mode. Written out rather than through descent.ts because the
 * outer derivative differentiates this whole loop.
 */
export function innerMax(p0: number, p1: number, s0: number, s1: number, forwardInner: boolean): number {
  let q0 = s0;
  let q1 = s1;
  let fq = -saddleObjective(p0, p1, q0, q1);
  const [d0, d1] = gradientInQ(p0, p1, q0, q1, forwardInner);
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
      const [e0, e1] = gradientInQ(p0, p1, q0, q1, forwardInner);
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

type Vec = number[];

type Modes = "rr" | "rf" | "fr" | "ff";

/** The outer gradient in p of the inner maximum, in the outer mode (modes[0]) over the inner one. */
export function outerGradient(p: Vec, s: Vec, modes: Modes): Vec {
  const forwardInner = modes[1] === "f";
  if (modes[0] === "r") return grad(innerMax, { wrt: [0, 1] })(p[0]!, p[1]!, s[0]!, s[1]!, forwardInner);
  return [
    jvp(innerMax, { wrt: [0, 1] })(p[0]!, p[1]!, s[0]!, s[1]!, forwardInner, 1, 0).tangent,
    jvp(innerMax, { wrt: [0, 1] })(p[0]!, p[1]!, s[0]!, s[1]!, forwardInner, 0, 1).tangent,
  ];
}

function solve(start: Vec, modes: Modes): number[] {
  const forwardInner = modes[1] === "f";
  const p = argmin(
    (p) => innerMax(p[0]!, p[1]!, start[0]!, start[1]!, forwardInner),
    (p) => outerGradient(p, start, modes),
    start,
  );
  // The final argmax takes the gradient of f in q in the outer mode.
  const q = argmax(
    (q) => saddleObjective(p[0]!, p[1]!, q[0]!, q[1]!),
    (q) => gradientInQ(p[0]!, p[1]!, q[0]!, q[1]!, modes[0] === "f"),
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
