/**
 * Reductions over axes (sum, mean, max, logsumexp), the softmax family, and `unbroadcast` (the
 * sum that undoes broadcasting in gradients).
 * Every differentiable operation has an entry in the transformer's rule registry
 * (transformer/rules/tensor.ts), found through the `@tsgradTensorOp` tag below it. Kernels are
 * tight loops over Float64Array: no closures per element. Shape mismatches throw an Error naming
 * the operation, both shapes and the rule.
 */
import { sameShape, type Shape, sizeOf, stridesOf, Tensor } from "./tensor.js";
import { broadcastStrides, forEachRow } from "./broadcast.js";
import { reshape } from "./shapes.js";
import { add, broadcastTo, mul, sub } from "./arithmetic.js";
import { exp, log } from "./elementwise.js";

function normaliseAxes(op: string, rank: number, axes: number | readonly number[] | undefined): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = (typeof axes === "number" ? [axes] : [...axes]).map((a) => (a < 0 ? a + rank : a));
  for (const a of list) if (!(a >= 0 && a < rank)) throw new Error(`${op}: axis ${a} is out of range for a tensor of rank ${rank}`);
  return [...new Set(list)].sort((x, y) => x - y);
}

function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

function reduce(op: string, t: Tensor, axesArg: number | readonly number[] | undefined, keepdims: boolean, kind: "sum" | "max"): Tensor {
  const axes = normaliseAxes(op, t.rank, axesArg);
  const keptShape = t.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(sizeOf(keptShape)).fill(kind === "sum" ? 0 : -Infinity);
  const src = t.data;
  if (axes.length === t.rank) {
    let acc = kind === "sum" ? 0 : -Infinity;
    if (kind === "sum") for (let i = 0; i < src.length; i++) acc += src[i]!;
    else for (let i = 0; i < src.length; i++) if (src[i]! > acc) acc = src[i]!;
    out[0] = acc;
  } else
    // each input row adds into (or maxes into) the output positions it reduces to
    forEachRow(t.shape, stridesOf(t.shape), broadcastStrides(keptShape, t.shape), (o, _ia, io, length, _da, dOut) => {
      if (kind === "sum") for (let j = 0; j < length; j++) out[io + j * dOut]! += src[o + j]!;
      else
        for (let j = 0; j < length; j++) {
          const v = src[o + j]!;
          if (v > out[io + j * dOut]!) out[io + j * dOut] = v;
        }
    });
  return new Tensor(out, reducedShape(t.shape, axes, keepdims));
}

/** Sum over all axes, or the given ones. @tsgradTensorOp sum */
export function sum(t: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  return reduce("sum", t, axes, keepdims, "sum");
}

/** Mean over all axes, or the given ones. @tsgradTensorOp mean */
export function mean(t: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const axesList = normaliseAxes("mean", t.rank, axes);
  const count = axesList.reduce((n, a) => n * t.shape[a]!, 1);
  return mul(sum(t, axesList, keepdims), 1 / count);
}

/** Maximum over all axes, or the given ones; the derivative goes to the first maximum. @tsgradTensorOp max */
export function max(t: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  return reduce("max", t, axes, keepdims, "max");
}

/**
 * 1 at the first maximal element along the axes, 0 elsewhere (the derivative of max).
 * @tsgradTensorOp argmaxMask
 */
export function argmaxMask(t: Tensor, axes?: number | readonly number[]): Tensor {
  const axesList = normaliseAxes("argmaxMask", t.rank, axes);
  const m = max(t, axesList, true);
  const keptShape = m.shape;
  const taken = new Uint8Array(m.size);
  const out = new Float64Array(t.size);
  forEachRow(t.shape, stridesOf(t.shape), broadcastStrides(keptShape, t.shape), (o, _ia, im, length, _da, dm) => {
    for (let j = 0; j < length; j++) {
      const k = im + j * dm;
      if (!taken[k] && t.data[o + j] === m.data[k]) {
        out[o + j] = 1;
        taken[k] = 1;
      }
    }
  });
  return new Tensor(out, t.shape);
}

/**
 * The adjoint of a reduction over `axes`: g (reduced, with or without kept dimensions) spread
 * back over `shape`.
 * @tsgradTensorOp expandReduced
 */
export function expandReduced(g: Tensor, shape: Shape, axes?: number | readonly number[]): Tensor {
  const axesList = normaliseAxes("expandReduced", shape.length, axes);
  const kept = shape.map((d, i) => (axesList.includes(i) ? 1 : d));
  return broadcastTo(reshape(g, kept), shape);
}

/** log(sum(exp(t))) over the axes, computed stably. @tsgradTensorOp logsumexp */
export function logsumexp(t: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const axesList = normaliseAxes("logsumexp", t.rank, axes);
  const m = max(t, axesList, true);
  // an infinite maximum would make t - m NaN: shift by 0 there instead
  const shift = new Float64Array(m.size);
  for (let i = 0; i < shift.length; i++) shift[i] = Number.isFinite(m.data[i]!) ? m.data[i]! : 0;
  const finite = new Tensor(shift, m.shape);
  const s = sum(exp(sub(t, finite)), axesList, true);
  const r = add(log(s), finite);
  return keepdims ? r : reshape(r, reducedShape(t.shape, axesList, false));
}

/** exp(t) / sum(exp(t)) along an axis (the last by default), computed stably. @tsgradTensorOp softmax */
export function softmax(t: Tensor, axis = -1): Tensor {
  return exp(logSoftmax(t, axis));
}

/** t - logsumexp(t) along an axis (the last by default). @tsgradTensorOp logSoftmax */
export function logSoftmax(t: Tensor, axis = -1): Tensor {
  return sub(t, logsumexp(t, axis, true));
}

/**
 * Sums g over the axes along which a value of shape `shape` was broadcast to g's shape: the
 * adjoint of broadcasting.
 * @tsgradTensorOp unbroadcast
 */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const n = g.shape.length;
  const axes: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = shape[shape.length - n + i];
    if (d === undefined || (d === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = sum(g, axes, true);
  return reshape(summed, shape);
}
