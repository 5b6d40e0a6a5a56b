/**
 * Arithmetic with broadcasting as NumPy does it (shapes aligned from the right; a dimension of
 * 1 stretches), `broadcastTo`, and the element-wise choice `where`.
 * Every differentiable operation has an entry in the transformer's rule registry
 * (transformer/rules/tensor.ts), found through the `@tsgradTensorOp` tag below it. Kernels are
 * tight loops over Float64Array: no closures per element. Shape mismatches throw an Error naming
 * the operation, both shapes and the rule.
 */
import { asTensor, sameShape, type Shape, sizeOf, Tensor, type TensorLike } from "./tensor.js";
import { broadcastShapes, broadcastStrides, forEachRow } from "./broadcast.js";
import { zeros } from "./creation.js";

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
 * `t` repeated to `shape` (NumPy broadcasting).
 * @tsgradTensorOp broadcastTo
 */
export function broadcastTo(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return t; // tensors are values: the same one will do
  return add(t, zeros(shape));
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
