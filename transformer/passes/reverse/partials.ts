/**
 * The reverse of one value: each active operand's adjoint += partial * g, with the partials of
 * the rule registry (scalar primitives), or through calls.ts for calls.
 */
import { add, isOne, mul, num, op } from "../../ir/build.js";
import type { Expr, Stmt, Var } from "../../ir/types.js";
import { exprEquals, substitute, varsOf } from "../../ir/visit.js";
import { refuse, TSG } from "../../refusal.js";
import { derivativeKind, partial } from "../../rules/registry.js";
import { foldExpr } from "../simplify/fold.js";
import type { Round } from "./context.js";
import { accumulateInto, adjointLoc } from "./adjoints.js";
import { callAdjoint, ruleAdjoint, tensorAdjoint } from "./calls.js";

export interface ValueAdjointOptions {
  /** An operand whose adjoint the caller handles (a self-update's target). */
  readonly skip?: Var;
  /**
   * Values the partials recompute instead of reading (just-in-time values, see
   * Plan.justInTime): substituted into each partial.
   */
  readonly recompute?: ReadonlyMap<Var, Expr>;
}

/**
 * Adjoint of one primitive application `e` with output `y`, given the output's adjoint `g`.
 * Repeated operands (x * x) get one accumulation with the partials summed.
 */
export function valueAdjoint(
  round: Round,
  e: Expr,
  y: Expr,
  g: Expr,
  o: Stmt["origin"],
  r: Stmt[],
  options: ValueAdjointOptions = {},
): void {
  switch (e.k) {
    case "num":
    case "bool":
    case "len": // a length is data: `let s = xs.length; s += ...`
      return;
    case "var":
    case "index":
    case "field":
      accumulateInto(round, e, g, o, r);
      return;
    case "op": {
      const kind = derivativeKind(e.op);
      if (kind === "zero" || kind === "boolean") return;
      if (kind === "select") {
        const [c, a, b] = e.args as [Expr, Expr, Expr];
        if (adjointLoc(round, a)) accumulateInto(round, a, op("select", c, g, num(0)), o, r);
        if (adjointLoc(round, b)) accumulateInto(round, b, op("select", c, num(0), g), o, r);
        return;
      }
      const { skip, recompute } = options;
      const groups: { arg: Expr; coef: Expr }[] = [];
      e.args.forEach((a, i) => {
        if (!adjointLoc(round, a) || (skip && a.k === "var" && a.v === skip)) return;
        let p = partial(e.op, e.args, y, i);
        if (recompute?.size) p = substitute(p, recompute);
        const grp = groups.find((x) => exprEquals(x.arg, a));
        if (grp) grp.coef = add(grp.coef, p);
        else groups.push({ arg: a, coef: p });
      });
      for (const grp of groups) accumulateInto(round, grp.arg, isOne(grp.coef) ? g : mul(grp.coef, g), o, r);
      return;
    }
    case "call":
      if (e.fn.kind === "tensor") tensorAdjoint(round, e, e.fn.key, y, g, o, r);
      else if (e.fn.kind === "opaque" && e.fn.body) callAdjoint(round, { ...e, fn: { kind: "user", key: e.fn.body } }, g, o, r);
      else if (e.fn.kind === "opaque") ruleAdjoint(round, e, e.fn, y, g, o, r);
      else callAdjoint(round, e, g, o, r);
      return;
    default:
      refuse(
        TSG.unsupportedSyntax,
        o,
        `the reverse pass cannot differentiate a \`${e.k}\` value here`,
        "report this with the function's source",
      );
  }
}

/** For `v = op(..., v, ...)` with v once among the operands: its partial, if a constant. */
export function constantSelfPartial(v: Var, e: Expr): number | null {
  if (e.k !== "op" || derivativeKind(e.op) !== "differentiable") return null;
  const positions = e.args.flatMap((a, i) => (a.k === "var" && a.v === v ? [i] : []));
  if (positions.length !== 1) return null;
  if ([...varsOf({ ...e, args: e.args.filter((_, i) => i !== positions[0]) })].includes(v)) return null;
  const folded = foldExpr(partial(e.op, e.args, num(NaN), positions[0]!));
  return folded.k === "num" && Number.isFinite(folded.value) ? folded.value : null;
}
