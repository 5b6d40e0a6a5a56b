/**
 * Numerical references for derivative tests: central finite differences over parameters of any
 * shape (numbers, arrays, nested arrays, records), and comparisons with tolerances that scale
 * with the values compared.
 */
import { expect } from "vitest";
import { uint32Stream } from "./fuzz/choices.js";

export type Value = number | number[] | Float64Array | readonly Value[] | { readonly [k: string]: Value };

/** Deep copy of a parameter value. */
export function clone<T>(v: T): T {
  if (v instanceof Float64Array) return v.slice() as T;
  if (Array.isArray(v)) return v.map(clone) as T;
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, clone(x)])) as T;
  return v;
}

/** Paths to every scalar inside a value: [] for a number, [i] for arrays, [k, i] for records. */
export function scalarPaths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v === "number") return [prefix];
  if (v instanceof Float64Array || Array.isArray(v)) {
    const out: (string | number)[][] = [];
    for (let i = 0; i < (v as ArrayLike<unknown>).length; i++) out.push(...scalarPaths((v as ArrayLike<unknown>)[i], [...prefix, i]));
    return out;
  }
  if (typeof v === "object" && v !== null) return Object.keys(v).flatMap((k) => scalarPaths((v as Record<string, unknown>)[k], [...prefix, k]));
  return [];
}

export function getAt(v: unknown, path: readonly (string | number)[]): number {
  let cur = v as Record<string | number, unknown>;
  for (const k of path) cur = cur[k] as Record<string | number, unknown>;
  return cur as unknown as number;
}

/** Returns a copy of `v` with the scalar at `path` replaced. */
export function setAt<T>(v: T, path: readonly (string | number)[], x: number): T {
  if (path.length === 0) return x as T;
  const copy = clone(v) as Record<string | number, unknown>;
  let cur = copy;
  for (let i = 0; i < path.length - 1; i++) cur = cur[path[i]!] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = x;
  return copy as T;
}

/**
 * Central finite differences of a scalar function with respect to argument `which`, shaped like
 * that argument. Step h * max(1, |x|).
 */
export function numericGradient(f: (...args: never[]) => number, args: readonly unknown[], which: number, h = 1e-6): unknown {
  const x = args[which];
  let result: unknown = clone(x);
  for (const path of scalarPaths(x)) {
    const xi = getAt(x, path);
    const step = h * Math.max(1, Math.abs(xi));
    const up = [...args];
    up[which] = setAt(x, path, xi + step);
    const down = [...args];
    down[which] = setAt(x, path, xi - step);
    const d = ((f as (...a: unknown[]) => number)(...up) - (f as (...a: unknown[]) => number)(...down)) / (2 * step);
    result = path.length === 0 ? d : setAt(result, path, d);
  }
  return result;
}

/** Directional derivative by central differences: d/dt f(x + t u) at t = 0. */
export function numericDirectional(f: (...args: never[]) => number | ArrayLike<number>, args: readonly unknown[], dirs: readonly unknown[], h = 1e-6): number | number[] {
  const shift = (t: number) =>
    args.map((a, i) => {
      const d = dirs[i];
      if (d === undefined) return a;
      let out = clone(a);
      for (const p of scalarPaths(a)) out = setAt(out, p, getAt(a, p) + t * getAt(d, p));
      return out;
    });
  const call = (t: number) => (f as (...a: unknown[]) => number | ArrayLike<number>)(...shift(t));
  const up = call(h);
  const down = call(-h);
  if (typeof up === "number") return (up - (down as number)) / (2 * h);
  return Array.from(up, (u, i) => (u - (down as ArrayLike<number>)[i]!) / (2 * h));
}

/** Flattens a value to its scalars in path order. */
export function flat(v: unknown): number[] {
  return scalarPaths(v).map((p) => getAt(v, p));
}

/** |a - b| <= tol * max(1, |a|, |b|), element-wise over equally shaped values. */
export function expectClose(actual: unknown, expected: unknown, tol = 1e-6, label = ""): void {
  const a = flat(actual);
  const b = flat(expected);
  expect(a.length, `${label} shape`).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, Math.abs(a[i]!), Math.abs(b[i]!));
    const ok = Math.abs(a[i]! - b[i]!) <= tol * scale || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!));
    if (!ok) expect.fail(`${label} entry ${i}: got ${a[i]}, expected ${b[i]} (tol ${tol})\n  got      ${JSON.stringify(a)}\n  expected ${JSON.stringify(b)}`);
  }
}

export function dot(a: unknown, b: unknown): number {
  const x = flat(a);
  const y = flat(b);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** A deterministic pseudo-random generator (mulberry32) for test inputs: uniform in [0, 1). */
export function rng(seed: number): () => number {
  const next = uint32Stream(seed);
  return () => next() / 4294967296;
}

/**
 * The Hessian of a function of a number[] by central second differences of the function itself
 * (no gradient involved, so independent of any derivative code):
 *   H_ij ≈ [f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j) - f(x - h_i e_i + h_j e_j)
 *           + f(x - h_i e_i - h_j e_j)] / (4 h_i h_j),
 * with steps h_i = h max(1, |x_i|). About 1e-7 relative error for smooth f of moderate size.
 */
export function numericHessian(f: (x: number[]) => number, x: readonly number[], h = 1e-4): number[][] {
  const steps = x.map((xi) => h * Math.max(1, Math.abs(xi)));
  const at = (i: number, si: number, j: number, sj: number) => {
    const y = x.slice();
    y[i]! += si * steps[i]!;
    y[j]! += sj * steps[j]!;
    return f(y);
  };
  return x.map((_, i) =>
    x.map((_, j) => (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * steps[i]! * steps[j]!)),
  );
}

/** A matrix times a vector. */
export function matVec(m: readonly (readonly number[])[], v: readonly number[]): number[] {
  return m.map((row) => row.reduce((s, a, j) => s + a * v[j]!, 0));
}
