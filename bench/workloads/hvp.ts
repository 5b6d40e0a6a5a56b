/**
 * Workload 5, second order: the Hessian of Rosenbrock times a direction v. tsgrad's hvp is forward
 * mode over its generated gradient; TF.js's is the gradient of <grad f, v> (grad of grad, its only
 * way); jax-js's is jvp of grad under jit (forward over reverse, as JAX recommends); the
 * difference quotient of two gradients is the cheap approximation. Each is compared with its own
 * library's gradient: the target is at most 4 gradients.
 */
import { hvp } from "tsgrad";
import { tsgradStackPeak } from "../harness/memory.js";
import type { Case, Params, Peers, Workload } from "../harness/types.js";
import { gradientDifference } from "../methods/finite-differences.js";
import { array, type JaxArray } from "../methods/jax.js";
import { tidyRead } from "../methods/tfjs.js";
import { listParam, method, sizeLabel, uniform } from "./common.js";
import { rosen, rosenGrad, rosenGradByHand, rosenJax, rosenTf } from "./rosenbrock.js";

export const rosenHvp = hvp(rosen);

/** H v by hand: the gradient's loop differentiated along v (the Hessian is tridiagonal). */
export function rosenHvpByHand(x: Float64Array, v: Float64Array): Float64Array {
  const hv = new Float64Array(x.length);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const da = v[i + 1]! - 2 * x[i]! * v[i]!;
    hv[i]! += -400 * (v[i]! * a + x[i]! * da) + 2 * v[i]!;
    hv[i + 1]! += 200 * da;
  }
  return hv;
}

function hvpCase(n: number, peers: Peers): Case {
  const { tf, jax } = peers;
  type T = import("@tensorflow/tfjs").Tensor;
  const x = uniform(n, 41, 0, 2);
  const v = uniform(n, 42);
  const xTf = tf.tensor1d(Float32Array.from(x));
  const vTf = tf.tensor1d(Float32Array.from(v));
  const gradTf = tf.grad((t: T) => rosenTf(tf, t as import("@tensorflow/tfjs").Tensor1D));
  const hvpTf = tf.grad((t: T) => tf.sum(tf.mul(gradTf(t), vTf)));
  const xJax = array(jax, x, [n]);
  const vJax = array(jax, v, [n]);
  const f = (t: JaxArray) => rosenJax(jax, t);
  const gradJax = jax.jit(jax.grad(f));
  const hvpJax = jax.jit((p: JaxArray, d: JaxArray) => {
    const [g, hv] = jax.jvp(jax.grad(f), [p], [d]);
    g.dispose();
    return hv;
  });
  return {
    workload: "hvp",
    title: "Hessian-vector product, Rosenbrock",
    kind: "second order",
    size: sizeLabel("n", n),
    methods: [
      method({ id: "f", label: "f", library: "TypeScript", computes: "f", run: () => rosen(x), read: (r) => r }),
      method({ id: "tsgrad", label: "tsgrad grad", library: "tsgrad", computes: "gradient", baseline: "f", run: () => rosenGrad(x), read: (g) => g }),
      method({ id: "tsgrad.hvp", label: "tsgrad hvp (forward over reverse)", library: "tsgrad", computes: "Hv", baseline: "tsgrad", run: () => rosenHvp(x, v), read: (r) => r, memory: tsgradStackPeak(() => rosenHvp(x, v)) }),
      method({ id: "hand", label: "hand-written gradient", library: "hand-written", computes: "gradient", baseline: "f", run: () => rosenGradByHand(x), read: (g) => g }),
      method({ id: "hand.hvp", label: "hand-written Hv", library: "hand-written", computes: "Hv", baseline: "hand", run: () => rosenHvpByHand(x, v), read: (r) => r }),
      method({ id: "tfjs", label: "TF.js tf.grad", library: "TF.js", computes: "gradient", run: () => tidyRead(tf, () => gradTf(xTf)), read: ([g]) => g! }),
      method({ id: "tfjs.hvp", label: "TF.js grad of <grad, v>", library: "TF.js", computes: "Hv", baseline: "tfjs", run: () => tidyRead(tf, () => hvpTf(xTf)), read: ([g]) => g! }),
      method({ id: "jax", label: "jax-js jit(grad(f))", library: "jax-js", computes: "gradient", run: () => gradJax(xJax.ref).dataSync(), read: (g) => g }),
      method({ id: "jax.hvp", label: "jax-js jit(jvp(grad(f)))", library: "jax-js", computes: "Hv", baseline: "jax", run: () => hvpJax(xJax.ref, vJax.ref).dataSync(), read: (g) => g }),
      method({ id: "fd.hvp", label: "difference of two tsgrad gradients", library: "finite differences", computes: "Hv", baseline: "tsgrad", run: () => gradientDifference(rosenGrad, x, v), read: (r) => r }),
    ],
    references: { f: "f", gradient: "hand", Hv: "hand.hvp" },
    headline: { tsgrad: "tsgrad.hvp", hand: "hand.hvp", tape: "tfjs.hvp", jax: "jax.hvp", fd: "fd.hvp" },
    dispose: () => {
      xTf.dispose();
      vTf.dispose();
      xJax.dispose();
      vJax.dispose();
    },
  };
}

export const hessianVector: Workload = {
  id: "hvp",
  title: "Hessian-vector product, Rosenbrock",
  kind: "second order",
  params: { n: [1000] },
  quickParams: { n: [20] },
  cases: (params: Params, peers: Peers) => listParam(params, "n").map((n) => hvpCase(n, peers)),
};
