/**
 * Dead code elimination by liveness over structured IR. A gradient does not return the primal
 * value, so most of the primal computation that the reverse sweep does not read disappears here
 * (Rosenbrock's forward sweep shrinks to counting trips).
 *
 * Stores into arrays the function does not own (parameters' adjoints, aliases of them), or that
 * it owns but also names otherwise (analyse/aliases.ts), are always live; stack pushes and pops
 * are always live (they pair up).
 */
import type { Block, Stmt, Var } from "../../ir/types.js";
import { forEachStmt, forEachVarInExpr, hasEffects, stmtExprs } from "../../ir/visit.js";
import { ArrayAliases } from "../../analyse/aliases.js";
import { LiveSet } from "../../analyse/live-set.js";

type Live = LiveSet;

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
  return sweep({ aliases, targets: [] }, block, new LiveSet(liveOut));
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

/** Sweeps a block backwards: `live` goes from what is live after it to what is live before it. */
function sweep(sw: Sweep, block: Block, live: Live): Stmt[] {
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
  return out;
}

/** The variables live now that were not at `mark`. */
function newlyLive(live: Live, mark: number): Var[] {
  const out: Var[] = [];
  for (const [v, c] of live.changedSince(mark)) if (c.now && !c.then) out.push(v);
  return out;
}

/** Whether a loop body may jump (break or continue), so that where it lands must be known. */
function hasJumps(body: Block): boolean {
  let found = false;
  forEachStmt(body, (x) => {
    if (x.k === "break" || x.k === "continue") found = true;
  });
  return found;
}

/** Updates `live` (to before `s`) and returns `s` without its dead parts, or null if dead. */
function visit(sw: Sweep, s: Stmt, live: Live, assignedLater: ReadonlySet<Var>): Stmt | null {
  switch (s.k) {
    case "decl":
    case "assign": {
      const value = s.k === "decl" ? s.init : s.value;
      // a declaration only names a value: when nothing after it mentions the name (no read, and
      // no store, which would make it live), it goes, also for an array with other names (the
      // row `const row = A[i]` of a `for (const row of A)` whose body the reverse sweep took)
      const bindsOtherNames = s.k === "assign" && alwaysLive(sw, s.v);
      if (!live.has(s.v) && !bindsOtherNames && !alwaysLiveStack(s.v) && !hasEffects(value)) {
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
    case "log":
      // an effect: kept, with what it prints
      addReads(s, live);
      return s;
    case "return":
    case "throw":
      // nothing after it runs; what it reads (a template message's values) is live
      live.replaceWith(new Set());
      addReads(s, live);
      return s;
    case "if": {
      // live before the if: what is live at the start of either branch. Each branch is swept
      // on the one set and undone; only what the branches changed is merged
      const m = live.mark();
      const thenBlock = sweep(sw, s.then, live);
      const thenChanges = live.changedSince(m);
      live.undo(m);
      const elseBlock = sweep(sw, s.else, live);
      const elseChanges = live.changedSince(m);
      live.undo(m);
      for (const [v, c] of thenChanges) if (c.now) live.add(v);
      for (const [v, c] of elseChanges) if (c.now) live.add(v);
      for (const [v, c] of thenChanges) if (!c.now && elseChanges.get(v)?.now === false) live.delete(v);
      if (thenBlock.length === 0 && elseBlock.length === 0 && !hasEffects(s.cond)) return null;
      addReads(s, live);
      return { ...s, then: thenBlock, else: elseBlock };
    }
    case "loop": {
      // what a break lands on is what is live after the loop: kept only where a jump needs it
      const jumps = hasJumps(s.body);
      const after = jumps ? live.snapshot() : undefined;
      const updatesObserved = new Set(s.update.flatMap((x) => (x.k === "assign" && live.has(x.v) ? [x.v] : [])));
      // the fixpoint of what is live at the loop head, growing from what is live after the loop
      // and what its test reads: each round sweeps the update and the body from the head and
      // undoes the sweep; the head grows by what became live, until nothing does
      if (s.test) forEachVarInExpr(s.test, (v) => live.add(v));
      const sweepLoop = (): { update: Stmt[]; body: Stmt[]; grown: Var[] } => {
        const m = live.mark();
        const update = sweep(sw, s.update, live);
        const grownByUpdate = s.testAtEnd ? newlyLive(live, m) : [];
        if (jumps) sw.targets.push({ label: s.label, afterLoop: after!, beforeUpdate: live.snapshot() });
        const body = sweep(sw, s.body, live);
        if (jumps) sw.targets.pop();
        return { update, body, grown: [...newlyLive(live, m), ...grownByUpdate] };
      };
      for (;;) {
        const m = live.mark();
        const { grown } = sweepLoop();
        live.undo(m);
        const added = grown.filter((v) => !live.has(v));
        if (added.length === 0) break;
        for (const v of added) live.add(v);
      }
      const m = live.mark();
      const { update, body } = sweepLoop();
      // live before the loop: the head, and what the body needs at its start
      for (const [v, c] of live.changedSince(m)) if (c.then && !c.now) live.add(v);
      // nothing the loop does is observed after it (its update feeds only its own test): a
      // counting loop with an empty body goes (one without an update could be waiting forever)
      const observed =
        body.length > 0 || update.some((x) => x.k !== "assign" || updatesObserved.has(x.v)) || (s.test !== null && hasEffects(s.test));
      if (!observed && update.length > 0) return null;
      return { ...s, body, update };
    }
    case "break":
    case "continue": {
      const target = targetOf(sw, s.label);
      if (!target) return s; // not inside a loop of this block: keep what is live (safe)
      live.replaceWith(s.k === "break" ? target.afterLoop : target.beforeUpdate);
      return s;
    }
    default:
      return s;
  }
}
