/**
 * Facts about the primal function that the reverse pass decides once, before generating any
 * sweep, and that do not depend on which values are needed: what may be recomputed instead of
 * saved, which loops have induction variables, which branches are replayed by their condition,
 * which variables only hold integers. The Plan also owns the variables the generation invents
 * (adjoints, branch directions, trip counts), so that every round of the needed-values fixpoint
 * (index.ts) speaks of the same variables.
 *
 * Cost: one walk of the function for each fact, each block scanned once by analyse/recompute.ts
 * with the statements' write sets computed once (`Writes`): linear in the size of the function
 * times its nesting depth (a compound statement's write set holds its children's).
 */
import type { Block, Expr, Stmt, Var } from "../../ir/types.js";
import { containsCall, forEachStmt, forEachVarInExpr, stmtExprs, varsOf } from "../../ir/visit.js";
import { ArrayAliases } from "../../analyse/aliases.js";
import {
  closedFormLast,
  inductionOf,
  integerVariables,
  justInTimeValues,
  recomputableDecls,
  Writes,
  type Induction,
  type JustInTimeWindow,
} from "../../analyse/recompute.js";
import { countWork } from "../../ir/work.js";
import { firstWrites } from "../../analyse/first-writes.js";

/** One leaf of a record's adjoint: where it sits in the record, and its adjoint variable. */
export interface RecordLeaf {
  readonly keys: readonly (string | number)[];
  readonly v: Var;
}

/** What a statement's reverse may recompute instead of reading (see Plan.justInTimeAt). */
export interface JustInTimeHere {
  /** The statement's own value, recomputed (when the reverse reads it as the output). */
  readonly output: Expr | undefined;
  /** Values its partials read, recomputed, by variable (the statement's target excluded). */
  readonly recompute: ReadonlyMap<Var, Expr>;
  /** Whether one of the values it may recompute reads the statement's target (old value first). */
  readonly readsTarget: boolean;
}

export class Plan {
  /** Recomputable declarations, per nested block. */
  readonly recomputable = new Set<Stmt>();
  /** The recomputable declaration of each recomputed variable. */
  readonly recomputableDecl = new Map<Var, Stmt & { k: "decl" }>();
  /** Variables declared inside loop bodies (they change every iteration). */
  private readonly loopLocal = new Set<Var>();
  /** Array variables given a new array after their declaration (`q = [...]`). */
  readonly rebound = new Set<Var>();
  /** Loops whose counter is an induction variable. */
  readonly inductions = new Map<Stmt, Induction>();
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
  /** Stores into a fresh array's elements, each with the value it overwrites (analyse/first-writes.ts). */
  readonly firstWrites: ReadonlyMap<Stmt, Expr>;
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
  /** What each statement writes, computed once. */
  readonly writes: Writes;
  /** Every variable some statement of the function writes. */
  private readonly written = new Set<Var>();
  /** Control variables by statement and role (see control()). */
  private readonly controls = new Map<Stmt, Map<string, Var>>();
  /** Where each statement of the function sits: its block and index. */
  private readonly positions = new Map<Stmt, { block: Block; index: number }>();
  /** Just-in-time values by variable, with the block their window is in. */
  private readonly justInTime = new Map<Var, { block: Block; window: JustInTimeWindow }[]>();
  private readonly justInTimeReadsTarget = new Set<Stmt>();
  /** Decisions asked of each branch and loop in every round, made once. */
  private readonly replaysCondition = new Map<Stmt, boolean>();
  private readonly closedForms = new Map<Stmt, Expr | null>();
  /** Per loop-local value: the shared values of its tree of recomputations (availableInReverse). */
  private readonly trees = new Map<Var, Set<Var> | false | "pending">();
  private readersOfRecomputed: Map<Var, number> | undefined;

  constructor(body: Block) {
    this.aliases = ArrayAliases.of(body);
    this.writes = new Writes(this.aliases);
    this.integers = integerVariables(body);
    // the statements that read each variable, and the compound statement around each statement
    const readers = new Map<Var, Stmt[]>();
    const parent = new Map<Stmt, Stmt>();
    const visitBlock = (b: Block, nested: boolean, inLoop: boolean, around: Stmt | null) => {
      if (nested) for (const s of recomputableDecls(b, this.writes)) this.recomputable.add(s);
      const jit = justInTimeValues(b, this.writes);
      for (const window of jit.windows) {
        const list = this.justInTime.get(window.decl.v);
        if (list) list.push({ block: b, window });
        else this.justInTime.set(window.decl.v, [{ block: b, window }]);
      }
      for (const s of jit.readsTarget) this.justInTimeReadsTarget.add(s);
      b.forEach((s, index) => {
        countWork("reverse.plan");
        this.original.add(s);
        this.positions.set(s, { block: b, index });
        if (around) parent.set(s, around);
        if (!around) for (const v of this.writes.of(s)) this.written.add(v);
        for (const v of readsOfStmt(s)) {
          const list = readers.get(v);
          if (list) list.push(s);
          else readers.set(v, [s]);
        }
        if (s.k === "decl" && inLoop) this.loopLocal.add(s.v);
        if (s.k === "assign" && s.v.type.kind === "array") this.rebound.add(s.v);
        if (s.k === "if") {
          visitBlock(s.then, true, inLoop, s);
          visitBlock(s.else, true, inLoop, s);
        } else if (s.k === "loop") {
          visitBlock(s.body, true, true, s);
          visitBlock(s.update, true, true, s);
        }
      });
    };
    visitBlock(body, false, false, null);
    // a write through one name of an array is a write through all of them
    for (const names of this.aliases.classes()) if ([...names].some((v) => this.written.has(v))) for (const v of names) this.written.add(v);
    for (const d of this.recomputable) if (d.k === "decl") this.recomputableDecl.set(d.v, d);
    // a loop's counter is an induction variable when nothing outside the loop and its
    // declaration reads it
    const inside = (s: Stmt, loop: Stmt) => {
      for (let p: Stmt | undefined = s; p; p = parent.get(p)) if (p === loop) return true;
      return false;
    };
    forEachStmt(body, (s) => {
      if (s.k !== "loop") return;
      const { block, index } = this.positions.get(s)!;
      const before = block[index - 1];
      const readOutside = (v: Var) => (readers.get(v) ?? []).some((r) => r !== before && !inside(r, s));
      const ind = inductionOf(s, before, this.writes, readOutside);
      if (ind) {
        this.inductions.set(s, ind);
        this.loopLocal.delete(ind.v);
      }
    });
    this.firstWrites = firstWrites(body, this.writes, this.aliases, this.inductions);
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

  /**
   * What the reverse of `s` (which computes `e` into `v`) may recompute instead of reading: the
   * just-in-time values whose window holds `s`, among those its partials can read (the
   * variables of `e` and of the recomputed output).
   */
  justInTimeAt(s: Stmt, v: Var, e: Expr): JustInTimeHere {
    const at = this.positions.get(s);
    const valueAt = (u: Var): Expr | undefined => {
      if (!at) return undefined;
      let found: JustInTimeWindow | undefined;
      for (const { block, window } of this.justInTime.get(u) ?? [])
        if (block === at.block && window.first <= at.index && at.index <= window.last) found = window;
      return found?.decl.init;
    };
    const output = valueAt(v);
    const recompute = new Map<Var, Expr>();
    const consider = (u: Var) => {
      const value = u === v ? undefined : valueAt(u);
      if (value) recompute.set(u, value);
    };
    forEachVarInExpr(e, consider);
    if (output) forEachVarInExpr(output, consider);
    return { output, recompute, readsTarget: this.justInTimeReadsTarget.has(s) };
  }

  /**
   * Whether the reverse of the branch `s` evaluates its condition again (rather than reading a
   * direction recorded in the forward sweep): the branches must not change what it reads, and
   * inside loops what it reads must be at hand in the reverse sweep anyway, since a value of the
   * loop body it would make us store costs more than storing the direction itself.
   */
  replaysBranch(s: Stmt & { k: "if" }, loopDepth: number): boolean {
    let replays = this.replaysCondition.get(s);
    if (replays === undefined) {
      const cond = [...varsOf(s.cond)];
      const stable = !containsCall(s.cond) && !cond.some((v) => this.writes.blockWritesClassOf([s.then, s.else], v));
      const cheapToReplay = loopDepth === 0 || cond.every((v) => this.availableInReverse(v));
      replays = stable && cheapToReplay;
      this.replaysCondition.set(s, replays);
    }
    return replays;
  }

  /** The last value of a loop's induction variable in closed form (closedFormLast), once. */
  closedFormLast(s: Stmt & { k: "loop" }, ind: Induction): Expr | null {
    let last = this.closedForms.get(s);
    if (last === undefined) {
      last = closedFormLast(s, ind, this.integers, this.writes);
      this.closedForms.set(s, last);
    }
    return last;
  }

  /**
   * Whether the reverse sweep has `v` without storing it per iteration: `v` is not loop-local,
   * or it is recomputed from such values, through recomputable loop-local values that form a
   * tree: none is reached twice (a diamond counts as unavailable: conservative, never wrong).
   *
   * Bottom-up with memos instead of a walk per question: the values below `v` form a tree when
   * those below each operand do and the operands' trees are disjoint. Two trees can only meet
   * in a value that several recomputations read ("shared"), so each tree carries the set of its
   * shared values, and disjointness is disjointness of those sets. A set is moved up, not
   * copied, when its value has one reader (the smaller sets are added to the largest).
   */
  availableInReverse(v: Var): boolean {
    return !this.loopLocal.has(v) || this.recomputedTree(v) !== false;
  }

  /** The shared values in the tree of recomputations below `v` (loop-local), or false. */
  private recomputedTree(v: Var): Set<Var> | false {
    const memo = this.trees.get(v);
    if (memo !== undefined) return memo === "pending" ? false : memo; // pending: a cycle
    countWork("reverse.available");
    const d = this.recomputableDecl.get(v);
    if (!d) {
      this.trees.set(v, false);
      return false;
    }
    this.trees.set(v, "pending");
    const operands = [...varsOf(d.init)].filter((u) => this.loopLocal.has(u));
    const below: { u: Var; shared: Set<Var> }[] = [];
    for (const u of operands) {
      const shared = this.recomputedTree(u);
      if (shared === false) {
        this.trees.set(v, false);
        return false;
      }
      below.push({ u, shared });
    }
    below.sort((a, b) => b.shared.size - a.shared.size);
    const readers = this.recomputationReaders();
    const first = below[0];
    const tree = first && (readers.get(first.u) ?? 0) <= 1 ? first.shared : new Set(first?.shared);
    for (const { shared } of below.slice(1))
      for (const x of shared) {
        if (tree.has(x)) {
          this.trees.set(v, false);
          return false;
        }
        tree.add(x);
      }
    if ((readers.get(v) ?? 0) > 1) tree.add(v);
    this.trees.set(v, tree);
    return tree;
  }

  /** How many loop-local recomputations read each loop-local value. */
  private recomputationReaders(): Map<Var, number> {
    if (!this.readersOfRecomputed) {
      this.readersOfRecomputed = new Map();
      for (const [w, d] of this.recomputableDecl)
        if (this.loopLocal.has(w))
          for (const u of varsOf(d.init))
            if (this.loopLocal.has(u)) this.readersOfRecomputed.set(u, (this.readersOfRecomputed.get(u) ?? 0) + 1);
    }
    return this.readersOfRecomputed;
  }

  /** Variables no statement of the function writes (parameters, module data, ...). */
  neverWritten(v: Var): boolean {
    return !this.written.has(v);
  }
}

/** The variables a statement reads itself (not in nested blocks), as readsOf counts them. */
function readsOfStmt(s: Stmt): Set<Var> {
  const out = new Set<Var>();
  for (const e of stmtExprs(s)) forEachVarInExpr(e, (v) => out.add(v));
  if ((s.k === "store" && s.accumulate) || s.k === "truncate" || s.k === "push") out.add(s.arr);
  return out;
}
