/**
 * tsgrad's tensors ("tsgrad/tensor"): functions over Float64Array-backed tensors, each with its
 * derivative rules in the transformer's registry, so tensor code differentiates like scalar code.
 */
export { Tensor, type Shape, type TensorLike } from "./tensor.js";
export * from "./creation.js";
export { broadcastShapes } from "./broadcast.js";
export * from "./arithmetic.js";
export * from "./elementwise.js";
export * from "./reductions.js";
export * from "./linalg.js";
export * from "./shapes.js";
export * from "./adjoint-ops.js";
export { jacobianFromPullbacks, jacobianFromTangents } from "./jacobian.js";
