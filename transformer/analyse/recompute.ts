/**
 * What the reverse sweep can recompute instead of storing.
 *
 * - A cheap declaration `const v = e` in a nested block (a loop body, a branch) whose inputs are
 *   not written later in that block can be recomputed at the start of the block's reverse: its
 *   inputs hold the same values there. This is what keeps a loop body's intermediates off the
 *   stack (Rosenbrock's `a` and `b`).
 * - An induction variable (`for (let i = a; ...; i += c)`, i not written in the body) is
 *   reconstructed by the reverse loop from its first value and the trip count.
 */
import type { Block, Expr, Stmt, Var } from "../ir/types.js";
import { num, op } from "../ir/build.js";
import { forEachStmt, forEachSubExpr, varsOf, writesOf } from "../ir/visit.js";
import type { ArrayAliases } from "./aliases.js";

/** Cheap and pure: one primitive over atoms, memory and field reads, constants. No calls, no allocation. */
export function isCheap(e: Expr): boolean {
  let ok = true;
  forEachSubExpr(e, (s) => {
    if (s.k === "call" || s.k === "alloc" || s.k === "arrayLit" || s.k === "copy" || s.k === "pop" || s.k === "record" || s.k === "newStack" || s.k === "zerosLike" || s.k === "closure")
      ok = false;
  });
  return ok;
}

/** The declarations of a block (top level only) that may be recomputed at the block's end. */
export function recomputableDecls(block: Block, aliases?: ArrayAliases): Set<Stmt> {
  const out = new Set<Stmt>();
  const recomputedVars = new Set<Var>();
  block.forEach((s, p) => {
    if (s.k !== "decl" || !isCheap(s.init)) return;
    const later = writesOf(block.slice(p + 1), aliases);
    if (later.has(s.v)) return;
    for (const u of varsOf(s.init)) if (u === s.v || (!recomputedVars.has(u) && later.has(u))) return;
    out.add(s);
    recomputedVars.add(s.v);
  });
  return out;
}

export interface Induction {
  readonly v: Var;
  /** Constant step added by the update (negative for i--). */
  readonly step: number;
  /** The declaration right before the loop: `let i = init`. */
  readonly initDecl: Stmt & { k: "decl" };
}

/**
 * Recognises `decl i = init; loop test { body } update { i = i + c }` where the body never
 * writes i and nothing outside the loop reads i.
 */
export function inductionOf(loop: Stmt & { k: "loop" }, before: Stmt | undefined, readsOutside: ReadonlySet<Var>): Induction | null {
  if (loop.testAtEnd || loop.update.length !== 1 || !before || before.k !== "decl") return null;
  const u = loop.update[0]!;
  if (u.k !== "assign" || u.v !== before.v) return null;
  const v = u.v;
  if (v.type.kind !== "num") return null;
  const e = u.value;
  if (e.k !== "op" || (e.op !== "add" && e.op !== "sub")) return null;
  const [a, b] = e.args;
  if (!a || !b || a.k !== "var" || a.v !== v || b.k !== "num" || !Number.isInteger(b.value) || b.value === 0) return null;
  if (writesOf(loop.body).has(v)) return null;
  if (readsOutside.has(v)) return null;
  return { v, step: e.op === "add" ? b.value : -b.value, initDecl: before };
}

const ARITHMETIC = new Set(["add", "sub", "mul", "div", "neg"]);

/**
 * Just-in-time recomputation: a value `const t = a / y` that a later statement S of the same
 * block reads in its partial derivatives (or that its own reverse reads, as its output) can be
 * recomputed at S's reverse point from its inputs, provided nothing between the definition and S
 * writes those inputs: the reverse sweep has restored them there. One arithmetic operation
 * replaces a push and a pop per iteration (Newton's `y = 0.5 * (y + a / y)` keeps only y).
 *
 * Returns, per statement, the values it may recompute and how.
 */
export function justInTimeValues(block: Block, aliases?: ArrayAliases): Map<Stmt, Map<Var, Expr>> {
  const out = new Map<Stmt, Map<Var, Expr>>();
  block.forEach((d, p) => {
    if (d.k !== "decl" || d.v.type.kind !== "num" || d.init.k !== "op" || !ARITHMETIC.has(d.init.op) || !isCheap(d.init)) return;
    const inputs = varsOf(d.init);
    if (inputs.has(d.v)) return;
    const add = (s: Stmt) => {
      let m = out.get(s);
      if (!m) out.set(s, (m = new Map()));
      m.set(d.v, d.init);
    };
    add(d); // its own reverse may read its output
    for (let q = p + 1; q < block.length; q++) {
      const s = block[q]!;
      if (s.k !== "decl" && s.k !== "assign" && s.k !== "store") break;
      const w = writesOf(block.slice(p + 1, q), aliases);
      if (w.has(d.v) || [...inputs].some((u) => w.has(u))) break;
      add(s);
      if (writesOf([s]).has(d.v)) break;
    }
  });
  return out;
}

/**
 * Integer-valued expressions: integer constants, array lengths, variables known to hold
 * integers (`integers`), combined by + - and *.
 */
export function isLengthArithmetic(e: Expr, integers: ReadonlySet<Var> = new Set()): boolean {
  let ok = true;
  forEachSubExpr(e, (x) => {
    if (x.k === "len" || (x.k === "num" && Number.isInteger(x.value))) return;
    if (x.k === "op" && (x.op === "add" || x.op === "sub" || x.op === "mul")) return;
    if (x.k === "var" && (x.v.type.kind === "array" || integers.has(x.v))) return; // the array of a len
    ok = false;
  });
  return ok;
}

/** Number variables every definition of which is integer-valued (`const d = w.length`). */
export function integerVariables(body: Block): Set<Var> {
  const definitions = new Map<Var, Expr[]>();
  forEachStmt(body, (s) => {
    if ((s.k === "decl" || s.k === "assign") && s.v.type.kind === "num") definitions.set(s.v, [...(definitions.get(s.v) ?? []), s.k === "decl" ? s.init : s.value]);
  });
  // grow from nothing: a variable joins when all its definitions are integer given the others
  const integers = new Set<Var>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [v, defs] of definitions)
      if (!integers.has(v) && defs.every((d) => isLengthArithmetic(d, integers))) {
        integers.add(v);
        changed = true;
      }
  }
  return integers;
}

/** `i` or `i + c` / `i - c` (c an integer): the constant offset, or null. */
export function offsetOf(e: Expr, i: Var): number | null {
  if (e.k === "var" && e.v === i) return 0;
  if (e.k === "op" && (e.op === "add" || e.op === "sub") && e.args[0]!.k === "var" && e.args[0]!.v === i) {
    const c = e.args[1]!;
    if (c.k === "num" && Number.isInteger(c.value)) return e.op === "add" ? c.value : -c.value;
  }
  return null;
}

/**
 * The last value of a counted loop's induction variable, in closed form, when the count follows
 * from its test alone: `for (let i = A; i + c < E; i++)` with A an integer (a literal, or
 * arithmetic on array lengths and `integers`) and E anything the loop does not change runs i over the
 * integers from A while i < E - c, so the last is ceil(E - c) - 1 (E - c - 1 when E is an integer
 * too); likewise for <=, and for counting down. When no iteration runs, the value lies beyond A
 * on the wrong side, and a reverse loop from it back to A runs zero times. No trip count is kept.
 */
export function closedFormLast(loop: Stmt & { k: "loop" }, ind: Induction, integers: ReadonlySet<Var>, aliases?: ArrayAliases): Expr | null {
  const t = loop.test;
  const init = ind.initDecl.init;
  const writtenInLoop = writesOf([...loop.body, ...loop.update], aliases);
  const stable = (v: Var) => !writtenInLoop.has(v);
  if (!t || t.k !== "op" || Math.abs(ind.step) !== 1 || !isLengthArithmetic(init, integers) || ![...varsOf(init)].every(stable)) return null;
  const up = ind.step === 1 && (t.op === "lt" || t.op === "le");
  const down = ind.step === -1 && (t.op === "gt" || t.op === "ge");
  if (!up && !down) return null;
  const c = offsetOf(t.args[0]!, ind.v);
  const bound = t.args[1]!;
  if (c === null || !isCheap(bound) || [...varsOf(bound)].some((v) => v === ind.v || !stable(v))) return null;
  // the largest (up) or smallest (down) value i may take: E - c shifted by one for strict tests
  const limit = c === 0 ? bound : op("sub", bound, num(c));
  const integer = isLengthArithmetic(bound, integers);
  const round = (name: "ceil" | "floor") => (integer ? limit : op(name, limit));
  switch (t.op) {
    case "lt":
      return op("sub", round("ceil"), num(1));
    case "le":
      return round("floor");
    case "gt":
      return op("add", round("floor"), num(1));
    default:
      return round("ceil");
  }
}
