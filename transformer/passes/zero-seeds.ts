/**
 * A pullback called with a zero cotangent adds nothing: it is linear in its seed (and a tangent
 * of a pullback in the seed and the seed's tangents together). Where the seed is chosen at run
 * time between a value and 0 (a branch, `Math.min`, `Math.max`), as the adjoint of
 * `Math.min(closest, distance(...))` is the cotangent for one centroid and 0 for every other, the
 * call is skipped when the seed is zero:
 *
 *     const seed = closest <= t ? 0 : closest_bar_in;
 *     if (seed !== 0) squaredDistance_adjoint(points, i, centroids, j, d, seed, centroids_bar);
 *
 * A skipped call also never multiplies 0 by a partial that overflowed (0 x Infinity is NaN):
 * the contribution of a zero cotangent is zero.
 *
 * Only emitted code gets the guard, never IR that another pass differentiates: forward mode over
 * `if (seed !== 0)` would skip the tangent's contribution where the seed is 0 and its tangent is
 * not. A statement is guarded where the call is all it does besides accumulating the call's
 * result or declaring it (whose zero stands in for a skipped call). Where the simplifier moved
 * the call into a larger expression (`x_bar = Math.min(2, t) + h_adjoint(x, seed)`), the call's
 * result is named first, zero where it is skipped: the reverse sweep is linear in cotangents, so
 * that zero is the call's contribution. Only where nothing else in the statement has effects or
 * reads an array the call adds into, so running the call first keeps what everything computes.
 */
import { newVar, num, op, ref, typeOfValue, zeroValue } from "../ir/build.js";
import { seedArgs } from "../ir/calls.js";
import type { Block, Expr, IRType, Stmt, Var } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { forEachStmt, forEachSubExpr, hasEffects, mapBlock, mapExpr, mapStmtExprs, stmtExprs } from "../ir/visit.js";

type Call = Expr & { k: "call" };

export function skipZeroSeeds(body: Block): Stmt[] {
  const declared = new Map<Var, Expr>();
  forEachStmt(body, (s) => {
    if (s.k === "decl") declared.set(s.v, s.init);
  });
  /** A seed chosen between a value and 0 (`t <= closest ? 0 : closest_bar`), here or where it was declared. */
  const choosesZero = (e: Expr): boolean => {
    const chosen = e.k === "var" ? declared.get(e.v) : e;
    return chosen?.k === "op" && chosen.op === "select" && chosen.args.slice(1).some((a) => a.k === "num" && a.value === 0);
  };
  return mapBlock(body, (s): Stmt | Stmt[] => {
    const whole = pullbackCallOf(s);
    if (whole) {
      // the call itself has effects (it accumulates): what else the statement evaluates must not
      if (whole.args.some(hasEffects) || (s.k === "store" && hasEffects(s.index))) return s;
      return (
        guarded(s, whole, choosesZero, (called) =>
          // a declared result is the zero of its type where the call is skipped
          s.k === "decl" && s.v.type.kind !== "void"
            ? { before: [{ ...s, init: zeroValue(s.v.type) }], then: [{ k: "assign", v: s.v, value: called, origin: s.origin }], after: [] }
            : { before: [], then: [withCall(s, whole, called)], after: [] },
        ) ?? s
      );
    }
    // a call the simplifier moved into a larger expression (`x_bar = t + h_adjoint(x, seed)`):
    // its result is named, zero where the call is skipped; the statement reads the name. The
    // reverse sweep is linear in the cotangents, so the zero is the skipped call's contribution.
    const inner = pullbackCallInside(s);
    if (!inner) return s;
    const result = newVar("result_bar", typeOfValue(inner), "adjoint");
    const rest = mapStmtExprs(s, (e) => mapExpr(e, (x) => (x === inner ? ref(result) : x)));
    if (!movableBefore(rest, inner)) return s;
    return (
      guarded(s, inner, choosesZero, (called) => ({
        before: [{ k: "decl", v: result, init: zeroValue(result.type), origin: s.origin }],
        then: [{ k: "assign", v: result, value: called, origin: s.origin }],
        after: [rest],
      })) ?? s
    );
  });
}

/**
 * `before`, then `if (seed !== 0) { then }`, then `after`, with each seed of `call` named first
 * (`place` builds the three from the call reading the names); null where the call's seeds are
 * not all numbers or none is chosen between a value and 0 at run time.
 */
function guarded(
  s: Stmt,
  call: Call,
  choosesZero: (e: Expr) => boolean,
  place: (called: Call) => { before: Stmt[]; then: Stmt[]; after: Stmt[] },
): Stmt[] | null {
  const positions = seedArgs(call.fn)!;
  const seeds = positions.map((i) => call.args[i]!);
  if (seeds.some((e) => typeOfValue(e).kind !== "num" || (e.k === "num" && e.value !== 0))) return null;
  // only where a seed is chosen to be zero at run time (a branch, min, max): elsewhere the test
  // would cost a branch per call for nothing, and say nothing to the reader
  if (!seeds.some(choosesZero)) return null;
  // each seed as an atom the test and the call both read
  const named: Stmt[] = [];
  const args = [...call.args];
  const atoms = positions.map((i): Expr => {
    const e = call.args[i]!;
    if (e.k === "var" || e.k === "num") return e;
    const v = newVar("seed", NUM, "adjoint");
    named.push({ k: "decl", v, init: e, origin: s.origin });
    args[i] = ref(v);
    return ref(v);
  });
  const tested = atoms.filter((a) => a.k !== "num");
  const { before, then, after } = place({ ...call, args });
  if (tested.length === 0) return [...named, ...before, ...after]; // every seed is the literal 0
  const cond = tested.map((a) => op("ne", a, num(0))).reduce((a, b) => op("or", a, b));
  return [...named, ...before, { k: "if", cond, then, else: [], origin: s.origin }, ...after];
}

/**
 * The one pullback call inside a larger expression of a declaration, assignment, store or
 * return, where its result is a number or a record of numbers (whose zero stands in).
 */
function pullbackCallInside(s: Stmt): Call | null {
  if (s.k !== "decl" && s.k !== "assign" && s.k !== "store" && s.k !== "return") return null;
  const calls: Call[] = [];
  for (const e of stmtExprs(s)) forEachSubExpr(e, (x) => x.k === "call" && seedArgs(x.fn) && calls.push(x));
  if (calls.length !== 1 || hasTensor(typeOfValue(calls[0]!)) || typeOfValue(calls[0]!).kind === "void") return null;
  return calls[0]!;
}

/**
 * Whether `call` may run before the rest of its statement (`rest`, the call replaced by its
 * result): nothing else in it has effects, and it reads no array the call is given (a pullback
 * accumulates into the cotangent arrays it is given, which the statement would read after).
 */
function movableBefore(rest: Stmt, call: Call): boolean {
  if (call.args.some(hasEffects) || stmtExprs(rest).some(hasEffects)) return false;
  const given = new Set<Var>();
  for (const a of call.args)
    forEachSubExpr(a, (x) => x.k === "var" && x.v.type.kind !== "num" && x.v.type.kind !== "bool" && given.add(x.v));
  let reads = false;
  for (const e of stmtExprs(rest)) forEachSubExpr(e, (x) => x.k === "var" && given.has(x.v) && (reads = true));
  return !reads && !(rest.k === "store" && given.has(rest.arr));
}

/**
 * The pullback call a statement makes, where skipping the statement is skipping the call: a call
 * for its effect (`h_adjoint(..., x_bar)`), a declared result (`const adjoints = h_adjoint(...)`,
 * whose zero stands in), or an accumulation of it (`x_bar += h_adjoint(...)`, `g[i] += ...`).
 */
function pullbackCallOf(s: Stmt): Call | null {
  let call: Expr | undefined;
  if (s.k === "decl") call = s.init;
  else if (s.k === "assign" && s.value.k === "op" && s.value.op === "add") {
    const [a, b] = s.value.args;
    call = a?.k === "var" && a.v === s.v ? b : b?.k === "var" && b.v === s.v ? a : undefined;
  } else if (s.k === "store" && s.accumulate) call = s.value;
  if (call?.k !== "call" || !seedArgs(call.fn)) return null;
  if (s.k === "decl" && s.v.type.kind !== "void" && hasTensor(s.v.type)) return null; // its zero needs a shape
  return call;
}

/** `s` with its pullback call `found` (pullbackCallOf) replaced by `call`. */
function withCall(s: Stmt, found: Call, call: Call): Stmt {
  if (s.k === "decl") return { ...s, init: call };
  if (s.k === "store") return { ...s, value: call };
  if (s.k === "assign" && s.value.k === "op")
    return { ...s, value: { ...s.value, args: s.value.args.map((a) => (a === found ? call : a)) } };
  throw new Error(`skipZeroSeeds: no call in a ${s.k}`);
}

function hasTensor(t: IRType): boolean {
  return (
    t.kind === "tensor" || (t.kind === "record" && t.fields.some((f) => hasTensor(f.type))) || (t.kind === "array" && hasTensor(t.elem))
  );
}
