/**
 * Array variables: their adjoint arrays, made in the forward sweep next to the primal (zeros for
 * an owned array, the same row of the adjoint for an alias), and the reverse of an array's
 * definition (a literal, a copy, an allocation, a call that returns one).
 */
import { alloc, assign, decl, index, len, newVar, num, ref } from "../../ir/build.js";
import type { Expr, Stmt, Var } from "../../ir/types.js";
import { NUM } from "../../ir/types.js";
import { isActive, isNeeded, type Round, type Where } from "./context.js";
import { accumulateInto, addArrayInto, adjointArray, adjointLoc, countedLoop } from "./adjoints.js";
import { callAdjoint } from "./calls.js";
import { hoist, save } from "./tape.js";

type Origin = Stmt["origin"];

/** An adjoint variable replaced in the forward sweep, and what gives it back in the reverse sweep. */
export interface AdjointRestore {
  readonly a: Var;
  readonly value: Expr;
}

/**
 * The adjoint array of the array variable `v` defined by `e`: zeros of the same length for an
 * owned array, or the same row of the adjoint for an alias. Returns how to restore the one it
 * replaces, when it replaces one (see placeArrayAdjoint).
 */
export function arrayAdjointForward(round: Round, v: Var, e: Expr, isDecl: boolean, o: Origin, f: Stmt[], where: Where): AdjointRestore[] {
  const isAlias = e.k === "index" || e.k === "var" || e.k === "field";
  let init: Expr;
  if (isAlias) {
    const adj = adjointArray(round, e);
    if (!adj) return [];
    init = adj;
  } else if (e.k === "arrayLit" && e.elems.length > 0 && v.type.kind === "array" && v.type.elem.kind === "array")
    // a matrix literal (`[[c, -s], [s, c]]`): zero rows; an empty one (`[]`) is given rows by push
    init = { k: "zerosLike", arr: ref(v) };
  else init = alloc(len(ref(v)), v.type.kind === "array" ? v.type.storage : "array");
  let a = round.plan.arrayAdjoints.get(v);
  if (!a) {
    a = newVar(`${v.name}_bar`, v.type, "adjoint", { owned: !isAlias });
    round.plan.arrayAdjoints.set(v, a);
  }
  return placeArrayAdjoint(round, a, init, o, f, where, round.plan.rebound.has(v) ? !isDecl : null);
}

/**
 * Makes an adjoint array in the forward sweep. Inside blocks it is hoisted when the reverse
 * sweep needs it; an array variable that is given new arrays (`rebinds`: null when it never
 * is, else whether this definition replaces an earlier one) always is. The adjoint it replaces
 * (an earlier iteration's, or the one before a rebinding) is saved and given back in reverse.
 */
export function placeArrayAdjoint(
  round: Round,
  a: Var,
  init: Expr,
  o: Origin,
  f: Stmt[],
  where: Where,
  rebinds: boolean | null = null,
): AdjointRestore[] {
  round.plan.forwardAdjoints.add(a);
  if (rebinds !== null || (where.nesting > 0 && isNeeded(round, a))) {
    hoist(round, a);
    const restores = where.loopDepth > 0 || rebinds ? [{ a, value: save(round, ref(a), a.type, a.name, where, f) }] : [];
    f.push(assign(a, init, o));
    return restores;
  }
  f.push(decl(a, init, o));
  return [];
}

/**
 * `const row = pts[n]` of an active nested array: its adjoint is the same row of the adjoint,
 * declared where the reverse sweep recomputes the alias (null when nothing flows).
 */
export function aliasAdjoint(round: Round, s: Stmt & { k: "decl" }): Stmt | null {
  if (s.v.type.kind !== "array" || !isActive(round, s.v)) return null;
  const adj = adjointArray(round, s.init);
  if (!adj) return null;
  let a = round.plan.arrayAdjoints.get(s.v);
  if (!a) {
    a = newVar(`${s.v.name}_bar`, s.v.type, "adjoint", { owned: false });
    round.plan.arrayAdjoints.set(s.v, a);
  }
  return decl(a, adj, s.origin);
}

/**
 * The reverse of `v = e` for an array `v`: what reached v's adjoint (or `incoming`, the adjoint
 * of the new array when v is rebound) flows to what e was made of.
 */
export function arrayDefinitionAdjoint(round: Round, v: Var, e: Expr, o: Origin, r: Stmt[], incoming?: Var): void {
  const vBar = incoming ?? round.plan.arrayAdjoints.get(v);
  if (!vBar) return;
  switch (e.k) {
    case "arrayLit":
      e.elems.forEach((el, k) => {
        // a row of a nested literal: its adjoint gets the row of v's
        const row = el.k === "var" && el.v.type.kind === "array" ? adjointArray(round, el) : null;
        if (row) r.push(...addArrayInto(row, index(ref(vBar), num(k)), o));
        else if (adjointLoc(round, el)) accumulateInto(round, el, index(ref(vBar), num(k)), o, r);
      });
      return;
    case "copy": {
      const src = adjointArray(round, e.arr);
      if (src) r.push(...addArrayInto(src, ref(vBar), o));
      return;
    }
    case "alloc":
      if (adjointLoc(round, e.fill)) {
        const k = newVar("k", NUM, "local");
        const body: Stmt[] = [];
        accumulateInto(round, e.fill, index(ref(vBar), ref(k)), o, body);
        r.push(decl(k, num(0), o), countedLoop(k, len(ref(vBar)), body, o));
      }
      return;
    case "call":
      callAdjoint(round, e, ref(vBar), o, r);
      return;
    default:
      return; // aliases share their adjoint: nothing to propagate
  }
}
