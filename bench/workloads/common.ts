/** Small helpers the workloads share: seeded data, parameters, default tolerances. */
import { TOLERANCE } from "../harness/agreement.js";
import type { Library, Method, Params, ParamValue, UnavailableMethod } from "../harness/types.js";

/** Uniform numbers in [low, high) from a seed (mulberry32): the same inputs on every machine. */
export function uniform(length: number, seed: number, low = -1, high = 1): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = low + (high - low) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** Standard normal numbers from a seed (Box-Muller over `uniform`). */
export function normal(length: number, seed: number, std = 1): Float64Array {
  const u = uniform(length + (length % 2), seed, 0, 1);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i]!));
    out[i] = std * r * Math.cos(2 * Math.PI * u[i + 1]!);
    if (i + 1 < length) out[i + 1] = std * r * Math.sin(2 * Math.PI * u[i + 1]!);
  }
  return out;
}

export function numberParam(params: Params, name: string): number {
  const v: ParamValue | undefined = params[name];
  if (typeof v !== "number") throw new Error(`parameter ${name} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function listParam(params: Params, name: string): readonly number[] {
  const v: ParamValue | undefined = params[name];
  if (v === undefined) throw new Error(`parameter ${name} is missing`);
  return typeof v === "number" ? [v] : v;
}

/** The tolerance a library's results are held to against a float64 reference. */
export function toleranceOf(library: Library): number {
  if (library === "TF.js") return TOLERANCE.float32;
  if (library === "jax-js") return TOLERANCE.jaxJit;
  if (library === "finite differences") return TOLERANCE.finiteDifferences;
  return TOLERANCE.float64;
}

export { concat } from "../harness/arrays.js";

export const sizeLabel = (name: string, n: number): string => `${name} = ${n.toLocaleString("en")}`;

export interface MethodSpec<R> {
  readonly id: string;
  readonly label: string;
  readonly library: Library;
  readonly computes: string;
  /** One timed call. */
  readonly run: () => R;
  /** What the call computed, as numbers (not timed). */
  readonly read: (r: R) => number | ArrayLike<number>;
  readonly tolerance?: number;
  readonly baseline?: string;
  readonly memory?: Method["memory"];
  readonly note?: string;
}

/** A method from a call and a reader of its result; the tolerance follows the library by default. */
export function method<R>(spec: MethodSpec<R>): Method {
  let last: { value: R } | undefined;
  const { run, read, tolerance, ...rest } = spec;
  return {
    ...rest,
    tolerance: tolerance ?? toleranceOf(spec.library),
    run: () => {
      const value = run();
      last = { value };
      return value;
    },
    result: () => {
      if (!last) throw new Error(`${spec.id}: result() before run()`);
      const r = read(last.value);
      return typeof r === "number" ? Float64Array.of(r) : Float64Array.from(r);
    },
  };
}

export function unavailable(id: string, label: string, library: Library, computes: string, reason: string): UnavailableMethod {
  return { id, label, library, computes, unavailable: reason };
}
