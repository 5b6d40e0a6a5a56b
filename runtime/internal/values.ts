/** Helpers generated sweeps call on values: adjoint zeros, dot products, shape checks. */
import { Tensor } from "../tensor/tensor.js";

type Nested = number | readonly Nested[] | Float64Array | Tensor;

/** Zeros with the shape of a (possibly nested) array: the adjoint of a nested array parameter. */
export function zerosLike<T extends Nested>(x: T): T {
  if (typeof x === "number") return 0 as T;
  if (x instanceof Float64Array) return new Float64Array(x.length) as T;
  if (x instanceof Tensor) return new Tensor(new Float64Array(x.size), x.shape) as T;
  return (x as readonly Nested[]).map((e) => zerosLike(e)) as unknown as T;
}

/**
 * A copy of a (possibly nested) array, row by row: an auxiliary output (`hasAux`) the function
 * wrote, kept as it was at its return while the reverse sweep restores the function's arrays.
 */
export function copyNested<T extends Nested>(x: T): T {
  if (typeof x === "number" || x instanceof Tensor) return x;
  if (x instanceof Float64Array) return x.slice() as T;
  return (x as readonly Nested[]).map((e) => copyNested(e)) as unknown as T;
}

/** <a, b> for two arrays of the same length (forward mode through a customVjp rule). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Whether a tangent or cotangent has its primal's shape (the entry check of sweeps over tensors);
 * false for something that is not a tensor at all (a number where a tensor belongs).
 */
export function sameShape(a: { readonly shape: readonly number[] }, b: unknown): boolean {
  const shape = typeof b === "object" && b !== null ? (b as { shape?: unknown }).shape : undefined;
  if (!Array.isArray(shape)) return false;
  return a.shape.length === shape.length && a.shape.every((n, i) => n === shape[i]);
}

/**
 * The permutation `xs.sort((a, b) => a - b)` applies (`b - a` when `descending`): the indices of
 * the items in sorted order. Sorting the indices with the same comparisons gives JavaScript's own
 * (stable) order, and generated code reads the sorted items through it, so that derivatives
 * follow each item to where it lands.
 */
export function sortOrder(xs: ArrayLike<number>, descending: boolean): number[] {
  const order = Array.from({ length: xs.length }, (_, i) => i);
  return descending ? order.sort((i, j) => xs[j]! - xs[i]!) : order.sort((i, j) => xs[i]! - xs[j]!);
}
