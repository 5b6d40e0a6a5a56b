/**
 * Reverse mode (adjoint) pass: IR -> IR.
 *
 * Input: a function in A-normal form with structured control flow (passes/structure.ts) and its
 * activity. Output: a forward sweep (the primal, plus whatever it must record) and a reverse
 * sweep (adjoint statements in reverse order), which the assembler wraps into a gradient,
 * value-and-gradient or pullback function.
 *
 * The invariant that makes it work: at the reverse point of each statement, every primal
 * variable the reverse sweep reads ("needed") holds the value it had when that statement ran
 * forward. It is kept by
 *   - saving a needed value before the forward sweep overwrites it and restoring it when the
 *     reverse sweep passes that write: in a local outside loops, on a Float64Array-backed stack
 *     inside them (one push per overwrite, never per operation);
 *   - recomputing cheap loop-local values at the start of a block's reverse instead of saving
 *     them, when their inputs did not change since (analyse/recompute.ts);
 *   - replaying loops by trip count (an induction variable is reconstructed, not stored) and
 *     branches by their condition when it still holds, or by a recorded direction.
 * Which values are needed is found by generating the reverse sweep once without saves and reading
 * what it reads, then generating it again with exactly those saves.
 */
import { accumulate, add, alloc, assign, calleeKey, decl, index, isOne, len, mul, newVar, num, op, ref, store, sub, typeOfValue, zeroValue } from "../ir/build.js";
import type { Block, Callee, Expr, IRFunction, IRType, Param, Stmt, Var } from "../ir/types.js";
import { BOOL, NUM, STACK } from "../ir/types.js";
import { exprEquals, forEachStmt, mapBlock, mapStmtExprs, readsOf, substitute, varsOf, writesOf } from "../ir/visit.js";
import type { Activity } from "../analyse/activity.js";
import { closedFormLast, inductionOf, integerVariables, isCheap, justInTimeValues, recomputableDecls, type Induction } from "../analyse/recompute.js";
import { derivativeKind, partial, partialReads } from "../rules/registry.js";
import { refuse, TSG } from "../refusal.js";
import { parseDerivedKey, type DerivedKind } from "../ir/keys.js";
import { foldExpr } from "./simplify/fold.js";
import { tensorArgIsDifferentiable, tensorCall, tensorHasVjp, tensorVjp } from "../rules/tensor-registry.js";
import { containsCall } from "../ir/visit.js";
import { deadDefinitions } from "../analyse/liveness.js";
import { ArrayAliases } from "../analyse/aliases.js";

/**
 * Derivatives a function may call and still be differentiated in reverse mode: gradients (their
 * pullback is a Hessian-vector product, see assembleGradientPullback) and tangents (the reverse
 * pass runs over the forward pass's output).
 */
const REVERSIBLE_DERIVATIVES: ReadonlySet<DerivedKind> = new Set<DerivedKind>(["grad", "valueAndGrad", "jvp"]);

export interface ReverseInput {
  /** Structured, A-normal-form function. */
  readonly fn: IRFunction;
  /** The returned atom. */
  readonly result: Expr;
  readonly activity: Activity;
  /** Parameters (by position) whose adjoints are wanted. */
  readonly wrt: readonly boolean[];
  /** The adjoint of the result to propagate: 1 for a gradient, the cotangent for a pullback. */
  readonly seed: Expr;
}

export interface ReverseOutput {
  /** Adjoint variable of each differentiated parameter leaf; the assembler declares them. */
  readonly paramAdjoints: ReadonlyMap<Var, Var>;
  /** Declarations that must precede both sweeps (hoisted variables, saved values, stacks). */
  readonly prelude: readonly Stmt[];
  readonly forward: readonly Stmt[];
  readonly reverse: readonly Stmt[];
}

export function reversePass(input: ReverseInput): ReverseOutput {
  const paramAdjoints = new Map<Var, Var>();
  input.fn.params.forEach((p: Param, i) => {
    if (!input.wrt[i]) return;
    for (const leaf of p.leaves)
      if (leaf.type.kind === "num" || leaf.type.kind === "array" || leaf.type.kind === "tensor")
        paramAdjoints.set(leaf, newVar(`${leaf.name}_bar`, leaf.type, "adjoint", { shapeLike: leaf, ...(leaf.type.kind === "array" ? { owned: true } : {}) }));
  });
  const plan = new Plan(input.fn.body);
  for (const [leaf, adj] of paramAdjoints) (leaf.type.kind === "array" ? plan.arrayAdjoints : plan.scalarAdjoints).set(leaf, adj);
  // Generate without saves to learn what the reverse sweep reads; then generate again saving
  // those values. Saving adds restores, which may read more (a restore under a branch reads the
  // branch condition): repeat until the needed set stops growing.
  // Restores that nothing in the reverse sweep reads before the variable changes again are dead:
  // their saves are dropped in the next round (an accumulator's old values in `s += e`).
  let needed: Set<Var> | null = null;
  for (let round = 0; ; round++) {
    const gen: Generator = new Generator(input, paramAdjoints, plan, needed);
    const draft = gen.run();
    const found = neededValues(draft, gen, plan);
    const stable = needed !== null && [...found].every((v) => needed!.has(v));
    // a restore is dead only in a draft with every needed save: before that, code that reads it
    // (the replay of a branch whose direction is not saved yet) may still be missing
    const dead = stable ? deadRestores(draft.reverse, gen.restoreOwners, plan.aliases) : [];
    for (const s of dead) plan.skipSaves.add(s);
    if (stable && dead.length === 0) return { paramAdjoints, ...draft };
    needed = new Set([...(needed ?? []), ...found]);
    if (round > 20) throw new Error("reverse pass: the set of needed values does not converge");
  }
}

/** The statements whose saved values are restored where nothing reads them. */
function deadRestores(reverse: readonly Stmt[], owners: ReadonlyMap<Expr, Stmt>, aliases: ArrayAliases): Stmt[] {
  const restores = new Map<Stmt, Stmt>();
  forEachStmt(reverse, (s) => {
    if ((s.k === "assign" || s.k === "store") && owners.has(s.value)) restores.set(s, owners.get(s.value)!);
  });
  return [...deadDefinitions(reverse, new Set(restores.keys()), aliases)].map((r) => restores.get(r)!);
}

/** Facts about the primal that do not depend on which values are needed. */
class Plan {
  /** Recomputable declarations, per nested block. */
  readonly recomputable = new Set<Stmt>();
  /** Variables declared inside loop bodies (they change every iteration). */
  private readonly loopLocal = new Set<Var>();
  private readonly recomputableDecl = new Map<Var, Stmt & { k: "decl" }>();
  private readonly written: ReadonlySet<Var>;
  /** Array variables given a new array after their declaration (`q = [...]`). */
  readonly rebound = new Set<Var>();
  /** Loops whose counter is an induction variable. */
  readonly inductions = new Map<Stmt, Induction>();
  /** Values a statement's reverse may recompute on the spot instead of reading (inside loops). */
  readonly justInTime = new Map<Stmt, Map<Var, Expr>>();
  /**
   * Variables the generator invents (adjoints, branch directions, trip counts) are made once
   * here, so that both generations (probe and final) speak of the same variables.
   */
  readonly scalarAdjoints = new Map<Var, Var>();
  readonly arrayAdjoints = new Map<Var, Var>();
  /**
   * Adjoints of tuple and object values (a derivative call's `{ value, grad }`): one adjoint per
   * differentiable leaf, by path (`grad.0`). A field read that is itself a record shares its
   * base's leaves.
   */
  readonly recordAdjoints = new Map<Var, readonly RecordLeaf[]>();
  /** Statements of the function whose overwritten value need not be saved (see deadRestores). */
  readonly skipSaves = new Set<Stmt>();
  /** The function's own statements (the generator also makes bookkeeping ones each round). */
  readonly original = new Set<Stmt>();
  /** Number variables that only ever hold integers (loop bounds whose counts need no rounding). */
  readonly integers: ReadonlySet<Var>;
  /** Array adjoints created by the forward sweep (they are read by the reverse sweep). */
  readonly forwardAdjoints = new Set<Var>();
  private readonly controls = new Map<string, Var>();
  /** The names of arrays with several: a write through one is a write through all. */
  readonly aliases: ArrayAliases;

  control(s: Stmt, role: string, make: () => Var): Var {
    let perStmt = this.stmtIds.get(s);
    if (perStmt === undefined) {
      perStmt = this.stmtIds.size;
      this.stmtIds.set(s, perStmt);
    }
    const key = `${perStmt}:${role}`;
    let v = this.controls.get(key);
    if (!v) {
      v = make();
      this.controls.set(key, v);
    }
    return v;
  }
  private readonly stmtIds = new Map<Stmt, number>();

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

/** Primal variables the reverse sweep reads before defining them itself. */
function neededValues(draft: { reverse: readonly Stmt[] }, gen: Generator, plan: Plan): Set<Var> {
  const definedInReverse = new Set<Var>();
  forEachStmt(draft.reverse, (s) => {
    if (s.k === "decl") definedInReverse.add(s.v);
  });
  const needed = new Set<Var>();
  const visit = (v: Var) => {
    // module constants never change; saved copies and stacks are the saving machinery itself
    if (needed.has(v) || v.role === "global" || v.role === "saved" || v.type.kind === "stack") return;
    if (v.role === "adjoint" && !plan.forwardAdjoints.has(v)) return;
    if (definedInReverse.has(v) && !gen.recomputedVars.has(v)) return;
    needed.add(v);
  };
  // an array read through one name is needed under all of its names (a write through another
  // must save what it overwrites)
  for (const v of plan.aliases.expand(readsOf(draft.reverse))) visit(v);
  // values read by recomputations are needed too (transitively)
  const recomputeByVar = new Map<Var, Stmt & { k: "decl" }>();
  for (const s of plan.recomputable) if (s.k === "decl") recomputeByVar.set(s.v, s);
  for (let changed = true; changed; ) {
    changed = false;
    for (const v of [...needed]) {
      const s = recomputeByVar.get(v);
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

interface Where {
  /** Loops enclosing the statement in the forward sweep. */
  readonly loopDepth: number;
  /** Blocks enclosing it (0 at the function's top level). */
  readonly nesting: number;
}

class Generator {
  private readonly activity: Activity;
  private readonly scalarAdjoints: Map<Var, Var>;
  private readonly arrayAdjoints: Map<Var, Var>;
  /** Variables the reverse sweep recomputes. */
  readonly recomputedVars = new Set<Var>();
  /** The restore expression of each save of a number, boolean or element, and the statement it belongs to. */
  readonly restoreOwners = new Map<Expr, Stmt>();
  private readonly prelude: Stmt[] = [];
  private readonly hoisted = new Set<Var>();
  private stack: Var | null = null;
  private refStack: Var | null = null;
  /** How many adjoint declarations open the reverse sweep (the seed goes right after them). */
  private topLevelAdjointDecls = 0;

  constructor(
    private readonly input: ReverseInput,
    private readonly paramAdjoints: ReadonlyMap<Var, Var>,
    private readonly plan: Plan,
    /** null while probing which values are needed. */
    private readonly needed: ReadonlySet<Var> | null,
  ) {
    this.activity = input.activity;
    this.scalarAdjoints = plan.scalarAdjoints;
    this.arrayAdjoints = plan.arrayAdjoints;
  }

  run(): { prelude: Stmt[]; forward: Stmt[]; reverse: Stmt[] } {
    const { f, r } = this.block(this.input.fn.body.filter((s) => s.k !== "return"), { loopDepth: 0, nesting: 0 });
    const seedStmts = this.seed();
    // seed right after the top-level adjoint declarations
    const at = this.topLevelAdjointDecls;
    const reverse = [...r.slice(0, at), ...seedStmts, ...r.slice(at)];
    return { prelude: this.prelude, forward: f, reverse };
  }

  // ------------------------------------------------------------------------------------------
  // adjoints

  private isActive(v: Var): boolean {
    if (v.role === "param") return this.paramAdjoints.has(v) && this.activity.isActive(v);
    return this.activity.isActive(v);
  }

  private scalarAdjoint(v: Var): Var {
    let a = this.scalarAdjoints.get(v);
    if (!a) {
      a = newVar(`${v.name}_bar`, v.type, "adjoint", { shapeLike: v });
      this.scalarAdjoints.set(v, a);
    }
    return a;
  }

  /** The adjoint array of an array atom (a variable or a row of a nested array), if active. */
  private adjointArray(e: Expr): Expr | null {
    if (e.k === "var") {
      if (!this.isActive(e.v)) return null;
      const a = this.arrayAdjoints.get(e.v);
      return a ? ref(a) : null;
    }
    if (e.k === "index") {
      const inner = this.adjointArray(e.arr);
      return inner ? index(inner, e.index) : null;
    }
    if (e.k === "field") {
      const leaf = this.leafAdjoint(e);
      return leaf && leaf.type.kind === "array" ? ref(leaf) : null;
    }
    return null;
  }

  /** The adjoint leaves of a record variable (made once; see Plan.recordAdjoints). */
  private recordAdjoint(v: Var): readonly RecordLeaf[] {
    let leaves = this.plan.recordAdjoints.get(v);
    if (!leaves) {
      leaves = differentiableLeaves(v.type).map(({ keys, type }) => ({
        keys,
        v: newVar(`${v.name}_bar${keys.map((k) => `_${k}`).join("")}`, type, "adjoint", type.kind === "array" ? { owned: true } : {}),
      }));
      this.plan.recordAdjoints.set(v, leaves);
    }
    return leaves;
  }

  /** The adjoint of `r.grad[0]`-like reads: the leaf of the record's adjoint, if active. */
  private leafAdjoint(e: Expr): Var | null {
    const keys: (string | number)[] = [];
    let base = e;
    while (base.k === "field") {
      keys.unshift(base.key);
      base = base.obj;
    }
    if (base.k !== "var" || base.v.type.kind !== "record" || !this.isActive(base.v)) return null;
    return this.recordAdjoint(base.v).find((leaf) => sameKeys(leaf.keys, keys))?.v ?? null;
  }

  /** The record's adjoint as a value: what a pullback of the call that made it is seeded with. */
  private recordAdjointValue(v: Var): Expr {
    const leaves = this.recordAdjoint(v);
    const build = (t: IRType, keys: readonly (string | number)[]): Expr => {
      if (t.kind === "record") return { k: "record", tuple: t.tuple, fields: t.fields.map((f) => ({ key: f.key, value: build(f.type, [...keys, f.key]) })) };
      const leaf = leaves.find((l) => sameKeys(l.keys, keys));
      return leaf ? ref(leaf.v) : zeroValue(t);
    };
    return build(v.type, []);
  }

  /** Where the adjoint of a scalar atom lives: a variable or an element of an adjoint array. */
  private adjointLoc(e: Expr): { v: Var } | { arr: Expr; index: Expr } | null {
    if (e.k === "field") {
      const leaf = this.leafAdjoint(e);
      return leaf && leaf.type.kind !== "array" ? { v: leaf } : null;
    }
    if (e.k === "var") {
      if ((e.v.type.kind !== "num" && e.v.type.kind !== "tensor") || !this.isActive(e.v)) return null;
      return { v: this.scalarAdjoint(e.v) };
    }
    if (e.k === "index") {
      const arr = this.adjointArray(e.arr);
      return arr ? { arr, index: e.index } : null;
    }
    return null;
  }

  private accumulateInto(e: Expr, value: Expr, origin: Stmt["origin"], out: Stmt[]): void {
    const loc = this.adjointLoc(e);
    if (!loc) return;
    if ("v" in loc && loc.v.type.kind === "tensor") out.push(assign(loc.v, tensorCall("add", [ref(loc.v), value]), origin));
    else if ("v" in loc) out.push(accumulate(loc.v, value, origin));
    else if (loc.arr.k === "var") out.push(store(loc.arr.v, loc.index, value, origin, true));
    else {
      // element of a row of a nested adjoint array: name the row first
      const row = newVar("row_bar", { kind: "array", elem: NUM, storage: "array" }, "adjoint", { owned: false });
      out.push(decl(row, loc.arr, origin));
      out.push(store(row, loc.index, value, origin, true));
    }
  }

  private readAdjoint(v: Var): Expr {
    return ref(this.scalarAdjoint(v));
  }

  /** The seed: adjoint of the returned value += seed. */
  private seed(): Stmt[] {
    const r = this.input.result;
    const out: Stmt[] = [];
    if (r.k !== "var" || !this.isActive(r.v)) return out;
    if (r.v.type.kind === "num" || r.v.type.kind === "tensor") {
      this.accumulateInto(r, this.input.seed, undefined, out);
      return out;
    }
    if (r.v.type.kind === "record") {
      for (const { keys, v: leaf } of this.recordAdjoint(r.v)) {
        const part = recordPart(this.input.seed, keys);
        if (leaf.type.kind === "array") out.push(...addArrayInto(leaf, part));
        else out.push(leaf.type.kind === "tensor" ? assign(leaf, tensorCall("add", [ref(leaf), part])) : accumulate(leaf, part));
      }
      return out;
    }
    const adj = this.adjointArray(r);
    if (adj && adj.k === "var") out.push(...addArrayInto(adj.v, this.input.seed));
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // saving and restoring

  private isNeeded(v: Var): boolean {
    return this.needed !== null && this.needed.has(v);
  }

  private stackFor(type: IRType): Var {
    if (type.kind !== "num" && type.kind !== "bool") {
      if (!this.refStack) {
        this.refStack = newVar("refStack", STACK, "control");
        this.prelude.push(decl(this.refStack, { k: "newStack", of: "ref" }));
      }
      return this.refStack;
    }
    if (!this.stack) {
      this.stack = newVar("stack", STACK, "control");
      this.prelude.push(decl(this.stack, { k: "newStack", of: "f64" }));
    }
    return this.stack;
  }

  /**
   * Saves `value` (of `type`) before an overwrite; returns the expression that gives it back in
   * the reverse sweep (a pop, or a local outside loops).
   */
  private save(value: Expr, type: IRType, hint: string, where: Where, f: Stmt[]): Expr {
    if (where.loopDepth > 0) {
      const stack = this.stackFor(type);
      f.push({ k: "stackPush", stack, value });
      return { k: "pop", stack, type };
    }
    const saved = newVar(`${hint}_saved`, type, "saved");
    this.prelude.push(decl(saved, zeroValue(type)));
    f.push(assign(saved, value));
    return ref(saved);
  }

  private hoist(v: Var): void {
    if (this.hoisted.has(v)) return;
    this.hoisted.add(v);
    this.prelude.push(decl(v, zeroValue(v.type)));
  }

  // ------------------------------------------------------------------------------------------
  // blocks and statements

  private block(b: Block, where: Where): { f: Stmt[]; r: Stmt[] } {
    const f: Stmt[] = [];
    const parts: Stmt[][] = [];
    const adjointDecls: Stmt[] = [];
    const recomputes: Stmt[] = [];
    for (let i = 0; i < b.length; i++) {
      const s = b[i]!;
      if (s.k === "decl") {
        if ((s.v.type.kind === "num" || s.v.type.kind === "tensor") && this.isActive(s.v)) adjointDecls.push(decl(this.scalarAdjoint(s.v), num(0)));
        if (s.v.type.kind === "record" && s.init.k !== "field" && this.isActive(s.v))
          for (const { v } of this.recordAdjoint(s.v)) if (v.type.kind !== "array") adjointDecls.push(decl(v, num(0)));
        if (this.plan.recomputable.has(s)) {
          // while probing, every recomputable value counts as recomputed, but only the alias
          // adjoints are emitted: a recomputation's own reads matter only if its value does
          this.recomputedVars.add(s.v);
          if (this.isNeeded(s.v)) recomputes.push(s);
          const aliasAdj = this.aliasAdjoint(s);
          if (aliasAdj) recomputes.push(aliasAdj);
        }
      }
      const next = b[i + 1];
      if (s.k === "decl" && next?.k === "loop" && this.plan.inductions.get(next)?.initDecl === s) {
        // the loop's own induction variable: handled with the loop
        const { f: lf, r: lr } = this.loop(next, this.plan.inductions.get(next)!, where);
        f.push(...lf);
        parts.push(lr);
        i++;
        continue;
      }
      const { f: sf, r: sr } = this.stmt(s, where);
      f.push(...sf);
      parts.push(sr);
    }
    const r: Stmt[] = [...adjointDecls, ...recomputes];
    if (where.nesting === 0) this.topLevelAdjointDecls = adjointDecls.length;
    for (let i = parts.length - 1; i >= 0; i--) r.push(...parts[i]!);
    return { f, r: renameRecomputed(r, recomputes) };
  }

  /** `const row = pts[n]` of an active nested array: its adjoint is the same row of the adjoint. */
  private aliasAdjoint(s: Stmt & { k: "decl" }): Stmt | null {
    if (s.v.type.kind !== "array" || !this.isActive(s.v)) return null;
    const adj = this.adjointArray(s.init);
    if (!adj) return null;
    let a = this.arrayAdjoints.get(s.v);
    if (!a) {
      a = newVar(`${s.v.name}_bar`, s.v.type, "adjoint", { owned: false });
      this.arrayAdjoints.set(s.v, a);
    }
    return decl(a, adj, s.origin);
  }

  private stmt(s: Stmt, where: Where): { f: Stmt[]; r: Stmt[] } {
    switch (s.k) {
      case "decl":
        return this.definition(s, s.v, s.init, true, where);
      case "assign":
        return this.definition(s, s.v, s.value, false, where);
      case "store":
        return this.storeStmt(s, where);
      case "push":
        return this.pushStmt(s);
      case "if":
        return this.ifStmt(s, where);
      case "loop":
        return this.loop(s, null, where);
      case "comment":
      case "throw":
        return { f: [s], r: [] };
      case "truncate":
      case "stackPush":
      case "break":
      case "continue":
      case "return":
        refuse(TSG.unsupportedSyntax, s.origin, `the reverse pass cannot handle a \`${s.k}\` here`, "report this: it should have been removed earlier");
    }
  }

  private definition(s: Stmt, v: Var, e: Expr, isDecl: boolean, where: Where): { f: Stmt[]; r: Stmt[] } {
    const o = s.origin;
    const f: Stmt[] = [];
    const r: Stmt[] = [];
    const recomputed = isDecl && this.recomputedVars.has(v) && this.plan.recomputable.has(s);
    // forward: save the old value if it is needed later in the reverse sweep
    let restore: Expr | null = null;
    const mustHoist = isDecl && where.nesting > 0 && !recomputed && this.isNeeded(v);
    if (mustHoist) this.hoist(v);
    const overwrites = !isDecl || (mustHoist && where.loopDepth > 0);
    if (overwrites && this.isNeeded(v) && !recomputed && !this.plan.skipSaves.has(s)) {
      restore = this.save(ref(v), v.type, v.name, where, f);
      if ((v.type.kind === "num" || v.type.kind === "bool") && this.plan.original.has(s)) this.restoreOwners.set(restore, s);
    }
    if (isDecl && !mustHoist) f.push(s);
    else f.push(assign(v, e, o));
    // adjoint arrays live next to their primal, created in the forward sweep (a recomputed alias
    // gets its adjoint recomputed with it, see block())
    const restoreAdjoints: { a: Var; value: Expr }[] = [];
    if (v.type.kind === "array" && this.isActive(v) && !recomputed) restoreAdjoints.push(...this.arrayAdjointForward(v, e, isDecl, o, f, where));
    if (v.type.kind === "record" && this.isActive(v)) restoreAdjoints.push(...this.recordAdjointForward(v, e, o, f, where));
    // reverse: propagate the adjoint, then give the variable back its old value
    if (this.isActive(v) && (v.type.kind === "num" || v.type.kind === "tensor")) {
      // inside loops, cheap values the partials read are recomputed rather than stored
      const jit = where.loopDepth > 0 ? this.plan.justInTime.get(s) : undefined;
      this.scalarDefinitionAdjoint(v, e, isDecl, restore, o, r, jit);
    }
    else if (this.isActive(v) && v.type.kind === "array" && !isDecl && varsOf(e).has(v)) {
      // `w = w.slice()`, `w = h(w)`: what reached the new array flows into the old one, so the
      // old array and its adjoint come back first
      const incoming = newVar(`${v.name}_bar_new`, v.type, "adjoint", { owned: false });
      r.push(decl(incoming, ref(this.arrayAdjoints.get(v)!), o));
      for (const { a, value } of restoreAdjoints.reverse()) r.push(assign(a, value, o));
      if (restore) r.push(assign(v, restore, o));
      this.arrayDefinitionAdjoint(v, e, o, r, incoming);
    } else {
      if (this.isActive(v) && v.type.kind === "array") this.arrayDefinitionAdjoint(v, e, o, r);
      if (this.isActive(v) && v.type.kind === "record") this.recordDefinitionAdjoint(v, e, isDecl, o, r);
      for (const { a, value } of restoreAdjoints.reverse()) r.push(assign(a, value, o));
      if (restore) r.push(assign(v, restore, o));
    }
    return { f, r };
  }

  /**
   * Adjoint array for an owned array (zeros of the same length) or an alias (the same row of the
   * adjoint). Returns how to restore the one it replaces, when it replaces one (see
   * placeArrayAdjoint).
   */
  private arrayAdjointForward(v: Var, e: Expr, isDecl: boolean, o: Stmt["origin"], f: Stmt[], where: Where): { a: Var; value: Expr }[] {
    const isAlias = e.k === "index" || e.k === "var" || e.k === "field";
    let init: Expr;
    if (isAlias) {
      const adj = this.adjointArray(e);
      if (!adj) return [];
      init = adj;
    } else init = alloc(len(ref(v)), v.type.kind === "array" ? v.type.storage : "array");
    let a = this.arrayAdjoints.get(v);
    if (!a) {
      a = newVar(`${v.name}_bar`, v.type, "adjoint", { owned: !isAlias });
      this.arrayAdjoints.set(v, a);
    }
    return this.placeArrayAdjoint(a, init, o, f, where, this.plan.rebound.has(v) ? !isDecl : null);
  }

  /**
   * Makes an adjoint array in the forward sweep. Inside blocks it is hoisted when the reverse
   * sweep needs it; an array variable that is given new arrays (`rebinds`: null when it never
   * is, else whether this definition replaces an earlier one) always is. The adjoint it replaces
   * (an earlier iteration's, or the one before a rebinding) is saved and given back in reverse.
   */
  private placeArrayAdjoint(a: Var, init: Expr, o: Stmt["origin"], f: Stmt[], where: Where, rebinds: boolean | null = null): { a: Var; value: Expr }[] {
    this.plan.forwardAdjoints.add(a);
    if (rebinds !== null || (where.nesting > 0 && this.isNeeded(a))) {
      this.hoist(a);
      const restores = where.loopDepth > 0 || rebinds ? [{ a, value: this.save(ref(a), a.type, a.name, where, f) }] : [];
      f.push(assign(a, init, o));
      return restores;
    }
    f.push(decl(a, init, o));
    return [];
  }

  /**
   * The array leaves of a record's adjoint, made in the forward sweep like other adjoint arrays:
   * zeros shaped like the call's result, or, for a record literal, its arrays' own adjoints (so
   * what reaches `r.grad` reaches the array it was made of). A field read shares its base's leaves.
   */
  private recordAdjointForward(v: Var, e: Expr, o: Stmt["origin"], f: Stmt[], where: Where): { a: Var; value: Expr }[] {
    if (e.k === "field") {
      const base = this.leafAdjointBase(e);
      if (base) this.plan.recordAdjoints.set(v, base);
      return [];
    }
    if (e.k !== "call" && e.k !== "record")
      refuse(TSG.unsupportedSyntax, o, `the reverse pass cannot differentiate a tuple or object made by \`${e.k}\``, "report this with the function's source");
    return this.recordAdjoint(v).flatMap(({ keys, v: leaf }) => {
      if (leaf.type.kind !== "array") return [];
      // A literal's array field shares its adjoint array; an inactive one gets an empty adjoint
      // (what reaches it goes nowhere, and its primal may not even be computed in this sweep).
      // A call's array field gets zeros as long as the primal's.
      if (e.k === "record") return this.placeArrayAdjoint(leaf, this.adjointArray(recordPart(e, keys)) ?? alloc(num(0), leaf.type.storage), o, f, where);
      return this.placeArrayAdjoint(leaf, alloc(len(recordPart(ref(v), keys)), leaf.type.storage), o, f, where);
    });
  }

  /** The leaves, re-keyed, of the record a record-typed field read reads. */
  private leafAdjointBase(e: Expr & { k: "field" }): RecordLeaf[] | null {
    const keys: (string | number)[] = [];
    let base: Expr = e;
    while (base.k === "field") {
      keys.unshift(base.key);
      base = base.obj;
    }
    if (base.k !== "var" || !this.isActive(base.v)) return null;
    return this.recordAdjoint(base.v)
      .filter((leaf) => leaf.keys.length > keys.length && sameKeys(leaf.keys.slice(0, keys.length), keys))
      .map((leaf) => ({ keys: leaf.keys.slice(keys.length), v: leaf.v }));
  }

  /**
   * A record's adjoint flows to what made it: a call's pullback seeded with it, or the fields of
   * a record literal (array fields already share their adjoint arrays).
   */
  private recordDefinitionAdjoint(v: Var, e: Expr, isDecl: boolean, o: Stmt["origin"], r: Stmt[]): void {
    if (e.k === "field") return; // a field read shares its base's adjoint
    if (e.k === "call") this.callAdjoint(e, this.recordAdjointValue(v), o, r);
    else if (e.k === "record") {
      for (const { keys, v: leaf } of this.recordAdjoint(v)) if (leaf.type.kind !== "array") this.accumulateInto(recordPart(e, keys), ref(leaf), o, r);
    }
    if (!isDecl) for (const { v: leaf } of this.recordAdjoint(v)) if (leaf.type.kind !== "array") r.push(assign(leaf, num(0), o));
  }

  private scalarDefinitionAdjoint(
    v: Var,
    e: Expr,
    isDecl: boolean,
    restore: Expr | null,
    o: Stmt["origin"],
    r: Stmt[],
    jit?: ReadonlyMap<Var, Expr>,
  ): void {
    const vBar = this.scalarAdjoint(v);
    const selfRef = varsOf(e).has(v);
    // the output, when read by the partials: recomputed on the spot if it is cheap (`jit`)
    const output: Expr = jit?.get(v) ?? ref(v);
    this.recomputeInPartials = jit ? new Map([...jit].filter(([u]) => u !== v).map(([u, x]) => [u, x])) : undefined;
    try {
      if (!selfRef) {
        const readsTarget = this.recomputeInPartials && [...this.recomputeInPartials.values()].some((x) => varsOf(x).has(v));
        if (readsTarget && restore) {
          // a recomputation reads this statement's own target: give it its old value first
          const y = newVar("t", NUM, "temp");
          r.push(decl(y, output, o), assign(v, restore, o));
          this.valueAdjoint(e, ref(y), ref(vBar), o, r);
          if (!isDecl) r.push(assign(vBar, num(0), o));
          return;
        }
        this.valueAdjoint(e, output, ref(vBar), o, r);
        if (!isDecl) r.push(assign(vBar, num(0), o));
        if (restore) r.push(assign(v, restore, o));
        return;
      }
      this.selfUpdateAdjoint(v, vBar, e, restore, o, r);
    } finally {
      this.recomputeInPartials = undefined;
    }
  }

  /** Values the partial derivatives being generated recompute instead of reading (see Plan). */
  private recomputeInPartials: Map<Var, Expr> | undefined;

  private selfUpdateAdjoint(v: Var, vBar: Var, e: Expr, restore: Expr | null, o: Stmt["origin"], r: Stmt[]): void {
    // v = v + e, v = v - e, v = c * v ...: the partial with respect to v is a constant, so v_bar
    // scales in place after the other operands took theirs
    const selfPartial = this.constantSelfPartial(v, e);
    if (selfPartial !== null) {
      if (restore) r.push(assign(v, restore, o));
      this.valueAdjoint(e, ref(v), ref(vBar), o, r, v);
      if (selfPartial !== 1) r.push(assign(vBar, mul(num(selfPartial), ref(vBar)), o));
      return;
    }
    // v = op(v, ...): partials need the old v (restored) and maybe the new one (kept in y)
    let y: Expr = ref(v);
    const needsOutput =
      (e.k === "op" && derivativeKind(e.op) === "differentiable" && e.args.some((_, i) => partialReads(e.op, e.args.length, i).output)) ||
      // a tensor rule may read the output (exp, tanh, softmax), and a customVjp rule is given it;
      // keeping a tensor is keeping a reference
      (e.k === "call" && (e.fn.kind === "tensor" || e.fn.kind === "opaque"));
    if (needsOutput && restore) {
      const yv = newVar(v.type.kind === "tensor" ? "out" : "t", v.type, "temp");
      r.push(decl(yv, ref(v), o));
      y = ref(yv);
    }
    if (restore) r.push(assign(v, restore, o));
    // the adjoint flowing in is v_bar; capture it, then let the operands (v included) take theirs
    const g = newVar(`${v.name}_bar_in`, v.type, "adjoint");
    r.push(decl(g, ref(vBar), o));
    r.push(assign(vBar, num(0), o));
    this.valueAdjoint(e, y, ref(g), o, r);
  }

  /** For `v = op(..., v, ...)` with v once among the operands: its partial, if a constant. */
  private constantSelfPartial(v: Var, e: Expr): number | null {
    if (e.k !== "op" || derivativeKind(e.op) !== "differentiable") return null;
    const positions = e.args.flatMap((a, i) => (a.k === "var" && a.v === v ? [i] : []));
    if (positions.length !== 1) return null;
    if ([...varsOf({ ...e, args: e.args.filter((_, i) => i !== positions[0]) })].includes(v)) return null;
    const p = partial(e.op, e.args, num(NaN), positions[0]!);
    const folded = foldExpr(p);
    return folded.k === "num" && Number.isFinite(folded.value) ? folded.value : null;
  }

  /**
   * Adjoint of one primitive application: each active operand's adjoint += partial * g.
   * Repeated operands (x * x) get one accumulation with the partials summed. `skip` is an
   * operand whose adjoint the caller handles (a self-update's target).
   */
  private valueAdjoint(e: Expr, y: Expr, g: Expr, o: Stmt["origin"], r: Stmt[], skip?: Var): void {
    switch (e.k) {
      case "num":
      case "bool":
        return;
      case "var":
      case "index":
      case "field":
        this.accumulateInto(e, g, o, r);
        return;
      case "op": {
        const kind = derivativeKind(e.op);
        if (kind === "zero" || kind === "boolean") return;
        if (kind === "select") {
          const [c, a, b] = e.args as [Expr, Expr, Expr];
          if (this.adjointLoc(a)) this.accumulateInto(a, op("select", c, g, num(0)), o, r);
          if (this.adjointLoc(b)) this.accumulateInto(b, op("select", c, num(0), g), o, r);
          return;
        }
        const groups: { arg: Expr; coef: Expr }[] = [];
        e.args.forEach((a, i) => {
          if (!this.adjointLoc(a) || (skip && a.k === "var" && a.v === skip)) return;
          let p = partial(e.op, e.args, y, i);
          if (this.recomputeInPartials?.size) p = substitute(p, this.recomputeInPartials);
          const grp = groups.find((x) => exprEquals(x.arg, a));
          if (grp) grp.coef = add(grp.coef, p);
          else groups.push({ arg: a, coef: p });
        });
        for (const grp of groups) this.accumulateInto(grp.arg, isOne(grp.coef) ? g : mul(grp.coef, g), o, r);
        return;
      }
      case "call":
        if (e.fn.kind === "tensor") this.tensorAdjoint(e, e.fn.key, y, g, o, r);
        else if (e.fn.kind === "opaque" && e.fn.body) this.callAdjoint({ ...e, fn: { kind: "user", key: e.fn.body } }, g, o, r);
        else if (e.fn.kind === "opaque") this.ruleAdjoint(e, e.fn, y, g, o, r);
        else this.callAdjoint(e, g, o, r);
        return;
      default:
        refuse(TSG.unsupportedSyntax, o, `the reverse pass cannot differentiate a \`${e.k}\` value here`, "report this with the function's source");
    }
  }

  /**
   * A function with the user's own rule. customVjp: the rule gives the adjoints of the arguments
   * from the arguments, the output and its cotangent. customJvp: the rule's tangent along each
   * scalar argument's basis direction, times the cotangent. nonDifferentiable: nothing flows.
   */
  private ruleAdjoint(e: Expr & { k: "call" }, fn: Callee & { kind: "opaque" }, y: Expr, g: Expr, o: Stmt["origin"], r: Stmt[]): void {
    if (!fn.rule) return;
    const active = e.args.map((a) => (typeOfAtom(a).kind === "array" ? this.adjointArray(a) !== null : this.adjointLoc(a) !== null));
    if (!active.some(Boolean)) return;
    const types = e.args.map(typeOfAtom);
    if (fn.rule.vjp) {
      const gradType: IRType = types.length === 1 ? types[0]! : { kind: "record", tuple: true, fields: types.map((t, i) => ({ key: i, type: t })) };
      const res = newVar("rule_bar", gradType, "adjoint");
      r.push(decl(res, { k: "call", fn: ruleCall(fn, "tsgradVjp", fn.rule.vjp), args: [...e.args, y, g], type: gradType }, o));
      e.args.forEach((a, i) => {
        if (!active[i]) return;
        const value: Expr = types.length === 1 ? ref(res) : { k: "field", obj: ref(res), key: i };
        if (types[i]!.kind === "array") r.push(...addArrayIntoExpr(this.adjointArray(a)!, value, o));
        else this.accumulateInto(a, value, o, r);
      });
      return;
    }
    const jvpRule = fn.rule.jvp!;
    e.args.forEach((a, i) => {
      if (!active[i]) return;
      if (types[i]!.kind !== "num")
        refuse(TSG.badRule, o, "reverse mode through a customJvp rule is supported for number arguments only", "give the function a customVjp rule for reverse mode");
      const tangents = e.args.map((b, j): Expr => (types[j]!.kind === "array" ? alloc(len(b), (types[j] as { storage: "array" | "f64" }).storage) : num(j === i ? 1 : 0)));
      const column: Expr = { k: "call", fn: ruleCall(fn, "tsgradJvp", jvpRule), args: [...e.args, ...tangents], type: NUM };
      this.accumulateInto(a, mul(column, g), o, r);
    });
  }

  /**
   * A tensor operation: each differentiable argument's adjoint takes the rule's contribution (a
   * number argument the contribution's single value: its broadcast is summed away).
   */
  private tensorAdjoint(e: Expr & { k: "call" }, name: string, y: Expr, g: Expr, o: Stmt["origin"], r: Stmt[]): void {
    // repeated operands (mul(h, h)) get one accumulation of the summed contributions
    const groups: { arg: Expr; total: Expr }[] = [];
    e.args.forEach((a, i) => {
      if (!tensorArgIsDifferentiable(name, i, e.args.length) || !this.adjointLoc(a)) return;
      if (!tensorHasVjp(name, i, e.args.length))
        refuse(TSG.unsupportedSyntax, o, `reverse mode through \`${name}\` is not available (it is a helper of forward-mode rules)`, "report this with the function's source");
      let contribution = tensorVjp(name, i, e.args, y, g)!;
      if (typeOfAtom(a).kind === "num" && typeOfValue(contribution).kind === "tensor") contribution = tensorCall("item", [contribution]);
      const group = groups.find((x) => exprEquals(x.arg, a));
      if (!group) groups.push({ arg: a, total: contribution });
      else group.total = typeOfAtom(a).kind === "tensor" ? tensorCall("add", [group.total, contribution]) : add(group.total, contribution);
    });
    for (const { arg, total } of groups) this.accumulateInto(arg, total, o, r);
  }

  /** Joint mode: the callee's pullback recomputes its primal and returns the operands' adjoints. */
  /**
   * Joint mode: the callee's pullback recomputes its primal and returns the operands' adjoints.
   * Its convention, shared with assembleCalleePullback: after the arguments and the seed, the
   * adjoint arrays of the active array operands (and of the array leaves of active tuples and
   * objects), in order; it returns the adjoints of the scalar ones (numbers, tensors, and the
   * scalar leaves of tuples and objects): one bare, several as a tuple.
   */
  private callAdjoint(e: Expr & { k: "call" }, g: Expr, o: Stmt["origin"], r: Stmt[]): void {
    const active = e.args.map((a) => {
      if (a.k === "var" && a.v.type.kind === "record") return this.isActive(a.v);
      return a.k === "var" && a.v.type.kind === "array" ? this.adjointArray(a) !== null : this.adjointLoc(a) !== null;
    });
    if (!active.some(Boolean)) return;
    const derived = parseDerivedKey(calleeKey(e.fn));
    if (derived && !REVERSIBLE_DERIVATIVES.has(derived.kind))
      refuse(
        TSG.nestedMarker,
        o,
        `reverse mode through a call of ${derived.kind}(...) inside the function is not supported yet`,
        "differentiate this function in forward mode (jvp), or call grad, valueAndGrad or jvp inside it",
      );
    const args: Expr[] = [...e.args, g];
    /** Where each returned adjoint goes: an operand, or a scalar leaf of a record operand. */
    const scalarTargets: { type: IRType; into: (value: Expr, out: Stmt[]) => void }[] = [];
    e.args.forEach((a, i) => {
      if (!active[i]) return;
      const t = typeOfAtom(a);
      if (t.kind === "array") args.push(this.adjointArray(a)!);
      else if (t.kind === "record" && a.k === "var")
        for (const leaf of this.recordAdjoint(a.v)) {
          if (leaf.v.type.kind === "array") args.push(ref(leaf.v));
          else
            scalarTargets.push({
              type: leaf.v.type,
              into: (value, out) => out.push(leaf.v.type.kind === "tensor" ? assign(leaf.v, tensorCall("add", [ref(leaf.v), value]), o) : accumulate(leaf.v, value, o)),
            });
        }
      else scalarTargets.push({ type: t, into: (value, out) => this.accumulateInto(a, value, o, out) });
    });
    const callee: Callee = { kind: "vjp", key: calleeKey(e.fn), active };
    const resultType: IRType =
      scalarTargets.length <= 1
        ? (scalarTargets[0]?.type ?? { kind: "void" })
        : { kind: "record", tuple: true, fields: scalarTargets.map((x, i) => ({ key: i, type: x.type })) };
    const call: Expr = { k: "call", fn: callee, args, type: resultType };
    if (scalarTargets.length === 0) {
      const sink = newVar("unused", { kind: "void" }, "temp");
      r.push(decl(sink, call, o));
      return;
    }
    if (scalarTargets.length === 1) {
      if (args.length === e.args.length + 1) {
        scalarTargets[0]!.into(call, r);
        return;
      }
      // the pullback also adds into adjoint arrays in place: call it before reading any of them
      // (`x_bar[0] += h_adjoint(..., x_bar)` would read x_bar[0] first)
      const res = newVar("adjoint", resultType, "adjoint");
      r.push(decl(res, call, o));
      scalarTargets[0]!.into(ref(res), r);
      return;
    }
    const res = newVar("adjoints", resultType, "adjoint");
    r.push(decl(res, call, o));
    scalarTargets.forEach((x, i) => x.into({ k: "field", obj: ref(res), key: i }, r));
  }

  private arrayDefinitionAdjoint(v: Var, e: Expr, o: Stmt["origin"], r: Stmt[], incoming?: Var): void {
    const vBar = incoming ?? this.arrayAdjoints.get(v);
    if (!vBar) return;
    switch (e.k) {
      case "arrayLit":
        e.elems.forEach((el, k) => {
          if (this.adjointLoc(el)) this.accumulateInto(el, index(ref(vBar), num(k)), o, r);
        });
        return;
      case "copy": {
        const src = this.adjointArray(e.arr);
        if (src) r.push(...addArrayIntoExpr(src, ref(vBar), o));
        return;
      }
      case "alloc":
        if (this.adjointLoc(e.fill)) {
          const k = newVar("k", NUM, "local");
          const body: Stmt[] = [];
          this.accumulateInto(e.fill, index(ref(vBar), ref(k)), o, body);
          r.push(decl(k, num(0), o), countedLoop(k, len(ref(vBar)), body, o));
        }
        return;
      case "call":
        this.callAdjoint(e, ref(vBar), o, r);
        return;
      default:
        return; // aliases share their adjoint: nothing to propagate
    }
  }

  private storeStmt(s: Stmt & { k: "store" }, where: Where): { f: Stmt[]; r: Stmt[] } {
    const o = s.origin;
    const f: Stmt[] = [];
    const r: Stmt[] = [];
    let restore: Expr | null = null;
    if (this.isNeeded(s.arr) && !this.plan.skipSaves.has(s)) {
      restore = this.save(index(ref(s.arr), s.index), NUM, `${s.arr.name}_elem`, where, f);
      if (this.plan.original.has(s)) this.restoreOwners.set(restore, s);
    }
    f.push(s);
    const aBar = this.isActive(s.arr) ? this.arrayAdjoints.get(s.arr) : undefined;
    if (aBar) {
      const g = newVar(`${s.arr.name}_bar_elem`, NUM, "adjoint");
      r.push(decl(g, index(ref(aBar), s.index), o));
      if (!s.accumulate) r.push(store(aBar, s.index, num(0), o));
      this.valueAdjoint(s.value, s.value, ref(g), o, r);
    }
    if (restore) r.push(store(s.arr, s.index, restore, o));
    return { f, r };
  }

  /** `arr.push(e)`: the adjoint array grows with it; the reverse takes the last slot and pops. */
  private pushStmt(s: Stmt & { k: "push" }): { f: Stmt[]; r: Stmt[] } {
    const o = s.origin;
    const f: Stmt[] = [s];
    const r: Stmt[] = [];
    const aBar = this.isActive(s.arr) ? this.arrayAdjoints.get(s.arr) : undefined;
    if (aBar && typeOfAtom(s.value).kind === "array") {
      // a row pushed onto an array of arrays: its adjoint row is the row's own adjoint array
      // (what reaches rows[k] reaches the row), or zeros shaped like it
      const rowType = typeOfAtom(s.value);
      f.push({ k: "push", arr: aBar, value: this.adjointArray(s.value) ?? alloc(len(s.value), rowType.kind === "array" ? rowType.storage : "array"), origin: o });
    } else if (aBar) {
      f.push({ k: "push", arr: aBar, value: num(0), origin: o });
      const g = newVar(`${s.arr.name}_bar_last`, NUM, "adjoint");
      r.push(decl(g, index(ref(aBar), sub(len(ref(s.arr)), num(1))), o));
      this.valueAdjoint(s.value, s.value, ref(g), o, r);
    }
    if (aBar || this.isNeeded(s.arr)) {
      r.push({ k: "truncate", arr: s.arr, origin: o });
      if (aBar) r.push({ k: "truncate", arr: aBar, origin: o });
    }
    return { f, r };
  }

  private ifStmt(s: Stmt & { k: "if" }, where: Where): { f: Stmt[]; r: Stmt[] } {
    const inner: Where = { loopDepth: where.loopDepth, nesting: where.nesting + 1 };
    const t = this.block(s.then, inner);
    const e = this.block(s.else, inner);
    if (t.r.length === 0 && e.r.length === 0) return { f: [{ ...s, then: t.f, else: e.f }], r: [] };
    const f: Stmt[] = [];
    const after: Stmt[] = [];
    let cond = s.cond;
    const branchWrites = writesOf([...s.then, ...s.else], this.plan.aliases);
    const stable = !containsCall(cond) && ![...varsOf(cond)].some((v) => branchWrites.has(v));
    // Inside loops, re-evaluating the condition pays off only when what it reads is at hand in
    // the reverse sweep anyway; a value of the loop body it would make us store costs more than
    // storing the direction itself.
    const cheapToReplay = where.loopDepth === 0 || [...varsOf(cond)].every((v) => this.plan.availableInReverse(v));
    if (!stable || !cheapToReplay) {
      // record the direction taken
      const br = this.plan.control(s, "branch", () => newVar("branch", BOOL, "control"));
      const d = this.definition({ k: "decl", v: br, init: cond, origin: s.origin }, br, cond, true, where);
      f.push(...d.f);
      after.push(...d.r);
      cond = ref(br);
    }
    f.push({ ...s, cond, then: t.f, else: e.f });
    return { f, r: [{ k: "if", cond, then: t.r, else: e.r, origin: s.origin }, ...after] };
  }

  /**
   * for/while/do loops. Forward: the loop, counting its trips. Reverse: the body's reverse as
   * many times, the induction variable (if any) running backwards.
   */
  private loop(s: Stmt & { k: "loop" }, ind: Induction | null, where: Where): { f: Stmt[]; r: Stmt[] } {
    const o = s.origin;
    const inner: Where = { loopDepth: where.loopDepth + 1, nesting: where.nesting + 1 };
    const bodyUpdate = ind ? [] : s.update;
    const body = this.block(s.body, inner);
    const upd = this.block(bodyUpdate, inner);
    const f: Stmt[] = [];
    if (body.r.length === 0 && upd.r.length === 0) {
      if (ind) f.push(ind.initDecl);
      f.push({ ...s, body: body.f, update: ind ? s.update : upd.f });
      return { f, r: [] };
    }
    // a count that follows from the loop's test and what never changes: nothing is kept, the
    // reverse loop starts from the last value in closed form
    const last = ind ? closedFormLast(s, ind, this.plan.integers, this.plan.aliases) : null;
    if (ind && last) {
      const i = ind.v;
      const first = ind.initDecl.init;
      f.push(ind.initDecl, { ...s, body: body.f, update: s.update });
      const test = ind.step > 0 ? op("ge", ref(i), first) : op("le", ref(i), first);
      const r: Stmt[] = [decl(i, last, o), { k: "loop", test, testAtEnd: false, body: [...upd.r, ...body.r], update: [assign(i, sub(ref(i), num(ind.step)), o)], origin: o }];
      return { f, r };
    }
    // reverse of the bookkeeping declarations (restoring them when they were saved), in
    // mirrored order after the reverse loop
    const after: Stmt[] = [];
    const trips = this.plan.control(s, "trips", () => newVar("trips", NUM, "control"));
    const tripsDef = this.definition({ k: "decl", v: trips, init: num(0), origin: o }, trips, num(0), true, where);
    f.push(...tripsDef.f);
    after.unshift(...tripsDef.r);
    if (ind) f.push(ind.initDecl);
    let first: Expr | null = null;
    if (ind) {
      const init = ind.initDecl.init;
      // a first value computed from what never changes (x.length - 1) is recomputed, not kept
      if (init.k === "num" || (isCheap(init) && [...varsOf(init)].every((u) => this.plan.neverWritten(u)))) first = init;
      else {
        const firstVar = this.plan.control(s, "first", () => newVar(`${ind.v.name}_first`, NUM, "control"));
        const firstDef = this.definition({ k: "decl", v: firstVar, init: ref(ind.v), origin: o }, firstVar, ref(ind.v), true, where);
        f.push(...firstDef.f);
        after.unshift(...firstDef.r);
        first = ref(firstVar);
      }
    }
    f.push({ ...s, body: [assign(trips, add(ref(trips), num(1)), o), ...body.f], update: ind ? s.update : upd.f });
    const revBody = [...upd.r, ...body.r];
    if (ind && first) {
      // i runs from its last value back to its first: i = first + (trips - 1) * step, ...
      const i = ind.v;
      const last = add(first, mul(sub(ref(trips), num(1)), num(ind.step)));
      const test = ind.step > 0 ? op("ge", ref(i), first) : op("le", ref(i), first);
      return {
        f,
        r: [
          decl(i, last, o),
          { k: "loop", test, testAtEnd: false, body: revBody, update: [assign(i, sub(ref(i), num(ind.step)), o)], origin: o },
          ...after,
        ],
      };
    }
    const k = newVar("trip", NUM, "local");
    return {
      f,
      r: [
        decl(k, ref(trips), o),
        { k: "loop", test: op("gt", ref(k), num(0)), testAtEnd: false, body: revBody, update: [assign(k, sub(ref(k), num(1)), o)], origin: o },
        ...after,
      ],
    };
  }
}

/**
 * The reverse block's recomputed values get variables of their own (same names): the forward
 * and reverse definitions are then separate single-assignment values, which the simplifier can
 * inline or drop independently.
 */
function renameRecomputed(r: Stmt[], recomputes: readonly Stmt[]): Stmt[] {
  const map = new Map<Var, Var>();
  for (const s of recomputes) if (s.k === "decl" && s.v.role !== "adjoint") map.set(s.v, { ...s.v, id: newVar(s.v.name, s.v.type, s.v.role).id });
  if (map.size === 0) return r;
  const exprMap = new Map<Var, Expr>([...map].map(([a, b]) => [a, ref(b)]));
  return mapBlock(r, (s) => {
    const t = mapStmtExprs(s, (e) => substitute(e, exprMap));
    if ((t.k === "decl" || t.k === "assign") && map.has(t.v)) return { ...t, v: map.get(t.v)! };
    return t;
  });
}

/**
 * A call of a function's rule: through the function (`f.tsgradVjp(...)`, as customVjp attached
 * it), with the rule's own body as what differentiating this call differentiates.
 */
export function ruleCall(fn: Callee & { kind: "opaque" }, member: string, ruleKey: string): Callee {
  return { kind: "opaque", key: `${fn.key}.${member}`, external: fn.external, member, body: ruleKey };
}

/** One leaf of a record's adjoint: where it sits in the record, and its adjoint variable. */
interface RecordLeaf {
  readonly keys: readonly (string | number)[];
  readonly v: Var;
}

function sameKeys(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** Leaves of a record type that carry derivatives (numbers, arrays of numbers, tensors), by path. */
export function differentiableLeaves(t: IRType, keys: readonly (string | number)[] = []): { keys: (string | number)[]; type: IRType }[] {
  if (t.kind === "record") return t.fields.flatMap((f) => differentiableLeaves(f.type, [...keys, f.key]));
  const differentiable = t.kind === "num" || t.kind === "tensor" || (t.kind === "array" && t.elem.kind === "num");
  return differentiable ? [{ keys: [...keys], type: t }] : [];
}

/** The part of a record literal at `keys` (nested literals are atoms in A-normal form: read through fields). */
function recordPart(e: Expr, keys: readonly (string | number)[]): Expr {
  let cur = e;
  for (const key of keys) {
    if (cur.k === "record") cur = cur.fields.find((f) => f.key === key)?.value ?? num(0);
    else cur = { k: "field", obj: cur, key };
  }
  return cur;
}

function typeOfAtom(e: Expr): IRType {
  if (e.k === "var") return e.v.type;
  if (e.k === "index") {
    const t = typeOfAtom(e.arr);
    return t.kind === "array" ? t.elem : NUM;
  }
  return NUM;
}

function countedLoop(k: Var, n: Expr, body: Stmt[], o: Stmt["origin"]): Stmt {
  return { k: "loop", test: op("lt", ref(k), n), testAtEnd: false, body, update: [assign(k, add(ref(k), num(1)), o)], origin: o };
}

/** target[k] += source[k] for every k (adjoint of a copy; seeding an array result). */
function addArrayIntoExpr(target: Expr, source: Expr, o?: Stmt["origin"]): Stmt[] {
  const k = newVar("k", NUM, "local");
  if (target.k !== "var") {
    const t = newVar("target_bar", { kind: "array", elem: NUM, storage: "array" }, "adjoint", { owned: false });
    return [decl(t, target, o), ...addArrayIntoExpr(ref(t), source, o)];
  }
  return [decl(k, num(0), o), countedLoop(k, len(target), [store(target.v, ref(k), index(source, ref(k)), o, true)], o)];
}

function addArrayInto(target: Var, source: Expr): Stmt[] {
  return addArrayIntoExpr(ref(target), source);
}
