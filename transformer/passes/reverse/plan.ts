/**
 * Facts about the primal function that the reverse pass decides once, before generating any
 * sweep, and that do not depend on which values are needed: what may be recomputed instead of
 * saved, which loops have induction variables, which variables only hold integers. The Plan also
 * owns the variables the generation invents (adjoints, branch directions, trip counts), so that
 * every round of the needed-values fixpoint (index.ts) speaks of the same variables.
 */
import type { Block, Expr, Stmt, Var } from "../../ir/types.js";
import { forEachStmt, readsOf, varsOf, writesOf } from "../../ir/visit.js";
import { ArrayAliases } from "../../analyse/aliases.js";
import {
  inductionOf,
  integerVariables,
  justInTimeValues,
  recomputableDecls,
  type Induction,
} from "../../analyse/recompute.js";

/** One leaf of a record's adjoint: where it sits in the record, and its adjoint variable. */
export interface RecordLeaf {
  readonly keys: readonly (string | number)[];
  readonly v: Var;
}

export class Plan {
  /** Recomputable declarations, per nested block. */
  readonly recomputable = new Set<Stmt>();
  /** The recomputable declaration of each recomputed variable. */
  readonly recomputableDecl = new Map<Var, Stmt & { k: "decl" }>();
  /** Variables declared inside loop bodies (they change every iteration). */
  private readonly loopLocal = new Set<Var>();
  private readonly written: ReadonlySet<Var>;
  /** Array variables given a new array after their declaration (`q = [...]`). */
  readonly rebound = new Set<Var>();
  /** Loops whose counter is an induction variable. */
  readonly inductions = new Map<Stmt, Induction>();
  /** Values a statement's reverse may recompute on the spot instead of reading (inside loops). */
  readonly justInTime = new Map<Stmt, Map<Var, Expr>>();
  /** Adjoint of each number or tensor variable, made on first use. */
  readonly scalarAdjoints = new Map<Var, Var>();
  /** Adjoint array of each array variable (a parameter's, an owned array's, or an alias's row). */
  readonly arrayAdjoints = new Map<Var, Var>();
  /**
   * Adjoints of tuple and object values (a derivative call's `{ value, grad }`): one adjoint per
   * differentiable leaf, by path (`grad.0`). A field read that is itself a record shares its
   * base's leaves.
   */
  readonly recordAdjoints = new Map<Var, readonly RecordLeaf[]>();
  /** Statements of the function whose overwritten value need not be saved (see deadRestores). */
  readonly skipSaves = new Set<Stmt>();
  /** The function's own statements (the generation also makes bookkeeping ones each round). */
  readonly original = new Set<Stmt>();
  /** Number variables that only ever hold integers (loop bounds whose counts need no rounding). */
  readonly integers: ReadonlySet<Var>;
  /** Array adjoints created by the forward sweep (they are read by the reverse sweep). */
  readonly forwardAdjoints = new Set<Var>();
  /** The names of arrays with several: a write through one is a write through all. */
  readonly aliases: ArrayAliases;
  /** Control variables by statement and role (see control()). */
  private readonly controls = new Map<Stmt, Map<string, Var>>();

  constructor(body: Block) {
    this.aliases = ArrayAliases.of(body);
    forEachStmt(body, (s) => this.original.add(s));
    this.integers = integerVariables(body);
    const visitBlock = (b: Block, nested: boolean) => {
      if (nested) for (const s of recomputableDecls(b, this.aliases)) this.recomputable.add(s);
      for (const [s, values] of justInTimeValues(b, this.aliases)) this.justInTime.set(s, values);
      b.forEach((s, i) => {
        if (s.k === "if") {
          visitBlock(s.then, true);
          visitBlock(s.else, true);
        } else if (s.k === "loop") {
          const readsOutside = readsOf(withoutStmts(body, new Set([s, b[i - 1]!])));
          const ind = inductionOf(s, b[i - 1], readsOutside);
          if (ind) this.inductions.set(s, ind);
          visitBlock(s.body, true);
          visitBlock(s.update, true);
        }
      });
    };
    visitBlock(body, false);
    for (const d of this.recomputable) if (d.k === "decl") this.recomputableDecl.set(d.v, d);
    this.written = writesOf(body, this.aliases);
    forEachStmt(body, (s) => {
      if (s.k === "assign" && s.v.type.kind === "array") this.rebound.add(s.v);
    });
    const markLoopLocals = (b: Block, inLoop: boolean) =>
      b.forEach((s) => {
        if (s.k === "decl" && inLoop) this.loopLocal.add(s.v);
        if (s.k === "if") {
          markLoopLocals(s.then, inLoop);
          markLoopLocals(s.else, inLoop);
        } else if (s.k === "loop") {
          markLoopLocals(s.body, true);
          markLoopLocals(s.update, true);
        }
      });
    markLoopLocals(body, false);
    for (const ind of this.inductions.values()) this.loopLocal.delete(ind.v);
  }

  /**
   * The control variable (branch direction, trip count, first counter value) of a statement,
   * made by `make` the first time it is asked for.
   */
  control(s: Stmt, role: string, make: () => Var): Var {
    let perStmt = this.controls.get(s);
    if (!perStmt) this.controls.set(s, (perStmt = new Map()));
    let v = perStmt.get(role);
    if (!v) perStmt.set(role, (v = make()));
    return v;
  }

  /** Whether the reverse sweep has `v` without storing it per iteration. */
  availableInReverse(v: Var, seen = new Set<Var>()): boolean {
    if (!this.loopLocal.has(v)) return true;
    const d = this.recomputableDecl.get(v);
    if (!d || seen.has(v)) return false;
    seen.add(v);
    return [...varsOf(d.init)].every((u) => this.availableInReverse(u, seen));
  }

  /** Variables no statement of the function writes (parameters, module data, ...). */
  neverWritten(v: Var): boolean {
    return !this.written.has(v);
  }
}

function withoutStmts(body: Block, drop: ReadonlySet<Stmt>): Stmt[] {
  const out: Stmt[] = [];
  for (const s of body) {
    if (drop.has(s)) continue;
    if (s.k === "if") out.push({ ...s, then: withoutStmts(s.then, drop), else: withoutStmts(s.else, drop) });
    else if (s.k === "loop") out.push({ ...s, body: withoutStmts(s.body, drop), update: withoutStmts(s.update, drop) });
    else out.push(s);
  }
  return out;
}
