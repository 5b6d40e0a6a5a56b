/**
 * What one round of generation tells the next: the primal values its reverse sweep reads (the
 * "needed" values, whose overwrites the next round saves), and the saves whose restores nothing
 * reads (which the next round drops).
 */
import type { Stmt, Var } from "../../ir/types.js";
import { forEachStmt, readsOf, varsOf } from "../../ir/visit.js";
import { deadDefinitions } from "../../analyse/liveness.js";
import type { Round } from "./context.js";

/** Primal variables the reverse sweep reads before defining them itself. */
export function neededValues(reverse: readonly Stmt[], round: Round): Set<Var> {
  const { plan } = round;
  const definedInReverse = new Set<Var>();
  forEachStmt(reverse, (s) => {
    if (s.k === "decl") definedInReverse.add(s.v);
  });
  const needed = new Set<Var>();
  const visit = (v: Var) => {
    // module constants never change; saved copies and stacks are the saving machinery itself
    if (needed.has(v) || v.role === "global" || v.role === "saved" || v.type.kind === "stack") return;
    if (v.role === "adjoint" && !plan.forwardAdjoints.has(v)) return;
    if (definedInReverse.has(v) && !round.recomputedVars.has(v)) return;
    needed.add(v);
  };
  // an array read through one name is needed under all of its names (a write through another
  // must save what it overwrites)
  for (const v of plan.aliases.expand(readsOf(reverse))) visit(v);
  // values read by recomputations are needed too (transitively)
  for (let changed = true; changed; ) {
    changed = false;
    for (const v of [...needed]) {
      const s = plan.recomputableDecl.get(v);
      if (!s) continue;
      for (const u of varsOf(s.init))
        if (!needed.has(u) && u.role !== "global") {
          needed.add(u);
          changed = true;
        }
    }
  }
  return needed;
}

/** The statements whose saved values are restored where nothing reads them. */
export function deadRestores(reverse: readonly Stmt[], round: Round): Stmt[] {
  const owners = round.restoreOwners;
  const restores = new Map<Stmt, Stmt>();
  forEachStmt(reverse, (s) => {
    if ((s.k === "assign" || s.k === "store") && owners.has(s.value)) restores.set(s, owners.get(s.value)!);
  });
  return [...deadDefinitions(reverse, new Set(restores.keys()), round.plan.aliases)].map((r) => restores.get(r)!);
}
