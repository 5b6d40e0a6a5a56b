/**
 * tsgrad's runtime, what users call: the markers (replaced at build time by generated code), the
 * custom-rule helpers and the derivative types. The helpers generated code calls are in
 * "tsgrad/internal" (runtime/internal/). It never imports the transformer or the TypeScript
 * compiler: it ships inside users' bundles.
 */
export { grad, valueAndGrad, jvp, vjp, checkGrad, hvp, hessian, jacobian } from "./markers.js";
export type { AuxOptions, GradOptions, CompiledGradientCheck } from "./markers.js";
export { customJvp, customVjp, nonDifferentiable, stopGradient } from "./rules.js";
// the memory a recursion's derivative may save (split mode) before it recomputes instead
export { setTapeBudget } from "./internal/stacks.js";
export type {
  Gradient,
  GradientOf,
  GradientOfOptions,
  GradientOfSome,
  IsDifferentiable,
  ParamGradients,
  ParamPosition,
  Wrt,
} from "./types.js";
