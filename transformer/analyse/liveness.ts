/**
 * Liveness of scalar variables over structured IR, backwards: which definitions are never read
 * before the variable is defined again (or the code ends). The reverse pass runs it over the
 * reverse sweep it generated, to find restores of overwritten values that nothing reads: their
 * saves are dropped (to-be-recorded analysis, by its effect on the code rather than by reasoning
 * about the primal).
 *
 * Cost: linear in the size of the code times its loop nesting. The live set is one set changed in
 * place as the walk goes backwards; a branch walks each side on a layer over it (a map of what
 * the side adds and kills) and merges the two; a loop is summarised once (what its body reads
 * before writing, and what it kills), which gives the set live at its head directly: the usual
 * fixpoint, without iterating it.
 */
import type { Block, Expr, Stmt, Var } from "../ir/types.js";
import { forEachVarInExpr, stmtExprs } from "../ir/visit.js";
import type { ArrayAliases } from "./aliases.js";
import { countWork } from "../ir/work.js";

/**
 * The definitions among `candidates` whose value is never read: `v = e` (v a number or boolean),
 * and `a[i] = e` when nothing reads `a` afterwards (arrays are tracked whole).
 */
export function deadDefinitions(body: Block, candidates: ReadonlySet<Stmt>, aliases?: ArrayAliases): Set<Stmt> {
  // Names of one array are live together: a read through any keeps a write through another
  // alive. A class none of whose names is ever killed (arrays are never killed, only numbers
  // and booleans) is live as soon as one of its names is, so it is tracked by one key.
  const classOf = new Map<Var, ReadonlySet<Var>>();
  const keyOf = new Map<Var, ReadonlySet<Var>>();
  for (const names of aliases?.classes() ?? []) {
    const killable = [...names].some(isScalar);
    for (const v of names) {
      classOf.set(v, names);
      if (!killable) keyOf.set(v, names);
    }
  }
  const seen = new Set<Stmt>();
  const live = new Set<Stmt>();
  const visit: Visit = (s, liveAfter) => {
    if (!candidates.has(s)) return;
    const target = s.k === "assign" || s.k === "decl" ? s.v : s.k === "store" ? s.arr : null;
    if (!target) return;
    seen.add(s);
    const key = keyOf.get(target);
    if (key ? liveAfter.has(key) : [...(classOf.get(target) ?? [target])].some((n) => liveAfter.has(n))) live.add(s);
  };
  const walker = new Walker(keyOf);
  walker.block(body, walker.empty(), visit);
  return new Set([...seen].filter((s) => !live.has(s)));
}

type Visit = (s: Stmt, liveAfter: LiveSet) => void;

function isScalar(v: Var): boolean {
  return v.type.kind === "num" || v.type.kind === "bool";
}

/**
 * A live set as a layer over another: what this layer says about a variable (live, or killed),
 * else what the layer under it says. Entries are variables and the keys of alias classes.
 */
class LiveSet {
  readonly local = new Map<unknown, boolean>();

  constructor(
    private readonly under: LiveSet | null,
    private readonly keyOf: ReadonlyMap<Var, unknown>,
  ) {}

  has(x: unknown): boolean {
    for (let layer: LiveSet | null = this; layer; layer = layer.under) {
      const live = layer.local.get(x);
      if (live !== undefined) return live;
    }
    return false;
  }

  add(v: Var): void {
    this.local.set(v, true);
    const key = this.keyOf.get(v);
    if (key) this.local.set(key, true);
  }

  reads(e: Expr): void {
    forEachVarInExpr(e, (v) => this.add(v));
  }

  kill(v: Var): void {
    this.local.set(v, false);
  }

  layer(): LiveSet {
    return new LiveSet(this, this.keyOf);
  }

  /** Makes this set what `layer` (over it) says: the layer's entries win. */
  absorb(entries: ReadonlyMap<unknown, boolean>): void {
    for (const [x, live] of entries) this.local.set(x, live);
  }
}

class Walker {
  /** Per loop: what its body and update do to any live set after them (reads and kills). */
  private readonly summaries = new Map<Stmt, ReadonlyMap<unknown, boolean>>();

  constructor(private readonly keyOf: ReadonlyMap<Var, unknown>) {}

  empty(): LiveSet {
    return new LiveSet(null, this.keyOf);
  }

  /** Walks `block` backwards, changing `live` from what is live after it to what is live before. */
  block(block: Block, live: LiveSet, visit: Visit | null): void {
    for (let i = block.length - 1; i >= 0; i--) this.stmt(block[i]!, live, visit);
  }

  private stmt(s: Stmt, live: LiveSet, visit: Visit | null): void {
    countWork("reverse.liveness");
    switch (s.k) {
      case "decl":
      case "assign":
        visit?.(s, live);
        if (isScalar(s.v)) live.kill(s.v);
        live.reads(s.k === "decl" ? s.init : s.value);
        return;
      case "if": {
        const then = live.layer();
        this.block(s.then, then, visit);
        const otherwise = live.layer();
        this.block(s.else, otherwise, visit);
        // live before the if: live before either branch
        for (const side of [then.local, otherwise.local]) for (const [x, l] of side) if (l) live.local.set(x, true);
        for (const [x, l] of then.local) if (!l && otherwise.local.get(x) === false) live.local.set(x, false);
        live.reads(s.cond);
        return;
      }
      case "loop": {
        // At the head: what is live after the loop, what the test reads, and what the body
        // reads before writing (the body runs again after itself).
        const summary = this.summary(s);
        if (s.test) live.reads(s.test);
        for (const [x, l] of summary) if (l) live.local.set(x, true);
        if (visit) {
          const body = live.layer();
          this.block(s.update, body, visit);
          this.block(s.body, body, visit);
        }
        // a do-while's body runs before any test: live before it is live before the body
        if (s.testAtEnd) live.absorb(summary);
        return;
      }
      default: {
        // writing elements reads nothing of the array, but does not make what was there dead
        // either (other elements stay); accumulating reads the element
        if (s.k === "store") visit?.(s, live);
        for (const e of stmtExprs(s)) live.reads(e);
        if ((s.k === "store" && s.accumulate) || s.k === "truncate") live.add(s.arr);
      }
    }
  }

  private summary(loop: Stmt & { k: "loop" }): ReadonlyMap<unknown, boolean> {
    let summary = this.summaries.get(loop);
    if (!summary) {
      const live = this.empty();
      this.block(loop.update, live, null);
      this.block(loop.body, live, null);
      summary = live.local;
      this.summaries.set(loop, summary);
    }
    return summary;
  }
}
