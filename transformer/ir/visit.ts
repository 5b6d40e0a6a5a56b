/** Traversals of the IR: what an expression reads, what a statement writes, substitution. */
import type { Block, Expr, Stmt, Var } from "./types.js";
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

/** Rebuilds an expression bottom-up; `f` sees each node after its children were rebuilt. */
export function mapExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  traversalWork.visits++;
  let r: Expr;
  switch (e.k) {
    case "op":
      r = { ...e, args: e.args.map((a) => mapExpr(a, f)) };
      break;
    case "call":
      r = { ...e, args: e.args.map((a) => mapExpr(a, f)) };
      break;
    case "index":
      r = { ...e, arr: mapExpr(e.arr, f), index: mapExpr(e.index, f) };
      break;
    case "len":
      r = { ...e, arr: mapExpr(e.arr, f) };
      break;
    case "field":
      r = { ...e, obj: mapExpr(e.obj, f) };
      break;
    case "alloc":
      r = { ...e, length: mapExpr(e.length, f), fill: mapExpr(e.fill, f) };
      break;
    case "arrayLit":
      r = { ...e, elems: e.elems.map((a) => mapExpr(a, f)) };
      break;
    case "copy":
      r = { ...e, arr: mapExpr(e.arr, f) };
      break;
    case "record":
      r = { ...e, fields: e.fields.map((fl) => ({ key: fl.key, value: mapExpr(fl.value, f) })) };
      break;
    case "zerosLike":
      r = { ...e, arr: mapExpr(e.arr, f) };
      break;
    default:
      r = e;
  }
  return f(r);
}

/** Replaces variable reads by expressions. */
export function substitute(e: Expr, map: ReadonlyMap<Var, Expr>): Expr {
  if (map.size === 0) return e;
  return mapExpr(e, (x) => (x.k === "var" ? (map.get(x.v) ?? x) : x));
}

/** Maps the expressions of a statement (not of nested blocks). */
export function mapStmtExprs(s: Stmt, f: (e: Expr) => Expr): Stmt {
  switch (s.k) {
    case "decl":
      return { ...s, init: f(s.init) };
    case "assign":
      return { ...s, value: f(s.value) };
    case "store":
      return { ...s, index: f(s.index), value: f(s.value) };
    case "push":
    case "stackPush":
      return { ...s, value: f(s.value) };
    case "if":
      return { ...s, cond: f(s.cond) };
    case "loop":
      return { ...s, test: s.test ? f(s.test) : null };
    case "return":
      return { ...s, value: s.value ? f(s.value) : null };
    case "throw":
      return s.spans ? { ...s, spans: s.spans.map((span) => ({ ...span, value: f(span.value) })) } : s;
    default:
      return s;
  }
}

/** Rebuilds a block, mapping every statement (children first) with `f`, which may return many. */
export function mapBlock(block: Block, f: (s: Stmt) => Stmt | Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (const s of block) {
    traversalWork.visits++;
    let t: Stmt = s;
    if (s.k === "if") t = { ...s, then: mapBlock(s.then, f), else: mapBlock(s.else, f) };
    else if (s.k === "loop") t = { ...s, body: mapBlock(s.body, f), update: mapBlock(s.update, f) };
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
