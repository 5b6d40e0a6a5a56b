/**
 * Before anything is timed, every method's result is compared with its quantity's reference
 * (the hand-written derivative, or the plain function). The difference is measured against the
 * size of the reference, max_i |a_i - r_i| / max(max_i |r_i|, 1e-300): a float32 library cannot
 * match small entries of a large gradient to more than about 1e-7 of its largest entry, and this
 * measure says so directly.
 */
import type { Case, Method, MethodEntry } from "./types.js";
import { isAvailable } from "./types.js";

/** Tolerances by arithmetic: float64 methods agree to rounding; float32 and differences do not. */
export const TOLERANCE = {
  float64: 1e-9,
  /** TF.js's cpu backend computes in float32; sums of many terms lose several more digits. */
  float32: 2e-3,
  /**
   * jax-js computes in float64 here, but not to float64 accuracy (0.1.25): its WebAssembly exp, log
   * and tanh are approximations good to about 1e-8 to 2e-6 relative, and jit folds some constants
   * in float32 (the 1/N of a mean comes out 2e-8 off).
   */
  jaxJit: 1e-5,
  /** Central differences: truncation error about h^2 times the third derivative, rounding about eps / h. */
  finiteDifferences: 1e-5,
} as const;

export function relativeDifference(a: Float64Array, reference: Float64Array): number {
  if (a.length !== reference.length) return Infinity;
  let scale = 1e-300;
  for (let i = 0; i < reference.length; i++) scale = Math.max(scale, Math.abs(reference[i]!));
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - reference[i]!);
    if (Number.isNaN(d)) return NaN; // fails every tolerance
    if (d > worst) worst = d;
  }
  return worst / scale;
}

export interface Agreement {
  readonly id: string;
  readonly difference: number;
  readonly tolerance: number;
  readonly reference: string;
}

export class DisagreementError extends Error {}

/** Runs each method once, compares it with its reference, throws on the first disagreement. */
export function checkAgreement(c: Case): Map<string, Agreement> {
  const byId = new Map<string, MethodEntry>(c.methods.map((m) => [m.id, m]));
  const results = new Map<string, Float64Array>();
  const resultOf = (m: Method): Float64Array => {
    let r = results.get(m.id);
    if (!r) {
      m.run();
      r = m.result();
      results.set(m.id, r);
    }
    return r;
  };
  const out = new Map<string, Agreement>();
  for (const m of c.methods) {
    if (!isAvailable(m)) continue;
    const referenceId = c.references[m.computes];
    if (referenceId === undefined) throw new Error(`${c.workload} ${c.size}: no reference for "${m.computes}" (method ${m.id})`);
    const reference = byId.get(referenceId);
    if (!reference || !isAvailable(reference)) throw new Error(`${c.workload} ${c.size}: reference ${referenceId} is not available`);
    const difference = m.id === referenceId ? 0 : relativeDifference(resultOf(m), resultOf(reference));
    if (m.id === referenceId) resultOf(m);
    const agreement = { id: m.id, difference, tolerance: m.tolerance, reference: referenceId };
    out.set(m.id, agreement);
    if (!(difference <= m.tolerance))
      throw new DisagreementError(
        `${c.title}, ${c.size}: ${m.label} disagrees with ${reference.label} on ${m.computes}: relative difference ${difference.toExponential(2)} > ${m.tolerance}`,
      );
  }
  return out;
}
