/**
 * Shapes: transpose, reshape, rows and slices, concatenation and stacking, `take`.
 * Every differentiable operation has an entry in the transformer's rule registry
 * (transformer/rules/tensor.ts), found through the `@tsgradTensorOp` tag below it. Kernels are
 * tight loops over Float64Array: no closures per element. Shape mismatches throw an Error naming
 * the operation, both shapes and the rule.
 */
import { describeShape, sameShape, type Shape, sizeOf, Tensor } from "./tensor.js";
import { forEachRow } from "./broadcast.js";
import { zeros } from "./creation.js";

/** Permutes the axes (reverses them by default). @tsgradTensorOp transpose */
export function transpose(t: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? [...perm] : t.shape.map((_, i) => t.rank - 1 - i);
  if (p.length !== t.rank || [...p].sort((x, y) => x - y).some((a, i) => a !== i))
    throw new Error(`transpose: ${JSON.stringify(perm)} is not a permutation of the ${t.rank} axes of shape ${describeShape(t.shape)}`);
  const shape = p.map((a) => t.shape[a]!);
  const strides = p.map((a) => t.strides[a]!);
  const out = new Float64Array(t.size);
  if (t.rank === 2) {
    const [r, c] = t.shape as [number, number];
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j]!;
    return new Tensor(out, shape);
  }
  forEachRow(shape, strides, strides, (o, i, _ib, length, d) => {
    for (let j = 0; j < length; j++) out[o + j] = t.data[i + j * d]!;
  });
  return new Tensor(out, shape);
}

/** The same data with another shape (one dimension may be -1: inferred). @tsgradTensorOp reshape */
export function reshape(t: Tensor, shape: Shape): Tensor {
  const cannot = (why: string) =>
    new Error(`reshape: cannot reshape ${describeShape(t.shape)} (size ${t.size}) to ${describeShape(shape)}: ${why}`);
  if (shape.some((d) => !Number.isInteger(d) || d < -1)) throw cannot("dimensions are whole numbers, -1 for the one to infer");
  const unknown = shape.indexOf(-1);
  if (unknown !== shape.lastIndexOf(-1)) throw cannot("only one dimension can be -1");
  const s = [...shape];
  if (unknown >= 0) {
    const known = shape.reduce((n, d, i) => (i === unknown ? n : n * d), 1);
    s[unknown] = known === 0 ? 0 : t.size / known;
  }
  if (!Number.isInteger(s[unknown] ?? 0) || sizeOf(s) !== t.size) throw cannot("the sizes differ");
  return new Tensor(t.data, s);
}

/** Row i along the first axis (t[i]). @tsgradTensorOp row */
export function row(t: Tensor, i: number): Tensor {
  if (t.rank < 1 || !(i >= 0 && i < t.shape[0]!) || !Number.isInteger(i))
    throw new Error(`row: index ${i} is out of range for shape ${describeShape(t.shape)}`);
  const inner = t.size / t.shape[0]!;
  return new Tensor(t.data.slice(i * inner, (i + 1) * inner), t.shape.slice(1));
}

/** Rows start (inclusive) to end (exclusive) along the first axis. @tsgradTensorOp slice */
export function slice(t: Tensor, start: number, end: number): Tensor {
  if (t.rank < 1 || !(start >= 0 && start <= end && end <= t.shape[0]!))
    throw new Error(`slice: rows ${start} to ${end} are out of range for shape ${describeShape(t.shape)}`);
  const inner = t.size / t.shape[0]!;
  return new Tensor(t.data.slice(start * inner, end * inner), [end - start, ...t.shape.slice(1)]);
}

/**
 * The adjoint of row/slice: g placed at rows start.. of a zero tensor of `shape`.
 * @tsgradTensorOp padRows
 */
export function padRows(g: Tensor, shape: Shape, start: number): Tensor {
  const out = zeros(shape);
  const inner = shape.slice(1).reduce((n, d) => n * d, 1);
  out.data.set(g.data, start * inner);
  return out;
}

/** Joins tensors along an existing axis. @tsgradTensorOp concat */
export function concat(ts: readonly Tensor[], axis = 0): Tensor {
  if (ts.length === 0) throw new Error("concat: needs at least one tensor");
  const rank = ts[0]!.rank;
  const ax = axis < 0 ? axis + rank : axis;
  for (const t of ts)
    if (t.rank !== rank || t.shape.some((d, i) => i !== ax && d !== ts[0]!.shape[i]))
      throw new Error(`concat: shapes ${ts.map((x) => describeShape(x.shape)).join(", ")} differ outside axis ${ax}`);
  const shape = [...ts[0]!.shape];
  shape[ax] = ts.reduce((n, t) => n + t.shape[ax]!, 0);
  const outer = shape.slice(0, ax).reduce((n, d) => n * d, 1);
  const out = new Float64Array(sizeOf(shape));
  let offset = 0;
  const rowSize = shape.slice(ax).reduce((n, d) => n * d, 1);
  for (const t of ts) {
    const chunk = t.shape.slice(ax).reduce((n, d) => n * d, 1);
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * chunk, (o + 1) * chunk), o * rowSize + offset);
    offset += chunk;
  }
  return new Tensor(out, shape);
}

/** Stacks tensors of one shape along a new axis. @tsgradTensorOp stack */
export function stack(ts: readonly Tensor[], axis = 0): Tensor {
  if (ts.length === 0) throw new Error("stack: needs at least one tensor");
  const shape = ts[0]!.shape;
  for (const t of ts)
    if (!sameShape(t.shape, shape)) throw new Error(`stack: shapes ${ts.map((x) => describeShape(x.shape)).join(", ")} differ`);
  const ax = axis < 0 ? axis + shape.length + 1 : axis;
  const expanded = ts.map((t) => reshape(t, [...shape.slice(0, ax), 1, ...shape.slice(ax)]));
  return concat(expanded, ax);
}

/**
 * Part of t along an axis: `length` entries from `start` (the adjoint pieces of concat).
 * @tsgradTensorOp take
 */
export function take(t: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = axis < 0 ? axis + t.rank : axis;
  const shape = [...t.shape];
  shape[ax] = length;
  const outer = t.shape.slice(0, ax).reduce((n, d) => n * d, 1);
  const inner = t.shape.slice(ax + 1).reduce((n, d) => n * d, 1);
  const out = new Float64Array(sizeOf(shape));
  for (let o = 0; o < outer; o++)
    out.set(t.data.subarray((o * t.shape[ax]! + start) * inner, (o * t.shape[ax]! + start + length) * inner), o * length * inner);
  return new Tensor(out, shape);
}
