/**
 * Dead code elimination by liveness over structured IR. A gradient does not return the primal
 * value, so most of the primal computation that the reverse sweep does not read disappears here
 * (Rosenbrock's forward sweep shrinks to counting trips).
 *
 * Stores into arrays the function does not own (parameters' adjoints, aliases of them), or that
 * it owns but also names otherwise (analyse/aliases.ts), are always live; stack pushes and pops
 * are always live (they pair up).
 */
import type { Block, Expr, Stmt, Var } from "../../ir/types.js";
import { forEachStmt, forEachVarInExpr, hasEffects, stmtExprs } from "../../ir/visit.js";
import { ArrayAliases } from "../../analyse/aliases.js";

type Live = Set<Var>;

const alwaysLiveStack = (v: Var): boolean => v.type.kind === "stack";

/**
 * The loops a `break` or `continue` may jump out of, innermost last: what is live where each
 * lands (after the loop; before its update). Liveness flows backwards, so before a jump it is
 * what is live at its target, not what follows it in the block.
 */
interface JumpTarget {
  readonly label: string | undefined;
  readonly afterLoop: ReadonlySet<Var>;
  readonly beforeUpdate: ReadonlySet<Var>;
}

/** What one elimination knows while it sweeps. */
interface Sweep {
  /**
   * Arrays the function made (owned) that get a second name (`b = a`, `rows.push(a)`,
   * `o = { v: a }`; see analyse/aliases.ts). A write through one name is read through the other,
   * which liveness by name does not see, so writes into such an array are always kept.
   */
  readonly aliases: ArrayAliases;
  /** The loops around the statement being swept, innermost last. */
  readonly targets: JumpTarget[];
}

function targetOf(sw: Sweep, label: string | undefined): JumpTarget | undefined {
  for (let i = sw.targets.length - 1; i >= 0; i--) if (label === undefined || sw.targets[i]!.label === label) return sw.targets[i];
  return undefined;
}

const alwaysLive = (sw: Sweep, v: Var): boolean => v.type.kind === "array" && (v.owned !== true || sw.aliases.hasOtherNames(v));

function addReads(s: Stmt, live: Live): void {
  for (const e of stmtExprs(s)) forEachVarInExpr(e, (v) => live.add(v));
}

/**
 * Removes dead statements; `liveOut` are the variables live after the block, `aliases` the names
 * of its arrays (computed from the block when not given).
 */
export function eliminateDeadCode(block: Block, liveOut: ReadonlySet<Var> = new Set(), aliases = ArrayAliases.of(block)): Stmt[] {
  return sweep({ aliases, targets: [] }, block, new Set(liveOut)).block;
}

/**
 * Variables a statement assigns that need a binding from outside it: assignments inside its
 * nested blocks to variables those blocks do not declare themselves.
 */
function assignsOf(s: Stmt): Set<Var> {
  const out = new Set<Var>();
  const declared = new Set<Var>();
  forEachStmt([s], (t) => {
    if (t.k === "assign") out.add(t.v);
    else if (t.k === "decl" && t !== s) declared.add(t.v);
  });
  for (const v of declared) out.delete(v);
  return out;
}

function sweep(sw: Sweep, block: Block, live: Live): { block: Stmt[]; live: Live } {
  const out: Stmt[] = [];
  // variables assigned later in this block: a declaration also gives them their binding, and
  // may go only with them
  const assignedLater = new Set<Var>();
  for (let i = block.length - 1; i >= 0; i--) {
    const s = block[i]!;
    const kept = visit(sw, s, live, assignedLater);
    if (kept) out.push(kept);
    if (s.k === "decl") assignedLater.delete(s.v);
    else if (kept) for (const v of assignsOf(kept)) assignedLater.add(v);
  }
  out.reverse();
  return { block: out, live };
}

/** Updates `live` (to before `s`) and returns `s` without its dead parts, or null if dead. */
function visit(sw: Sweep, s: Stmt, live: Live, assignedLater: ReadonlySet<Var>): Stmt | null {
  switch (s.k) {
    case "decl":
    case "assign": {
      const value = s.k === "decl" ? s.init : s.value;
      if (!live.has(s.v) && !alwaysLive(sw, s.v) && !alwaysLiveStack(s.v) && !hasEffects(value)) {
        if (s.k === "assign" || !assignedLater.has(s.v)) return null;
        // kept for its binding (the next round drops it if the assignments went), without its
        // dead value: a number or boolean starts at a constant; anything else keeps what it reads
        live.delete(s.v);
        if (s.v.type.kind === "num") return { ...s, init: { k: "num", value: 0 } };
        if (s.v.type.kind === "bool") return { ...s, init: { k: "bool", value: false } };
        addReads(s, live);
        return s;
      }
      live.delete(s.v);
      addReads(s, live);
      return s;
    }
    case "store":
    case "push":
    case "truncate":
      // a store of a popped value pops even when the element is dead: pushes and pops pair up
      if (!live.has(s.arr) && !alwaysLive(sw, s.arr) && !stmtExprs(s).some(hasEffects)) return null;
      live.add(s.arr);
      addReads(s, live);
      return s;
    case "stackPush":
      live.add(s.stack);
      addReads(s, live);
      return s;
    case "return":
      live.clear();
      addReads(s, live);
      return s;
    case "if": {
      const t = sweep(sw, s.then, new Set(live));
      const e = sweep(sw, s.else, new Set(live));
      live.clear();
      for (const v of t.live) live.add(v);
      for (const v of e.live) live.add(v);
      if (t.block.length === 0 && e.block.length === 0 && !hasEffects(s.cond)) return null;
      addReads(s, live);
      return { ...s, then: t.block, else: e.block };
    }
    case "loop": {
      // fixpoint: what is live at the loop head
      const after = new Set(live);
      let head = new Set(after);
      if (s.test) forEachVarInExpr(s.test, (v) => head.add(v));
      const sweepBody = (update: { live: Live }) => {
        sw.targets.push({ label: s.label, afterLoop: after, beforeUpdate: update.live });
        const swept = sweep(sw, s.body, new Set(update.live));
        sw.targets.pop();
        return swept;
      };
      for (;;) {
        const u = sweep(sw, s.update, new Set(head));
        const b = sweepBody(u);
        const next = new Set(after);
        for (const v of b.live) next.add(v);
        if (s.testAtEnd) for (const v of u.live) next.add(v);
        if (s.test) forEachVarInExpr(s.test, (v) => next.add(v));
        if (next.size === head.size && [...next].every((v) => head.has(v))) break;
        head = next;
      }
      const u = sweep(sw, s.update, new Set(head));
      const b = sweepBody(u);
      live.clear();
      for (const v of head) live.add(v);
      for (const v of b.live) live.add(v);
      // nothing the loop does is observed after it (its update feeds only its own test): a
      // counting loop with an empty body goes (one without an update could be waiting forever)
      const observed = b.block.length > 0 || u.block.some((x) => x.k !== "assign" || after.has(x.v)) || (s.test !== null && hasEffects(s.test));
      if (!observed && u.block.length > 0) return null;
      return { ...s, body: b.block, update: u.block };
    }
    case "break":
    case "continue": {
      const target = targetOf(sw, s.label);
      if (!target) return s; // not inside a loop of this block: keep what is live (safe)
      live.clear();
      for (const v of s.k === "break" ? target.afterLoop : target.beforeUpdate) live.add(v);
      return s;
    }
    default:
      return s;
  }
}
