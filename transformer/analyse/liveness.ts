/**
 * Liveness of scalar variables over structured IR, backwards: which definitions are never read
 * before the variable is defined again (or the code ends). The reverse pass runs it over the
 * reverse sweep it generated, to find restores of overwritten values that nothing reads: their
 * saves are dropped (to-be-recorded analysis, by its effect on the code rather than by reasoning
 * about the primal).
 */
import type { Block, Expr, Stmt, Var } from "../ir/types.js";
import { forEachVarInExpr, stmtExprs } from "../ir/visit.js";
import type { ArrayAliases } from "./aliases.js";

/**
 * The definitions among `candidates` whose value is never read: `v = e` (v a number or boolean),
 * and `a[i] = e` when nothing reads `a` afterwards (arrays are tracked whole).
 */
export function deadDefinitions(body: Block, candidates: ReadonlySet<Stmt>, aliases?: ArrayAliases): Set<Stmt> {
  const seen = new Set<Stmt>();
  // a definition inside a loop is visited once per pass of the loop's fixpoint: live if any pass
  // finds it read
  const everLive = new Set<Stmt>();
  liveBefore(body, new Set(), (s, liveAfter) => {
    if (!candidates.has(s)) return;
    const target = s.k === "assign" || s.k === "decl" ? s.v : s.k === "store" ? s.arr : null;
    if (!target) return;
    seen.add(s);
    // an array read through any of its names keeps a write through another alive
    const names = aliases ? aliases.expand([target]) : [target];
    for (const n of names) if (liveAfter.has(n)) everLive.add(s);
  });
  return new Set([...seen].filter((s) => !everLive.has(s)));
}

type Visit = (s: Stmt, liveAfter: ReadonlySet<Var>) => void;

function reads(e: Expr, live: Set<Var>): void {
  forEachVarInExpr(e, (v) => live.add(v));
}

function isScalar(v: Var): boolean {
  return v.type.kind === "num" || v.type.kind === "bool";
}

function liveBefore(block: Block, after: ReadonlySet<Var>, visit: Visit): Set<Var> {
  let live = new Set(after);
  for (let i = block.length - 1; i >= 0; i--) live = stmtLiveBefore(block[i]!, live, visit);
  return live;
}

function stmtLiveBefore(s: Stmt, after: Set<Var>, visit: Visit): Set<Var> {
  switch (s.k) {
    case "decl":
    case "assign": {
      visit(s, after);
      const live = new Set(after);
      if (isScalar(s.v)) live.delete(s.v);
      reads(s.k === "decl" ? s.init : s.value, live);
      return live;
    }
    case "if": {
      const live = liveBefore(s.then, after, visit);
      for (const v of liveBefore(s.else, after, visit)) live.add(v);
      reads(s.cond, live);
      return live;
    }
    case "loop": {
      // the body runs again after itself: iterate to the fixpoint of what is live at its head
      let head = new Set(after);
      if (s.test) reads(s.test, head);
      for (;;) {
        const bodyIn = liveBefore([...s.body, ...s.update], s.testAtEnd ? withTest(head, s.test) : head, visit);
        const next = new Set(after);
        for (const v of bodyIn) next.add(v);
        if (s.test) reads(s.test, next);
        if (next.size === head.size && [...next].every((v) => head.has(v))) return s.testAtEnd ? bodyIn : head;
        head = next;
      }
    }
    default: {
      // writing elements reads nothing of the array, but does not make what was there dead
      // either (other elements stay); accumulating reads the element
      if (s.k === "store") visit(s, after);
      const live = new Set(after);
      for (const e of stmtExprs(s)) reads(e, live);
      if ((s.k === "store" && s.accumulate) || s.k === "truncate") live.add(s.arr);
      return live;
    }
  }
}

function withTest(head: Set<Var>, test: Expr | null): Set<Var> {
  const live = new Set(head);
  if (test) reads(test, live);
  return live;
}
