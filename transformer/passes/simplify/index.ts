/**
 * The simplifier: folding, copy propagation, zero-init fusion, dead code elimination and
 * re-inlining, repeated until nothing changes. It runs on whole generated function bodies.
 */
import type { Block, Stmt } from "../../ir/types.js";
import { mapBlock, mapStmtExprs } from "../../ir/visit.js";
import { index, ref } from "../../ir/build.js";
import { tensorCall } from "../../rules/tensor-registry.js";
import { printBlock } from "../../ir/print.js";
import { eliminateDeadCode } from "./dce.js";
import { ArrayAliases } from "../../analyse/aliases.js";
import { foldExpr, isDerivativeStatement } from "./fold.js";
import { closedFormTrips } from "./trips.js";
import { simplifyTensors } from "./tensors.js";
import { dropUnchangedStores, fuseStoreZero, fuseZeroInit, inlineSingleUse, propagateCopies } from "./inline.js";

/** Folds expressions and drops statements that fold to nothing (`x = x`, `a[i] += 0`). */
export function foldBlock(body: Block): Stmt[] {
  return mapBlock(body, (s) => {
    const mode = isDerivativeStatement(s) ? "algebraic" : "exact";
    const t = mapStmtExprs(s, (e) => foldExpr(e, mode));
    if (t.k === "assign" && t.value.k === "var" && t.value.v === t.v) return [];
    if (t.k === "store" && t.accumulate && t.value.k === "num" && t.value.value === 0) return [];
    if (t.k === "assign" && t.value.k === "op" && t.value.op === "add") {
      const [a, b] = t.value.args;
      if (a?.k === "var" && a.v === t.v && b?.k === "num" && b.value === 0) return [];
    }
    if (t.k === "if" && t.cond.k === "bool") return t.cond.value ? [...t.then] : [...t.else];
    return t;
  });
}

export function simplify(body: Block): Stmt[] {
  let cur: Stmt[] = [...body];
  for (let round = 0; round < 8; round++) {
    const before = printBlock(cur);
    cur = foldBlock(cur);
    cur = simplifyTensors(cur);
    cur = propagateCopies(cur);
    // the names of each array, once per round: the rewrites below only ever remove names, so
    // classes found here are never too small for them
    const aliases = ArrayAliases.of(cur);
    cur = fuseZeroInit(cur, aliases);
    cur = fuseStoreZero(cur, aliases);
    cur = dropUnchangedStores(cur);
    cur = eliminateDeadCode(cur, new Set(), aliases);
    cur = closedFormTrips(cur);
    cur = inlineSingleUse(cur, aliases);
    cur = foldBlock(cur);
    if (printBlock(cur) === before) break;
  }
  return addTensorElements(cur);
}

/**
 * `a[i] += t` into an array of tensors (the adjoint of a Tensor[] parameter) is `a[i] =
 * T.add(a[i], t)`: JavaScript's += would concatenate strings. Done last, so the passes above
 * treat it as any accumulation.
 */
function addTensorElements(body: Block): Stmt[] {
  return mapBlock(body, (s) => {
    if (s.k !== "store" || !s.accumulate || s.arr.type.kind !== "array" || s.arr.type.elem.kind !== "tensor") return s;
    return { ...s, accumulate: false, value: tensorCall("add", [index(ref(s.arr), s.index), s.value]) };
  });
}
