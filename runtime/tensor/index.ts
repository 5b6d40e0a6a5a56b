/**
 * tsgrad's tensors ("tsgrad/tensor"): functions over Float64Array-backed tensors, each with its
 * derivative rules in the transformer's registry, so tensor code differentiates like scalar code.
 */
export { Tensor, type Shape } from "./tensor.js";
export * from "./ops.js";
export * from "./adjoint-ops.js";
export { jacobianFromPullbacks, jacobianFromTangents } from "./jacobian.js";
