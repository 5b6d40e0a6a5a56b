/**
 * Derivative rules of the tensor operations (runtime/tensor), one entry per operation.
 *
 * Like the scalar rules, each is ordinary TypeScript over the runtime's own operations, parsed
 * into IR by the registry: per differentiable argument, a reverse-mode contribution
 * `(...args, y, g) => adjoint of that argument` and a forward-mode term
 * `(...args, y, d) => tangent of the output from that argument's tangent d`. Because the rules
 * are written with tensor operations that have rules themselves, second derivatives compose.
 *
 * `params` lists the operation's parameters; optional ones (`?`) are filled with undefined when a
 * call leaves them out. `diff` says which carry derivatives (axes, shapes and masks do not).
 */
import * as T from "../../runtime/tensor/index.js";

type Template = (...args: never[]) => unknown;

export interface TensorRule {
  readonly params: readonly string[];
  readonly diff: readonly boolean[];
  /** `values`: a Float64Array of the tensor's values (flatValues). */
  readonly returns: "tensor" | "number" | "shape" | "values";
  readonly vjp?: readonly (Template | null)[];
  readonly jvp?: readonly (Template | null)[];
  /**
   * Variadic: tensors first, then an axis; the derivative is built by the registry, not from
   * templates. `concat` and `stack` name the operations that take the adjoint of one of their
   * tensors (`part`) and put a tangent in its place (`embed`); those two are each other's
   * transpose (linear in their first argument, the only one with a derivative).
   */
  readonly variadic?: { readonly part: string; readonly embed: string } | { readonly transpose: string };
  /**
   * How emitted code calls it: `list` passes the tensors as one array before the axis
   * (`T.concat([a, b], axis)`), the way users write it (the IR spreads them); by default the
   * arguments one by one, leaving out trailing optional ones left out in the IR.
   */
  readonly emit?: "list";
  /** A reduction (`sum(t, axes?, keepdims?)`): without axes, of every axis to one number. */
  readonly reduction?: true;
  /**
   * Makes a tensor from data (`tensor`, `zeros`, `rand`): a derivative flowing into an argument
   * that `diff` does not mark would be lost, and is refused.
   */
  readonly fromData?: true;
  /** Values of optional parameters whose default the rules must see (softmax's axis -1). */
  readonly defaults?: Readonly<Record<number, number>>;
  /**
   * How the result's shape follows from the arguments, where it simply does: like argument i's,
   * the shape argument i gives (`shapeOf(y)`), or the broadcast of the tensor arguments. The
   * simplifier uses it to drop shape bookkeeping that does nothing (passes/simplify/tensors.ts).
   */
  readonly shape?: { readonly like: number } | { readonly of: number } | "broadcast";
}

type X = T.Tensor;
type N = number;
/** A shape argument. */
type S = T.Shape;
/** Axes of a reduction, left out for all of them. */
type A = number | readonly number[] | undefined;
/** A permutation of axes, left out for the reversed order. */
type P = readonly number[] | undefined;
/** Data a tensor is made from: a number, an array or nested arrays of numbers. */
type D = number | readonly unknown[] | Float64Array;
const zero = (params: string[], returns: TensorRule["returns"] = "tensor"): TensorRule => ({
  params,
  diff: params.map(() => false),
  returns,
});

export const tensorRules: Record<string, TensorRule> = {
  // ---- element-wise arithmetic with broadcasting (numbers allowed) ---------------------------
  add: {
    shape: "broadcast",
    params: ["a", "b"],
    diff: [true, true],
    returns: "tensor",
    vjp: [(a: X, b: X, y: X, g: X) => T.unbroadcast(g, T.shapeOf(a)), (a: X, b: X, y: X, g: X) => T.unbroadcast(g, T.shapeOf(b))],
    jvp: [(a: X, b: X, y: X, d: X) => T.broadcastLike(d, y), (a: X, b: X, y: X, d: X) => T.broadcastLike(d, y)],
  },
  sub: {
    shape: "broadcast",
    params: ["a", "b"],
    diff: [true, true],
    returns: "tensor",
    vjp: [(a: X, b: X, y: X, g: X) => T.unbroadcast(g, T.shapeOf(a)), (a: X, b: X, y: X, g: X) => T.neg(T.unbroadcast(g, T.shapeOf(b)))],
    jvp: [(a: X, b: X, y: X, d: X) => T.broadcastLike(d, y), (a: X, b: X, y: X, d: X) => T.neg(T.broadcastLike(d, y))],
  },
  mul: {
    shape: "broadcast",
    params: ["a", "b"],
    diff: [true, true],
    returns: "tensor",
    vjp: [
      (a: X, b: X, y: X, g: X) => T.unbroadcast(T.mul(g, b), T.shapeOf(a)),
      (a: X, b: X, y: X, g: X) => T.unbroadcast(T.mul(g, a), T.shapeOf(b)),
    ],
    jvp: [(a: X, b: X, y: X, d: X) => T.broadcastLike(T.mul(d, b), y), (a: X, b: X, y: X, d: X) => T.broadcastLike(T.mul(a, d), y)],
  },
  div: {
    shape: "broadcast",
    params: ["a", "b"],
    diff: [true, true],
    returns: "tensor",
    vjp: [
      (a: X, b: X, y: X, g: X) => T.unbroadcast(T.div(g, b), T.shapeOf(a)),
      (a: X, b: X, y: X, g: X) => T.neg(T.unbroadcast(T.div(T.mul(g, y), b), T.shapeOf(b))),
    ],
    jvp: [(a: X, b: X, y: X, d: X) => T.broadcastLike(T.div(d, b), y), (a: X, b: X, y: X, d: X) => T.neg(T.div(T.mul(d, y), b))],
  },
  pow: {
    shape: "broadcast",
    params: ["a", "b"],
    diff: [true, true],
    returns: "tensor",
    vjp: [
      (a: X, b: X, y: X, g: X) => T.unbroadcast(T.mul(g, T.mul(b, T.pow(a, T.sub(b, 1)))), T.shapeOf(a)),
      // d(a ** b)/db = a ** b log a, taken as 0 where a = 0 (as for numbers), not 0 * -Infinity
      (a: X, b: X, y: X, g: X) => T.unbroadcast(T.mul(g, T.where(T.greater(T.abs(a), 0), T.mul(y, T.log(a)), 0)), T.shapeOf(b)),
    ],
    jvp: [
      (a: X, b: X, y: X, d: X) => T.broadcastLike(T.mul(d, T.mul(b, T.pow(a, T.sub(b, 1)))), y),
      (a: X, b: X, y: X, d: X) => T.broadcastLike(T.mul(d, T.where(T.greater(T.abs(a), 0), T.mul(y, T.log(a)), 0)), y),
    ],
  },
  neg: {
    shape: { like: 0 },
    params: ["t"],
    diff: [true],
    returns: "tensor",
    vjp: [(t: X, y: X, g: X) => T.neg(g)],
    jvp: [(t: X, y: X, d: X) => T.neg(d)],
  },

  // ---- element-wise functions -------------------------------------------------------------------
  exp: {
    shape: { like: 0 },
    params: ["t"],
    diff: [true],
    returns: "tensor",
    vjp: [(t: X, y: X, g: X) => T.mul(g, y)],
    jvp: [(t: X, y: X, d: X) => T.mul(d, y)],
  },
  log: {
    shape: { like: 0 },
    params: ["t"],
    diff: [true],
    returns: "tensor",
    vjp: [(t: X, y: X, g: X) => T.div(g, t)],
    jvp: [(t: X, y: X, d: X) => T.div(d, t)],
  },
  sqrt: {
    shape: { like: 0 },
    params: ["t"],
    diff: [true],
    returns: "tensor",
    vjp: [(t: X, y: X, g: X) => T.div(T.mul(g, 0.5), y)],
    jvp: [(t: X, y: X, d: X) => T.div(T.mul(d, 0.5), y)],
  },
  tanh: {
    shape: { like: 0 },
    params: ["t"],
    diff: [true],
    returns: "tensor",
    vjp: [(t: X, y: X, g: X) => T.mul(g, T.sub(1, T.mul(y, y)))],
    jvp: [(t: X, y: X, d: X) => T.mul(d, T.sub(1, T.mul(y, y)))],
  },
  sigmoid: {
    shape: { like: 0 },
    params: ["t"],
    diff: [true],
    returns: "tensor",
    vjp: [(t: X, y: X, g: X) => T.mul(g, T.mul(y, T.sub(1, y)))],
    jvp: [(t: X, y: X, d: X) => T.mul(d, T.mul(y, T.sub(1, y)))],
  },
  relu: {
    shape: { like: 0 },
    params: ["t"],
    diff: [true],
    returns: "tensor",
    vjp: [(t: X, y: X, g: X) => T.mul(g, T.greater(t, 0))],
    jvp: [(t: X, y: X, d: X) => T.mul(d, T.greater(t, 0))],
  },
  softplus: {
    shape: { like: 0 },
    params: ["t"],
    diff: [true],
    returns: "tensor",
    vjp: [(t: X, y: X, g: X) => T.mul(g, T.sigmoid(t))],
    jvp: [(t: X, y: X, d: X) => T.mul(d, T.sigmoid(t))],
  },
  abs: {
    shape: { like: 0 },
    params: ["t"],
    diff: [true],
    returns: "tensor",
    vjp: [(t: X, y: X, g: X) => T.mul(g, T.sign(t))],
    jvp: [(t: X, y: X, d: X) => T.mul(d, T.sign(t))],
  },

  // ---- reductions -------------------------------------------------------------------------------
  sum: {
    reduction: true,
    params: ["t", "axes?", "keepdims?"],
    diff: [true, false, false],
    returns: "tensor",
    vjp: [(t: X, axes: A, keepdims: boolean, y: X, g: X) => T.expandReduced(g, T.shapeOf(t), axes)],
    jvp: [(t: X, axes: A, keepdims: boolean, y: X, d: X) => T.sum(d, axes, keepdims)],
  },
  mean: {
    reduction: true,
    params: ["t", "axes?", "keepdims?"],
    diff: [true, false, false],
    returns: "tensor",
    vjp: [(t: X, axes: A, keepdims: boolean, y: X, g: X) => T.div(T.expandReduced(g, T.shapeOf(t), axes), T.sizeRatio(t, y))],
    jvp: [(t: X, axes: A, keepdims: boolean, y: X, d: X) => T.mean(d, axes, keepdims)],
  },
  max: {
    reduction: true,
    params: ["t", "axes?", "keepdims?"],
    diff: [true, false, false],
    returns: "tensor",
    vjp: [(t: X, axes: A, keepdims: boolean, y: X, g: X) => T.mul(T.expandReduced(g, T.shapeOf(t), axes), T.argmaxMask(t, axes))],
    jvp: [(t: X, axes: A, keepdims: boolean, y: X, d: X) => T.sum(T.mul(d, T.argmaxMask(t, axes)), axes, keepdims)],
  },
  logsumexp: {
    reduction: true,
    params: ["t", "axes?", "keepdims?"],
    diff: [true, false, false],
    returns: "tensor",
    vjp: [
      (t: X, axes: A, keepdims: boolean, y: X, g: X) =>
        T.mul(T.expandReduced(g, T.shapeOf(t), axes), T.exp(T.sub(t, T.expandReduced(y, T.shapeOf(t), axes)))),
    ],
    jvp: [
      (t: X, axes: A, keepdims: boolean, y: X, d: X) =>
        T.sum(T.mul(d, T.exp(T.sub(t, T.expandReduced(y, T.shapeOf(t), axes)))), axes, keepdims),
    ],
  },
  softmax: {
    shape: { like: 0 },
    params: ["t", "axis?"],
    defaults: { 1: -1 },
    diff: [true, false],
    returns: "tensor",
    vjp: [(t: X, axis: N, y: X, g: X) => T.mul(y, T.sub(g, T.sum(T.mul(g, y), axis, true)))],
    jvp: [(t: X, axis: N, y: X, d: X) => T.mul(y, T.sub(d, T.sum(T.mul(d, y), axis, true)))],
  },
  logSoftmax: {
    shape: { like: 0 },
    params: ["t", "axis?"],
    defaults: { 1: -1 },
    diff: [true, false],
    returns: "tensor",
    vjp: [(t: X, axis: N, y: X, g: X) => T.sub(g, T.mul(T.exp(y), T.sum(g, axis, true)))],
    jvp: [(t: X, axis: N, y: X, d: X) => T.sub(d, T.sum(T.mul(T.exp(y), d), axis, true))],
  },

  // ---- linear algebra ---------------------------------------------------------------------------
  matmul: {
    params: ["a", "b"],
    diff: [true, true],
    returns: "tensor",
    vjp: [(a: X, b: X, y: X, g: X) => T.matmulGradA(g, a, b), (a: X, b: X, y: X, g: X) => T.matmulGradB(g, a, b)],
    jvp: [(a: X, b: X, y: X, d: X) => T.matmul(d, b), (a: X, b: X, y: X, d: X) => T.matmul(a, d)],
  },
  dot: {
    params: ["a", "b"],
    diff: [true, true],
    returns: "tensor",
    vjp: [(a: X, b: X, y: X, g: X) => T.mul(g, b), (a: X, b: X, y: X, g: X) => T.mul(g, a)],
    jvp: [(a: X, b: X, y: X, d: X) => T.dot(d, b), (a: X, b: X, y: X, d: X) => T.dot(a, d)],
  },
  outer: {
    params: ["a", "b"],
    diff: [true, true],
    returns: "tensor",
    vjp: [(a: X, b: X, y: X, g: X) => T.matmul(g, b), (a: X, b: X, y: X, g: X) => T.matmul(T.transpose(g), a)],
    jvp: [(a: X, b: X, y: X, d: X) => T.outer(d, b), (a: X, b: X, y: X, d: X) => T.outer(a, d)],
  },
  matmulGradA: {
    shape: { like: 1 },
    params: ["g", "a", "b"],
    diff: [true, false, true],
    returns: "tensor",
    jvp: [(g: X, a: X, b: X, y: X, d: X) => T.matmulGradA(d, a, b), null, (g: X, a: X, b: X, y: X, d: X) => T.matmulGradA(g, a, d)],
  },
  matmulGradB: {
    shape: { like: 2 },
    params: ["g", "a", "b"],
    diff: [true, true, false],
    returns: "tensor",
    jvp: [(g: X, a: X, b: X, y: X, d: X) => T.matmulGradB(d, a, b), (g: X, a: X, b: X, y: X, d: X) => T.matmulGradB(g, d, b), null],
  },

  // ---- shapes -----------------------------------------------------------------------------------
  transpose: {
    params: ["t", "perm?"],
    diff: [true, false],
    returns: "tensor",
    vjp: [(t: X, perm: P, y: X, g: X) => T.transposeBack(g, perm)],
    jvp: [(t: X, perm: P, y: X, d: X) => T.transpose(d, perm)],
  },
  transposeBack: {
    params: ["g", "perm?"],
    diff: [true, false],
    returns: "tensor",
    vjp: [(g: X, perm: P, y: X, gg: X) => T.transpose(gg, perm)],
    jvp: [(g: X, perm: P, y: X, d: X) => T.transposeBack(d, perm)],
  },
  mT: { params: ["t"], diff: [true], returns: "tensor", vjp: [(t: X, y: X, g: X) => T.mT(g)], jvp: [(t: X, y: X, d: X) => T.mT(d)] },
  reshape: {
    shape: { of: 1 },
    params: ["t", "shape"],
    diff: [true, false],
    returns: "tensor",
    vjp: [(t: X, shape: S, y: X, g: X) => T.reshape(g, T.shapeOf(t))],
    jvp: [(t: X, shape: S, y: X, d: X) => T.reshape(d, shape)],
  },
  row: {
    params: ["t", "i"],
    diff: [true, false],
    returns: "tensor",
    vjp: [(t: X, i: N, y: X, g: X) => T.padRows(g, T.shapeOf(t), i)],
    jvp: [(t: X, i: N, y: X, d: X) => T.row(d, i)],
  },
  slice: {
    params: ["t", "start", "end"],
    diff: [true, false, false],
    returns: "tensor",
    vjp: [(t: X, start: N, end: N, y: X, g: X) => T.padRows(g, T.shapeOf(t), start)],
    jvp: [(t: X, start: N, end: N, y: X, d: X) => T.slice(d, start, end)],
  },
  padRows: {
    shape: { of: 1 },
    params: ["g", "shape", "start"],
    diff: [true, false, false],
    returns: "tensor",
    vjp: [(g: X, shape: S, start: N, y: X, gg: X) => T.rowsLike(gg, start, g)],
    jvp: [(g: X, shape: S, start: N, y: X, d: X) => T.padRows(d, shape, start)],
  },
  rowsLike: {
    shape: { like: 2 },
    params: ["gg", "start", "g"],
    diff: [true, false, false],
    returns: "tensor",
    vjp: [(gg: X, start: N, g: X, y: X, h: X) => T.padRows(h, T.shapeOf(gg), start)],
    jvp: [(gg: X, start: N, g: X, y: X, d: X) => T.rowsLike(d, start, g)],
  },
  broadcastTo: {
    shape: { of: 1 },
    params: ["t", "shape"],
    diff: [true, false],
    returns: "tensor",
    vjp: [(t: X, shape: S, y: X, g: X) => T.unbroadcast(g, T.shapeOf(t))],
    jvp: [(t: X, shape: S, y: X, d: X) => T.broadcastTo(d, shape)],
  },
  broadcastLike: {
    shape: { like: 1 },
    params: ["t", "like"],
    diff: [true, false],
    returns: "tensor",
    vjp: [(t: X, like: X, y: X, g: X) => T.unbroadcast(g, T.shapeOf(t))],
    jvp: [(t: X, like: X, y: X, d: X) => T.broadcastLike(d, like)],
  },
  unbroadcast: {
    shape: { of: 1 },
    params: ["g", "shape"],
    diff: [true, false],
    returns: "tensor",
    vjp: [(g: X, shape: S, y: X, gg: X) => T.broadcastLike(gg, g)],
    jvp: [(g: X, shape: S, y: X, d: X) => T.unbroadcast(d, shape)],
  },
  expandReduced: {
    shape: { of: 1 },
    params: ["g", "shape", "axes?"],
    diff: [true, false, false],
    returns: "tensor",
    vjp: [(g: X, shape: S, axes: A, y: X, gg: X) => T.reshape(T.sum(gg, axes), T.shapeOf(g))],
    jvp: [(g: X, shape: S, axes: A, y: X, d: X) => T.expandReduced(d, shape, axes)],
  },
  concat: { params: [], diff: [], returns: "tensor", variadic: { part: "concatPart", embed: "concatEmbed" }, emit: "list" },
  stack: { params: [], diff: [], returns: "tensor", variadic: { part: "stackPart", embed: "stackEmbed" }, emit: "list" },
  // the adjoint, the axis, the index of the part, the parts
  concatPart: { params: [], diff: [], returns: "tensor", variadic: { transpose: "concatEmbed" } },
  concatEmbed: { params: [], diff: [], returns: "tensor", variadic: { transpose: "concatPart" } },
  stackPart: { params: [], diff: [], returns: "tensor", variadic: { transpose: "stackEmbed" } },
  stackEmbed: { params: [], diff: [], returns: "tensor", variadic: { transpose: "stackPart" } },
  where: {
    shape: "broadcast",
    params: ["mask", "a", "b"],
    diff: [false, true, true],
    returns: "tensor",
    vjp: [
      null,
      (m: X, a: X, b: X, y: X, g: X) => T.unbroadcast(T.where(m, g, 0), T.shapeOf(a)),
      (m: X, a: X, b: X, y: X, g: X) => T.unbroadcast(T.where(m, 0, g), T.shapeOf(b)),
    ],
    jvp: [
      null,
      (m: X, a: X, b: X, y: X, d: X) => T.broadcastLike(T.where(m, d, 0), y),
      (m: X, a: X, b: X, y: X, d: X) => T.broadcastLike(T.where(m, 0, d), y),
    ],
  },

  // ---- between numbers and tensors --------------------------------------------------------------
  item: {
    params: ["t"],
    diff: [true],
    returns: "number",
    vjp: [(t: X, y: N, g: N) => T.full(T.itemShape(t), g)],
    jvp: [(t: X, y: N, d: X) => T.item(d)],
  },
  scalar: {
    params: ["x"],
    diff: [true],
    returns: "tensor",
    vjp: [(x: N, y: X, g: X) => T.item(g)],
    jvp: [(x: N, y: X, d: N) => T.scalar(d)],
  },
  full: {
    shape: { of: 0 },
    params: ["shape", "value"],
    diff: [false, true],
    returns: "tensor",
    vjp: [null, (shape: S, value: N, y: X, g: X) => T.item(T.sum(g))],
    jvp: [null, (shape: S, value: N, y: X, d: N) => T.full(shape, d)],
  },

  // ---- no derivative ----------------------------------------------------------------------------
  shapeOf: zero(["t"], "shape"),
  itemShape: zero(["t"], "shape"),
  greater: { ...zero(["a", "b"]), shape: "broadcast" },
  sign: { ...zero(["t"]), shape: { like: 0 } },
  argmaxMask: { ...zero(["t", "axes?"]), shape: { like: 0 } },
  zerosLike: { ...zero(["t"]), shape: { like: 0 } },
  sizeRatio: zero(["t", "y"], "number"),
  zeros: { ...zero(["shape"]), shape: { of: 0 }, fromData: true },
  ones: { ...zero(["shape"]), shape: { of: 0 }, fromData: true },
  arange: { ...zero(["n"]), fromData: true },
  rand: { ...zero(["shape", "seed", "low?", "high?"]), fromData: true },
  randn: { ...zero(["shape", "seed", "mean?", "std?"]), fromData: true },
  // data: a number, an array or nested arrays of numbers; its tangent has its layout, and its
  // adjoint is the output's adjoint, which the reverse pass adds into an array element by element
  // in row-major order (flatValues), the order tensor() reads the data in
  tensor: {
    params: ["data", "shape?"],
    diff: [true, false],
    returns: "tensor",
    fromData: true,
    vjp: [(data: D, shape: S | undefined, y: X, g: X) => g, null],
    jvp: [(data: D, shape: S | undefined, y: X, d: D) => T.tensor(d, shape), null],
  },
  flatValues: {
    params: ["t"],
    diff: [true],
    returns: "values",
    // a helper of the reverse pass (the adjoint of tensor(xs) read into xs's adjoint), which
    // second order differentiates forward only
    jvp: [(t: X, y: Float64Array, d: X) => T.flatValues(d)],
  },
};
