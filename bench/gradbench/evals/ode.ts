/**
 * ode: s steps of classical Runge-Kutta on y0' = x0, yi' = xi y(i-1), y(0) = 0, over t in [0, 2];
 * `gradient` is the gradient of the last component of the solution in x.
 */
import { grad } from "tsgrad";
import { integer, record, vector } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

/** The right-hand side of the ODE at state y. */
export function derivative(x: Float64Array, y: Float64Array): Float64Array {
  const n = x.length;
  const z = new Float64Array(n);
  z[0] = x[0]!;
  for (let i = 1; i < n; i++) z[i] = x[i]! * y[i - 1]!;
  return z;
}

export function solve(x: Float64Array, s: number): Float64Array {
  const n = x.length;
  const h = 2 / s;
  const y = new Float64Array(n);
  const stage = new Float64Array(n);
  for (let step = 0; step < s; step++) {
    const k1 = derivative(x, y);
    for (let i = 0; i < n; i++) stage[i] = y[i]! + (h * k1[i]!) / 2;
    const k2 = derivative(x, stage);
    for (let i = 0; i < n; i++) stage[i] = y[i]! + (h * k2[i]!) / 2;
    const k3 = derivative(x, stage);
    for (let i = 0; i < n; i++) stage[i] = y[i]! + h * k3[i]!;
    const k4 = derivative(x, stage);
    for (let i = 0; i < n; i++) y[i] = y[i]! + (h * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!)) / 6;
  }
  return y;
}

export function lastComponent(x: Float64Array, s: number): number {
  const y = solve(x, s);
  return y[y.length - 1]!;
}

export const lastComponentGradient = grad(lastComponent, { wrt: [0] });

interface OdeInput {
  readonly x: Float64Array;
  readonly s: number;
}

function prepare(input: unknown): OdeInput {
  const r = record(input);
  const x = vector(r.x, "x");
  if (x.length === 0) throw new Error("x must not be empty");
  return { x, s: integer(r.s, "s", 1) };
}

export const ode: EvalModule = {
  name: "ode",
  functions: {
    primal: evalFunction({ prepare, compute: (p) => solve(p.x, p.s), answer: (y) => Array.from(y) }),
    gradient: evalFunction({ prepare, compute: (p) => lastComponentGradient(p.x, p.s), answer: (g) => Array.from(g) }),
  },
};
