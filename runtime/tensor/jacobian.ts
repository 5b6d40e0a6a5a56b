/**
 * Jacobians of functions from a tensor to a tensor, assembled from generated sweeps: the result
 * has shape [...output shape, ...input shape] (as jax.jacobian), so J[i..., j...] is
 * d y[i...] / d x[j...]. Generated jacobian() code calls these with its tangent or pullback.
 */
import { Tensor } from "./tensor.js";

/** The basis tensor shaped like `t` with a one at flat position k. */
function basisLike(t: Tensor, k: number): Tensor {
  const data = new Float64Array(t.size);
  data[k] = 1;
  return new Tensor(data, t.shape);
}

/** By forward mode: one tangent sweep per input element; sweep j fills column j. */
export function jacobianFromTangents(tangent: (direction: Tensor) => Tensor, x: Tensor): Tensor {
  const n = x.size;
  let out: Float64Array | undefined;
  let yShape: readonly number[] = [];
  for (let j = 0; j < n; j++) {
    const column = tangent(basisLike(x, j));
    if (!out) {
      out = new Float64Array(column.size * n);
      yShape = column.shape;
    }
    for (let i = 0; i < column.size; i++) out[i * n + j] = column.data[i]!;
  }
  return new Tensor(out ?? new Float64Array(0), [...yShape, ...x.shape]);
}

/** By reverse mode: one pullback per output element; pullback i fills row i. */
export function jacobianFromPullbacks(pullback: (cotangent: Tensor) => Tensor, y: Tensor, x: Tensor): Tensor {
  const n = x.size;
  const out = new Float64Array(y.size * n);
  for (let i = 0; i < y.size; i++) out.set(pullback(basisLike(y, i)).data, i * n);
  return new Tensor(out, [...y.shape, ...x.shape]);
}
