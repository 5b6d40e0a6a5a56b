/**
 * A set of live variables for backward liveness over structured IR, with a journal of changes.
 *
 * Liveness over an `if` needs the live set after each branch, and a loop's fixpoint sweeps its
 * body from a trial head more than once. Copying the whole live set at each of them costs its
 * size every time, which makes a function of n statements with n branches or loops quadratic
 * (the live set of a gradient's forward sweep holds what its reverse sweep reads: it grows with
 * the function). Instead, a sweep runs on the one set, and what it changed is read back from the
 * journal and undone: each costs the size of what it changed, not the size of the set.
 */
import type { Var } from "../ir/types.js";

export class LiveSet {
  private readonly live: Set<Var>;
  /** Every change: the variable and whether it was live before. */
  private readonly journal: { readonly v: Var; readonly was: boolean }[] = [];

  constructor(initial: Iterable<Var> = []) {
    this.live = new Set(initial);
  }

  has(v: Var): boolean {
    return this.live.has(v);
  }

  add(v: Var): void {
    if (this.live.has(v)) return;
    this.journal.push({ v, was: false });
    this.live.add(v);
  }

  delete(v: Var): void {
    if (!this.live.has(v)) return;
    this.journal.push({ v, was: true });
    this.live.delete(v);
  }

  /** Makes the set exactly `values` (a jump: what is live where it lands). */
  replaceWith(values: ReadonlySet<Var>): void {
    for (const v of [...this.live]) if (!values.has(v)) this.delete(v);
    for (const v of values) this.add(v);
  }

  /** A copy of the current contents (only where a snapshot is truly needed: jump targets). */
  snapshot(): Set<Var> {
    return new Set(this.live);
  }

  /** A point to come back to. */
  mark(): number {
    return this.journal.length;
  }

  /** The variables changed since `mark`, each with whether it is live now and was live then. */
  changedSince(mark: number): Map<Var, { readonly now: boolean; readonly then: boolean }> {
    const out = new Map<Var, { now: boolean; then: boolean }>();
    for (let i = mark; i < this.journal.length; i++) {
      const { v, was } = this.journal[i]!;
      if (!out.has(v)) out.set(v, { now: this.live.has(v), then: was });
    }
    return out;
  }

  /** Undoes every change since `mark`. */
  undo(mark: number): void {
    while (this.journal.length > mark) {
      const { v, was } = this.journal.pop()!;
      if (was) this.live.add(v);
      else this.live.delete(v);
    }
  }

  values(): IterableIterator<Var> {
    return this.live.values();
  }
}
