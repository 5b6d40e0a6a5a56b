/**
 * First writes into fresh arrays: a store whose old value is known without saving it.
 *
 * A work buffer is filled right after it is made, in a counted loop:
 *
 *   const d = new Float64Array(n);          // every element 0
 *   for (let j = 0; j < n; j++) d[j] = x[j] - mu[j];
 *
 * The reverse sweep gives `d[j]` its old value back after reversing the store, and would save it
 * on the stack to know it: n pushes and pops of zeros. But each iteration writes another element
 * (the index is the induction variable, stepping by one, plus a constant), nothing else writes
 * the array between its allocation and the end of the loop, and the array has no other name:
 * so every element the loop writes still holds the allocation's fill when it is written, and the
 * reverse restores that constant instead.
 */
import type { Block, Expr, Stmt, Var } from "../ir/types.js";
import { writesOf } from "../ir/visit.js";
import type { ArrayAliases } from "./aliases.js";
import { offsetOf, type Induction, type Writes } from "./recompute.js";

/** The stores that write an element of a fresh array for the first time, with the value it held. */
export function firstWrites(body: Block, writes: Writes, aliases: ArrayAliases, inductions: ReadonlyMap<Stmt, Induction>): Map<Stmt, Expr> {
  const found = new Map<Stmt, Expr>();
  const visit = (block: Block) => {
    // arrays made in this block and not written since, with the value of every element
    const fresh = new Map<Var, Expr>();
    for (const s of block) {
      const ind = s.k === "loop" ? inductions.get(s) : undefined;
      if (ind && Math.abs(ind.step) === 1)
        for (const [a, fill] of fresh) {
          const store = onlyStoreByCounter(s as Stmt & { k: "loop" }, a, ind.v);
          if (store) found.set(store, fill);
        }
      for (const v of writes.of(s)) fresh.delete(v);
      if (s.k === "decl" || s.k === "assign") {
        const made = s.k === "decl" ? s.init : s.value;
        if (made.k === "alloc" && made.fill.k === "num" && !aliases.hasOtherNames(s.v)) fresh.set(s.v, made.fill);
      }
      if (s.k === "if") {
        visit(s.then);
        visit(s.else);
      } else if (s.k === "loop") {
        visit(s.body);
        visit(s.update);
      }
    }
  };
  visit(body);
  return found;
}

/**
 * The one statement of the loop that writes `a`, when it is a store at `a[i + c]` outside any
 * inner loop (so once per iteration at most); undefined otherwise.
 */
function onlyStoreByCounter(loop: Stmt & { k: "loop" }, a: Var, i: Var): Stmt | undefined {
  let store: Stmt | undefined;
  let other = false;
  const scan = (block: Block, inInner: boolean) => {
    for (const s of block) {
      if (s.k === "store" && s.arr === a && !inInner && offsetOf(s.index, i) !== null && !store) store = s;
      else if (writesArray(s, a)) other = true;
      if (s.k === "if") {
        scan(s.then, inInner);
        scan(s.else, inInner);
      } else if (s.k === "loop") {
        scan(s.body, true);
        scan(s.update, true);
      }
    }
  };
  scan(loop.body, false);
  scan(loop.update, false);
  return other ? undefined : store;
}

/** Whether `s` itself (not its nested blocks) writes `a`: assigns, stores, pushes, or hands it to a pullback. */
function writesArray(s: Stmt, a: Var): boolean {
  const shallow: Stmt = s.k === "if" ? { ...s, then: [], else: [] } : s.k === "loop" ? { ...s, body: [], update: [] } : s;
  return writesOf([shallow]).has(a);
}
