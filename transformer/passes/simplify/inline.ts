/**
 * Copy propagation and re-inlining of temporaries. A-normal form gave every intermediate value a
 * name; the survivors that are used once, right there, go back into the expression that uses
 * them, so that `t = x * x; a = y - t` reads `a = y - x * x` again. Values used in several places
 * keep their names: that is common subexpression sharing, not clutter.
 */
import type { Block, Expr, Stmt, Var } from "../../ir/types.js";
import {
  allocates,
  containsCall,
  exprEquals,
  forEachStmt,
  forEachVarInExpr,
  hasEffects,
  mapBlock,
  mapStmtExprs,
  stmtExprs,
  substitute,
  varsOf,
  writesOf,
} from "../../ir/visit.js";
import type { ArrayAliases } from "../../analyse/aliases.js";
import { isAtom } from "../anf.js";
import { tensorCall } from "../../rules/tensor-registry.js";
import { BlockPositions, Positions } from "../../analyse/positions.js";

/**
 * Rebuilds every block of a body, innermost first, with `f` rewriting each block's own list of
 * statements (its nested blocks already rewritten).
 */
function eachBlock(body: Block, f: (stmts: Stmt[]) => Stmt[]): Stmt[] {
  const visit = (block: Block): Stmt[] =>
    f(
      block.map((s) => {
        if (s.k === "if") return { ...s, then: visit(s.then), else: visit(s.else) };
        if (s.k === "loop") return { ...s, body: visit(s.body), update: visit(s.update) };
        return s;
      }),
    );
  return visit(body);
}

interface Counts {
  defs: Map<Var, number>;
  uses: Map<Var, number>;
}

function count(body: Block): Counts {
  const defs = new Map<Var, number>();
  const uses = new Map<Var, number>();
  const bump = (m: Map<Var, number>, v: Var) => m.set(v, (m.get(v) ?? 0) + 1);
  forEachStmt(body, (s) => {
    if (s.k === "decl" || s.k === "assign") bump(defs, s.v);
    for (const e of stmtExprs(s)) forEachVarInExpr(e, (v) => bump(uses, v));
    if (s.k === "store" || s.k === "push" || s.k === "truncate") bump(uses, s.arr);
    if (s.k === "stackPush") bump(uses, s.stack);
  });
  return { defs, uses };
}

const substitutable = (v: Var): boolean => v.role !== "param" && v.role !== "global" && v.type.kind !== "stack";

/**
 * `const v = a` (a variable or constant) where neither v nor a is ever written again: uses of v
 * become a.
 */
export function propagateCopies(body: Block): Stmt[] {
  const { defs } = count(body);
  const map = new Map<Var, Expr>();
  forEachStmt(body, (s) => {
    if (s.k !== "decl" || !substitutable(s.v) || defs.get(s.v) !== 1) return;
    const e = s.init;
    if (e.k === "num" || e.k === "bool") map.set(s.v, e);
    else if (e.k === "var" && e.v.type.kind === s.v.type.kind && (defs.get(e.v) ?? 0) <= 1 && e.v.role !== "global") map.set(s.v, e);
  });
  if (map.size === 0) return [...body];
  // resolve chains a -> b -> c
  const resolve = (e: Expr): Expr => {
    let cur = e;
    for (let i = 0; i < 50 && cur.k === "var" && map.has(cur.v); i++) cur = map.get(cur.v)!;
    return cur;
  };
  const final = new Map<Var, Expr>();
  for (const v of map.keys()) final.set(v, resolve(ref(v)));
  // an array alias is also written through: its stores and pushes go to the array it names
  const target = (v: Var): Var => {
    const e = final.get(v);
    return e?.k === "var" ? e.v : v;
  };
  return mapBlock(body, (s) => {
    if (s.k === "decl" && final.has(s.v)) return [];
    const t = mapStmtExprs(s, (e) => substitute(e, final));
    if (t.k === "store" || t.k === "push" || t.k === "truncate") return { ...t, arr: target(t.arr) };
    return t;
  });
}

const ref = (v: Var): Expr => ({ k: "var", v });

/** Moves single-use temporaries into their use when nothing in between changes their inputs. */
export function inlineSingleUse(body: Block, aliases: ArrayAliases): Stmt[] {
  const { defs, uses } = count(body);
  const inlineable = (s: Stmt): s is Stmt & { k: "decl" } =>
    s.k === "decl" &&
    substitutable(s.v) &&
    s.v.type.kind !== "array" &&
    s.v.type.kind !== "record" &&
    s.v.type.kind !== "void" &&
    defs.get(s.v) === 1 &&
    uses.get(s.v) === 1 &&
    !hasEffects(s.init) &&
    !allocates(s.init);
  return eachBlock(body, (stmts) => {
    const out: (Stmt | null)[] = stmts;
    const at = new BlockPositions(stmts, aliases);
    for (let p = 0; p < out.length; p++) {
      const s = out[p];
      if (!s || !inlineable(s)) continue;
      // the first later statement that mentions v: its own expressions must be where v is used
      // (not deeper inside it), and nothing before it may change an input (under any name)
      const q = at.mentions.next(s.v, p);
      if (q === Infinity) continue;
      const reads = varsOf(s.init);
      if (at.writes.nextOfAny(reads, p) < q) continue;
      const t = out[q]!;
      if (t.k === "loop" || !stmtExprs(t).some((e) => varsOf(e).has(s.v))) continue; // a loop's test runs many times
      out[q] = mapStmtExprs(t, (e) => substitute(e, new Map([[s.v, s.init]])));
      for (const r of reads) at.mentions.add(r, q);
      out[p] = null;
    }
    return out.filter((x): x is Stmt => x !== null);
  });
}

/**
 * `let v = 0; ...; v = v + e` where nothing in between mentions v becomes `let v = e` (an
 * adjoint's first contribution initialises it).
 */
export function fuseZeroInit(body: Block, aliases: ArrayAliases): Stmt[] {
  return eachBlock(body, (stmts) => {
    const out: (Stmt | null)[] = stmts;
    const at = new BlockPositions(stmts, aliases);
    // A chain `v = a; v += b; v += c; ...` fuses link by link into one growing sum. Its facts are
    // carried along the chain, each link adding only its increment's, so a chain of n links
    // costs O(n log n), not the O(n^2) of walking the whole sum again at every link.
    const chains = new Map<Stmt, FusedChain>();
    for (let p = 0; p < out.length; p++) {
      const s = out[p];
      if (!s || (s.k !== "decl" && s.k !== "assign") || (s.v.type.kind !== "num" && s.v.type.kind !== "tensor")) continue;
      const value = s.k === "decl" ? s.init : s.value;
      const chain = chains.get(s) ?? startChain(value, at, p);
      if (!chain) continue;
      const { inputs } = chain;
      if (inputs.has(s.v)) continue;
      // the first later statement that leaves the block (past it the first value may be the one
      // that is left), mentions v, or changes what the initialiser reads
      const leave = at.nextLeave(p);
      const q = Math.min(leave, at.mentions.next(s.v, p), chain.nextWrite);
      if (q === Infinity || q === leave || at.mentions.next(s.v, q - 1) !== q) continue;
      const t = out[q]!;
      const make = (init: Expr, origin: Stmt["origin"]): Stmt =>
        s.k === "decl" ? { k: "decl", v: s.v, init, origin } : { k: "assign", v: s.v, value: init, origin };
      if (t.k === "assign" && t.v === s.v && !varsOf(t.value).has(s.v)) {
        // v = a; ...; v = b  ->  v = b (the first value is never read)
        out[q] = make(t.value, t.origin);
        out[p] = null;
        continue;
      }
      const inc = increment(t, s.v);
      if (!inc) continue;
      // v = a; ...; v += b  ->  v = a + b (nothing in between reads v); a tensor adjoint starts
      // from 0 or zeros of its primal's shape, which its first contribution has
      const startsAtZero =
        (value.k === "num" && value.value === 0) || (value.k === "call" && value.fn.kind === "tensor" && value.fn.key === "zerosLike");
      const init = startsAtZero
        ? inc
        : s.v.type.kind === "tensor"
          ? tensorCall("add", [value, inc])
          : { k: "op" as const, op: "add" as const, args: [value, inc] };
      const fused = make(init, t.origin);
      out[q] = fused;
      out[p] = null;
      // q writes v alone, so what the sum read before is next written where it was; the
      // increment's own inputs are already recorded as mentioned at q
      if (hasEffects(inc)) continue;
      const incInputs = varsOf(inc);
      for (const x of incInputs) inputs.add(x);
      chains.set(fused, { inputs, nextWrite: Math.min(chain.nextWrite, at.writes.nextOfAny(incInputs, q)) });
    }
    return out.filter((x): x is Stmt => x !== null);
  });
}

/** What fusing a chain needs to know of its sum so far: what it reads, and where that is next written. */
interface FusedChain {
  readonly inputs: Set<Var>;
  readonly nextWrite: number;
}

function startChain(value: Expr, at: BlockPositions, p: number): FusedChain | undefined {
  if (hasEffects(value)) return undefined;
  const inputs = varsOf(value);
  return { inputs, nextWrite: at.writes.nextOfAny(inputs, p) };
}

/**
 * `a[i] = 0; ...; a[i] += e` where nothing in between touches a or changes i becomes `a[i] = e`
 * (the reverse of an array write clears an adjoint slot, then the next contribution fills it).
 */
export function fuseStoreZero(body: Block, aliases: ArrayAliases): Stmt[] {
  return eachBlock(body, (stmts) => {
    const out: (Stmt | null)[] = stmts;
    const at = new BlockPositions(stmts, aliases);
    for (let p = 0; p < out.length; p++) {
      const s = out[p];
      if (!s || s.k !== "store" || s.accumulate || s.value.k !== "num" || s.value.value !== 0) continue;
      // the first later statement that may leave, mentions any name of a, writes a or changes i:
      // if it is the accumulation into the same slot, the two fuse
      const q = Math.min(
        at.nextLeave(p),
        at.mentions.nextOfAny(aliases.expand([s.arr]), p),
        at.writes.next(s.arr, p),
        at.writes.nextOfAny(varsOf(s.index), p),
      );
      if (q === Infinity) continue;
      const t = out[q]!;
      if (t.k === "store" && t.arr === s.arr && t.accumulate && exprEquals(t.index, s.index) && !varsOf(t.value).has(s.arr)) {
        out[q] = { ...t, accumulate: false };
        out[p] = null;
      }
    }
    return out.filter((x): x is Stmt => x !== null);
  });
}

/**
 * `const t = a[i]; ...; a[i] = t`, with nothing in between that could change a[i] or i: the store
 * writes back what is there (the reverse of `a[i] = a[i] + e` reads the slot's adjoint, and the
 * self term puts it back). Anything that could write `a` through an alias stops the search: a
 * store into another array of the same kind (adjoint arrays may alias each other, never primal
 * ones), a call (pullbacks accumulate into the arrays they are given), a nested block.
 */
export function dropUnchangedStores(body: Block): Stmt[] {
  const kind = (v: Var) => (v.role === "adjoint" || v.role === "tangent" ? v.role : "primal");
  return eachBlock(body, (stmts) => {
    const out: (Stmt | null)[] = stmts;
    // what stops a search, by position: nested blocks and calls; stores by kind of array; writes
    const barriers = new Positions<true>();
    const stores = new Positions<string>();
    const writes = new Positions<Var>();
    const register = (t: Stmt, q: number, f: <K>(index: Positions<K>, key: K, q: number) => void) => {
      if (t.k === "if" || t.k === "loop" || stmtExprs(t).some(containsCall)) f(barriers, true, q);
      if (t.k === "store" || t.k === "push" || t.k === "truncate") f(stores, kind(t.arr), q);
      for (const v of writesOf([t])) f(writes, v, q);
    };
    stmts.forEach((t, q) => register(t, q, (index, key, at) => index.add(key, at)));
    for (let p = 0; p < out.length; p++) {
      const s = out[p];
      if (!s || s.k !== "decl" || s.init.k !== "index" || s.init.arr.k !== "var") continue;
      const arr = s.init.arr.v;
      const slot = s.init.index;
      const q = Math.min(
        barriers.next(true, p),
        stores.next(kind(arr), p),
        writes.next(arr, p),
        writes.next(s.v, p),
        writes.nextOfAny(varsOf(slot), p),
      );
      if (q === Infinity) continue;
      const t = out[q]!;
      if (t.k === "store" && !t.accumulate && t.arr === arr && exprEquals(t.index, slot) && t.value.k === "var" && t.value.v === s.v) {
        register(t, q, (index, key, at) => index.remove(key, at));
        out[q] = null;
      }
    }
    return out.filter((x): x is Stmt => x !== null);
  });
}

/** `v = v + e` gives e, `v = v - e` gives -e, `v = T.add(v, e)` (tensors) gives e (v not in e). */
function increment(t: Stmt, v: Var): Expr | null {
  if (t.k === "assign" && t.v === v && t.value.k === "call" && t.value.fn.kind === "tensor" && t.value.fn.key === "add") {
    const [a, b] = t.value.args;
    return a?.k === "var" && a.v === v && b && !varsOf(b).has(v) ? b : null;
  }
  if (t.k !== "assign" || t.v !== v || t.value.k !== "op" || (t.value.op !== "add" && t.value.op !== "sub")) return null;
  const [a, b] = t.value.args;
  if (!a || !b || a.k !== "var" || a.v !== v || varsOf(b).has(v)) return null;
  return t.value.op === "add" ? b : { k: "op", op: "neg", args: [b] };
}

export { isAtom };
