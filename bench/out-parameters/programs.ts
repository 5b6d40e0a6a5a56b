/**
 * One ODE integrator (Lorenz-96, classic Runge-Kutta, the bench's ode-jacobian workload) written
 * three ways, each differentiated by tsgrad:
 *   - inline: every stage's loop written out in the integrator (how the workload is written);
 *   - out-parameters: helpers that write into the caller's work buffers (`rhsInto(k1, x)`,
 *     `axpyInto(t, x, h, k1)`) and update the state in place, C's style, no allocation per step;
 *   - returning: helpers that return a new array per stage (`const k1 = rhs(x)`), the style
 *     tsgrad required before it inlined writing helpers: four to seven arrays allocated per step.
 */
import { grad, jacobian } from "tsgrad";

const DT = 0.01;
const FORCING = 8;
export const STEPS = 50;

// ---- inline ----

export function lorenzInline(x0: Float64Array): Float64Array {
  const n = x0.length;
  const x = x0.slice();
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const t = new Float64Array(n);
  for (let step = 0; step < STEPS; step++) {
    for (let i = 0; i < n; i++) k1[i] = (x[(i + 1) % n]! - x[(i + n - 2) % n]!) * x[(i + n - 1) % n]! - x[i]! + FORCING;
    for (let i = 0; i < n; i++) t[i] = x[i]! + 0.5 * DT * k1[i]!;
    for (let i = 0; i < n; i++) k2[i] = (t[(i + 1) % n]! - t[(i + n - 2) % n]!) * t[(i + n - 1) % n]! - t[i]! + FORCING;
    for (let i = 0; i < n; i++) t[i] = x[i]! + 0.5 * DT * k2[i]!;
    for (let i = 0; i < n; i++) k3[i] = (t[(i + 1) % n]! - t[(i + n - 2) % n]!) * t[(i + n - 1) % n]! - t[i]! + FORCING;
    for (let i = 0; i < n; i++) t[i] = x[i]! + DT * k3[i]!;
    for (let i = 0; i < n; i++) k4[i] = (t[(i + 1) % n]! - t[(i + n - 2) % n]!) * t[(i + n - 1) % n]! - t[i]! + FORCING;
    for (let i = 0; i < n; i++) x[i] = x[i]! + (DT / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  }
  return x;
}

// ---- out-parameters ----

function rhsInto(out: Float64Array, s: Float64Array): void {
  const n = s.length;
  for (let i = 0; i < n; i++) out[i] = (s[(i + 1) % n]! - s[(i + n - 2) % n]!) * s[(i + n - 1) % n]! - s[i]! + FORCING;
}

function axpyInto(out: Float64Array, x: Float64Array, a: number, k: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i]! + a * k[i]!;
}

function rk4UpdateInPlace(x: Float64Array, k1: Float64Array, k2: Float64Array, k3: Float64Array, k4: Float64Array, h: number): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
}

/** One Runge-Kutta step of the state `x`, in place, with the caller's work buffers. */
function rk4StepInPlace(x: Float64Array, k1: Float64Array, k2: Float64Array, k3: Float64Array, k4: Float64Array, t: Float64Array): void {
  rhsInto(k1, x);
  axpyInto(t, x, 0.5 * DT, k1);
  rhsInto(k2, t);
  axpyInto(t, x, 0.5 * DT, k2);
  rhsInto(k3, t);
  axpyInto(t, x, DT, k3);
  rhsInto(k4, t);
  rk4UpdateInPlace(x, k1, k2, k3, k4, DT);
}

export function lorenzOutParameters(x0: Float64Array): Float64Array {
  const n = x0.length;
  const x = x0.slice();
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const t = new Float64Array(n);
  for (let step = 0; step < STEPS; step++) rk4StepInPlace(x, k1, k2, k3, k4, t);
  return x;
}

// ---- returning ----

function rhs(s: Float64Array): Float64Array {
  const n = s.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (s[(i + 1) % n]! - s[(i + n - 2) % n]!) * s[(i + n - 1) % n]! - s[i]! + FORCING;
  return out;
}

function axpy(x: Float64Array, a: number, k: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = x[i]! + a * k[i]!;
  return out;
}

function rk4Step(x: Float64Array): Float64Array {
  const k1 = rhs(x);
  const k2 = rhs(axpy(x, 0.5 * DT, k1));
  const k3 = rhs(axpy(x, 0.5 * DT, k2));
  const k4 = rhs(axpy(x, DT, k3));
  const next = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) next[i] = x[i]! + (DT / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  return next;
}

export function lorenzReturning(x0: Float64Array): Float64Array {
  let x: Float64Array = x0.slice();
  for (let step = 0; step < STEPS; step++) x = rk4Step(x);
  return x;
}

// ---- a scalar loss of the final state, and the derivatives ----

function energyInline(x0: Float64Array): number {
  const x = lorenzInline(x0);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

function energyOutParameters(x0: Float64Array): number {
  const x = lorenzOutParameters(x0);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

function energyReturning(x0: Float64Array): number {
  const x = lorenzReturning(x0);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

export const STYLES = {
  inline: {
    primal: lorenzInline,
    grad: grad(energyInline),
    jacobianForward: jacobian(lorenzInline, { mode: "forward" }),
    jacobianReverse: jacobian(lorenzInline, { mode: "reverse" }),
  },
  "out-parameters": {
    primal: lorenzOutParameters,
    grad: grad(energyOutParameters),
    jacobianForward: jacobian(lorenzOutParameters, { mode: "forward" }),
    jacobianReverse: jacobian(lorenzOutParameters, { mode: "reverse" }),
  },
  returning: {
    primal: lorenzReturning,
    grad: grad(energyReturning),
    jacobianForward: jacobian(lorenzReturning, { mode: "forward" }),
    jacobianReverse: jacobian(lorenzReturning, { mode: "reverse" }),
  },
} as const;
