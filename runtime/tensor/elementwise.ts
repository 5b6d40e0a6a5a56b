/**
 * Element-wise functions.
 * Every differentiable operation has an entry in the transformer's rule registry
 * (transformer/rules/tensor.ts), found through the `@tsgradTensorOp` tag below it. Kernels are
 * tight loops over Float64Array: no closures per element. Shape mismatches throw an Error naming
 * the operation, both shapes and the rule.
 */
import { asTensor, Tensor, type TensorLike } from "./tensor.js";

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
