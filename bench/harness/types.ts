/**
 * The benchmark's plain data: a workload builds cases (one per size); a case holds the methods
 * that compute the same thing on the same inputs; the harness checks that they agree, then times
 * them, and the report turns the times into ratios.
 */

/** Who computes: the libraries compared (the function alone belongs to the library that runs it). */
export type Library = "TypeScript" | "tsgrad" | "hand-written" | "TF.js" | "jax-js" | "finite differences";

/** What a workload measures; the targets depend on it. */
export type WorkloadKind = "scalar" | "tensor" | "second order" | "jacobian";

/** A method that runs. */
export interface Method {
  /** Unique within its case, e.g. "tsgrad.grad", "tfjs.f". */
  readonly id: string;
  /** As the table shows it. */
  readonly label: string;
  readonly library: Library;
  /**
   * What it computes ("f", "gradient", "Hv", "Jacobian"): methods with the same quantity must
   * agree with that quantity's reference.
   */
  readonly computes: string;
  /** One call exactly as it is timed, including reading the result back into JavaScript numbers. */
  readonly run: () => unknown;
  /** What the call computed, flattened in a fixed order, for the agreement check (float64). */
  readonly result: () => Float64Array;
  /** Largest relative difference allowed from the reference (see harness/agreement.ts). */
  readonly tolerance: number;
  /** The method this one is a multiple of (its own function alone, or the gradient for an Hv). */
  readonly baseline?: string;
  /** Bytes the method keeps for its reverse sweep, measured on one call (harness/memory.ts). */
  readonly memory?: () => MemoryUse | Promise<MemoryUse>;
  /** Runs before timing and again after, to free what the method holds (TF.js tensors...). */
  readonly dispose?: () => void;
  readonly note?: string;
}

/** A method that cannot run on this workload, with the reason (it stays in the tables). */
export interface UnavailableMethod {
  readonly id: string;
  readonly label: string;
  readonly library: Library;
  readonly computes: string;
  readonly unavailable: string;
}

export type MethodEntry = Method | UnavailableMethod;

export const isAvailable = (m: MethodEntry): m is Method => !("unavailable" in m);

export interface MemoryUse {
  readonly bytes: number;
  /** How it was measured ("tsgrad stack peak", "tf.profile peakBytes"). */
  readonly what: string;
}

/** The headline comparisons of a case: method ids standing for each library. */
export interface Headline {
  readonly tsgrad: string;
  readonly hand?: string;
  readonly tape?: string;
  readonly jax?: string;
  readonly fd?: string;
}

export interface Case {
  readonly workload: string;
  readonly title: string;
  readonly kind: WorkloadKind;
  /** The size, as shown ("n = 1,000"). */
  readonly size: string;
  readonly methods: readonly MethodEntry[];
  /** Per quantity, the id of the method every other method computing it is compared with. */
  readonly references: Readonly<Record<string, string>>;
  readonly headline: Headline;
  /** Frees what the case holds outside JavaScript's heap (TF.js tensors, jax-js arrays). */
  readonly dispose?: () => void;
}

/** The libraries a workload may use beside tsgrad; loaded once, only when a workload needs them. */
export interface Peers {
  readonly tf: typeof import("@tensorflow/tfjs");
  readonly jax: typeof import("@jax-js/jax");
}

export type ParamValue = number | readonly number[];
export type Params = Readonly<Record<string, ParamValue>>;

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly kind: WorkloadKind;
  /** Sizes of the full run (tunable from the command line: --param id.name=value). */
  readonly params: Params;
  /** Sizes of the quick run: small, so that every method runs once in a moment. */
  readonly quickParams: Params;
  readonly cases: (params: Params, peers: Peers) => Case[];
}

/** Timing of one method (milliseconds per call). */
export interface Timing {
  readonly medianMs: number;
  readonly p75Ms: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rme: number;
  readonly samples: number;
}

export interface MethodResult {
  readonly id: string;
  readonly label: string;
  readonly library: Library;
  readonly computes: string;
  readonly baseline?: string;
  readonly timing?: Timing;
  readonly memory?: MemoryUse;
  readonly unavailable?: string;
  /** Largest relative difference from the reference, and the tolerance it met. */
  readonly agreement?: { readonly difference: number; readonly tolerance: number; readonly reference: string };
  readonly note?: string;
}

export interface CaseResult {
  readonly workload: string;
  readonly title: string;
  readonly kind: WorkloadKind;
  readonly size: string;
  readonly headline: Headline;
  readonly methods: readonly MethodResult[];
}
