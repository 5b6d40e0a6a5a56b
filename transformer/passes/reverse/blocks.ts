/**
 * Blocks and the dispatch on statements. A block's forward sweep is its statements' forward
 * parts in order; its reverse sweep declares the adjoints of the block's values, recomputes what
 * it may recompute instead of saving, then runs its statements' reverse parts backwards.
 */
import { decl, newVar, num, ref } from "../../ir/build.js";
import type { Block, Expr, Stmt, Var } from "../../ir/types.js";
import { mapBlock, mapStmtExprs, substitute } from "../../ir/visit.js";
import type { Induction } from "../../analyse/recompute.js";
import { countWork } from "../../ir/work.js";
import { refuse, TSG } from "../../refusal.js";
import { isActive, isNeeded, type Round, type Sweeps, type Where } from "./context.js";
import { recordAdjoint, scalarAdjoint } from "./adjoints.js";
import { aliasAdjoint } from "./arrays.js";
import { reverseIf } from "./branches.js";
import { definition, pushStmt, storeStmt } from "./definitions.js";
import { reverseLoop } from "./loops.js";

/** A reversed block; `adjointDecls` is how many adjoint declarations open its reverse sweep. */
export interface ReversedBlock extends Sweeps {
  readonly adjointDecls: number;
}

export function reverseBlock(round: Round, b: Block, where: Where): ReversedBlock {
  const { plan } = round;
  const f: Stmt[] = [];
  const parts: Stmt[][] = [];
  const adjointDecls: Stmt[] = [];
  const recomputes: Stmt[] = [];
  for (let i = 0; i < b.length; i++) {
    const s = b[i]!;
    countWork("reverse.generate");
    if (s.k === "decl") {
      if ((s.v.type.kind === "num" || s.v.type.kind === "tensor") && isActive(round, s.v))
        adjointDecls.push(decl(scalarAdjoint(round, s.v), num(0)));
      if (s.v.type.kind === "record" && s.init.k !== "field" && isActive(round, s.v))
        for (const { v } of recordAdjoint(round, s.v)) if (v.type.kind !== "array") adjointDecls.push(decl(v, num(0)));
      if (plan.recomputable.has(s)) {
        // while probing, every recomputable value counts as recomputed, but only the alias
        // adjoints are emitted: a recomputation's own reads matter only if its value does
        round.recomputedVars.add(s.v);
        if (isNeeded(round, s.v)) recomputes.push(s);
        const aliasAdj = aliasAdjoint(round, s);
        if (aliasAdj) recomputes.push(aliasAdj);
      }
    }
    const next = b[i + 1];
    const ind = next?.k === "loop" ? plan.inductions.get(next) : undefined;
    if (s.k === "decl" && next?.k === "loop" && ind?.initDecl === s) {
      // the loop's own induction variable: handled with the loop
      const { f: lf, r: lr } = loopWithChildren(round, next, ind, where);
      f.push(...lf);
      parts.push(lr);
      i++;
      continue;
    }
    const { f: sf, r: sr } = reverseStmt(round, s, where);
    f.push(...sf);
    parts.push(sr);
  }
  const r: Stmt[] = [...adjointDecls, ...recomputes];
  for (let i = parts.length - 1; i >= 0; i--) r.push(...parts[i]!);
  return { f, r: renameRecomputed(r, recomputes), adjointDecls: adjointDecls.length };
}

function reverseStmt(round: Round, s: Stmt, where: Where): Sweeps {
  switch (s.k) {
    case "decl":
      return definition(round, s, s.v, s.init, true, where);
    case "assign":
      return definition(round, s, s.v, s.value, false, where);
    case "store":
      return storeStmt(round, s, where);
    case "push":
      return pushStmt(round, s);
    case "if": {
      const inner: Where = { loopDepth: where.loopDepth, nesting: where.nesting + 1 };
      return reverseIf(round, s, reverseBlock(round, s.then, inner), reverseBlock(round, s.else, inner), where);
    }
    case "loop":
      return loopWithChildren(round, s, null, where);
    case "section":
    case "throw":
    case "log":
      // run where the primal runs them, once, in the forward sweep
      return { f: [s], r: [] };
    case "truncate":
    case "stackPush":
    case "break":
    case "continue":
    case "return":
      refuse(
        TSG.unsupportedSyntax,
        s.origin,
        `the reverse pass cannot handle a \`${s.k}\` here`,
        "report this: it should have been removed earlier",
      );
  }
}

/** A loop: its body and update reversed first (the update not at all when `ind` runs it). */
function loopWithChildren(round: Round, s: Stmt & { k: "loop" }, ind: Induction | null, where: Where): Sweeps {
  const inner: Where = { loopDepth: where.loopDepth + 1, nesting: where.nesting + 1 };
  const body = reverseBlock(round, s.body, inner);
  const update = reverseBlock(round, ind ? [] : s.update, inner);
  return reverseLoop(round, s, ind, body, update, where);
}

/**
 * The reverse block's recomputed values get variables of their own (same names): the forward
 * and reverse definitions are then separate single-assignment values, which the simplifier can
 * inline or drop independently.
 */
function renameRecomputed(r: Stmt[], recomputes: readonly Stmt[]): Stmt[] {
  const map = new Map<Var, Var>();
  for (const s of recomputes)
    if (s.k === "decl" && s.v.role !== "adjoint") map.set(s.v, { ...s.v, id: newVar(s.v.name, s.v.type, s.v.role).id });
  if (map.size === 0) return r;
  const exprMap = new Map<Var, Expr>([...map].map(([a, b]) => [a, ref(b)]));
  return mapBlock(r, (s) => {
    const t = mapStmtExprs(s, (e) => substitute(e, exprMap));
    if ((t.k === "decl" || t.k === "assign") && map.has(t.v)) return { ...t, v: map.get(t.v)! };
    return t;
  });
}
