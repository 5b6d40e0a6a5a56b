/**
 * What a call does to its arguments. Source functions never write into what they are given
 * (lowering refuses writes to data a function does not own), but some generated functions do:
 * a pullback accumulates into the adjoint arrays it is passed, and the tangent version of a
 * pullback updates those arrays and their tangents. Every analysis that asks "what does this
 * statement write" must see those writes, or it takes an adjoint array that only a callee
 * fills for one nothing fills (activity then drops the whole second-order part).
 */
import { parseDerivedKey } from "./keys.js";
import type { Callee, Expr } from "./types.js";

/**
 * Positions of the arguments a call of `fn` with `argCount` arguments writes into.
 *
 * The calling conventions (passes/reverse.ts and passes/forward.ts):
 * - a pullback `vjp[active](h)` takes the primal arguments, the seed, then the adjoint arrays
 *   it accumulates into: everything after the seed is written;
 * - a tangent function `jvp[active](k)` takes k's arguments, then one tangent per active one:
 *   it writes what k writes, and the tangents of those;
 * - a vector tangent function (`jvpVec`) likewise, with the number of directions last.
 */
export function writtenArgs(fn: Callee, argCount: number): number[] {
  switch (fn.kind) {
    case "vjp":
      return range(fn.active.length + 1, argCount);
    case "jvp":
      return withTangents(writtenByKey(fn.key, fn.active.length), fn.active);
    case "user":
      return writtenByKey(fn.key, argCount);
    case "runtime":
      // a checkpointed loop's snapshots (the first argument) change with every call; a restore
      // writes the array it is given
      if (!isCheckpointCall(fn)) return [];
      return fn.key === "checkpointRestoreArray" ? [0, 2] : [0];
    default:
      return [];
  }
}

/**
 * Positions of a pullback's seed and of the seed's tangents among the arguments of a call of
 * `fn`, for a pullback (`vjp[a](h)`) or a tangent of one at any depth (`jvp[m](vjp[a](h))`);
 * null for anything else, and for vector tangents (their seed tangents are buffers of directions).
 * Such a call is linear in these arguments together: where all are zero it adds nothing.
 */
export function seedArgs(fn: Callee): number[] | null {
  switch (fn.kind) {
    case "vjp":
      return [fn.active.length];
    case "jvp": {
      const base = seedsByKey(fn.key);
      return base && withTangents(base, fn.active);
    }
    case "user":
      return seedsByKey(fn.key);
    default:
      return null;
  }
}

function seedsByKey(key: string): number[] | null {
  const derived = parseDerivedKey(key);
  if (!derived) return null;
  if (derived.kind === "vjp") return [derived.mask.length];
  if (derived.kind !== "jvp") return null;
  const base = seedsByKey(derived.base);
  return base && withTangents(base, derived.mask);
}

/** A call of the runtime's checkpointing (passes/reverse/checkpoint.ts): it has effects. */
export function isCheckpointCall(fn: Callee): boolean {
  return fn.kind === "runtime" && fn.key.startsWith("checkpoint");
}

/** The arguments a call writes into (see writtenArgs). */
export function writtenArgExprs(call: Expr & { k: "call" }): Expr[] {
  return writtenArgs(call.fn, call.args.length).map((i) => call.args[i]!);
}

/** Positions written by a call of the function whose key is `key`. */
function writtenByKey(key: string, argCount: number): number[] {
  const derived = parseDerivedKey(key);
  if (!derived) return [];
  switch (derived.kind) {
    case "vjp":
      return range(derived.mask.length + 1, argCount);
    case "jvp":
    case "jvpVec":
      return withTangents(writtenByKey(derived.base, derived.mask.length), derived.mask);
    default:
      return [];
  }
}

/** Positions among a base's arguments, plus the tangent arguments of the active ones. */
function withTangents(written: readonly number[], active: readonly boolean[]): number[] {
  if (written.length === 0) return [];
  const tangentPosition = new Map<number, number>();
  let next = active.length;
  active.forEach((a, i) => {
    if (a) tangentPosition.set(i, next++);
  });
  const out = [...written];
  for (const i of written) {
    const t = tangentPosition.get(i);
    if (t !== undefined) out.push(t);
  }
  return out;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
