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
 * result or declaring it (whose zero stands in for a skipped call), and only where nothing in it
 * has effects of its own, so naming the seeds first keeps the order in which everything runs.
 */
import { newVar, num, op, ref, typeOfValue, zeroValue } from "../ir/build.js";
import { seedArgs } from "../ir/calls.js";
import type { Block, Expr, IRType, Stmt, Var } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { forEachStmt, hasEffects, mapBlock } from "../ir/visit.js";

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
    const call = pullbackCallOf(s);
    // the call itself has effects (it accumulates): what else the statement evaluates must not
    if (!call || call.args.some(hasEffects) || (s.k === "store" && hasEffects(s.index))) return s;
    const positions = seedArgs(call.fn)!;
    const seeds = positions.map((i) => call.args[i]!);
    if (seeds.some((e) => typeOfValue(e).kind !== "num" || (e.k === "num" && e.value !== 0))) return s;
    // only where a seed is chosen to be zero at run time (a branch, min, max): elsewhere the test
    // would cost a branch per call for nothing, and say nothing to the reader
    if (!seeds.some(choosesZero)) return s;
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
    const called: Call = { ...call, args };
    // a declared result is the zero of its type where the call is skipped
    const [before, then] =
      s.k === "decl" && s.v.type.kind !== "void"
        ? [[{ ...s, init: zeroValue(s.v.type) }], [{ k: "assign", v: s.v, value: called, origin: s.origin } as Stmt]]
        : [[], [withCall(s, call, called)]];
    if (tested.length === 0) return [...named, ...before]; // every seed is the literal 0
    const cond = tested.map((a) => op("ne", a, num(0))).reduce((a, b) => op("or", a, b));
    return [...named, ...before, { k: "if", cond, then, else: [], origin: s.origin }];
  });
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
