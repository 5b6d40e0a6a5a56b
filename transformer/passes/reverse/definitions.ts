/**
 * The reverse of the statements that change a value: `const v = e` and `v = e` (numbers,
 * tensors, booleans, arrays, records), `a[i] = e` and `a.push(e)`. Forward: the statement, after
 * saving what it overwrites when the reverse sweep needs it. Reverse: the adjoint flows from the
 * target to the operands, then the target gets its old value back.
 */
import { alloc, assign, decl, index, len, mul, newVar, num, ref, store, sub } from "../../ir/build.js";
import type { Expr, Stmt, Var } from "../../ir/types.js";
import { NUM } from "../../ir/types.js";
import { varsOf } from "../../ir/visit.js";
import { parseDerivedKey } from "../../ir/keys.js";
import { derivativeKind, partialReads } from "../../rules/registry.js";
import { isActive, isNeeded, type Round, type Sweeps, type Where } from "./context.js";
import { adjointArray, scalarAdjoint, typeOfAtom } from "./adjoints.js";
import { arrayAdjointForward, arrayDefinitionAdjoint, type AdjointRestore } from "./arrays.js";
import { constantSelfPartial, valueAdjoint } from "./partials.js";
import { recordAdjointForward, recordDefinitionAdjoint } from "./records.js";
import type { JustInTimeHere } from "./plan.js";
import { hoist, save } from "./tape.js";

type Origin = Stmt["origin"];

/**
 * `const v = e` (isDecl) or `v = e`, as statement `s`. Also used for the bookkeeping variables
 * of branches and loops (a recorded direction, a trip count), which are saved like any value.
 */
export function definition(round: Round, s: Stmt, v: Var, e: Expr, isDecl: boolean, where: Where): Sweeps {
  const { plan } = round;
  const o = s.origin;
  const f: Stmt[] = [];
  const r: Stmt[] = [];
  const recomputed = isDecl && round.recomputedVars.has(v) && plan.recomputable.has(s);
  // forward: save the old value if it is needed later in the reverse sweep
  let restore: Expr | null = null;
  const mustHoist = isDecl && where.nesting > 0 && !recomputed && isNeeded(round, v);
  if (mustHoist) hoist(round, v);
  const overwrites = !isDecl || (mustHoist && where.loopDepth > 0);
  if (overwrites && isNeeded(round, v) && !recomputed && !plan.skipSaves.has(s)) {
    restore = save(round, ref(v), v.type, v.name, where, f);
    if ((v.type.kind === "num" || v.type.kind === "bool") && plan.original.has(s)) round.restoreOwners.set(restore, s);
  }
  // a call of a source function: marked, with its pullback's call below, as one pair
  const paired = pairedCall(e);
  if (isDecl && !mustHoist) f.push(s.k === "decl" && s.init === e && paired !== e ? { ...s, init: paired } : s);
  else f.push(assign(v, paired, o));
  e = paired;
  // adjoint arrays live next to their primal, created in the forward sweep (a recomputed alias
  // gets its adjoint recomputed with it, see blocks.ts)
  const restoreAdjoints: AdjointRestore[] = [];
  const active = isActive(round, v);
  if (v.type.kind === "array" && active && !recomputed) restoreAdjoints.push(...arrayAdjointForward(round, v, e, isDecl, o, f, where));
  if (v.type.kind === "record" && active) restoreAdjoints.push(...recordAdjointForward(round, v, e, o, f, where));
  // reverse: propagate the adjoint, then give the variable back its old value
  if (active && (v.type.kind === "num" || v.type.kind === "tensor")) {
    // inside loops, cheap values the partials read are recomputed rather than stored
    const jit = where.loopDepth > 0 ? plan.justInTimeAt(s, v, e) : undefined;
    scalarDefinitionAdjoint(round, v, e, isDecl, restore, o, r, jit);
  } else if (active && v.type.kind === "array" && !isDecl && varsOf(e).has(v)) {
    // `w = w.slice()`, `w = h(w)`: what reached the new array flows into the old one, so the
    // old array and its adjoint come back first
    const incoming = newVar(`${v.name}_bar_new`, v.type, "adjoint", { owned: false });
    r.push(decl(incoming, ref(plan.arrayAdjoints.get(v)!), o));
    for (const { a, value } of restoreAdjoints.reverse()) r.push(assign(a, value, o));
    if (restore) r.push(assign(v, restore, o));
    arrayDefinitionAdjoint(round, v, e, o, r, incoming);
  } else {
    if (active && v.type.kind === "array") arrayDefinitionAdjoint(round, v, e, o, r);
    if (active && v.type.kind === "record") recordDefinitionAdjoint(round, v, e, isDecl, o, r);
    for (const { a, value } of restoreAdjoints.reverse()) r.push(assign(a, value, o));
    if (restore) r.push(assign(v, restore, o));
  }
  return { f, r };
}

let pairs = 0;

/** `e` marked as one of a pair (Expr `pair`), where it is a call of a source function. */
function pairedCall(e: Expr): Expr {
  if (e.k !== "call" || e.fn.kind !== "user" || parseDerivedKey(e.fn.key)) return e;
  return { ...e, pair: ++pairs };
}

/**
 * The reverse of `v = e` for a number or tensor: `jit` holds the values the statement's reverse
 * may recompute instead of reading (Plan.justInTimeAt), its own output among them.
 */
function scalarDefinitionAdjoint(
  round: Round,
  v: Var,
  e: Expr,
  isDecl: boolean,
  restore: Expr | null,
  o: Origin,
  r: Stmt[],
  jit: JustInTimeHere | undefined,
): void {
  const vBar = scalarAdjoint(round, v);
  // the output, when read by the partials: recomputed on the spot if it is cheap (`jit`)
  const output: Expr = jit?.output ?? ref(v);
  const recompute = jit?.recompute;
  if (varsOf(e).has(v)) {
    selfUpdateAdjoint(round, v, vBar, e, restore, o, r, recompute);
    return;
  }
  if (jit?.readsTarget && restore) {
    // a recomputation reads this statement's own target: give it its old value first
    const y = newVar("t", NUM, "temp");
    r.push(decl(y, output, o), assign(v, restore, o));
    valueAdjoint(round, e, ref(y), ref(vBar), o, r, { recompute });
    if (!isDecl) r.push(assign(vBar, num(0), o));
    return;
  }
  valueAdjoint(round, e, output, ref(vBar), o, r, { recompute });
  if (!isDecl) r.push(assign(vBar, num(0), o));
  if (restore) r.push(assign(v, restore, o));
}

/** `v = op(v, ...)`: a value computed from its own old value. */
function selfUpdateAdjoint(
  round: Round,
  v: Var,
  vBar: Var,
  e: Expr,
  restore: Expr | null,
  o: Origin,
  r: Stmt[],
  recompute: ReadonlyMap<Var, Expr> | undefined,
): void {
  // v = v + e, v = v - e, v = c * v ...: the partial with respect to v is a constant, so v_bar
  // scales in place after the other operands took theirs
  const selfPartial = constantSelfPartial(v, e);
  if (selfPartial !== null) {
    if (restore) r.push(assign(v, restore, o));
    valueAdjoint(round, e, ref(v), ref(vBar), o, r, { skip: v, recompute });
    if (selfPartial !== 1) r.push(assign(vBar, mul(num(selfPartial), ref(vBar)), o));
    return;
  }
  // v = op(v, ...): partials need the old v (restored) and maybe the new one (kept in y)
  let y: Expr = ref(v);
  const needsOutput =
    (e.k === "op" && derivativeKind(e.op) === "differentiable" && e.args.some((_, i) => partialReads(e.op, e.args.length, i).output)) ||
    // a tensor rule may read the output (exp, tanh, softmax), and a customVjp rule is given it;
    // keeping a tensor is keeping a reference
    (e.k === "call" && (e.fn.kind === "tensor" || e.fn.kind === "opaque"));
  if (needsOutput && restore) {
    const yv = newVar(v.type.kind === "tensor" ? "out" : "t", v.type, "temp");
    r.push(decl(yv, ref(v), o));
    y = ref(yv);
  }
  if (restore) r.push(assign(v, restore, o));
  // the adjoint flowing in is v_bar; capture it, then let the operands (v included) take theirs
  const g = newVar(`${v.name}_bar_in`, v.type, "adjoint");
  r.push(decl(g, ref(vBar), o));
  r.push(assign(vBar, num(0), o));
  valueAdjoint(round, e, y, ref(g), o, r, { recompute });
}

/** `a[i] = e` (or `a[i] += e`): the old element is saved when the reverse sweep reads `a`. */
export function storeStmt(round: Round, s: Stmt & { k: "store" }, where: Where): Sweeps {
  const o = s.origin;
  const f: Stmt[] = [];
  const r: Stmt[] = [];
  let restore: Expr | null = null;
  const overwritten = round.plan.firstWrites.get(s);
  if (isNeeded(round, s.arr) && !round.plan.skipSaves.has(s)) {
    // the first write into an element of a fresh array overwrites its fill: restored, not saved
    restore = overwritten ? { ...overwritten } : save(round, index(ref(s.arr), s.index), NUM, `${s.arr.name}_elem`, where, f);
    if (round.plan.original.has(s)) round.restoreOwners.set(restore, s);
  }
  f.push(s);
  const aBar = isActive(round, s.arr) ? round.plan.arrayAdjoints.get(s.arr) : undefined;
  if (aBar) {
    const g = newVar(`${s.arr.name}_bar_elem`, NUM, "adjoint");
    r.push(decl(g, index(ref(aBar), s.index), o));
    if (!s.accumulate) r.push(store(aBar, s.index, num(0), o));
    valueAdjoint(round, s.value, s.value, ref(g), o, r);
  }
  if (restore) r.push(store(s.arr, s.index, restore, o));
  return { f, r };
}

/** `arr.push(e)`: the adjoint array grows with it; the reverse takes the last slot and pops. */
export function pushStmt(round: Round, s: Stmt & { k: "push" }): Sweeps {
  const o = s.origin;
  const f: Stmt[] = [s];
  const r: Stmt[] = [];
  const aBar = isActive(round, s.arr) ? round.plan.arrayAdjoints.get(s.arr) : undefined;
  const valueType = typeOfAtom(s.value);
  if (aBar && valueType.kind === "array") {
    // a row pushed onto an array of arrays: its adjoint row is the row's own adjoint array
    // (what reaches rows[k] reaches the row), or zeros shaped like it
    const row = adjointArray(round, s.value) ?? alloc(len(s.value), valueType.storage);
    f.push({ k: "push", arr: aBar, value: row, origin: o });
  } else if (aBar) {
    f.push({ k: "push", arr: aBar, value: num(0), origin: o });
    const g = newVar(`${s.arr.name}_bar_last`, NUM, "adjoint");
    r.push(decl(g, index(ref(aBar), sub(len(ref(s.arr)), num(1))), o));
    valueAdjoint(round, s.value, s.value, ref(g), o, r);
  }
  if (aBar || isNeeded(round, s.arr)) {
    r.push({ k: "truncate", arr: s.arr, origin: o });
    if (aBar) r.push({ k: "truncate", arr: aBar, origin: o });
  }
  return { f, r };
}
