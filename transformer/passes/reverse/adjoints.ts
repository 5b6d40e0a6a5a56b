/**
 * Adjoint bookkeeping: where the adjoint of a value lives (a variable, an element of an adjoint
 * array, a leaf of a record's adjoint), making those variables on first use, and adding into
 * them. Nothing here emits forward-sweep code; arrays.ts and records.ts make adjoint arrays in
 * the forward sweep.
 */
import {
  accumulate,
  add,
  assign,
  decl,
  index,
  len,
  newVar,
  num,
  op,
  recordLeaves,
  ref,
  sameKeys,
  store,
  zeroValue,
} from "../../ir/build.js";
import type { Expr, IRType, Stmt, Var } from "../../ir/types.js";
import { NUM } from "../../ir/types.js";
import { tensorCall } from "../../rules/tensor-registry.js";
import { isActive, type Round } from "./context.js";
import type { RecordLeaf } from "./plan.js";

type Origin = Stmt["origin"];

/** The adjoint variable of a number or tensor variable (made once, kept by the Plan). */
export function scalarAdjoint(round: Round, v: Var): Var {
  let a = round.plan.scalarAdjoints.get(v);
  if (!a) {
    a = newVar(`${v.name}_bar`, v.type, "adjoint", { shapeLike: v });
    round.plan.scalarAdjoints.set(v, a);
  }
  return a;
}

/** The adjoint array of an array atom (a variable or a row of a nested array), if active. */
export function adjointArray(round: Round, e: Expr): Expr | null {
  if (e.k === "var") {
    if (!isActive(round, e.v)) return null;
    const a = round.plan.arrayAdjoints.get(e.v);
    return a ? ref(a) : null;
  }
  if (e.k === "index") {
    const inner = adjointArray(round, e.arr);
    return inner ? index(inner, e.index) : null;
  }
  if (e.k === "field") {
    const leaf = leafAdjoint(round, e);
    return leaf && leaf.type.kind === "array" ? ref(leaf) : null;
  }
  return null;
}

/** The adjoint leaves of a record variable (made once, kept by the Plan). */
export function recordAdjoint(round: Round, v: Var): readonly RecordLeaf[] {
  let leaves = round.plan.recordAdjoints.get(v);
  if (!leaves) {
    leaves = differentiableLeaves(v.type).map(({ keys, type }) => ({
      keys,
      v: newVar(`${v.name}_bar${keys.map((k) => `_${k}`).join("")}`, type, "adjoint", type.kind === "array" ? { owned: true } : {}),
    }));
    round.plan.recordAdjoints.set(v, leaves);
  }
  return leaves;
}

/** The base variable of a chain of field reads (`r.grad.0`), and the keys read. */
function fieldPath(e: Expr): { base: Expr; keys: (string | number)[] } {
  const keys: (string | number)[] = [];
  let base = e;
  while (base.k === "field") {
    keys.unshift(base.key);
    base = base.obj;
  }
  return { base, keys };
}

/** The adjoint of `r.grad[0]`-like reads: the leaf of the record's adjoint, if active. */
function leafAdjoint(round: Round, e: Expr): Var | null {
  const { base, keys } = fieldPath(e);
  if (base.k !== "var" || base.v.type.kind !== "record" || !isActive(round, base.v)) return null;
  return recordAdjoint(round, base.v).find((leaf) => sameKeys(leaf.keys, keys))?.v ?? null;
}

/** The leaves, re-keyed, of the record a record-typed field read reads. */
export function leafAdjointBase(round: Round, e: Expr & { k: "field" }): RecordLeaf[] | null {
  const { base, keys } = fieldPath(e);
  if (base.k !== "var" || !isActive(round, base.v)) return null;
  return recordAdjoint(round, base.v)
    .filter((leaf) => leaf.keys.length > keys.length && sameKeys(leaf.keys.slice(0, keys.length), keys))
    .map((leaf) => ({ keys: leaf.keys.slice(keys.length), v: leaf.v }));
}

/** The record's adjoint as a value: what a pullback of the call that made it is seeded with. */
export function recordAdjointValue(round: Round, v: Var): Expr {
  const leaves = recordAdjoint(round, v);
  const build = (t: IRType, keys: readonly (string | number)[]): Expr => {
    if (t.kind === "record")
      return {
        k: "record",
        tuple: t.tuple,
        fields: t.fields.map((f) => ({ key: f.key, value: build(f.type, [...keys, f.key]) })),
      };
    const leaf = leaves.find((l) => sameKeys(l.keys, keys));
    return leaf ? ref(leaf.v) : zeroValue(t);
  };
  return build(v.type, []);
}

/** Where the adjoint of a scalar atom lives: a variable or an element of an adjoint array. */
export type AdjointLocation = { v: Var } | { arr: Expr; index: Expr };

export function adjointLoc(round: Round, e: Expr): AdjointLocation | null {
  if (e.k === "field") {
    const leaf = leafAdjoint(round, e);
    return leaf && leaf.type.kind !== "array" ? { v: leaf } : null;
  }
  if (e.k === "var") {
    if ((e.v.type.kind !== "num" && e.v.type.kind !== "tensor") || !isActive(round, e.v)) return null;
    return { v: scalarAdjoint(round, e.v) };
  }
  if (e.k === "index") {
    const arr = adjointArray(round, e.arr);
    return arr ? { arr, index: e.index } : null;
  }
  return null;
}

/** Adds `value` into the adjoint of the atom `e` (nothing when `e` is inactive). */
export function accumulateInto(round: Round, e: Expr, value: Expr, origin: Origin, out: Stmt[]): void {
  const loc = adjointLoc(round, e);
  if (!loc) return;
  if ("v" in loc && loc.v.type.kind === "tensor") out.push(assign(loc.v, tensorCall("add", [ref(loc.v), value]), origin));
  else if ("v" in loc) out.push(accumulate(loc.v, value, origin));
  else if (loc.arr.k === "var") out.push(store(loc.arr.v, loc.index, value, origin, true));
  else {
    // element of a row of a nested adjoint array: name the row first
    const row = newVar("row_bar", { kind: "array", elem: NUM, storage: "array" }, "adjoint", { owned: false });
    out.push(decl(row, loc.arr, origin));
    out.push(store(row, loc.index, value, origin, true));
  }
}

/** The seed: the adjoint of the returned value += the input's seed. */
export function seedStatements(round: Round): Stmt[] {
  const r = round.input.result;
  const out: Stmt[] = [];
  if (r.k !== "var" || !isActive(round, r.v)) return out;
  if (r.v.type.kind === "num" || r.v.type.kind === "tensor") {
    accumulateInto(round, r, round.input.seed, undefined, out);
    return out;
  }
  if (r.v.type.kind === "record") {
    for (const { keys, v: leaf } of recordAdjoint(round, r.v)) {
      const part = recordPart(round.input.seed, keys);
      if (leaf.type.kind === "array") out.push(...addArrayInto(ref(leaf), part));
      else out.push(leaf.type.kind === "tensor" ? assign(leaf, tensorCall("add", [ref(leaf), part])) : accumulate(leaf, part));
    }
    return out;
  }
  const adj = adjointArray(round, r);
  if (adj && adj.k === "var") out.push(...addArrayInto(adj, round.input.seed));
  return out;
}

/** target[k] += source[k] for every k (adjoint of a copy; seeding an array result). */
export function addArrayInto(target: Expr, source: Expr, o?: Origin): Stmt[] {
  const k = newVar("k", NUM, "local");
  if (target.k !== "var") {
    const t = newVar("target_bar", { kind: "array", elem: NUM, storage: "array" }, "adjoint", { owned: false });
    return [decl(t, target, o), ...addArrayInto(ref(t), source, o)];
  }
  const body = [store(target.v, ref(k), index(source, ref(k)), o, true)];
  return [decl(k, num(0), o), countedLoop(k, len(target), body, o)];
}

/** for (k; k < n; k++) body, with k declared by the caller. */
export function countedLoop(k: Var, n: Expr, body: Stmt[], o: Origin): Stmt {
  const update = [assign(k, add(ref(k), num(1)), o)];
  return { k: "loop", test: op("lt", ref(k), n), testAtEnd: false, body, update, origin: o };
}

/** Leaves of a record type that carry derivatives (numbers, arrays of numbers, tensors), by path. */
export function differentiableLeaves(t: IRType, keys: readonly (string | number)[] = []): { keys: (string | number)[]; type: IRType }[] {
  return recordLeaves(t, keys).filter(
    ({ type }) => type.kind === "num" || type.kind === "tensor" || (type.kind === "array" && type.elem.kind === "num"),
  );
}

/** The part of a record literal at `keys` (nested literals are atoms in A-normal form: read through fields). */
export function recordPart(e: Expr, keys: readonly (string | number)[]): Expr {
  let cur = e;
  for (const key of keys) {
    if (cur.k === "record") cur = cur.fields.find((f) => f.key === key)?.value ?? num(0);
    else cur = { k: "field", obj: cur, key };
  }
  return cur;
}

/** The type of an atom: a variable's, or an element's of the array it indexes. */
export function typeOfAtom(e: Expr): IRType {
  if (e.k === "var") return e.v.type;
  if (e.k === "index") {
    const t = typeOfAtom(e.arr);
    return t.kind === "array" ? t.elem : NUM;
  }
  return NUM;
}
