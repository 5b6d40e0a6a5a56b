/**
 * gmm: the log posterior of a Gaussian mixture with a Wishart prior on the precision matrices, in
 * the simplified form of the eval's README (each precision matrix is Q^T Q with Q lower
 * triangular, its diagonal exp(q), its strict lower part l column by column), and its gradient
 * in (alpha, mu, q, l).
 */
import { grad } from "tsgrad";
import { integer, number, record, rows, toRows, vector } from "../input.ts";
import { type EvalModule, evalFunction } from "../protocol.ts";

/** The parameters the gradient is taken in; means and precision factors row-major, one row per component. */
export interface GmmParams {
  readonly alpha: Float64Array; // k
  readonly mu: Float64Array; // k by d
  readonly q: Float64Array; // k by d
  readonly l: Float64Array; // k by d(d-1)/2
}

/** Everything else: the dimensions, the n points (row-major) and the prior's m and gamma. */
export interface GmmData {
  readonly d: number;
  readonly k: number;
  readonly n: number;
  readonly x: Float64Array;
  readonly m: number;
  readonly gamma: number;
}

export function logSumExp(v: Float64Array): number {
  let max = v[0]!;
  for (let i = 1; i < v.length; i++) max = Math.max(max, v[i]!);
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += Math.exp(v[i]! - max);
  return Math.log(sum) + max;
}

/** log Γ(z) for z > 0 (Lanczos, g = 7, 9 terms): about 15 significant digits. */
export function logGamma(z: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  const zz = z - 1;
  let a = c[0]!;
  const t = zz + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (zz + i);
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log of the multivariate gamma function Γ_p(a). */
export function logMultiGamma(a: number, p: number): number {
  let out = 0.25 * p * (p - 1) * Math.log(Math.PI);
  for (let j = 1; j <= p; j++) out += logGamma(a + 0.5 * (1 - j));
  return out;
}

/**
 * The objective as a performance-minded TypeScript user writes it, the way GradBench's C++ does:
 * work buffers made once per call (exp(q), the sums of q, the centred point, the k terms of each
 * point) and reused across the loops, typed arrays indexed directly, and nothing allocated per
 * point or component. Each entry of Q_c (x_i - mu_c) is summed in a local, row by row; l is
 * packed column by column (row c of l), and a table of where each column starts, made once,
 * gives entry (row, col) without a running index.
 * (Accumulating Q_c (x_i - mu_c) column by column into a buffer, as GradBench's C++ does, reads
 * l in order but writes the buffer d(d-1)/2 times per point and component: slower in JavaScript,
 * and each of those writes is saved for the reverse sweep.)
 */
export function gmmObjective(p: GmmParams, data: GmmData): number {
  const d = data.d;
  const k = data.k;
  const n = data.n;
  const m = data.m;
  const gamma = data.gamma;
  const x = data.x;
  const alpha = p.alpha;
  const mu = p.mu;
  const q = p.q;
  const l = p.l;
  const lSize = (d * (d - 1)) / 2;
  const qDiag = new Float64Array(k * d);
  for (let i = 0; i < k * d; i++) qDiag[i] = Math.exp(q[i]!);
  const sumQ = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += q[c * d + j]!;
    sumQ[c] = s;
  }

  // Where column col of the strict lower triangle starts in l, less col + 1: entry (row, col) is
  // at column[col] + row.
  const column = new Float64Array(d);
  for (let col = 0; col < d; col++) column[col] = (col * (2 * d - col - 1)) / 2 - col - 1;
  // Log-likelihood: for each point, log-sum-exp over the components of
  // alpha_c + sum(q_c) - |Q_c (x_i - mu_c)|^2 / 2.
  const centered = new Float64Array(d);
  const terms = new Float64Array(k);
  let sumLse = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) centered[j] = x[i * d + j]! - mu[c * d + j]!;
      let sq = 0;
      for (let row = 0; row < d; row++) {
        let entry = qDiag[c * d + row]! * centered[row]!;
        const lRow = c * lSize + row;
        for (let col = 0; col < row; col++) entry += l[lRow + column[col]!]! * centered[col]!;
        sq += entry * entry;
      }
      terms[c] = alpha[c]! + sumQ[c]! - 0.5 * sq;
    }
    let max = terms[0]!;
    for (let c = 1; c < k; c++) max = Math.max(max, terms[c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(terms[c]! - max);
    sumLse += Math.log(sum) + max;
  }
  const likelihood = -n * d * 0.5 * Math.log(2 * Math.PI) + sumLse - n * logSumExp(alpha);

  // Log of the Wishart prior on each precision matrix, constants included.
  const dof = d + m + 1;
  const constant = dof * d * (Math.log(gamma) - 0.5 * Math.log(2)) - logMultiGamma(0.5 * dof, d);
  let prior = 0;
  for (let c = 0; c < k; c++) {
    let frobenius = 0;
    for (let j = 0; j < d; j++) frobenius += qDiag[c * d + j]! * qDiag[c * d + j]!;
    for (let j = 0; j < lSize; j++) frobenius += l[c * lSize + j]! * l[c * lSize + j]!;
    prior += 0.5 * gamma * gamma * frobenius - m * sumQ[c]!;
  }
  return likelihood - prior + k * constant;
}

export const gmmGradient = grad(gmmObjective, { wrt: [0] });

interface GmmInput {
  readonly params: GmmParams;
  readonly data: GmmData;
}

function prepare(input: unknown): GmmInput {
  const r = record(input);
  const d = integer(r.d, "d", 1);
  const k = integer(r.k, "k", 1);
  const n = integer(r.n, "n", 1);
  const lSize = (d * (d - 1)) / 2;
  return {
    params: {
      alpha: vector(r.alpha, "alpha", k),
      mu: rows(r.mu, "mu", { rows: k, cols: d }).data,
      q: rows(r.q, "q", { rows: k, cols: d }).data,
      l: rows(r.l, "l", { rows: k, cols: lSize }).data,
    },
    data: { d, k, n, x: rows(r.x, "x", { rows: n, cols: d }).data, m: integer(r.m, "m"), gamma: number(r.gamma, "gamma") },
  };
}

export const gmm: EvalModule = {
  name: "gmm",
  functions: {
    objective: evalFunction({ prepare, compute: (p) => gmmObjective(p.params, p.data), answer: (y: number) => y }),
    jacobian: evalFunction({
      prepare,
      compute: (p) => gmmGradient(p.params, p.data),
      answer: (g, p) => {
        const { d, k } = p.data;
        return { alpha: Array.from(g.alpha), mu: toRows(g.mu, k, d), q: toRows(g.q, k, d), l: toRows(g.l, k, (d * (d - 1)) / 2) };
      },
    }),
  },
};
