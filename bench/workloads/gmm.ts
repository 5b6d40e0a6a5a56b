/**
 * Workload 3: the log-likelihood of a Gaussian mixture with a Wishart prior, in the form of the
 * standard AD-benchmark objective (K components in d dimensions, N points). Each component k has a
 * weight logit alpha_k, a mean mu_k and an inverse Cholesky factor Q_k, lower triangular, whose
 * diagonal is exp(q_k) (so log det Q_k = sum q_k) and whose entries below the diagonal, l_k, are
 * stored column by column after q_k in one row icf_k = [q_k, l_k]:
 *
 *   f = sum_i logsumexp_k(alpha_k + sum(q_k) - |Q_k (x_i - mu_k)|^2 / 2)
 *       - N logsumexp(alpha) - N d log(2 pi) / 2
 *       + sum_k (gamma^2 / 2) (|exp(q_k)|^2 + |l_k|^2) - m sum(q_k)
 *
 * (the prior's normalising constant, which no parameter changes, is left out). tsgrad's side is the
 * loops a person writes; TF.js and jax-js build the Q_k from icf with a gather and use batched
 * matrix products.
 */
import { grad } from "tsgrad";
import { tsgradStackPeak } from "../harness/memory.js";
import type { Case, Params, Peers, Workload } from "../harness/types.js";
import { centralDifferences } from "../methods/finite-differences.js";
import { array, readAll, type JaxArray } from "../methods/jax.js";
import { flatten, tfPeakBytes, tidyRead } from "../methods/tfjs.js";
import { concat, method, normal, numberParam, uniform } from "./common.js";

const GAMMA = 1;
const WISHART_M = 0;

/** Position of Q[r][c] (r > c) among the entries below the diagonal, stored column by column. */
function lowerIndex(d: number, r: number, c: number): number {
  return c * d - (c * (c + 1)) / 2 + (r - c - 1);
}

export function gmm(alphas: Float64Array, means: Float64Array, icf: Float64Array, x: Float64Array, d: number): number {
  const k = alphas.length;
  const n = x.length / d;
  const tri = (d * (d - 1)) / 2;
  const beta = new Float64Array(k);
  const xc = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const qo = c * (d + tri);
      let sumQ = 0;
      for (let j = 0; j < d; j++) {
        xc[j] = x[i * d + j]! - means[c * d + j]!;
        sumQ += icf[qo + j]!;
      }
      // |Q xc|^2, one row of Q at a time
      let sq = 0;
      for (let r = 0; r < d; r++) {
        let z = Math.exp(icf[qo + r]!) * xc[r]!;
        for (let col = 0; col < r; col++) z += icf[qo + d + lowerIndex(d, r, col)]! * xc[col]!;
        sq += z * z;
      }
      beta[c] = alphas[c]! + sumQ - 0.5 * sq;
    }
    let mx = beta[0]!;
    for (let c = 1; c < k; c++) mx = Math.max(mx, beta[c]!);
    let se = 0;
    for (let c = 0; c < k; c++) se += Math.exp(beta[c]! - mx);
    total += mx + Math.log(se);
  }
  let ma = alphas[0]!;
  for (let c = 1; c < k; c++) ma = Math.max(ma, alphas[c]!);
  let sa = 0;
  for (let c = 0; c < k; c++) sa += Math.exp(alphas[c]! - ma);
  let prior = 0;
  for (let c = 0; c < k; c++) {
    const qo = c * (d + tri);
    for (let j = 0; j < d; j++) {
      const e = Math.exp(icf[qo + j]!);
      prior += 0.5 * GAMMA * GAMMA * e * e - WISHART_M * icf[qo + j]!;
    }
    for (let j = 0; j < tri; j++) prior += 0.5 * GAMMA * GAMMA * icf[qo + d + j]! * icf[qo + d + j]!;
  }
  return total - n * (ma + Math.log(sa)) - n * d * 0.5 * Math.log(2 * Math.PI) + prior;
}

export const gmmGrad = grad(gmm, { wrt: [0, 1, 2] });

/**
 * The gradient by hand: per point, the responsibilities r_ik = softmax_k(beta_ik) weight
 * d beta / d alpha = 1, d beta / d mu = Q^T z, d beta / d q_j = 1 - z_j exp(q_j) xc_j and
 * d beta / d l_(r,c) = -z_r xc_c, with z = Q xc recomputed, never stored.
 */
export function gmmGradByHand(alphas: Float64Array, means: Float64Array, icf: Float64Array, x: Float64Array, d: number): [Float64Array, Float64Array, Float64Array] {
  const k = alphas.length;
  const n = x.length / d;
  const tri = (d * (d - 1)) / 2;
  const stride = d + tri;
  const gAlphas = new Float64Array(k);
  const gMeans = new Float64Array(k * d);
  const gIcf = new Float64Array(k * stride);
  const beta = new Float64Array(k);
  const xc = new Float64Array(k * d);
  const z = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const qo = c * stride;
      let sumQ = 0;
      for (let j = 0; j < d; j++) {
        xc[c * d + j] = x[i * d + j]! - means[c * d + j]!;
        sumQ += icf[qo + j]!;
      }
      let sq = 0;
      for (let r = 0; r < d; r++) {
        let zr = Math.exp(icf[qo + r]!) * xc[c * d + r]!;
        for (let col = 0; col < r; col++) zr += icf[qo + d + lowerIndex(d, r, col)]! * xc[c * d + col]!;
        z[c * d + r] = zr;
        sq += zr * zr;
      }
      beta[c] = alphas[c]! + sumQ - 0.5 * sq;
    }
    let mx = beta[0]!;
    for (let c = 1; c < k; c++) mx = Math.max(mx, beta[c]!);
    let se = 0;
    for (let c = 0; c < k; c++) se += Math.exp(beta[c]! - mx);
    for (let c = 0; c < k; c++) {
      const w = Math.exp(beta[c]! - mx) / se;
      const qo = c * stride;
      gAlphas[c]! += w;
      for (let r = 0; r < d; r++) {
        const zr = z[c * d + r]!;
        const e = Math.exp(icf[qo + r]!);
        gIcf[qo + r]! += w * (1 - zr * e * xc[c * d + r]!);
        // d beta / d mu = Q^T z: row r of Q contributes z_r Q[r][col] to column col
        gMeans[c * d + r]! += w * zr * e;
        for (let col = 0; col < r; col++) {
          const li = qo + d + lowerIndex(d, r, col);
          gIcf[li]! -= w * zr * xc[c * d + col]!;
          gMeans[c * d + col]! += w * zr * icf[li]!;
        }
      }
    }
  }
  let ma = alphas[0]!;
  for (let c = 1; c < k; c++) ma = Math.max(ma, alphas[c]!);
  let sa = 0;
  for (let c = 0; c < k; c++) sa += Math.exp(alphas[c]! - ma);
  for (let c = 0; c < k; c++) {
    gAlphas[c]! -= (n * Math.exp(alphas[c]! - ma)) / sa;
    const qo = c * stride;
    for (let j = 0; j < d; j++) {
      const e = Math.exp(icf[qo + j]!);
      gIcf[qo + j]! += GAMMA * GAMMA * e * e - WISHART_M;
    }
    for (let j = 0; j < tri; j++) gIcf[qo + d + j]! += GAMMA * GAMMA * icf[qo + d + j]!;
  }
  return [gAlphas, gMeans, gIcf];
}

/** For each (r, c) of a d x d matrix, where its entry comes from in [l_k..., 0]: below the diagonal an l, else the zero. */
function lowerGather(d: number): Int32Array {
  const tri = (d * (d - 1)) / 2;
  const idx = new Int32Array(d * d);
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) idx[r * d + c] = r > c ? lowerIndex(d, r, c) : tri;
  return idx;
}

/** The 0/1 matrix [tri, d * d] that puts each l at its place below the diagonal of a d x d matrix. */
function placement(d: number): Float64Array {
  const tri = (d * (d - 1)) / 2;
  const m = new Float64Array(tri * d * d);
  for (let r = 0; r < d; r++) for (let c = 0; c < r; c++) m[lowerIndex(d, r, c) * d * d + r * d + c] = 1;
  return m;
}

function cases(params: Params, peers: Peers): Case[] {
  const d = numberParam(params, "d");
  const k = numberParam(params, "K");
  const n = numberParam(params, "N");
  const tri = (d * (d - 1)) / 2;
  const x = normal(n * d, 21);
  const alphas = normal(k, 22);
  const means = uniform(k * d, 23);
  const icf = normal(k * (d + tri), 24, 0.3);
  const { tf, jax } = peers;
  const np = jax.numpy;
  type T = import("@tensorflow/tfjs").Tensor;
  const gatherIdx = lowerGather(d);
  const eye = new Float64Array(d * d).map((_, i) => (i % (d + 1) === 0 ? 1 : 0));
  const logTwoPi = Math.log(2 * Math.PI);

  // TF.js, vectorised: Q [K, d, d] from icf; z = Q (x - mu) for all points at once
  const xTf = tf.tensor2d(Float32Array.from(x), [n, d]);
  const params0 = [tf.tensor1d(Float32Array.from(alphas)), tf.tensor2d(Float32Array.from(means), [k, d]), tf.tensor2d(Float32Array.from(icf), [k, d + tri])];
  const idxTf = tf.tensor1d(gatherIdx, "int32");
  const eyeTf = tf.tensor2d(Float32Array.from(eye), [d, d]);
  const logsumexpTf = (t: T, axis: number) => tf.logSumExp(t, axis);
  const gmmTf = (a: T, mu: T, ic: T): T => {
    const q = ic.slice([0, 0], [k, d]);
    const l = ic.slice([0, d], [k, tri]);
    const lower = tf.gather(tf.concat([l, tf.zeros([k, 1])], 1), idxTf, 1).reshape([k, d, d]);
    const Q = lower.add(q.exp().reshape([k, d, 1]).mul(eyeTf));
    const xc = xTf.reshape([1, n, d]).sub(mu.reshape([k, 1, d]));
    const z = tf.matMul(xc, Q, false, true);
    const beta = a.reshape([k, 1]).add(q.sum(1).reshape([k, 1])).sub(z.square().sum(2).mul(0.5));
    const prior = q.exp().square().sum().add(l.square().sum()).mul(0.5 * GAMMA * GAMMA).sub(q.sum().mul(WISHART_M));
    return logsumexpTf(beta, 0).sum().sub(logsumexpTf(a, 0).mul(n)).sub(n * d * 0.5 * logTwoPi).add(prior);
  };
  const gradsTf = tf.grads((a: T, mu: T, ic: T) => gmmTf(a, mu, ic));

  // jax-js, the same, except that the entries below the diagonal are placed by a product with a
  // constant 0/1 matrix: under jit, the gradient of np.take (a scatter) throws in jax-js 0.1.25
  const xJax = array(jax, x, [n, d]);
  const paramsJax = [array(jax, alphas, [k]), array(jax, means, [k, d]), array(jax, icf, [k, d + tri])];
  const placeJax = array(jax, placement(d), [tri, d * d]);
  const eyeJax = array(jax, eye, [d, d]);
  const gmmJax = (a: JaxArray, mu: JaxArray, ic: JaxArray, xs: JaxArray, place: JaxArray, I: JaxArray): JaxArray => {
    const q = ic.ref.slice([], [0, d]);
    const l = ic.slice([], [d]);
    const lower = np.matmul(l.ref, place).reshape([k, d, d]);
    const Q = lower.add(np.exp(q.ref).reshape([k, d, 1]).mul(I));
    const xc = xs.reshape([1, n, d]).sub(mu.reshape([k, 1, d]));
    const z = np.matmul(xc, np.moveaxis(Q, -1, -2));
    const beta = a.ref.reshape([k, 1]).add(np.sum(q.ref, 1).reshape([k, 1])).sub(np.sum(np.square(z), 2).mul(0.5));
    const prior = np.sum(np.square(np.exp(q.ref))).add(np.sum(np.square(l))).mul(0.5 * GAMMA * GAMMA).sub(np.sum(q).mul(WISHART_M));
    return np.sum(jax.nn.logsumexp(beta, 0)).sub(jax.nn.logsumexp(a, 0).mul(n)).sub(n * d * 0.5 * logTwoPi).add(prior);
  };
  const jaxF = jax.jit(gmmJax);
  const jaxGrad = jax.jit(jax.grad(gmmJax, { argnums: [0, 1, 2] }));
  const jaxArgs = () => [paramsJax[0]!.ref, paramsJax[1]!.ref, paramsJax[2]!.ref, xJax.ref, placeJax.ref, eyeJax.ref] as const;

  const fdParams = [alphas.slice(), means.slice(), icf.slice()];
  return [
    {
      workload: "gmm",
      title: "Gaussian mixture log-likelihood",
      kind: "scalar",
      size: `d = ${d}, K = ${k}, N = ${n.toLocaleString("en")}`,
      methods: [
        method({ id: "f", label: "f", library: "TypeScript", computes: "f", run: () => gmm(alphas, means, icf, x, d), read: (v) => v }),
        method({ id: "tsgrad", label: "tsgrad grad", library: "tsgrad", computes: "gradient", baseline: "f", run: () => gmmGrad(alphas, means, icf, x, d), read: (g) => concat(g), memory: tsgradStackPeak(() => gmmGrad(alphas, means, icf, x, d)) }),
        method({ id: "hand", label: "hand-written gradient", library: "hand-written", computes: "gradient", baseline: "f", run: () => gmmGradByHand(alphas, means, icf, x, d), read: (g) => concat(g) }),
        method({ id: "tfjs.f", label: "TF.js f", library: "TF.js", computes: "f", run: () => tidyRead(tf, () => gmmTf(params0[0]!, params0[1]!, params0[2]!)), read: ([v]) => v! }),
        method({ id: "tfjs", label: "TF.js tf.grads", library: "TF.js", computes: "gradient", baseline: "tfjs.f", run: () => tidyRead(tf, () => gradsTf(params0)), read: (g) => flatten(g), memory: tfPeakBytes(tf, () => tidyRead(tf, () => gradsTf(params0))) }),
        method({ id: "jax.f", label: "jax-js jit(f)", library: "jax-js", computes: "f", run: () => jaxF(...jaxArgs()).dataSync(), read: (v) => v }),
        method({ id: "jax", label: "jax-js jit(grad(f))", library: "jax-js", computes: "gradient", baseline: "jax.f", run: () => readAll(jaxGrad(...jaxArgs())), read: (g) => g }),
        method({ id: "fd", label: "central differences", library: "finite differences", computes: "gradient", baseline: "f", run: () => centralDifferences(() => gmm(fdParams[0]!, fdParams[1]!, fdParams[2]!, x, d), fdParams), read: (g) => g }),
      ],
      references: { f: "f", gradient: "hand" },
      headline: { tsgrad: "tsgrad", hand: "hand", tape: "tfjs", jax: "jax", fd: "fd" },
      dispose: () => {
        for (const t of [xTf, idxTf, eyeTf, ...params0]) t.dispose();
        for (const a of [xJax, placeJax, eyeJax, ...paramsJax]) a.dispose();
      },
    },
  ];
}

export const gaussianMixture: Workload = {
  id: "gmm",
  title: "Gaussian mixture log-likelihood",
  kind: "scalar",
  params: { d: 10, K: 5, N: 1000 },
  quickParams: { d: 3, K: 2, N: 20 },
  cases,
};
