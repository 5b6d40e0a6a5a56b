/**
 * Operations that the derivative rules of tensor operations are written with (the adjoint of a
 * matrix product, of a transpose, of a concatenation...). They are tensor operations like the
 * others, with rules of their own, so derivatives of derivatives compose.
 */
import { broadcastTo } from "./arithmetic.js";
import { zeros } from "./creation.js";
import { matmul } from "./linalg.js";
import { unbroadcast } from "./reductions.js";
import { concat, reshape, take, transpose } from "./shapes.js";
import { matmulKernel } from "./kernels.js";
import { describeShape, Tensor, type Shape } from "./tensor.js";

/** Swaps the last two axes. @tsgradTensorOp mT */
export function mT(t: Tensor): Tensor {
  if (t.rank < 2) return t;
  const perm = t.shape.map((_, i) => i);
  perm[t.rank - 1] = t.rank - 2;
  perm[t.rank - 2] = t.rank - 1;
  return transpose(t, perm);
}

const asMatrixLeft = (a: Tensor) => (a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a);
const asMatrixRight = (b: Tensor) => (b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b);

/** g reshaped to the matrix form matmul(a, b) had before dropping vector axes. */
function outputAsMatrix(g: Tensor, a: Tensor, b: Tensor): Tensor {
  const A = asMatrixLeft(a);
  const B = asMatrixRight(b);
  const batch = g.shape.slice(0, Math.max(0, g.rank - (a.rank === 1 ? 0 : 1) - (b.rank === 1 ? 0 : 1)));
  return reshape(g, [...batch, A.shape[A.rank - 2]!, B.shape[B.rank - 1]!]);
}

/** The adjoint of matmul(a, b) with respect to a, for the output adjoint g. @tsgradTensorOp matmulGradA */
export function matmulGradA(g: Tensor, a: Tensor, b: Tensor): Tensor {
  const G = outputAsMatrix(g, a, b);
  const B = asMatrixRight(b);
  if (G.rank === 2 && B.rank === 2) return reshape(timesTransposed(G, B), a.shape);
  const ga = matmul(G, mT(B));
  return reshape(unbroadcast(ga, asMatrixLeft(a).shape), a.shape);
}

/** The adjoint of matmul(a, b) with respect to b, for the output adjoint g. @tsgradTensorOp matmulGradB */
export function matmulGradB(g: Tensor, a: Tensor, b: Tensor): Tensor {
  const G = outputAsMatrix(g, a, b);
  const A = asMatrixLeft(a);
  if (G.rank === 2 && A.rank === 2) return reshape(transposedTimes(A, G), b.shape);
  const gb = matmul(mT(A), G);
  return reshape(unbroadcast(gb, asMatrixRight(b).shape), b.shape);
}

/** G [m, n] times B [k, n] transposed, without forming the transpose: dot products of rows. */
function timesTransposed(G: Tensor, B: Tensor): Tensor {
  const [m, n] = G.shape as [number, number];
  const k = B.shape[0]!;
  const g = G.data;
  const bd = B.data;
  const out = new Float64Array(m * k);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += g[i * n + j]! * bd[p * n + j]!;
      out[i * k + p] = s;
    }
  return new Tensor(out, [m, k]);
}

/** A [m, k] transposed times G [m, n], without forming the transpose: the kernel reads A by columns. */
function transposedTimes(A: Tensor, G: Tensor): Tensor {
  const [m, k] = A.shape as [number, number];
  const n = G.shape[1]!;
  const out = new Float64Array(k * n);
  matmulKernel(A.data, 0, 1, k, G.data, 0, out, 0, k, m, n);
  return new Tensor(out, [k, n]);
}

/** transpose(g, inverse of perm): the adjoint of transpose(t, perm). @tsgradTensorOp transposeBack */
export function transposeBack(g: Tensor, perm?: readonly number[]): Tensor {
  if (!perm) return transpose(g);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return transpose(g, inverse);
}

/** Zeros with t's shape (a number 0 for a number). @tsgradTensorOp zerosLike */
export function zerosLike(t: Tensor | number): Tensor | number {
  return typeof t === "number" ? 0 : zeros(t.shape);
}

/** The number of elements of t over the number of elements of y (mean's divisor). @tsgradTensorOp sizeRatio */
export function sizeRatio(t: Tensor, y: Tensor | number): number {
  return t.size / (typeof y === "number" ? 1 : y.size);
}

function offsets(axis: number, parts: readonly Tensor[]): { ax: number; starts: number[] } {
  const rank = parts[0]!.rank;
  const ax = axis < 0 ? axis + rank : axis;
  const starts: number[] = [];
  let s = 0;
  for (const p of parts) {
    starts.push(s);
    s += p.shape[ax]!;
  }
  return { ax, starts };
}

/** Part i of g = concat(parts, axis): the adjoint of concat for part i. @tsgradTensorOp concatPart */
export function concatPart(g: Tensor, axis: number, i: number, ...parts: Tensor[]): Tensor {
  const { ax, starts } = offsets(axis, parts);
  return take(g, ax, starts[i]!, parts[i]!.shape[ax]!);
}

/** d in place of part i of concat(parts, axis), zeros elsewhere. @tsgradTensorOp concatEmbed */
export function concatEmbed(d: Tensor, axis: number, i: number, ...parts: Tensor[]): Tensor {
  return concat(
    parts.map((p, j) => (j === i ? d : zeros(p.shape))),
    axis,
  );
}

/** Part i of g = stack(parts, axis). @tsgradTensorOp stackPart */
export function stackPart(g: Tensor, axis: number, i: number, ...parts: Tensor[]): Tensor {
  const rank = parts[0]!.rank;
  const ax = axis < 0 ? axis + rank + 1 : axis;
  return reshape(take(g, ax, i, 1), parts[i]!.shape);
}

/** d in place of part i of stack(parts, axis), zeros elsewhere. @tsgradTensorOp stackEmbed */
export function stackEmbed(d: Tensor, axis: number, i: number, ...parts: Tensor[]): Tensor {
  const shape = parts[0]!.shape;
  const ax = axis < 0 ? axis + shape.length + 1 : axis;
  const expanded = (t: Tensor) => reshape(t, [...shape.slice(0, ax), 1, ...shape.slice(ax)]);
  return concat(
    parts.map((p, j) => (j === i ? expanded(d) : zeros(expanded(p).shape))),
    ax,
  );
}

/** The rows of gg that padRows(g, shape, start) filled, shaped like g. @tsgradTensorOp rowsLike */
export function rowsLike(gg: Tensor, start: number, g: Tensor): Tensor {
  const inner = gg.size / gg.shape[0]!;
  const count = g.size / inner;
  if (!Number.isInteger(count)) throw new Error(`rowsLike: ${describeShape(g.shape)} is not made of rows of ${describeShape(gg.shape)}`);
  return new Tensor(gg.data.slice(start * inner, (start + count) * inner), g.shape);
}

/** t broadcast to `shape`, t a tensor or a number. @tsgradTensorOp broadcastLike */
export function broadcastLike(t: Tensor | number, like: Tensor): Tensor {
  return broadcastTo(typeof t === "number" ? new Tensor(Float64Array.of(t), []) : t, like.shape);
}

export type { Shape };
