/**
 * Tuple and object values (a call's `{ value, grad }`, a record literal): one adjoint per
 * differentiable leaf (adjoints.ts). Here: the array leaves made in the forward sweep, and the
 * reverse of a record's definition.
 */
import { alloc, assign, len, num, ref } from "../../ir/build.js";
import type { Expr, Stmt, Var } from "../../ir/types.js";
import { refuse, TSG } from "../../refusal.js";
import type { Round, Where } from "./context.js";
import { accumulateInto, adjointArray, leafAdjointBase, recordAdjoint, recordAdjointValue, recordPart } from "./adjoints.js";
import { placeArrayAdjoint, type AdjointRestore } from "./arrays.js";
import { callAdjoint } from "./calls.js";

type Origin = Stmt["origin"];

/**
 * The array leaves of a record's adjoint, made in the forward sweep like other adjoint arrays:
 * zeros shaped like the call's result, or, for a record literal, its arrays' own adjoints (so
 * what reaches `r.grad` reaches the array it was made of). A field read shares its base's leaves.
 */
export function recordAdjointForward(round: Round, v: Var, e: Expr, o: Origin, f: Stmt[], where: Where): AdjointRestore[] {
  if (e.k === "field") {
    const base = leafAdjointBase(round, e);
    if (base) round.plan.recordAdjoints.set(v, base);
    return [];
  }
  if (e.k !== "call" && e.k !== "record")
    refuse(
      TSG.unsupportedSyntax,
      o,
      `the reverse pass cannot differentiate a tuple or object made by \`${e.k}\``,
      "report this with the function's source",
    );
  return recordAdjoint(round, v).flatMap(({ keys, v: leaf }) => {
    if (leaf.type.kind !== "array") return [];
    // A literal's array field shares its adjoint array; an inactive one gets zeros that nothing
    // reads (what reaches them goes nowhere), as long as the field: a callee's pullback adds into
    // them element by element, and the tangent version of that pullback gets a tangent array of
    // the same length (forward over reverse), which an empty array growing would no longer match.
    // A call's array field gets zeros as long as the primal's.
    const init =
      e.k === "record"
        ? (adjointArray(round, recordPart(e, keys)) ?? alloc(len(recordPart(e, keys)), leaf.type.storage))
        : alloc(len(recordPart(ref(v), keys)), leaf.type.storage);
    return placeArrayAdjoint(round, leaf, init, o, f, where);
  });
}

/**
 * A record's adjoint flows to what made it: a call's pullback seeded with it, or the fields of
 * a record literal (array fields already share their adjoint arrays).
 */
export function recordDefinitionAdjoint(round: Round, v: Var, e: Expr, isDecl: boolean, o: Origin, r: Stmt[]): void {
  if (e.k === "field") return; // a field read shares its base's adjoint
  if (e.k === "call") callAdjoint(round, e, recordAdjointValue(round, v), o, r);
  else if (e.k === "record") {
    for (const { keys, v: leaf } of recordAdjoint(round, v))
      if (leaf.type.kind !== "array") accumulateInto(round, recordPart(e, keys), ref(leaf), o, r);
  }
  if (!isDecl) for (const { v: leaf } of recordAdjoint(round, v)) if (leaf.type.kind !== "array") r.push(assign(leaf, num(0), o));
}
