/**
 * Work done by the traversals of the IR (ir/visit.ts): statements and expression nodes visited.
 * Compile time that grows faster than the code shows up here as visits that do, whatever else
 * the machine is doing, so the test of compile-time growth counts these instead of timing.
 */
export const traversalWork = { visits: 0 };
