/**
 * Making tensors (from data, constants, ranges, seeded random numbers) and reading them back.
 * Every differentiable operation has an entry in the transformer's rule registry
 * (transformer/rules/tensor.ts), found through the `@tsgradTensorOp` tag below it. Kernels are
 * tight loops over Float64Array: no closures per element. Shape mismatches throw an Error naming
 * the operation, both shapes and the rule.
 */
import { unitStream } from "./random.js";
import { describeShape, type Shape, sizeOf, Tensor, type TensorLike } from "./tensor.js";

/** A tensor from nested arrays (shape inferred) or flat data with a shape. @tsgradTensorOp tensor */
export function tensor(data: number | readonly unknown[] | Float64Array, shape?: Shape): Tensor {
  if (typeof data === "number") return new Tensor(Float64Array.of(data), shape ?? []);
  if (data instanceof Float64Array) return new Tensor(data.slice(), shape ?? [data.length]);
  const inferred: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    inferred.push(level.length);
    level = level[0];
  }
  const flat = (data as unknown[]).flat(Infinity) as number[];
  const s = shape ?? inferred;
  if (flat.length !== sizeOf(s))
    throw new Error(`tensor: ${flat.length} values do not fit shape ${describeShape(s)} (nested arrays must be rectangular)`);
  return new Tensor(Float64Array.from(flat), s);
}

/** @tsgradTensorOp scalar */
export function scalar(x: number): Tensor {
  return new Tensor(Float64Array.of(x), []);
}

/** @tsgradTensorOp zeros */
export function zeros(shape: Shape): Tensor {
  return new Tensor(new Float64Array(sizeOf(shape)), [...shape]);
}

/** @tsgradTensorOp ones */
export function ones(shape: Shape): Tensor {
  return full(shape, 1);
}

/** @tsgradTensorOp full */
export function full(shape: Shape, value: number): Tensor {
  return new Tensor(new Float64Array(sizeOf(shape)).fill(value), [...shape]);
}

/** @tsgradTensorOp arange */
export function arange(n: number): Tensor {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = i;
  return new Tensor(d, [n]);
}

/** Uniform on [low, high), seeded. @tsgradTensorOp rand */
export function rand(shape: Shape, seed: number, low = 0, high = 1): Tensor {
  const next = unitStream(seed);
  const d = new Float64Array(sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * next();
  return new Tensor(d, [...shape]);
}

/** Normal with the given mean and standard deviation (Box-Muller), seeded. @tsgradTensorOp randn */
export function randn(shape: Shape, seed: number, mean = 0, std = 1): Tensor {
  const next = unitStream(seed);
  const d = new Float64Array(sizeOf(shape));
  for (let i = 0; i < d.length; i += 2) {
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    d[i] = mean + std * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < d.length) d[i + 1] = mean + std * r * Math.sin(2 * Math.PI * v);
  }
  return new Tensor(d, [...shape]);
}

/**
 * A tensor's values in row-major order, the order `tensor(data)` reads nested arrays in. The
 * adjoint of `tensor(xs)` flows back into the array `xs` through it, element by element. The
 * tensor's own storage: read it, do not write it. @tsgradTensorOp flatValues
 */
export function flatValues(t: Tensor): Float64Array {
  return t.data;
}

/**
 * The value of a tensor with one element, as a number.
 * @tsgradTensorOp item
 */
export function item(t: Tensor): number {
  if (t.size !== 1) throw new Error(`item: needs a tensor with one element, got shape ${describeShape(t.shape)}`);
  return t.data[0]!;
}

/**
 * The shape of a tensor item() may read, checked as item() checks it: the adjoint of item() is
 * shaped by it, so a gradient fails where the function would. @tsgradTensorOp itemShape
 */
export function itemShape(t: Tensor): number[] {
  if (t.size !== 1) throw new Error(`item: needs a tensor with one element, got shape ${describeShape(t.shape)}`);
  return [...t.shape];
}

/** The shape (for rules and user code; carries no derivative). @tsgradTensorOp shapeOf */
export function shapeOf(t: TensorLike): number[] {
  return typeof t === "number" ? [] : [...t.shape];
}
