/**
 * What generated code calls ("tsgrad/internal"): the reverse sweep's shared stacks, adjoint zeros,
 * shape checks, and the assembly of Jacobians and Hessians from sweeps. Not for users' own code:
 * these change with the code the transformer generates. The public entry ("tsgrad") is what users
 * call: the markers, the custom-rule helpers and the derivative types.
 */
export { DEFAULT_TAPE_BUDGET, F64Stack, RefStack, refStack, roomOnTape, setTapeBudget, stack } from "./stacks.js";
export { copyNested, dot, sameShape, sortOrder, zerosLike } from "./values.js";
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
  checkpointStepLength,
  Checkpoints,
  DEFAULT_STRETCH as CHECKPOINT_DEFAULT_STRETCH,
  DONE as CHECKPOINT_DONE,
  RESTORE as CHECKPOINT_RESTORE,
  resetCheckpointMemory,
  RevolveSchedule,
  setCheckpointStretch,
  STEP as CHECKPOINT_STEP,
  STORE as CHECKPOINT_STORE,
} from "./checkpoints.js";
