/**
 * `Math.max(...xs)`, `Math.min(a, ...xs)`, `Math.hypot(...v)`: a spread argument becomes the loop
 * it stands for, a left fold of the binary operation over the arguments in order, from the
 * operation's identity (what the call of no arguments gives: -Infinity, Infinity, 0).
 *
 *   Math.max(a, ...xs)   ->   let largest = Math.max(-Infinity, a);
 *                             for (let i = 0; i < xs.length; i++) largest = Math.max(largest, xs[i]);
 *
 * For max and min the fold is the same value, bit for bit. For hypot it is the same norm to within
 * a rounding (the hypot of a running norm and the next entry is the norm of both, rounded at each
 * step, where JavaScript's n-ary hypot rounds once). The derivative follows the binary rules: at
 * ties, the earlier argument takes the derivative, as Math.max(a, b, c) folded left does.
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import { assign, decl, index, len, newVar, num, op, ref, typeOfValue } from "../../ir/build.js";
import type { Expr, OpName } from "../../ir/types.js";
import { NUM } from "../../ir/types.js";
import { countedLoop, emit, evaluatedOnce, type LowerContext, type Mode } from "../context.js";

const FOLDS: Readonly<Record<string, { readonly op: OpName; readonly identity: number; readonly name: string }>> = {
  max: { op: "max", identity: -Infinity, name: "largest" },
  min: { op: "min", identity: Infinity, name: "smallest" },
  hypot: { op: "hypot", identity: 0, name: "norm" },
};

export function spreadMathCall(ctx: LowerContext, e: ts.CallExpression, name: string, mode: Mode): Expr {
  const fold = FOLDS[name];
  if (!fold)
    fail(TSG.unsupportedSyntax, e, `a spread argument to Math.${name} is not supported`, `pass Math.${name} its arguments one by one`);
  const acc = newVar(fold.name, NUM, "local");
  emit(ctx, decl(acc, num(fold.identity), ctx.origin));
  for (const a of e.arguments) {
    if (!ts.isSpreadElement(a)) {
      emit(ctx, assign(acc, op(fold.op, ref(acc), ctx.expression(a, mode)), ctx.origin));
      continue;
    }
    const value = ctx.expression(a.expression, mode);
    const t = typeOfValue(value);
    if (t.kind !== "array" || t.elem.kind !== "num")
      fail(
        TSG.unsupportedType,
        a,
        `Math.${name} can spread an array of numbers (number[] or Float64Array)`,
        "spread a flat array of numbers",
      );
    // the array is evaluated once, as the spread does
    const xs = evaluatedOnce(ctx, "spread", value);
    countedLoop(ctx, len(xs), (i) => [assign(acc, op(fold.op, ref(acc), index(xs, ref(i))), ctx.origin)]);
  }
  return ref(acc);
}
