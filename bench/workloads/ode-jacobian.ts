/**
 * Workload 6: the Jacobian of an ODE integrator: the Lorenz-96 system
 *
 *   dx_i/dt = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F    (indices cyclic, F = 8)
 *
 * with n states, integrated by `steps` classic Runge-Kutta steps; the Jacobian of the final state
 * with respect to the initial one (n x n). tsgrad gives it in forward mode (n tangent sweeps) and in
 * reverse mode (n pullbacks, each storing what the integration overwrites). The hand-written
 * version carries the n x n tangent matrix through each stage at once. TF.js has no Jacobian: its
 * users batch the n rows (one copy of the state per output, one reverse sweep); jax-js has
 * jacfwd and jacrev.
 */
import { jacobian } from "tsgrad";
import { tsgradStackPeak } from "../harness/memory.js";
import type { Case, Params, Peers, Workload } from "../harness/types.js";
import { centralDifferencesJacobian } from "../methods/finite-differences.js";
import { array, type JaxArray } from "../methods/jax.js";
import { tfPeakBytes, tidyRead } from "../methods/tfjs.js";
import { listParam, method, numberParam, uniform } from "./common.js";

/**
 * Integration steps: a module setting that the integrator reads (jacobian() takes a function of
 * one array), set from the workload's parameters before the case is built.
 */
let stepCount = 50;
const DT = 0.01;
const FORCING = 8;

export function lorenz96(x0: Float64Array): Float64Array {
  const n = x0.length;
  const x = x0.slice();
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const t = new Float64Array(n);
  for (let step = 0; step < stepCount; step++) {
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

export const lorenzJacobianForward = jacobian(lorenz96, { mode: "forward" });
export const lorenzJacobianReverse = jacobian(lorenz96, { mode: "reverse" });

/**
 * The Jacobian by hand: the state and its n x n tangent matrix J (J[i][j] = dx_i / dx0_j) go
 * through each stage together; a stage's tangent row i combines rows i-2, i-1, i, i+1 of the
 * tangent it reads.
 */
export function lorenzJacobianByHand(x0: Float64Array): Float64Array {
  const n = x0.length;
  const x = x0.slice();
  const J = new Float64Array(n * n);
  for (let i = 0; i < n; i++) J[i * n + i] = 1;
  const k = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const dk = [new Float64Array(n * n), new Float64Array(n * n), new Float64Array(n * n), new Float64Array(n * n)];
  const t = new Float64Array(n);
  const dt = new Float64Array(n * n);
  /** k = rhs(s), dk = D rhs(s) dS. */
  const stage = (s: Float64Array, dS: Float64Array, out: Float64Array, dOut: Float64Array) => {
    for (let i = 0; i < n; i++) {
      const ip = (i + 1) % n;
      const im = (i + n - 1) % n;
      const im2 = (i + n - 2) % n;
      const diff = s[ip]! - s[im2]!;
      const mid = s[im]!;
      out[i] = diff * mid - s[i]! + FORCING;
      for (let j = 0; j < n; j++) dOut[i * n + j] = mid * (dS[ip * n + j]! - dS[im2 * n + j]!) + diff * dS[im * n + j]! - dS[i * n + j]!;
    }
  };
  const advance = (scale: number, kk: Float64Array, dkk: Float64Array) => {
    for (let i = 0; i < n; i++) t[i] = x[i]! + scale * kk[i]!;
    for (let i = 0; i < n * n; i++) dt[i] = J[i]! + scale * dkk[i]!;
  };
  for (let step = 0; step < stepCount; step++) {
    stage(x, J, k[0]!, dk[0]!);
    advance(0.5 * DT, k[0]!, dk[0]!);
    stage(t, dt, k[1]!, dk[1]!);
    advance(0.5 * DT, k[1]!, dk[1]!);
    stage(t, dt, k[2]!, dk[2]!);
    advance(DT, k[2]!, dk[2]!);
    stage(t, dt, k[3]!, dk[3]!);
    for (let i = 0; i < n; i++) x[i] = x[i]! + (DT / 6) * (k[0]![i]! + 2 * k[1]![i]! + 2 * k[2]![i]! + k[3]![i]!);
    for (let i = 0; i < n * n; i++) J[i] = J[i]! + (DT / 6) * (dk[0]![i]! + 2 * dk[1]![i]! + 2 * dk[2]![i]! + dk[3]![i]!);
  }
  return J;
}

const flatRows = (rows: readonly ArrayLike<number>[]): Float64Array => {
  const n = rows.length ? rows[0]!.length : 0;
  const out = new Float64Array(rows.length * n);
  rows.forEach((r, i) => out.set(Array.from(r), i * n));
  return out;
};

function odeCase(n: number, steps: number, peers: Peers): Case {
  stepCount = steps;
  const { tf, jax } = peers;
  type T = import("@tensorflow/tfjs").Tensor;
  const x0 = uniform(n, 51, 7, 9);

  // TF.js, on a batch of states [rows, n]: x_{i+1}, x_{i-1}, x_{i-2} are the state rotated
  const rhsTf = (s: T): T => {
    const roll = (by: number) => tf.concat([s.slice([0, n - by], [-1, by]), s.slice([0, 0], [-1, n - by])], 1);
    const next = tf.concat([s.slice([0, 1], [-1, n - 1]), s.slice([0, 0], [-1, 1])], 1);
    return next.sub(roll(2)).mul(roll(1)).sub(s).add(FORCING);
  };
  const integrateTf = (x: T): T => {
    let s = x;
    for (let step = 0; step < stepCount; step++) {
      const k1 = rhsTf(s);
      const k2 = rhsTf(s.add(k1.mul(0.5 * DT)));
      const k3 = rhsTf(s.add(k2.mul(0.5 * DT)));
      const k4 = rhsTf(s.add(k3.mul(DT)));
      s = s.add(k1.add(k2.mul(2)).add(k3.mul(2)).add(k4).mul(DT / 6));
    }
    return s;
  };
  const x0Tf = tf.tensor2d(Float32Array.from(x0), [1, n]);
  const eyeTf = tf.eye(n);
  // row i of the batch is a copy of x0 that only output i is read from: one reverse sweep gives all rows
  const jacobianTf = tf.grad((batch: T) => integrateTf(batch).mul(eyeTf).sum());
  const tiledTf = tf.tile(x0Tf, [n, 1]);

  const np = jax.numpy;
  const rhsJax = (s: JaxArray): JaxArray =>
    np.roll(s.ref, -1).sub(np.roll(s.ref, 2)).mul(np.roll(s.ref, 1)).sub(s).add(FORCING);
  const integrateJax = (x: JaxArray): JaxArray => {
    let s = x;
    for (let step = 0; step < stepCount; step++) {
      const k1 = rhsJax(s.ref);
      const k2 = rhsJax(s.ref.add(k1.ref.mul(0.5 * DT)));
      const k3 = rhsJax(s.ref.add(k2.ref.mul(0.5 * DT)));
      const k4 = rhsJax(s.ref.add(k3.ref.mul(DT)));
      s = s.add(k1.add(k2.mul(2)).add(k3.mul(2)).add(k4).mul(DT / 6));
    }
    return s;
  };
  const x0Jax = array(jax, x0, [n]);
  const jaxF = jax.jit(integrateJax);
  // jax-js 0.1.25's jacfwd returns the transpose (rows are inputs), unlike JAX and its own jacrev
  const jacfwdJax = jax.jit((x: JaxArray) => np.transpose(jax.jacfwd(integrateJax)(x)));
  const jacrevJax = jax.jit(jax.jacrev(integrateJax));

  return {
    workload: "ode",
    title: "ODE integrator Jacobian (Lorenz-96, RK4)",
    kind: "jacobian",
    size: `n = ${n}, ${stepCount} steps`,
    methods: [
      method({ id: "f", label: "f (integrate)", library: "TypeScript", computes: "f", run: () => lorenz96(x0), read: (y) => y }),
      method({ id: "tsgrad", label: "tsgrad jacobian, forward mode", library: "tsgrad", computes: "Jacobian", baseline: "f", run: () => lorenzJacobianForward(x0), read: flatRows }),
      method({ id: "tsgrad.reverse", label: "tsgrad jacobian, reverse mode", library: "tsgrad", computes: "Jacobian", baseline: "f", run: () => lorenzJacobianReverse(x0), read: flatRows, memory: tsgradStackPeak(() => lorenzJacobianReverse(x0)) }),
      method({ id: "hand", label: "hand-written tangent matrix", library: "hand-written", computes: "Jacobian", baseline: "f", run: () => lorenzJacobianByHand(x0), read: (j) => j }),
      method({ id: "tfjs.f", label: "TF.js f", library: "TF.js", computes: "f", run: () => tidyRead(tf, () => integrateTf(x0Tf)), read: ([y]) => y! }),
      method({ id: "tfjs", label: "TF.js tf.grad, rows batched", library: "TF.js", computes: "Jacobian", baseline: "tfjs.f", run: () => tidyRead(tf, () => jacobianTf(tiledTf)), read: ([j]) => j!, memory: tfPeakBytes(tf, () => tidyRead(tf, () => jacobianTf(tiledTf))) }),
      method({ id: "jax.f", label: "jax-js jit(f)", library: "jax-js", computes: "f", run: () => jaxF(x0Jax.ref).dataSync(), read: (y) => y }),
      method({ id: "jax", label: "jax-js jit(jacfwd(f)), transposed", library: "jax-js", computes: "Jacobian", baseline: "jax.f", run: () => jacfwdJax(x0Jax.ref).dataSync(), read: (j) => j }),
      method({ id: "jax.reverse", label: "jax-js jit(jacrev(f))", library: "jax-js", computes: "Jacobian", baseline: "jax.f", run: () => jacrevJax(x0Jax.ref).dataSync(), read: (j) => j }),
      method({ id: "fd", label: "central differences", library: "finite differences", computes: "Jacobian", baseline: "f", run: () => centralDifferencesJacobian(lorenz96, x0), read: (j) => j }),
    ],
    references: { f: "f", Jacobian: "hand" },
    headline: { tsgrad: "tsgrad", hand: "hand", tape: "tfjs", jax: "jax", fd: "fd" },
    dispose: () => {
      for (const t of [x0Tf, eyeTf, tiledTf]) t.dispose();
      x0Jax.dispose();
    },
  };
}

export const odeJacobian: Workload = {
  id: "ode",
  title: "ODE integrator Jacobian (Lorenz-96, RK4)",
  kind: "jacobian",
  params: { n: [20], steps: 50 },
  quickParams: { n: [6], steps: 4 },
  cases: (params: Params, peers: Peers) => listParam(params, "n").map((n) => odeCase(n, numberParam(params, "steps"), peers)),
};
