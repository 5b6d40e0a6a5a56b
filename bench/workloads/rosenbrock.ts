/**
 * Workload 1: the n-dimensional Rosenbrock function, a plain scalar loop,
 *
 *   f(x) = sum_{i=0}^{n-2} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2,
 *
 * over a Float64Array (its gradient is a Float64Array too), and the same over number[] beside it
 * (V8 allocates a number[] of n doubles far more slowly than a Float64Array, and every method that
 * returns a new gradient pays for it). TF.js and jax-js get the vectorised form their users write.
 */
import { grad, jvp, valueAndGrad } from "tsgrad";
import { rosen as rosenArray } from "../../examples/rosenbrock.js";
import { tsgradStackPeak } from "../harness/memory.js";
import type { Case, MethodEntry, Params, Peers, Workload } from "../harness/types.js";
import { centralDifferences } from "../methods/finite-differences.js";
import { array, type JaxArray } from "../methods/jax.js";
import { tfPeakBytes, tidyRead } from "../methods/tfjs.js";
import { listParam, method, sizeLabel, uniform, unavailable } from "./common.js";

export function rosen(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    s += 100 * a * a + b * b;
  }
  return s;
}

export const rosenGrad = grad(rosen);
const rosenValueAndGrad = valueAndGrad(rosen);
const rosenJvp = jvp(rosen);
const rosenArrayGrad = grad(rosenArray);

/** The gradient as a careful person writes it: one pass, nothing stored. */
export function rosenGradByHand(x: Float64Array): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    g[i]! += -400 * x[i]! * a - 2 * b;
    g[i + 1]! += 200 * a;
  }
  return g;
}

function rosenArrayGradByHand(x: number[]): number[] {
  const g = new Array<number>(x.length).fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    g[i]! += -400 * x[i]! * a - 2 * b;
    g[i + 1]! += 200 * a;
  }
  return g;
}

/** The directional derivative by hand (forward mode): the reference for tsgrad's jvp. */
function rosenDirectionalByHand(x: Float64Array, u: Float64Array): number {
  let t = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    t += 200 * a * (u[i + 1]! - 2 * x[i]! * u[i]!) - 2 * b * u[i]!;
  }
  return t;
}

/** Rosenbrock as a TF.js user writes it: slices and element-wise operations. */
export function rosenTf(tf: Peers["tf"], x: import("@tensorflow/tfjs").Tensor1D): import("@tensorflow/tfjs").Scalar {
  const n = x.shape[0];
  const head = x.slice(0, n - 1);
  const tail = x.slice(1, n - 1);
  const a = tail.sub(head.square());
  const b = tf.scalar(1).sub(head);
  return a.square().mul(100).add(b.square()).sum();
}

/** Rosenbrock for jax-js (arrays are consumed by use, hence .ref where one is used twice). */
export function rosenJax(jax: Peers["jax"], x: JaxArray): JaxArray {
  const np = jax.numpy;
  const head = x.ref.slice([0, -1]);
  const tail = x.slice([1]);
  const a = tail.sub(np.square(head.ref));
  const b = np.subtract(1, head);
  return np.sum(np.square(a).mul(100).add(np.square(b)));
}

/** Finite differences beyond this many inputs take seconds per gradient: reported, not run. */
const FD_LIMIT = 10_000;

function rosenbrockCase(n: number, peers: Peers): Case {
  const { tf, jax } = peers;
  const x = uniform(n, 1, 0, 2);
  const u = uniform(n, 2);
  const xs = Array.from(x);
  const xTf = tf.tensor1d(Float32Array.from(x));
  const tfGrad = tf.grad((t: import("@tensorflow/tfjs").Tensor) => rosenTf(tf, t as import("@tensorflow/tfjs").Tensor1D));
  const xJax = array(jax, x, [n]);
  const jaxF = jax.jit((t: JaxArray) => rosenJax(jax, t));
  const jaxGrad = jax.jit(jax.grad((t: JaxArray) => rosenJax(jax, t)));
  const methods: MethodEntry[] = [
    method({ id: "f", label: "f", library: "TypeScript", computes: "f", run: () => rosen(x), read: (v) => v }),
    method({ id: "tsgrad", label: "tsgrad grad", library: "tsgrad", computes: "gradient", baseline: "f", run: () => rosenGrad(x), read: (g) => g, memory: tsgradStackPeak(() => rosenGrad(x)) }),
    method({ id: "tsgrad.valueAndGrad", label: "tsgrad valueAndGrad", library: "tsgrad", computes: "gradient", baseline: "f", run: () => rosenValueAndGrad(x), read: (r) => r.grad }),
    method({ id: "hand", label: "hand-written gradient", library: "hand-written", computes: "gradient", baseline: "f", run: () => rosenGradByHand(x), read: (g) => g }),
    method({ id: "tsgrad.jvp", label: "tsgrad jvp (one direction)", library: "tsgrad", computes: "directional derivative", baseline: "f", run: () => rosenJvp(x, u), read: (r) => r.tangent }),
    method({ id: "hand.jvp", label: "hand-written directional derivative", library: "hand-written", computes: "directional derivative", baseline: "f", run: () => rosenDirectionalByHand(x, u), read: (v) => v }),
    method({ id: "f[]", label: "f, number[]", library: "TypeScript", computes: "f", run: () => rosenArray(xs), read: (v) => v }),
    method({ id: "tsgrad[]", label: "tsgrad grad, number[]", library: "tsgrad", computes: "gradient", baseline: "f[]", run: () => rosenArrayGrad(xs), read: (g) => g }),
    method({ id: "hand[]", label: "hand-written gradient, number[]", library: "hand-written", computes: "gradient", baseline: "f[]", run: () => rosenArrayGradByHand(xs), read: (g) => g }),
    method({ id: "tfjs.f", label: "TF.js f", library: "TF.js", computes: "f", run: () => tidyRead(tf, () => rosenTf(tf, xTf)), read: ([v]) => v! }),
    method({ id: "tfjs", label: "TF.js tf.grad", library: "TF.js", computes: "gradient", baseline: "tfjs.f", run: () => tidyRead(tf, () => tfGrad(xTf)), read: ([g]) => g!, memory: tfPeakBytes(tf, () => tidyRead(tf, () => tfGrad(xTf))) }),
    method({ id: "jax.f", label: "jax-js jit(f)", library: "jax-js", computes: "f", run: () => jaxF(xJax.ref).dataSync(), read: (v) => v }),
    method({ id: "jax", label: "jax-js jit(grad(f))", library: "jax-js", computes: "gradient", baseline: "jax.f", run: () => jaxGrad(xJax.ref).dataSync(), read: (g) => g }),
    n <= FD_LIMIT
      ? method({ id: "fd", label: "central differences", library: "finite differences", computes: "gradient", baseline: "f", run: () => centralDifferences(() => rosen(x), [x]), read: (g) => g })
      : unavailable("fd", "central differences", "finite differences", "gradient", `not run: 2n = ${(2 * n).toLocaleString("en")} calls of f per gradient`),
  ];
  return {
    workload: "rosenbrock",
    title: "Rosenbrock, scalar loop",
    kind: "scalar",
    size: sizeLabel("n", n),
    methods,
    references: { f: "f", gradient: "hand", "directional derivative": "hand.jvp" },
    headline: { tsgrad: "tsgrad", hand: "hand", tape: "tfjs", jax: "jax", fd: "fd" },
  };
}

export const rosenbrock: Workload = {
  id: "rosenbrock",
  title: "Rosenbrock, scalar loop",
  kind: "scalar",
  params: { n: [10, 1000, 100_000] },
  quickParams: { n: [10, 200] },
  cases: (params: Params, peers: Peers) => listParam(params, "n").map((n) => rosenbrockCase(n, peers)),
};
