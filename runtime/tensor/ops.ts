/**
 * Tensor operations. Every differentiable one has an entry in the transformer's rule registry
 * (transformer/rules/tensor.ts), found through the `@tsgradTensorOp` tag below it. Kernels are
 * tight loops over Float64Array: no closures per element; matmul is blocked for the cache.
 * Shapes broadcast as NumPy does (aligned from the right; a dimension of 1 stretches); mismatches
 * throw an Error naming the operation, both shapes and the rule.
 */
import { matmulKernel } from "./kernels.js";
import { describeShape, sameShape, sizeOf, stridesOf, Tensor, type Shape } from "./tensor.js";

export type TensorLike = Tensor | number;

const asTensor = (x: TensorLike): Tensor => (typeof x === "number" ? new Tensor(Float64Array.of(x), []) : x);

// ------------------------------------------------------------------------------------------------
// creation

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
  if (flat.length !== sizeOf(s)) throw new Error(`tensor: ${flat.length} values do not fit shape ${describeShape(s)} (nested arrays must be rectangular)`);
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

/** A seeded generator (mulberry32): the same seed gives the same numbers on every machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform on [low, high), seeded. @tsgradTensorOp rand */
export function rand(shape: Shape, seed: number, low = 0, high = 1): Tensor {
  const next = generator(seed);
  const d = new Float64Array(sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * next();
  return new Tensor(d, [...shape]);
}

/** Normal with the given mean and standard deviation (Box-Muller), seeded. @tsgradTensorOp randn */
export function randn(shape: Shape, seed: number, mean = 0, std = 1): Tensor {
  const next = generator(seed);
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

// ------------------------------------------------------------------------------------------------
// broadcasting

export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new Error(
        `${op}: shapes ${describeShape(a)} and ${describeShape(b)} do not broadcast (dimensions are aligned from the right; each pair must be equal or contain a 1)`,
      );
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `t` read as shape `out` (0 along broadcast dimensions). */
function broadcastStrides(shape: Shape, out: Shape): number[] {
  const strides = stridesOf(shape);
  const n = out.length;
  const r = new Array<number>(n).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const axis = n - shape.length + i;
    r[axis] = shape[i] === 1 && out[axis] !== 1 ? 0 : strides[i]!;
  }
  return r;
}

/**
 * Visits the broadcast output row by row (a row: the last axis): `visit(o, ia, ib, length, da, db)`
 * gets the row's first output index, the offsets of its first elements in a and b, and their
 * steps along the row. Kernels run their own tight loop over each row: no call per element.
 */
function forEachRow(
  out: Shape,
  sa: readonly number[],
  sb: readonly number[],
  visit: (o: number, ia: number, ib: number, length: number, da: number, db: number) => void,
): void {
  const n = out.length;
  if (n === 0) {
    visit(0, 0, 0, 1, 0, 0);
    return;
  }
  const length = out[n - 1]!;
  const rows = length === 0 ? 0 : sizeOf(out) / length;
  const counter = new Array<number>(n - 1).fill(0);
  let ia = 0;
  let ib = 0;
  for (let r = 0; r < rows; r++) {
    visit(r * length, ia, ib, length, sa[n - 1]!, sb[n - 1]!);
    for (let axis = n - 2; axis >= 0; axis--) {
      counter[axis]!++;
      ia += sa[axis]!;
      ib += sb[axis]!;
      if (counter[axis]! < out[axis]!) break;
      ia -= sa[axis]! * out[axis]!;
      ib -= sb[axis]! * out[axis]!;
      counter[axis] = 0;
    }
  }
}

const enum Binary {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Greater,
}

function binary(op: string, kind: Binary, x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x);
  const b = asTensor(y);
  const ad = a.data;
  const bd = b.data;
  if (sameShape(a.shape, b.shape)) {
    const d = new Float64Array(ad.length);
    switch (kind) {
      case Binary.Add:
        for (let i = 0; i < d.length; i++) d[i] = ad[i]! + bd[i]!;
        break;
      case Binary.Sub:
        for (let i = 0; i < d.length; i++) d[i] = ad[i]! - bd[i]!;
        break;
      case Binary.Mul:
        for (let i = 0; i < d.length; i++) d[i] = ad[i]! * bd[i]!;
        break;
      case Binary.Div:
        for (let i = 0; i < d.length; i++) d[i] = ad[i]! / bd[i]!;
        break;
      case Binary.Pow:
        for (let i = 0; i < d.length; i++) d[i] = ad[i]! ** bd[i]!;
        break;
      case Binary.Greater:
        for (let i = 0; i < d.length; i++) d[i] = ad[i]! > bd[i]! ? 1 : 0;
        break;
    }
    return new Tensor(d, a.shape);
  }
  const out = broadcastShapes(op, a.shape, b.shape);
  const d = new Float64Array(sizeOf(out));
  const sa = broadcastStrides(a.shape, out);
  const sb = broadcastStrides(b.shape, out);
  forEachRow(out, sa, sb, (o, ia, ib, length, da, db) => {
    switch (kind) {
      case Binary.Add:
        for (let j = 0; j < length; j++) d[o + j] = ad[ia + j * da]! + bd[ib + j * db]!;
        break;
      case Binary.Sub:
        for (let j = 0; j < length; j++) d[o + j] = ad[ia + j * da]! - bd[ib + j * db]!;
        break;
      case Binary.Mul:
        for (let j = 0; j < length; j++) d[o + j] = ad[ia + j * da]! * bd[ib + j * db]!;
        break;
      case Binary.Div:
        for (let j = 0; j < length; j++) d[o + j] = ad[ia + j * da]! / bd[ib + j * db]!;
        break;
      case Binary.Pow:
        for (let j = 0; j < length; j++) d[o + j] = ad[ia + j * da]! ** bd[ib + j * db]!;
        break;
      case Binary.Greater:
        for (let j = 0; j < length; j++) d[o + j] = ad[ia + j * da]! > bd[ib + j * db]! ? 1 : 0;
        break;
    }
  });
  return new Tensor(d, out);
}

/** @tsgradTensorOp add */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary("add", Binary.Add, a, b);
}
/** @tsgradTensorOp sub */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary("sub", Binary.Sub, a, b);
}
/** @tsgradTensorOp mul */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary("mul", Binary.Mul, a, b);
}
/** @tsgradTensorOp div */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary("div", Binary.Div, a, b);
}
/** Element-wise a ** b. @tsgradTensorOp pow */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binary("pow", Binary.Pow, a, b);
}
/** 1 where a > b, else 0 (a mask: no derivative). @tsgradTensorOp greater */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  return binary("greater", Binary.Greater, a, b);
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

/**
 * `t` repeated to `shape` (NumPy broadcasting).
 * @tsgradTensorOp broadcastTo
 */
export function broadcastTo(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return t; // tensors are values: the same one will do
  return add(t, zeros(shape));
}

// ------------------------------------------------------------------------------------------------
// element-wise functions

/** @tsgradTensorOp neg */
export function neg(t: Tensor): Tensor {
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) d[i] = -t.data[i]!;
  return new Tensor(d, t.shape);
}
/** @tsgradTensorOp exp */
export function exp(t: Tensor): Tensor {
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) d[i] = Math.exp(t.data[i]!);
  return new Tensor(d, t.shape);
}
/** @tsgradTensorOp log */
export function log(x: TensorLike): Tensor {
  const t = asTensor(x); // a number too: pow's exponent rule takes the log of a number base
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) d[i] = Math.log(t.data[i]!);
  return new Tensor(d, t.shape);
}
/** @tsgradTensorOp sqrt */
export function sqrt(t: Tensor): Tensor {
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(t.data[i]!);
  return new Tensor(d, t.shape);
}
/** @tsgradTensorOp tanh */
export function tanh(t: Tensor): Tensor {
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) d[i] = Math.tanh(t.data[i]!);
  return new Tensor(d, t.shape);
}
/** @tsgradTensorOp sigmoid */
export function sigmoid(t: Tensor): Tensor {
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) {
    const x = t.data[i]!;
    // exp of a non-positive number only: no overflow either side
    d[i] = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }
  return new Tensor(d, t.shape);
}
/** max(x, 0); its derivative at 0 is taken as 0. @tsgradTensorOp relu */
export function relu(t: Tensor): Tensor {
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) d[i] = t.data[i]! > 0 ? t.data[i]! : 0;
  return new Tensor(d, t.shape);
}
/** log(1 + e^x), computed stably. @tsgradTensorOp softplus */
export function softplus(t: Tensor): Tensor {
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) {
    const x = t.data[i]!;
    d[i] = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  }
  return new Tensor(d, t.shape);
}
/** abs; its derivative at 0 is taken as 0. @tsgradTensorOp abs */
export function abs(x: TensorLike): Tensor {
  const t = asTensor(x);
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) d[i] = Math.abs(t.data[i]!);
  return new Tensor(d, t.shape);
}
/** sign (no derivative). @tsgradTensorOp sign */
export function sign(t: Tensor): Tensor {
  const d = new Float64Array(t.size);
  for (let i = 0; i < d.length; i++) d[i] = Math.sign(t.data[i]!);
  return new Tensor(d, t.shape);
}

// ------------------------------------------------------------------------------------------------
// reductions

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

// ------------------------------------------------------------------------------------------------
// linear algebra

/**
 * Matrix product of the last two axes, [..., m, k] x [..., k, n] -> [..., m, n]; leading (batch)
 * axes broadcast. A vector is treated as a matrix with one row (left) or one column (right).
 * @tsgradTensorOp matmul
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const av = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const bv = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  if (av.rank < 2 || bv.rank < 2) throw new Error(`matmul: needs tensors of rank 1 or more, got ${describeShape(a.shape)} and ${describeShape(b.shape)}`);
  const m = av.shape[av.rank - 2]!;
  const k = av.shape[av.rank - 1]!;
  const k2 = bv.shape[bv.rank - 2]!;
  const n = bv.shape[bv.rank - 1]!;
  if (k !== k2)
    throw new Error(`matmul: shapes ${describeShape(a.shape)} and ${describeShape(b.shape)} do not match (the last axis of the first, ${k}, must equal the second-to-last of the second, ${k2})`);
  const batchA = av.shape.slice(0, -2);
  const batchB = bv.shape.slice(0, -2);
  const batch = broadcastShapes("matmul", batchA, batchB);
  const batches = sizeOf(batch);
  const out = new Float64Array(batches * m * n);
  const sa = broadcastStrides(batchA, batch);
  const sb = broadcastStrides(batchB, batch);
  forEachRow(batch, sa, sb, (o, ia, ib, length, da, db) => {
    for (let j = 0; j < length; j++) matmulKernel(av.data, (ia + j * da) * m * k, k, 1, bv.data, (ib + j * db) * k * n, out, (o + j) * m * n, m, k, n);
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
  if (a.rank !== 1 || b.rank !== 1) throw new Error(`outer: needs two vectors, got ${describeShape(a.shape)} and ${describeShape(b.shape)}`);
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));
}

// ------------------------------------------------------------------------------------------------
// shapes

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
  const cannot = (why: string) => new Error(`reshape: cannot reshape ${describeShape(t.shape)} (size ${t.size}) to ${describeShape(shape)}: ${why}`);
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
  for (const t of ts) if (!sameShape(t.shape, shape)) throw new Error(`stack: shapes ${ts.map((x) => describeShape(x.shape)).join(", ")} differ`);
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

/** Where the mask is nonzero, a; elsewhere b (broadcasting). @tsgradTensorOp where */
export function where(mask: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ta = asTensor(a);
  const tb = asTensor(b);
  const shape = broadcastShapes("where", broadcastShapes("where", mask.shape, ta.shape), tb.shape);
  const m = broadcastTo(mask, shape).data;
  const x = broadcastTo(ta, shape).data;
  const y = broadcastTo(tb, shape).data;
  const out = new Float64Array(m.length);
  for (let i = 0; i < out.length; i++) out[i] = m[i] !== 0 ? x[i]! : y[i]!;
  return new Tensor(out, shape);
}
