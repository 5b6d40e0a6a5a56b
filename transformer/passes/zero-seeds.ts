/**
 * A pullback called with a zero cotangent adds nothing: it is linear in its seed (and a tangent
 * of a pullback in the seed and the seed's tangents together). Where the seed is chosen at run
 * time, as the adjoint of `Math.min(closest, distance(...))` is the cotangent for one centroid
 * and 0 for every other, the call is skipped when the seed is zero:
 *
 *     const seed = closest <= t ? 0 : closest_bar_in;
 *     if (seed !== 0) squaredDistance_adjoint(points, i, centroids, j, d, seed, centroids_bar);
 *
 * A skipped call also never multiplies 0 by a partial that overflowed (0 x Infinity is NaN):
 * the contribution of a zero cotangent is zero.
 *
 * Only emitted code gets the guard, never IR that another pass differentiates: forward mode over
 * `if (seed !== 0)` would skip the tangent's contribution where the seed is 0 and its tangent is
 * not. Only calls made for their effect (accumulating into adjoint arrays) are guarded, and only
 * where the arguments have no effects of their own, so naming the seeds first keeps the order in
 * which everything is evaluated.
 */
import { newVar, num, op, ref } from "../ir/build.js";
import { seedArgs } from "../ir/calls.js";
import { typeOfValue } from "../ir/build.js";
import type { Block, Expr, Stmt } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { hasEffects, mapBlock } from "../ir/visit.js";

export function skipZeroSeeds(body: Block): Stmt[] {
  return mapBlock(body, (s): Stmt | Stmt[] => {
    if (s.k !== "decl" || s.v.type.kind !== "void" || s.init.k !== "call") return s;
    const call = s.init;
    const positions = seedArgs(call.fn);
    if (!positions || call.args.some(hasEffects)) return s;
    const seeds = positions.map((i) => call.args[i]!);
    if (seeds.some((e) => typeOfValue(e).kind !== "num" || (e.k === "num" && e.value !== 0))) return s;
    // each seed as an atom the test and the call both read
    const named: Stmt[] = [];
    const args = [...call.args];
    const atoms = positions.map((i): Expr => {
      const e = call.args[i]!;
      if (e.k === "var" || e.k === "num") return e;
      const v = newVar("seed", NUM, "adjoint");
      named.push({ k: "decl", v, init: e, origin: s.origin });
      args[i] = ref(v);
      return ref(v);
    });
    const tested = atoms.filter((a) => a.k !== "num");
    if (tested.length === 0) return named; // every seed is the literal 0
    const cond = tested.map((a) => op("ne", a, num(0))).reduce((a, b) => op("or", a, b));
    const guarded: Stmt = { k: "if", cond, then: [{ ...s, init: { ...call, args } }], else: [], origin: s.origin };
    return [...named, guarded];
  });
}
