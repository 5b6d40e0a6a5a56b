/**
 * Where in a block each variable is mentioned and written, for the simplifier's forward searches.
 *
 * The rewrites of inline.ts all ask the same question of a statement at position p of a block:
 * "what is the first later statement that mentions v, writes one of these inputs, or may leave
 * the block?". Walking forward statement by statement makes each question cost the distance to
 * the answer, and a whole pass quadratic in the length of straight-line code. These indexes
 * answer it by binary search over sorted positions: a pass costs O(n log n) in the size of the
 * block, nested blocks included (each nested statement is summarised once per enclosing block).
 */
import type { Block, Stmt, Var } from "../ir/types.js";
import { forEachStmt, forEachVarInExpr, stmtExprs, writesOf } from "../ir/visit.js";
import type { ArrayAliases } from "./aliases.js";

/** Sorted positions per key, with "first position after p" queries. */
export class Positions<K> {
  private readonly byKey = new Map<K, number[]>();

  /** Adds a position; appending in increasing order is O(1), anything else a sorted insert. */
  add(key: K, position: number): void {
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = []));
    const last = list[list.length - 1];
    if (last === undefined || last < position) list.push(position);
    else {
      const i = lowerBound(list, position);
      if (list[i] !== position) list.splice(i, 0, position);
    }
  }

  remove(key: K, position: number): void {
    const list = this.byKey.get(key);
    if (!list) return;
    const i = lowerBound(list, position);
    if (list[i] === position) list.splice(i, 1);
  }

  /** The first position of `key` after `p`, or Infinity. */
  next(key: K, p: number): number {
    const list = this.byKey.get(key);
    if (!list) return Infinity;
    const i = lowerBound(list, p + 1);
    return i < list.length ? list[i]! : Infinity;
  }

  /** The first position after `p` of any of `keys`. */
  nextOfAny(keys: Iterable<K>, p: number): number {
    let best = Infinity;
    for (const k of keys) best = Math.min(best, this.next(k, p));
    return best;
  }
}

function lowerBound(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Variables a statement mentions, nested blocks included: reads, and decl/assign targets. */
export function mentionedIn(s: Stmt): Set<Var> {
  const out = new Set<Var>();
  forEachStmt([s], (x) => {
    for (const e of stmtExprs(x)) forEachVarInExpr(e, (v) => out.add(v));
    if (x.k === "decl" || x.k === "assign") out.add(x.v);
  });
  return out;
}

/** Whether control may leave the enclosing block from inside `s` (nested loops included, conservatively). */
export function mayLeave(s: Stmt): boolean {
  let leaves = false;
  forEachStmt([s], (x) => {
    if (x.k === "break" || x.k === "continue" || x.k === "return" || x.k === "throw") leaves = true;
  });
  return leaves;
}

/** The facts of one block's top-level statements, by position. */
export class BlockPositions {
  /** Positions of the statements that mention each variable. */
  readonly mentions = new Positions<Var>();
  /** Positions of the statements that write each variable (under any of its names, with aliases). */
  readonly writes = new Positions<Var>();
  /** Positions of the statements that may leave the block. */
  readonly leaves = new Positions<true>();

  constructor(block: Block, aliases?: ArrayAliases) {
    block.forEach((s, p) => {
      for (const v of mentionedIn(s)) this.mentions.add(v, p);
      for (const v of aliases ? aliases.expand(writesOf([s])) : writesOf([s])) this.writes.add(v, p);
      if (mayLeave(s)) this.leaves.add(true, p);
    });
  }

  nextLeave(p: number): number {
    return this.leaves.next(true, p);
  }
}
