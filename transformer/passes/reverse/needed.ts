/**
 * What one round of generation tells the next: the primal values its reverse sweep reads (the
 * "needed" values, whose overwrites the next round saves), and the saves whose restores nothing
 * reads (which the next round drops). Both are linear in the size of the reverse sweep.
 */
import type { Block, Stmt, Var } from "../../ir/types.js";
import { forEachStmt, forEachVarInExpr, stmtExprs, varsOf } from "../../ir/visit.js";
import { deadDefinitions } from "../../analyse/liveness.js";
import { countWork } from "../../ir/work.js";
import type { Round } from "./context.js";

/** Primal variables the reverse sweep reads before defining them itself. */
export function neededValues(generated: readonly Stmt[], round: Round): Set<Var> {
  const { plan } = round;
  const reverse = round.replays.size > 0 ? withoutReplays(generated, round.replays) : generated;
  const definedInReverse = new Set<Var>();
  const reads = new Set<Var>();
  forEachStmt(reverse, (s) => {
    countWork("reverse.needed");
    if (s.k === "decl") definedInReverse.add(s.v);
    for (const e of stmtExprs(s)) forEachVarInExpr(e, (v) => reads.add(v));
    if ((s.k === "store" && s.accumulate) || s.k === "truncate" || s.k === "push") reads.add(s.arr);
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
  // must save what it overwrites); each class is gone through once
  const classesDone = new Set<unknown>();
  for (const v of reads) {
    const key = plan.writes.key(v);
    if (classesDone.has(key)) continue;
    classesDone.add(key);
    for (const name of plan.writes.namesOf(v)) visit(name);
  }
  // values read by recomputations are needed too (transitively): a worklist over the needed
  const work = [...needed];
  for (let v = work.pop(); v; v = work.pop()) {
    const s = plan.recomputableDecl.get(v);
    if (!s) continue;
    for (const u of varsOf(s.init))
      if (!needed.has(u) && u.role !== "global") {
        needed.add(u);
        work.push(u);
      }
  }
  return needed;
}

/**
 * The reverse sweep without the forward-sweep code of checkpointed loops' taped steps: that code
 * runs from a state the schedule restored, and what it reads from outside the loop the same
 * loop's advancing copy of the body reads too.
 */
function withoutReplays(block: Block, replays: ReadonlyMap<Block, number>): Block {
  const kept = replays.has(block) ? block.slice(replays.get(block)) : block;
  return kept.map((s): Stmt => {
    if (s.k === "if") return { ...s, then: withoutReplays(s.then, replays), else: withoutReplays(s.else, replays) };
    if (s.k === "loop") return { ...s, body: withoutReplays(s.body, replays), update: withoutReplays(s.update, replays) };
    return s;
  });
}

/** The statements whose saved values are restored where nothing reads them. */
export function deadRestores(reverse: readonly Stmt[], round: Round): Stmt[] {
  const owners = round.restoreOwners;
  const restores = new Map<Stmt, Stmt>();
  forEachStmt(reverse, (s) => {
    countWork("reverse.deadRestores");
    if ((s.k === "assign" || s.k === "store") && owners.has(s.value)) restores.set(s, owners.get(s.value)!);
  });
  return [...deadDefinitions(reverse, new Set(restores.keys()), round.plan.aliases)].map((r) => restores.get(r)!);
}
