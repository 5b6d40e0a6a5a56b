/**
 * tsgrad's runtime: the markers users call (replaced at build time by generated code), their
 * types, and the small helpers generated code uses. It never imports the transformer or the
 * TypeScript compiler: it ships inside users' bundles.
 */
export { grad, valueAndGrad, jvp, vjp, checkGrad, hvp, hessian, jacobian } from "./markers.js";
export type { GradOptions, CompiledGradientCheck } from "./markers.js";
export { customJvp, customVjp, nonDifferentiable, stopGradient } from "./rules.js";
export type { Gradient, GradientOf, GradientOfSome, IsDifferentiable, ParamGradients } from "./types.js";
export {
  F64Stack,
  RefStack,
  dot,
  hessianFromHvp,
  identityDirections,
  sameShape,
  jacobianForward,
  jacobianReverse,
  jacobianRows,
  refStack,
  stack,
  zerosLike,
} from "./stack.js";
