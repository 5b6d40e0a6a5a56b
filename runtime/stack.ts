/**
 * Stacks for the reverse sweep. Generated code pushes a value only where the forward sweep
 * overwrites something the reverse sweep needs (one push per overwrite, never per operation),
 * and pops it back in the mirrored place. Storage grows geometrically, so pushes are amortised
 * O(1) and allocation-free in the steady state.
 */
import { Tensor } from "./tensor/tensor.js";

/** Numbers (and booleans, as 0/1) in a growable Float64Array. */
export class F64Stack {
  private data = new Float64Array(64);
  private top = 0;

  push(value: number): void {
    if (this.top === this.data.length) this.grow();
    this.data[this.top++] = value;
  }

  pop(): number {
    return this.data[--this.top]!;
  }

  pushBool(value: boolean): void {
    this.push(value ? 1 : 0);
  }

  popBool(): boolean {
    return this.pop() !== 0;
  }

  /** Number of values held. */
  get size(): number {
    return this.top;
  }

  /** Capacity in values (for memory reports). */
  get capacity(): number {
    return this.data.length;
  }

  private grow(): void {
    const bigger = new Float64Array(this.data.length * 2);
    bigger.set(this.data);
    this.data = bigger;
  }
}

/** References (arrays allocated inside loops) in a plain array. */
export class RefStack<T> {
  private readonly data: T[] = [];

  push(value: T): void {
    this.data.push(value);
  }

  pop(): T {
    return this.data.pop()!;
  }

  get size(): number {
    return this.data.length;
  }
}

/**
 * The stacks generated code uses. One of each is enough: every generated function pops exactly
 * what it pushed, in mirrored order, before it returns, so nested and recursive calls share them
 * without interference, and no call allocates a stack of its own.
 */
export const stack = new F64Stack();
export const refStack = new RefStack<unknown>();

type Nested = number | readonly Nested[] | Float64Array | Tensor;

/** Zeros with the shape of a (possibly nested) array: the adjoint of a nested array parameter. */
export function zerosLike<T extends Nested>(x: T): T {
  if (typeof x === "number") return 0 as T;
  if (x instanceof Float64Array) return new Float64Array(x.length) as T;
  if (x instanceof Tensor) return new Tensor(new Float64Array(x.size), x.shape) as T;
  return (x as readonly Nested[]).map((e) => zerosLike(e)) as unknown as T;
}

/**
 * The Hessian from Hessian-vector products: row i is H e_i (H is symmetric, so rows are columns).
 * Generated hessian() code calls this with the generated product; n products, each O(gradient).
 */
export function hessianFromHvp<X extends number[] | Float64Array>(hvp: (direction: X) => ArrayLike<number>, x: X): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < x.length; i++) rows.push(Array.from(hvp(basis(x, i))));
  return rows;
}

/** <a, b> for two arrays of the same length (forward mode through a customVjp rule). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The basis vector e_i shaped like x (a Float64Array for a Float64Array). */
function basis<X extends number[] | Float64Array>(x: X, i: number): X {
  const e = (x instanceof Float64Array ? new Float64Array(x.length) : new Array<number>(x.length).fill(0)) as X;
  e[i] = 1;
  return e;
}

/**
 * The Jacobian of f: R^n -> R^m (rows are outputs), by forward mode: n tangent sweeps, one per
 * input; column j is J e_j.
 */
export function jacobianForward<X extends number[] | Float64Array>(tangent: (direction: X) => ArrayLike<number>, x: X): number[][] {
  const n = x.length;
  let rows: number[][] = [];
  for (let j = 0; j < n; j++) {
    const column = tangent(basis(x, j));
    if (j === 0) rows = Array.from({ length: column.length }, () => new Array<number>(n).fill(0));
    for (let i = 0; i < column.length; i++) rows[i]![j] = column[i]!;
  }
  return rows;
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
 * Every basis direction at once, for a vector forward sweep over an array of n: the n x n
 * identity, direction d of element i at i * n + d (a Float64Array for a Float64Array).
 */
export function identityDirections<X extends number[] | Float64Array>(x: X): X {
  const n = x.length;
  const e = (x instanceof Float64Array ? new Float64Array(n * n) : new Array<number>(n * n).fill(0)) as X;
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  return e;
}

/**
 * The Jacobian's rows from a vector forward sweep along every basis direction: the derivative of
 * output i along direction d is at i * inputs + d.
 */
export function jacobianRows(tangent: ArrayLike<number>, inputs: number): number[][] {
  const rows: number[][] = [];
  // plain loops: Array.from with a mapping function costs several times as much per element
  for (let i = 0; i * inputs < tangent.length; i++) {
    const row = new Array<number>(inputs);
    for (let d = 0; d < inputs; d++) row[d] = tangent[i * inputs + d]!;
    rows.push(row);
  }
  return rows;
}

/**
 * The Jacobian of f: R^n -> R^m (rows are outputs), by reverse mode: m pullbacks, one per output;
 * row i is e_i^T J.
 */
export function jacobianReverse<Y extends number[] | Float64Array>(pullback: (cotangent: Y) => ArrayLike<number>, y: Y): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < y.length; i++) rows.push(Array.from(pullback(basis(y, i))));
  return rows;
}
