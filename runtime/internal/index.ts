/**
 * What generated code calls ("tsgrad/internal"): the reverse sweep's shared stacks, adjoint zeros,
 * shape checks, and the assembly of Jacobians and Hessians from sweeps. Not for users' own code:
 * these change with the code the transformer generates. The public entry ("tsgrad") is what users
 * call: the markers, the custom-rule helpers and the derivative types.
 */
export { F64Stack, RefStack, refStack, stack } from "./stacks.js";
export { copyNested, dot, sameShape, zerosLike } from "./values.js";
export { hessianFromHvp, identityDirections, jacobianForward, jacobianReverse, jacobianRows } from "./jacobians.js";
export {
  binomialSteps,
  checkpointForward,
  checkpointMemoryPeak,
  checkpointRestore,
  checkpointRestoreArray,
  checkpointRestoreBool,
  checkpointReverse,
  checkpoints,
  checkpointSave,
  checkpointSaveArray,
  checkpointStart,
  Checkpoints,
  resetCheckpointMemory,
  RevolveSchedule,
} from "./checkpoints.js";
