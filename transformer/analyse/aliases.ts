/**
 * Arrays with more than one name. A local array may be given a second name (`const b = a`,
 * `t ? a : c`, `rows.push(a)`, `{ v: a }`, `const r = rows[0]`), and a write through one name
 * changes what the others read. Analyses that reason by name (what is written between a value's
 * definition and its use, what the reverse sweep reads) must treat a write to one name as a
 * write to all of them: this groups the names of each array into one class.
 *
 * The grouping is by flow, not by time: a name joins its array's class for the whole function,
 * which is conservative (more saves, fewer moves), never wrong.
 */
import type { Block, Expr, Var } from "../ir/types.js";
import { forEachStmt } from "../ir/visit.js";
import { typeOfValue } from "../ir/build.js";

export class ArrayAliases {
  private readonly parent = new Map<Var, Var>();
  private readonly members = new Map<Var, Set<Var>>();

  static of(body: Block): ArrayAliases {
    const aliases = new ArrayAliases();
    forEachStmt(body, (s) => {
      if (s.k === "decl") aliases.join(s.v, namesIn(s.init));
      else if (s.k === "assign") aliases.join(s.v, namesIn(s.value));
      else if (s.k === "store" || s.k === "push") aliases.join(s.arr, namesIn(s.value));
    });
    return aliases;
  }

  /** The groups of names of one array (only those with two names or more). */
  classes(): Iterable<ReadonlySet<Var>> {
    return this.members.values();
  }

  /** Whether the array `v` names is also named otherwise. */
  hasOtherNames(v: Var): boolean {
    return (this.members.get(this.find(v))?.size ?? 1) > 1;
  }

  /** `vars` and every other name of the arrays among them. */
  expand(vars: Iterable<Var>): Set<Var> {
    const out = new Set<Var>();
    for (const v of vars) {
      out.add(v);
      for (const m of this.members.get(this.find(v)) ?? []) out.add(m);
    }
    return out;
  }

  /** The representative of v's class (union-find with path halving: near-constant time). */
  private find(v: Var): Var {
    let r = v;
    for (let up = this.parent.get(r); up !== undefined; up = this.parent.get(r)) {
      const grand = this.parent.get(up);
      if (grand !== undefined) this.parent.set(r, grand);
      r = grand ?? up;
    }
    return r;
  }

  private join(v: Var, names: readonly Var[]): void {
    for (const n of names) {
      let a = this.find(v);
      let b = this.find(n);
      if (a === b) continue;
      // the smaller class joins the larger: each name moves O(log n) times in all
      const sizeOf = (r: Var) => this.members.get(r)?.size ?? 1;
      if (sizeOf(a) < sizeOf(b)) [a, b] = [b, a];
      this.parent.set(b, a);
      const merged = this.members.get(a) ?? new Set([a]);
      for (const m of this.members.get(b) ?? [b]) merged.add(m);
      this.members.set(a, merged);
      this.members.delete(b);
    }
  }
}

/**
 * The variables whose memory a value shares: array and record variables it is (or holds, or
 * chooses between, or is an element or field of). Copies, allocations and calls make new memory;
 * a number read out of an array shares nothing.
 */
function namesIn(e: Expr): Var[] {
  switch (e.k) {
    case "var":
      return e.v.type.kind === "array" || e.v.type.kind === "record" ? [e.v] : [];
    case "index":
    case "field": {
      const t = typeOfValue(e);
      if (t.kind !== "array" && t.kind !== "record") return [];
      return namesIn(e.k === "index" ? e.arr : e.obj);
    }
    case "op":
      return e.args.flatMap(namesIn);
    case "record":
      return e.fields.flatMap((f) => namesIn(f.value));
    case "arrayLit":
      return e.elems.flatMap(namesIn);
    default:
      return [];
  }
}
