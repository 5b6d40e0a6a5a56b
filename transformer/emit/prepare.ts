/**
 * The last shaping of a generated function's body before emit: loop counters owned by their
 * loop, and declarations of a variable already in scope turned into assignments.
 */
import type { Block, Stmt, Var } from "../ir/types.js";
import { varsOf } from "../ir/visit.js";
import { mentionedIn, Positions } from "../analyse/positions.js";

/** Whether a loop's update clause can be written as the expressions of a `for` header. */
export function updateIsExpression(update: Block): boolean {
  return update.every((u) => u.k === "assign" || u.k === "store");
}

/**
 * The last shaping before emit:
 * - `let i = 0` right before a loop whose header uses it, and not used after the loop (until it
 *   is declared again), becomes the loop's own `for (let i = 0; ...)`;
 * - a variable declared where an earlier declaration of it is still in scope (the forward and
 *   reverse sweeps both define a recomputed value at the same level) is assigned instead.
 */
export function prepareForEmit(body: Block, params: readonly Var[]): Stmt[] {
  return fixDeclarations(foldLoopCounters(body), params);
}

function foldLoopCounters(b: Block): Stmt[] {
  // where each variable is next mentioned, and declared again, in this block (a forward scan
  // per counter would make this quadratic in the number of loops)
  const mentions = new Positions<Var>();
  const declarations = new Positions<Var>();
  b.forEach((s, p) => {
    for (const v of mentionedIn(s)) mentions.add(v, p);
    if (s.k === "decl") declarations.add(s.v, p);
  });
  const out: Stmt[] = [];
  for (let i = 0; i < b.length; i++) {
    let s = b[i]!;
    if (s.k === "if") s = { ...s, then: foldLoopCounters(s.then), else: foldLoopCounters(s.else) };
    else if (s.k === "loop") s = { ...s, body: foldLoopCounters(s.body), update: foldLoopCounters(s.update) };
    const next = b[i + 1];
    if (s.k === "decl" && next?.k === "loop" && ownsCounter(s, next) && unusedAfter(s.v, i + 1, mentions, declarations)) {
      out.push({ ...next, body: foldLoopCounters(next.body), update: foldLoopCounters(next.update), init: s });
      i++;
      continue;
    }
    out.push(s);
  }
  return out;
}

/** Whether a loop's header uses the variable `d` declares right before it (so `for (let i = ...)` may own it). */
function ownsCounter(d: Stmt & { k: "decl" }, loop: Stmt & { k: "loop" }): boolean {
  if (loop.testAtEnd || loop.label || !updateIsExpression(loop.update) || loop.update.length === 0) return false;
  return (loop.test !== null && varsOf(loop.test).has(d.v)) || loop.update.some((u) => u.k === "assign" && u.v === d.v);
}

/** Whether nothing after position `p` of the block uses v before declaring it again (later uses are of the new one). */
function unusedAfter(v: Var, p: number, mentions: Positions<Var>, declarations: Positions<Var>): boolean {
  const redeclared = declarations.next(v, p);
  const used = mentions.next(v, p);
  return used === Infinity || redeclared <= used;
}

function fixDeclarations(body: Block, params: readonly Var[]): Stmt[] {
  const scopes: Set<Var>[] = [new Set(params)];
  const visible = (v: Var) => scopes.some((sc) => sc.has(v));
  const declare = (s: Stmt & { k: "decl" }): Stmt => {
    if (visible(s.v)) return { k: "assign", v: s.v, value: s.init, origin: s.origin };
    scopes[scopes.length - 1]!.add(s.v);
    return s;
  };
  const visitBlock = (b: Block): Stmt[] => {
    scopes.push(new Set());
    const out = b.flatMap(visitStmt);
    scopes.pop();
    return out;
  };
  const visitStmt = (s: Stmt): Stmt[] => {
    if (s.k === "decl") return [declare(s)];
    if (s.k === "if") return [{ ...s, then: visitBlock(s.then), else: visitBlock(s.else) }];
    if (s.k === "loop") {
      scopes.push(new Set());
      let init = s.init;
      let prefix: Stmt | null = null;
      if (init) {
        const d = declare(init);
        if (d.k !== "decl") {
          prefix = d; // already visible: assign before the loop instead
          init = undefined;
        }
      }
      const loop: Stmt = { ...s, init, body: visitBlock(s.body), update: visitBlock(s.update) };
      scopes.pop();
      return prefix ? [prefix, loop] : [loop];
    }
    return [s];
  };
  scopes.push(new Set());
  return body.flatMap(visitStmt);
}
