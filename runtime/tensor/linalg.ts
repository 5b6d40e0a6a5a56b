/**
 * Linear algebra: matmul (2-D and batched, blocked for the cache), dot, outer.
 * Every differentiable operation has an entry in the transformer's rule registry
 * (transformer/rules/tensor.ts), found through the `@tsgradTensorOp` tag below it. Kernels are
 * tight loops over Float64Array: no closures per element. Shape mismatches throw an Error naming
 * the operation, both shapes and the rule.
 */
import { describeShape, sizeOf, Tensor } from "./tensor.js";
import { matmulKernel } from "./kernels.js";
import { broadcastShapes, broadcastStrides, forEachRow } from "./broadcast.js";
import { reshape } from "./shapes.js";
import { mul } from "./arithmetic.js";

/**
 * Matrix product of the last two axes, [..., m, k] x [..., k, n] -> [..., m, n]; leading (batch)
 * axes broadcast. A vector is treated as a matrix with one row (left) or one column (right).
 * @tsgradTensorOp matmul
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const av = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const bv = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  if (av.rank < 2 || bv.rank < 2)
    throw new Error(`matmul: needs tensors of rank 1 or more, got ${describeShape(a.shape)} and ${describeShape(b.shape)}`);
  const m = av.shape[av.rank - 2]!;
  const k = av.shape[av.rank - 1]!;
  const k2 = bv.shape[bv.rank - 2]!;
  const n = bv.shape[bv.rank - 1]!;
  if (k !== k2)
    throw new Error(
      `matmul: shapes ${describeShape(a.shape)} and ${describeShape(b.shape)} do not match (the last axis of the first, ${k}, must equal the second-to-last of the second, ${k2})`,
    );
  const batchA = av.shape.slice(0, -2);
  const batchB = bv.shape.slice(0, -2);
  const batch = broadcastShapes("matmul", batchA, batchB);
  const batches = sizeOf(batch);
  const out = new Float64Array(batches * m * n);
  const sa = broadcastStrides(batchA, batch);
  const sb = broadcastStrides(batchB, batch);
  forEachRow(batch, sa, sb, (o, ia, ib, length, da, db) => {
    for (let j = 0; j < length; j++)
      matmulKernel(av.data, (ia + j * da) * m * k, k, 1, bv.data, (ib + j * db) * k * n, out, (o + j) * m * n, m, k, n);
  });
  let shape = [...batch, m, n];
  if (a.rank === 1) shape = shape.filter((_, i) => i !== shape.length - 2);
  if (b.rank === 1) shape = shape.slice(0, -1);
  return new Tensor(out, shape);
}

/** Inner product of two vectors. @tsgradTensorOp dot */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 1 || b.rank !== 1 || a.size !== b.size)
    throw new Error(`dot: needs two vectors of the same length, got ${describeShape(a.shape)} and ${describeShape(b.shape)}`);
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i]! * b.data[i]!;
  return new Tensor(Float64Array.of(s), []);
}

/** Outer product of two vectors: [m] x [n] -> [m, n]. @tsgradTensorOp outer */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 1 || b.rank !== 1)
    throw new Error(`outer: needs two vectors, got ${describeShape(a.shape)} and ${describeShape(b.shape)}`);
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));
}
