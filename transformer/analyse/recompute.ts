/**
 * What the reverse sweep can recompute instead of storing.
 *
 * - A cheap declaration `const v = e` in a nested block (a loop body, a branch) whose inputs are
 *   not written later in that block can be recomputed at the start of the block's reverse: its
 *   inputs hold the same values there. This is what keeps a loop body's intermediates off the
 *   stack (Rosenbrock's `a` and `b`).
 * - An arithmetic value can be recomputed where a later statement's reverse reads it, while
 *   nothing in between has written its inputs (just-in-time values).
 * - An induction variable (`for (let i = a; ...; i += c)`, i not written in the body) is
 *   reconstructed by the reverse loop from its first value and the trip count.
 *
 * Every analysis here is one scan of a block, using what each statement writes as computed once
 * by `Writes`: linear in the size of the block (nested blocks are summarised, not walked again).
 */
import type { Block, Expr, Stmt, Var } from "../ir/types.js";
import { num, op } from "../ir/build.js";
import { forEachStmt, forEachSubExpr, varsOf, writesOf } from "../ir/visit.js";
import type { ArrayAliases } from "./aliases.js";
import { countWork } from "../ir/work.js";

/** Cheap and pure: one primitive over atoms, memory and field reads, constants. No calls, no allocation. */
export function isCheap(e: Expr): boolean {
  let ok = true;
  forEachSubExpr(e, (s) => {
    if (
      s.k === "call" ||
      s.k === "alloc" ||
      s.k === "arrayLit" ||
      s.k === "copy" ||
      s.k === "pop" ||
      s.k === "record" ||
      s.k === "newStack" ||
      s.k === "zerosLike" ||
      s.k === "closure"
    )
      ok = false;
  });
  return ok;
}

/**
 * What each statement writes (`writesOf([s])`, nested blocks included), computed once per
 * statement and kept: the reverse pass asks it of the same statements many times. A compound
 * statement's set is its own writes and its children's, so each statement is read once.
 */
export class Writes {
  private readonly perStmt = new Map<Stmt, ReadonlySet<Var>>();
  private readonly classes = new Map<Var, ReadonlySet<Var>>();

  /** With `aliases`, a write through one name of an array counts for all of them (see key()). */
  constructor(aliases?: ArrayAliases) {
    if (aliases) for (const c of aliases.classes()) for (const m of c) this.classes.set(m, c);
  }

  /** The variables `s` writes, nested blocks included, without other names of arrays. */
  of(s: Stmt): ReadonlySet<Var> {
    let w = this.perStmt.get(s);
    if (w) return w;
    countWork("reverse.writes");
    if (s.k === "if") w = this.union(writesOf([{ ...s, then: [], else: [] }]), s.then, s.else);
    else if (s.k === "loop") w = this.union(writesOf([{ ...s, body: [], update: [] }]), s.body, s.update);
    else w = writesOf([s]);
    this.perStmt.set(s, w);
    return w;
  }

  /** The variables a block writes (as `writesOf(block)`). */
  ofBlock(...blocks: Block[]): Set<Var> {
    return this.union(new Set(), ...blocks);
  }

  /**
   * The name class of `v`: the same for every name of one array (see analyse/aliases.ts), `v`
   * itself for a variable with one name. "Is v written" with aliases is "is a name of its class".
   */
  key(v: Var): unknown {
    return this.classes.get(v) ?? v;
  }

  /** `v` and the other names of its array. */
  namesOf(v: Var): Iterable<Var> {
    return this.classes.get(v) ?? [v];
  }

  /** Whether a block writes `v` or another name of its array (as `writesOf(block, aliases).has(v)`). */
  blockWritesClassOf(blocks: readonly Block[], v: Var): boolean {
    const names = this.namesOf(v);
    for (const b of blocks) for (const s of b) for (const n of names) if (this.of(s).has(n)) return true;
    return false;
  }

  private union(into: Set<Var>, ...blocks: Block[]): Set<Var> {
    for (const b of blocks) for (const s of b) for (const v of this.of(s)) into.add(v);
    return into;
  }
}

/**
 * The declarations of a block (top level only) that may be recomputed at the block's end: cheap,
 * and neither they nor their inputs written later in the block (an input written later is fine
 * when it is itself recomputed, since recomputations run in order).
 */
export function recomputableDecls(block: Block, writes: Writes): Set<Stmt> {
  // backwards: what the rest of the block writes, by name class; per candidate, which of its
  // inputs that includes
  const writtenLater = new Set<unknown>();
  const inputsWrittenLater = new Map<Stmt, Var[]>();
  for (let p = block.length - 1; p >= 0; p--) {
    const s = block[p]!;
    countWork("reverse.recomputable");
    if (s.k === "decl" && isCheap(s.init) && !writtenLater.has(writes.key(s.v))) {
      const inputs = [...varsOf(s.init)];
      if (!inputs.includes(s.v))
        inputsWrittenLater.set(
          s,
          inputs.filter((u) => writtenLater.has(writes.key(u))),
        );
    }
    for (const v of writes.of(s)) writtenLater.add(writes.key(v));
  }
  // forwards: which candidates qualify
  const out = new Set<Stmt>();
  const recomputedVars = new Set<Var>();
  for (const s of block) {
    const written = inputsWrittenLater.get(s);
    if (s.k !== "decl" || !written || !written.every((u) => recomputedVars.has(u))) continue;
    out.add(s);
    recomputedVars.add(s.v);
  }
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
 * writes i and nothing outside the loop reads i (`readOutside`, asked only of that i).
 */
export function inductionOf(
  loop: Stmt & { k: "loop" },
  before: Stmt | undefined,
  writes: Writes,
  readOutside: (v: Var) => boolean,
): Induction | null {
  if (loop.testAtEnd || loop.update.length !== 1 || !before || before.k !== "decl") return null;
  const u = loop.update[0]!;
  if (u.k !== "assign" || u.v !== before.v) return null;
  const v = u.v;
  if (v.type.kind !== "num") return null;
  const e = u.value;
  if (e.k !== "op" || (e.op !== "add" && e.op !== "sub")) return null;
  const [a, b] = e.args;
  if (!a || !b || a.k !== "var" || a.v !== v || b.k !== "num" || !Number.isInteger(b.value) || b.value === 0) return null;
  if (loop.body.some((s) => writes.of(s).has(v))) return null;
  if (readOutside(v)) return null;
  return { v, step: e.op === "add" ? b.value : -b.value, initDecl: before };
}

const ARITHMETIC = new Set(["add", "sub", "mul", "div", "neg"]);

/** Where a just-in-time value may be recomputed: statements `first` to `last` of its block. */
export interface JustInTimeWindow {
  readonly decl: Stmt & { k: "decl" };
  readonly first: number;
  readonly last: number;
}

export interface JustInTime {
  /** Each just-in-time value of the block. */
  readonly windows: JustInTimeWindow[];
  /**
   * Statements `v = e` at which a value they may recompute (other than v) reads v: its
   * recomputation needs v's old value, so the reverse gives v its old value back first.
   */
  readonly readsTarget: Set<Stmt>;
}

/**
 * Just-in-time recomputation: a value `const t = a / y` that a later statement S of the same
 * block reads in its partial derivatives (or that its own reverse reads, as its output) can be
 * recomputed at S's reverse point from its inputs, provided nothing between the definition and S
 * writes those inputs: the reverse sweep has restored them there. One arithmetic operation
 * replaces a push and a pop per iteration (Newton's `y = 0.5 * (y + a / y)` keeps only y).
 *
 * A value's window runs from its declaration over the assignments and stores after it, and ends
 * at the first other statement, or at the first statement that writes the value or one of its
 * inputs (which is still in). One forward scan: open windows wait on the name classes of their
 * variables, and a write closes the windows waiting on it.
 */
export function justInTimeValues(block: Block, writes: Writes): JustInTime {
  interface Open {
    readonly decl: Stmt & { k: "decl" };
    readonly first: number;
    closed: boolean;
  }
  const windows: JustInTimeWindow[] = [];
  const readsTarget = new Set<Stmt>();
  const open = new Set<Open>();
  /** Open windows by the name class of their value and inputs: a write of it closes them. */
  const waiting = new Map<unknown, Open[]>();
  /** Open windows by each input they read. */
  const readers = new Map<Var, Open[]>();
  const close = (w: Open, last: number) => {
    if (w.closed) return;
    w.closed = true;
    open.delete(w);
    windows.push({ decl: w.decl, first: w.first, last });
  };
  block.forEach((s, q) => {
    countWork("reverse.justInTime");
    if (s.k !== "decl" && s.k !== "assign" && s.k !== "store") {
      for (const w of open) close(w, q - 1);
      waiting.clear();
      readers.clear();
    } else {
      // s is in every open window
      if (s.k !== "store") {
        const r = readers.get(s.v);
        if (r?.some((w) => !w.closed && w.decl.v !== s.v)) readsTarget.add(s);
        readers.delete(s.v); // writing s.v closes all of them
      }
      for (const v of writes.of(s)) {
        const key = writes.key(v);
        for (const w of waiting.get(key) ?? []) close(w, q);
        waiting.delete(key);
      }
    }
    if (s.k !== "decl" || s.v.type.kind !== "num" || s.init.k !== "op" || !ARITHMETIC.has(s.init.op)) return;
    if (!isCheap(s.init)) return;
    const inputs = varsOf(s.init);
    if (inputs.has(s.v)) return;
    const w: Open = { decl: s, first: q, closed: false };
    open.add(w);
    for (const v of [s.v, ...inputs]) listAt(waiting, writes.key(v)).push(w);
    for (const u of inputs) listAt(readers, u).push(w);
  });
  for (const w of open) close(w, block.length - 1);
  return { windows, readsTarget };
}

function listAt<K, T>(m: Map<K, T[]>, key: K): T[] {
  let list = m.get(key);
  if (!list) m.set(key, (list = []));
  return list;
}

/** Operations that keep integers integers. */
const INTEGER_ARITHMETIC = new Set(["add", "sub", "mul", "min", "max"]);
/**
 * Roundings: integers whatever they are given (or NaN and infinities, which an integer's uses
 * here, such as `Math.ceil(e) - 1`, pass on unchanged): `slice`'s bounds are truncated.
 */
const ROUNDINGS = new Set(["trunc", "floor", "ceil", "round"]);

/**
 * Integer-valued expressions: integer constants, array lengths, variables known to hold
 * integers (`integers`), combined by + - * min and max, chosen between by `?:`, and roundings
 * of anything.
 */
export function isLengthArithmetic(e: Expr, integers: ReadonlySet<Var> = new Set()): boolean {
  switch (e.k) {
    case "len":
      return true;
    case "num":
      return Number.isInteger(e.value);
    case "var":
      return integers.has(e.v);
    case "op":
      if (ROUNDINGS.has(e.op)) return true;
      // `c ? a : b` of integers, whatever c is (`at !== at ? 0 : at`, slice's NaN bound)
      if (e.op === "select") return e.args.slice(1).every((a) => isLengthArithmetic(a, integers));
      return INTEGER_ARITHMETIC.has(e.op) && e.args.every((a) => isLengthArithmetic(a, integers));
    default:
      return false;
  }
}

/** The number variables an integer expression needs to be integers: those outside roundings and lengths. */
function integerInputs(e: Expr, out = new Set<Var>()): Set<Var> {
  if (e.k === "var" && e.v.type.kind === "num") out.add(e.v);
  else if (e.k === "op" && !ROUNDINGS.has(e.op)) for (const a of e.op === "select" ? e.args.slice(1) : e.args) integerInputs(a, out);
  return out;
}

/**
 * Number variables every definition of which is integer-valued (`const d = w.length`): the
 * least set closed under "every definition is integer arithmetic on lengths and its members".
 * A worklist: each definition counts the variables it still waits for, each variable the
 * definitions it still waits for; a variable that joins releases the definitions reading it.
 */
export function integerVariables(body: Block): Set<Var> {
  const definitions = new Map<Var, Expr[]>();
  forEachStmt(body, (s) => {
    countWork("reverse.integers");
    if ((s.k === "decl" || s.k === "assign") && s.v.type.kind === "num") listAt(definitions, s.v).push(s.k === "decl" ? s.init : s.value);
  });
  interface Waiting {
    readonly v: Var;
    missing: number;
  }
  const definitionsWaiting = new Map<Var, number>();
  const readersOf = new Map<Var, Waiting[]>();
  const integers = new Set<Var>();
  const ready: Var[] = [];
  for (const [v, defs] of definitions) {
    // with every variable an integer, is each definition integer arithmetic at all?
    const shapes = defs.map((d) => {
      const vars = [...integerInputs(d)];
      return { ok: isLengthArithmetic(d, new Set(vars)), vars };
    });
    if (!shapes.every((x) => x.ok)) continue;
    let waiting = 0;
    for (const { vars } of shapes) {
      if (vars.length === 0) continue;
      waiting++;
      const w: Waiting = { v, missing: vars.length };
      for (const u of vars) listAt(readersOf, u).push(w);
    }
    definitionsWaiting.set(v, waiting);
    if (waiting === 0) ready.push(v);
  }
  while (ready.length > 0) {
    const v = ready.pop()!;
    integers.add(v);
    for (const w of readersOf.get(v) ?? []) {
      if (--w.missing > 0) continue;
      const left = definitionsWaiting.get(w.v)! - 1;
      definitionsWaiting.set(w.v, left);
      if (left === 0) ready.push(w.v);
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
export function closedFormLast(loop: Stmt & { k: "loop" }, ind: Induction, integers: ReadonlySet<Var>, writes: Writes): Expr | null {
  const t = loop.test;
  const init = ind.initDecl.init;
  const stable = (v: Var) => !writes.blockWritesClassOf([loop.body, loop.update], v);
  if (!t || t.k !== "op" || Math.abs(ind.step) !== 1 || !isLengthArithmetic(init, integers) || ![...varsOf(init)].every(stable))
    return null;
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
