/** Traversals of the IR: what an expression reads, what a statement writes, substitution. */
import type { Block, Expr, LogArg, Stmt, Var } from "./types.js";
import { isCheckpointCall, writtenArgExprs } from "./calls.js";
import { traversalWork } from "./work.js";
import { derivesFromPullback } from "./keys.js";

/** Calls `f` on every variable an expression reads (arrays read through `index`/`len` too). */
export function forEachVarInExpr(e: Expr, f: (v: Var) => void): void {
  traversalWork.visits++;
  switch (e.k) {
    case "num":
    case "bool":
    case "newStack":
      return;
    case "var":
      f(e.v);
      return;
    case "pop":
      f(e.stack);
      return;
    case "op":
    case "call":
      for (const a of e.args) forEachVarInExpr(a, f);
      return;
    case "index":
      forEachVarInExpr(e.arr, f);
      forEachVarInExpr(e.index, f);
      return;
    case "len":
      forEachVarInExpr(e.arr, f);
      return;
    case "field":
      forEachVarInExpr(e.obj, f);
      return;
    case "alloc":
      forEachVarInExpr(e.length, f);
      forEachVarInExpr(e.fill, f);
      return;
    case "arrayLit":
      for (const a of e.elems) forEachVarInExpr(a, f);
      return;
    case "copy":
      forEachVarInExpr(e.arr, f);
      return;
    case "record":
      for (const fl of e.fields) forEachVarInExpr(fl.value, f);
      return;
    case "zerosLike":
      forEachVarInExpr(e.arr, f);
      return;
    case "closure":
      // what the closure captures
      for (const v of readsOf(e.body)) f(v);
      return;
  }
}

export function varsOf(e: Expr): Set<Var> {
  const out = new Set<Var>();
  forEachVarInExpr(e, (v) => out.add(v));
  return out;
}

/** Every sub-expression, outermost first. */
export function forEachSubExpr(e: Expr, f: (e: Expr) => void): void {
  traversalWork.visits++;
  f(e);
  switch (e.k) {
    case "op":
    case "call":
      for (const a of e.args) forEachSubExpr(a, f);
      return;
    case "index":
      forEachSubExpr(e.arr, f);
      forEachSubExpr(e.index, f);
      return;
    case "len":
      forEachSubExpr(e.arr, f);
      return;
    case "field":
      forEachSubExpr(e.obj, f);
      return;
    case "alloc":
      forEachSubExpr(e.length, f);
      forEachSubExpr(e.fill, f);
      return;
    case "arrayLit":
      for (const a of e.elems) forEachSubExpr(a, f);
      return;
    case "copy":
      forEachSubExpr(e.arr, f);
      return;
    case "record":
      for (const fl of e.fields) forEachSubExpr(fl.value, f);
      return;
    case "zerosLike":
      forEachSubExpr(e.arr, f);
      return;
    default:
      return;
  }
}

/**
 * True when evaluating `e` changes state and so must not be moved or dropped: popping a stack, or
 * calling a pullback or anything derived from one (it accumulates into the adjoint arrays it is
 * given, and its tangent version into theirs).
 */
export function hasEffects(e: Expr): boolean {
  let effects = false;
  forEachSubExpr(e, (s) => {
    if (s.k === "pop" || (s.k === "call" && (s.fn.kind === "vjp" || derivesFromPullback(s.fn.key)))) effects = true;
    // a nonDifferentiable function may do anything (log, count): keep its calls where they are
    if (s.k === "call" && s.fn.kind === "opaque" && !s.fn.rule && !s.fn.body) effects = true;
    // a checkpointed loop's snapshots and schedule change with each call
    if (s.k === "call" && isCheckpointCall(s.fn)) effects = true;
    // what it answers changes with what the stacks hold where it is called (split mode)
    if (s.k === "call" && s.fn.kind === "runtime" && s.fn.key === "roomOnTape") effects = true;
  });
  return effects;
}

/** True when `e` allocates (moving it into a loop would allocate per iteration). */
export function allocates(e: Expr): boolean {
  let found = false;
  forEachSubExpr(e, (s) => {
    if (
      s.k === "alloc" ||
      s.k === "arrayLit" ||
      s.k === "copy" ||
      s.k === "record" ||
      s.k === "newStack" ||
      s.k === "zerosLike" ||
      s.k === "closure"
    )
      found = true;
  });
  return found;
}

export function containsCall(e: Expr): boolean {
  let found = false;
  forEachSubExpr(e, (s) => {
    if (s.k === "call") found = true;
  });
  return found;
}

/** Expressions a statement evaluates directly (not those of nested blocks). */
export function stmtExprs(s: Stmt): Expr[] {
  switch (s.k) {
    case "decl":
      return [s.init];
    case "assign":
      return [s.value];
    case "store":
      return [s.index, s.value];
    case "push":
    case "stackPush":
      return [s.value];
    case "if":
      return [s.cond];
    case "loop":
      return s.test ? [s.test] : [];
    case "return":
      return s.value ? [s.value] : [];
    case "throw":
      return s.spans ? s.spans.map((span) => span.value) : [];
    case "log":
      return s.args.flatMap((a) => (a.kind === "value" ? [a.value] : a.kind === "template" ? a.spans.map((span) => span.value) : []));
    default:
      return [];
  }
}

/** Calls `f` on every statement of a block, nested ones included, parents before children. */
export function forEachStmt(block: Block, f: (s: Stmt, loopDepth: number) => void, loopDepth = 0): void {
  for (const s of block) {
    traversalWork.visits++;
    f(s, loopDepth);
    if (s.k === "if") {
      forEachStmt(s.then, f, loopDepth);
      forEachStmt(s.else, f, loopDepth);
    } else if (s.k === "loop") {
      forEachStmt(s.body, f, loopDepth + 1);
      forEachStmt(s.update, f, loopDepth + 1);
    }
  }
}

/**
 * Variables whose value (or, for arrays, contents) a statement changes, nested blocks included
 * (the other names of a written array are `ArrayAliases.expand`'s to add).
 */
export function writesOf(block: Block): Set<Var> {
  const out = new Set<Var>();
  forEachStmt(block, (s) => {
    switch (s.k) {
      case "decl":
      case "assign":
        out.add(s.v);
        break;
      case "store":
      case "push":
      case "truncate":
        out.add(s.arr);
        break;
      case "stackPush":
        out.add(s.stack);
        break;
    }
    for (const e of stmtExprs(s))
      forEachSubExpr(e, (x) => {
        if (x.k === "pop") out.add(x.stack);
        // a pullback (or its tangent version) accumulates into the arrays it is given
        if (x.k === "call")
          for (const a of writtenArgExprs(x)) {
            const base = baseVar(a);
            if (base) out.add(base);
          }
      });
  });
  return out;
}

/** The variable an array location is part of: `rows_bar[0]` and `r.grad` are parts of `rows_bar` and `r`. */
export function baseVar(e: Expr): Var | null {
  let base = e;
  while (base.k === "index" || base.k === "field") base = base.k === "index" ? base.arr : base.obj;
  return base.k === "var" ? base.v : null;
}

/** Variables a block reads, nested blocks included. */
export function readsOf(block: Block): Set<Var> {
  const out = new Set<Var>();
  forEachStmt(block, (s) => {
    for (const e of stmtExprs(s)) forEachVarInExpr(e, (v) => out.add(v));
    if (s.k === "store" && s.accumulate) out.add(s.arr);
    if (s.k === "truncate" || s.k === "push") out.add(s.arr);
  });
  return out;
}

/** The same array when `f` changes no element (so that unchanged trees stay shared, not copied). */
function mapSame<T>(xs: readonly T[], f: (x: T) => T): readonly T[] {
  let out: T[] | undefined;
  for (let i = 0; i < xs.length; i++) {
    const y = f(xs[i]!);
    if (out) out.push(y);
    else if (y !== xs[i]) {
      out = xs.slice(0, i);
      out.push(y);
    }
  }
  return out ?? xs;
}

/**
 * Rebuilds an expression bottom-up; `f` sees each node after its children were rebuilt. A node
 * whose children come back unchanged is passed to `f` as it is: the IR is immutable, and sharing
 * what did not change keeps the passes from copying whole bodies on every visit.
 */
export function mapExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  traversalWork.visits++;
  const m = (x: Expr) => mapExpr(x, f);
  let r: Expr = e;
  switch (e.k) {
    case "op":
    case "call": {
      const args = mapSame(e.args, m);
      if (args !== e.args) r = { ...e, args } as Expr;
      break;
    }
    case "index": {
      const arr = m(e.arr);
      const index = m(e.index);
      if (arr !== e.arr || index !== e.index) r = { ...e, arr, index };
      break;
    }
    case "len":
    case "copy":
    case "zerosLike": {
      const arr = m(e.arr);
      if (arr !== e.arr) r = { ...e, arr } as Expr;
      break;
    }
    case "field": {
      const obj = m(e.obj);
      if (obj !== e.obj) r = { ...e, obj };
      break;
    }
    case "alloc": {
      const length = m(e.length);
      const fill = m(e.fill);
      if (length !== e.length || fill !== e.fill) r = { ...e, length, fill };
      break;
    }
    case "arrayLit": {
      const elems = mapSame(e.elems, m);
      if (elems !== e.elems) r = { ...e, elems };
      break;
    }
    case "record": {
      const fields = mapSame(e.fields, (fl) => {
        const value = m(fl.value);
        return value === fl.value ? fl : { key: fl.key, value };
      });
      if (fields !== e.fields) r = { ...e, fields };
      break;
    }
  }
  return f(r);
}

/** Replaces variable reads by expressions. */
export function substitute(e: Expr, map: ReadonlyMap<Var, Expr>): Expr {
  if (map.size === 0) return e;
  return mapExpr(e, (x) => (x.k === "var" ? (map.get(x.v) ?? x) : x));
}

/** Maps the expressions of a statement (not of nested blocks); the same statement when none changes. */
export function mapStmtExprs(s: Stmt, f: (e: Expr) => Expr): Stmt {
  switch (s.k) {
    case "decl": {
      const init = f(s.init);
      return init === s.init ? s : { ...s, init };
    }
    case "assign": {
      const value = f(s.value);
      return value === s.value ? s : { ...s, value };
    }
    case "store": {
      const index = f(s.index);
      const value = f(s.value);
      return index === s.index && value === s.value ? s : { ...s, index, value };
    }
    case "push":
    case "stackPush": {
      const value = f(s.value);
      return value === s.value ? s : ({ ...s, value } as Stmt);
    }
    case "if": {
      const cond = f(s.cond);
      return cond === s.cond ? s : { ...s, cond };
    }
    case "loop": {
      const test = s.test ? f(s.test) : null;
      return test === s.test ? s : { ...s, test };
    }
    case "return": {
      const value = s.value ? f(s.value) : null;
      return value === s.value ? s : { ...s, value };
    }
    case "throw": {
      if (!s.spans) return s;
      const spans = mapSame(s.spans, (span) => {
        const value = f(span.value);
        return value === span.value ? span : { ...span, value };
      });
      return spans === s.spans ? s : { ...s, spans };
    }
    case "log": {
      const args = mapSame(s.args, (a): LogArg => {
        if (a.kind === "value") {
          const value = f(a.value);
          return value === a.value ? a : { ...a, value };
        }
        if (a.kind === "text") return a;
        const spans = mapSame(a.spans, (span) => {
          const value = f(span.value);
          return value === span.value ? span : { ...span, value };
        });
        return spans === a.spans ? a : { ...a, spans };
      });
      return args === s.args ? s : { ...s, args };
    }
    default:
      return s;
  }
}

/** Whether two statement lists hold the same statements (by identity). */
function sameStmts(a: readonly Stmt[], b: readonly Stmt[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Rebuilds a block, mapping every statement (children first) with `f`, which may return many.
 * An `if` or a loop whose nested blocks come back unchanged is passed to `f` as it is.
 */
export function mapBlock(block: Block, f: (s: Stmt) => Stmt | Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (const s of block) {
    traversalWork.visits++;
    let t: Stmt = s;
    if (s.k === "if") {
      const then = mapBlock(s.then, f);
      const otherwise = mapBlock(s.else, f);
      if (!sameStmts(then, s.then) || !sameStmts(otherwise, s.else)) t = { ...s, then, else: otherwise };
    } else if (s.k === "loop") {
      const body = mapBlock(s.body, f);
      const update = mapBlock(s.update, f);
      if (!sameStmts(body, s.body) || !sameStmts(update, s.update)) t = { ...s, body, update };
    }
    const r = f(t);
    if (Array.isArray(r)) out.push(...r);
    else out.push(r);
  }
  return out;
}

export function exprEquals(a: Expr, b: Expr): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "num":
      return Object.is(a.value, (b as typeof a).value);
    case "bool":
      return a.value === (b as typeof a).value;
    case "var":
      return a.v === (b as typeof a).v;
    case "op": {
      const o = b as typeof a;
      return a.op === o.op && a.args.length === o.args.length && a.args.every((x, i) => exprEquals(x, o.args[i]!));
    }
    case "index": {
      const o = b as typeof a;
      return exprEquals(a.arr, o.arr) && exprEquals(a.index, o.index);
    }
    case "len":
      return exprEquals(a.arr, (b as typeof a).arr);
    case "field": {
      const o = b as typeof a;
      return a.key === o.key && exprEquals(a.obj, o.obj);
    }
    default:
      return false; // calls, allocations and pops are never "the same value"
  }
}
