/**
 * The reverse of calls: user functions (joint mode, through the callee's generated pullback),
 * functions with the user's own rules (customVjp, customJvp), and tensor operations (their
 * registered reverse contributions).
 */
import { accumulate, add, alloc, assign, calleeKey, decl, index, len, mul, newVar, num, ref, store, typeOfValue } from "../../ir/build.js";
import type { Callee, Expr, IRType, Stmt } from "../../ir/types.js";
import { NUM } from "../../ir/types.js";
import { exprEquals } from "../../ir/visit.js";
import { parseDerivedKey, type DerivedKind } from "../../ir/keys.js";
import { refuse, TSG } from "../../refusal.js";
import { tensorArgIsDifferentiable, tensorCall, tensorHasVjp, tensorResultType, tensorVjp } from "../../rules/tensor-registry.js";
import { isActive, type Round } from "./context.js";
import { accumulateInto, addArrayInto, adjointArray, adjointLoc, countedLoop, recordAdjoint, typeOfAtom } from "./adjoints.js";

type Origin = Stmt["origin"];

/**
 * Derivatives a function may call and still be differentiated in reverse mode: gradients (their
 * pullback is a Hessian-vector product, see assembleGradientPullback), tangents (the reverse
 * pass runs over the forward pass's output), except tangents of reverse sweeps (below), and
 * copies of source functions narrowed to the fields their caller reads (passes/unread-fields.ts).
 */
const REVERSIBLE_DERIVATIVES: ReadonlySet<DerivedKind> = new Set<DerivedKind>(["grad", "valueAndGrad", "jvp", "fields"]);

/** Kinds made by forward mode alone (or copies): a tangent of one is ordinary IR again. */
const FORWARD_ONLY: ReadonlySet<DerivedKind> = new Set<DerivedKind>([
  "jvp",
  "jvpVec",
  "derivative",
  "valueAndDerivative",
  "primal",
  "fields",
  "jvpAux",
  "withoutAux",
]);

/**
 * The reverse-mode derivative a tangent callee is the tangent of, at any depth
 * (`jvp[1](grad[1](h))`: grad), or null. The forward pass over a function that calls `grad`
 * calls such a tangent; its body is a reverse sweep's tangent: it pops the shared stacks its own
 * forward sweep pushed, and the pullbacks it calls add into the adjoint arrays they are given.
 * The reverse pass cannot reverse either (the reverse pass never runs over a reverse sweep, see
 * ARCHITECTURE.md "Reverse over reverse is forward over reverse"), so a call of one is refused.
 */
function reverseSweepUnder(key: string): DerivedKind | null {
  let parsed = parseDerivedKey(key);
  if (!parsed || (parsed.kind !== "jvp" && parsed.kind !== "jvpVec")) return null;
  while (parsed && FORWARD_ONLY.has(parsed.kind)) parsed = parseDerivedKey(parsed.base);
  return parsed?.kind ?? null;
}

/**
 * A call of a function's rule: through the function (`f.tsgradVjp(...)`, as customVjp attached
 * it), with the rule's own body as what differentiating this call differentiates.
 */
export function ruleCall(fn: Callee & { kind: "opaque" }, member: string, ruleKey: string): Callee {
  return { kind: "opaque", key: `${fn.key}.${member}`, external: fn.external, member, body: ruleKey };
}

/**
 * Joint mode: the callee's pullback recomputes its primal and returns the operands' adjoints.
 * Its convention, shared with assembleCalleePullback: after the arguments and the seed `g`, the
 * adjoint arrays of the active array operands (and of the array leaves of active tuples and
 * objects), in order; it returns the adjoints of the scalar ones (numbers, tensors, and the
 * scalar leaves of tuples and objects): one bare, several as a tuple.
 */
export function callAdjoint(round: Round, e: Expr & { k: "call" }, g: Expr, o: Origin, r: Stmt[]): void {
  const active = e.args.map((a) => {
    if (a.k === "var" && a.v.type.kind === "record") return isActive(round, a.v);
    return a.k === "var" && a.v.type.kind === "array" ? adjointArray(round, a) !== null : adjointLoc(round, a) !== null;
  });
  if (!active.some(Boolean)) return;
  const derived = parseDerivedKey(calleeKey(e.fn));
  if (derived && !REVERSIBLE_DERIVATIVES.has(derived.kind))
    refuse(
      TSG.nestedMarker,
      o,
      `reverse mode through a call of ${derived.kind}(...) inside the function is not supported yet`,
      "differentiate this function in forward mode (jvp), or call grad, valueAndGrad or jvp inside it",
    );
  const sweep = derived ? reverseSweepUnder(calleeKey(e.fn)) : null;
  if (sweep)
    refuse(
      TSG.nestedMarker,
      o,
      `reverse mode over \`jvp\` of a function that calls ${sweep}(...) here is not supported: it would reverse the gradient's own reverse sweep`,
      'differentiate the outer function in forward mode (jvp, or jacobian with mode: "forward"), or take jvp only of functions that do not call grad or valueAndGrad',
    );
  const args: Expr[] = [...e.args, g];
  /** Where each returned adjoint goes: an operand, or a scalar leaf of a record operand. */
  const scalarTargets: { type: IRType; into: (value: Expr, out: Stmt[]) => void }[] = [];
  e.args.forEach((a, i) => {
    if (!active[i]) return;
    const t = typeOfAtom(a);
    if (t.kind === "array") args.push(adjointArray(round, a)!);
    else if (t.kind === "record" && a.k === "var")
      for (const leaf of recordAdjoint(round, a.v)) {
        if (leaf.v.type.kind === "array") args.push(ref(leaf.v));
        else
          scalarTargets.push({
            type: leaf.v.type,
            into: (value, out) =>
              out.push(
                leaf.v.type.kind === "tensor" ? assign(leaf.v, tensorCall("add", [ref(leaf.v), value]), o) : accumulate(leaf.v, value, o),
              ),
          });
      }
    else scalarTargets.push({ type: t, into: (value, out) => accumulateInto(round, a, value, o, out) });
  });
  const callee: Callee = { kind: "vjp", key: calleeKey(e.fn), active };
  const resultType: IRType =
    scalarTargets.length <= 1
      ? (scalarTargets[0]?.type ?? { kind: "void" })
      : { kind: "record", tuple: true, fields: scalarTargets.map((x, i) => ({ key: i, type: x.type })) };
  const call: Expr = { k: "call", fn: callee, args, type: resultType, ...(e.pair !== undefined ? { pair: e.pair } : {}) };
  if (scalarTargets.length === 0) {
    const sink = newVar("unused", { kind: "void" }, "temp");
    r.push(decl(sink, call, o));
    return;
  }
  if (scalarTargets.length === 1) {
    if (args.length === e.args.length + 1) {
      scalarTargets[0]!.into(call, r);
      return;
    }
    // the pullback also adds into adjoint arrays in place: call it before reading any of them
    // (`x_bar[0] += h_adjoint(..., x_bar)` would read x_bar[0] first)
    const res = newVar("adjoint", resultType, "adjoint");
    r.push(decl(res, call, o));
    scalarTargets[0]!.into(ref(res), r);
    return;
  }
  const res = newVar("adjoints", resultType, "adjoint");
  r.push(decl(res, call, o));
  scalarTargets.forEach((x, i) => x.into({ k: "field", obj: ref(res), key: i }, r));
}

/**
 * A function with the user's own rule. customVjp: the rule gives the adjoints of the arguments
 * from the arguments, the output `y` and its cotangent `g`. customJvp: the rule's tangent along
 * each scalar argument's basis direction, times the cotangent. nonDifferentiable: nothing flows.
 */
export function ruleAdjoint(
  round: Round,
  e: Expr & { k: "call" },
  fn: Callee & { kind: "opaque" },
  y: Expr,
  g: Expr,
  o: Origin,
  r: Stmt[],
): void {
  if (!fn.rule) return;
  const active = e.args.map((a) => (typeOfAtom(a).kind === "array" ? adjointArray(round, a) !== null : adjointLoc(round, a) !== null));
  if (!active.some(Boolean)) return;
  const types = e.args.map(typeOfAtom);
  if (fn.rule.vjp) {
    const gradType: IRType =
      types.length === 1 ? types[0]! : { kind: "record", tuple: true, fields: types.map((t, i) => ({ key: i, type: t })) };
    const res = newVar("rule_bar", gradType, "adjoint");
    const rule = ruleCall(fn, "tsgradVjp", fn.rule.vjp);
    r.push(decl(res, { k: "call", fn: rule, args: [...e.args, y, g], type: gradType }, o));
    e.args.forEach((a, i) => {
      if (!active[i]) return;
      const value: Expr = types.length === 1 ? ref(res) : { k: "field", obj: ref(res), key: i };
      if (types[i]!.kind === "array") r.push(...addArrayInto(adjointArray(round, a)!, value, o));
      else accumulateInto(round, a, value, o, r);
    });
    return;
  }
  const jvpRule = fn.rule.jvp!;
  e.args.forEach((a, i) => {
    if (!active[i]) return;
    if (types[i]!.kind !== "num")
      refuse(
        TSG.badRule,
        o,
        "reverse mode through a customJvp rule is supported for number arguments only",
        "give the function a customVjp rule for reverse mode",
      );
    // the basis direction of argument i: 1 for it, zeros (arrays of zeros) for the others
    const tangents = e.args.map((b, j): Expr => {
      const t = types[j]!;
      return t.kind === "array" ? alloc(len(b), t.storage) : num(j === i ? 1 : 0);
    });
    const rule = ruleCall(fn, "tsgradJvp", jvpRule);
    const column: Expr = { k: "call", fn: rule, args: [...e.args, ...tangents], type: NUM };
    accumulateInto(round, a, mul(column, g), o, r);
  });
}

/**
 * A tensor operation: each differentiable argument's adjoint takes the rule's contribution (a
 * number argument the contribution's single value: its broadcast is summed away).
 */
export function tensorAdjoint(round: Round, e: Expr & { k: "call" }, name: string, y: Expr, g: Expr, o: Origin, r: Stmt[]): void {
  // repeated operands (mul(h, h)) get one accumulation of the summed contributions
  const groups: { arg: Expr; total: Expr }[] = [];
  e.args.forEach((a, i) => {
    if (!tensorArgIsDifferentiable(name, i, e.args.length)) return;
    if (typeOfAtom(a).kind === "array") {
      // the data of tensor(xs): the contribution is a tensor laid out as xs is read
      const target = adjointArray(round, a);
      if (target) r.push(...addTensorIntoArray(target, typeOfAtom(a), tensorVjp(name, i, e.args, y, g)!, o));
      return;
    }
    if (!adjointLoc(round, a)) return;
    if (!tensorHasVjp(name, i, e.args.length))
      refuse(
        TSG.unsupportedSyntax,
        o,
        `reverse mode through \`${name}\` is not available (it is a helper of forward-mode rules)`,
        "report this with the function's source",
      );
    let contribution = tensorVjp(name, i, e.args, y, g)!;
    if (typeOfAtom(a).kind === "num" && typeOfValue(contribution).kind === "tensor") contribution = tensorCall("item", [contribution]);
    const group = groups.find((x) => exprEquals(x.arg, a));
    if (!group) groups.push({ arg: a, total: contribution });
    else group.total = typeOfAtom(a).kind === "tensor" ? tensorCall("add", [group.total, contribution]) : add(group.total, contribution);
  });
  for (const { arg, total } of groups) accumulateInto(round, arg, total, o, r);
}

/**
 * The adjoint of an array a tensor was made from (`tensor(xs)`, xs a number[], a Float64Array
 * or nested arrays): the tensor adjoint's values, in row-major order, the order tensor() reads
 * the data in, added into the array's adjoint element by element; through each row in turn for
 * nested arrays (their adjoint is an array of adjoint rows).
 */
function addTensorIntoArray(target: Expr, type: IRType, contribution: Expr, o: Origin): Stmt[] {
  const values = newVar("values_bar", tensorResultType("flatValues"), "adjoint", { owned: false });
  const out: Stmt[] = [decl(values, tensorCall("flatValues", [contribution]), o)];
  if (type.kind === "array" && type.elem.kind !== "array") {
    out.push(...addArrayInto(target, ref(values), o));
    return out;
  }
  // nested: one running position in the values across every row
  const k = newVar("k", NUM, "local");
  out.push(decl(k, num(0), o));
  const rows = (arr: Expr, t: IRType, depth: number): Stmt[] => {
    const i = newVar(["i", "j"][depth] ?? "l", NUM, "local");
    const elem = t.kind === "array" ? t.elem : NUM;
    let body: Stmt[];
    if (elem.kind === "array") {
      const row = newVar("row_bar", elem, "adjoint", { owned: false });
      body = [decl(row, index(arr, ref(i)), o), ...rows(ref(row), elem, depth + 1)];
    } else {
      const named = arr.k === "var" ? arr.v : undefined;
      if (!named) throw new Error("addTensorIntoArray: an unnamed row");
      body = [store(named, ref(i), index(ref(values), ref(k)), o, true), assign(k, add(ref(k), num(1)), o)];
    }
    return [decl(i, num(0), o), countedLoop(i, len(arr), body, o)];
  };
  if (target.k === "var") out.push(...rows(target, type, 0));
  else {
    const named = newVar("target_bar", type, "adjoint", { owned: false });
    out.push(decl(named, target, o), ...rows(ref(named), type, 0));
  }
  return out;
}
