/**
 * Reads: `a[i]` and `obj.name`. An access is, in this order, a constant of Math, a tensor's
 * shape, an array's length, a field of a structured parameter or of a record (records.ts), or an
 * array element; anything else is refused.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { index, len, ref, typeOfValue } from "../ir/build.js";
import type { Expr } from "../ir/types.js";
import { mathConstant } from "./calls/math.js";
import { numberConstant } from "./calls/number-guards.js";
import { tensorShape } from "./calls/tensor-ops.js";
import type { LowerContext } from "./context.js";
import { recordField, structuredLeaf } from "./records.js";
import { OUTER, unwrap } from "../syntax/unwrap.js";

export function elementAccess(ctx: LowerContext, e: ts.ElementAccessExpression): Expr {
  const leaf = structuredLeaf(ctx, e);
  if (leaf) return ref(leaf);
  const field = recordField(ctx, e);
  if (field) return field;
  const arr = ctx.expression(e.expression, "value");
  if (typeOfValue(arr).kind !== "array")
    fail(TSG.dynamicKey, e, "computed property keys are supported on arrays only", "use a literal property name, or an array");
  const i = ctx.expression(e.argumentExpression, "cond");
  return index(arr, i);
}

export function propertyAccess(ctx: LowerContext, e: ts.PropertyAccessExpression): Expr {
  const constant = mathConstant(ctx, e) ?? numberConstant(ctx, e);
  if (constant) return constant;
  const shape = tensorShape(ctx, e);
  if (shape) return shape;
  if (e.name.text === "length" && !isObjectField(ctx, e)) {
    const arr = ctx.expression(e.expression, "value");
    if (typeOfValue(arr).kind === "array") return len(arr);
  }
  const leaf = structuredLeaf(ctx, e);
  if (leaf) return ref(leaf);
  const field = recordField(ctx, e);
  if (field) return field;
  if (e.questionDotToken) fail(TSG.unsupportedSyntax, e, "optional chaining is not supported", "check the value explicitly");
  // a call's own refusal says more than this one (`vjp(h)(x).value`)
  if (ts.isCallExpression(unwrap(e.expression, OUTER))) ctx.expression(e.expression, "value");
  fail(
    TSG.unsupportedSyntax,
    e,
    `the property \`${e.name.text}\` cannot be read in a differentiated function`,
    "read numbers and arrays, .length, and fields of structured parameters",
  );
}

/** Whether `e` reads a field of an object (a field called `length` of a structured parameter, not an array length). */
function isObjectField(ctx: LowerContext, e: ts.PropertyAccessExpression): boolean {
  const t = ctx.checker.getTypeAtLocation(e.expression);
  return (
    !ctx.checker.isArrayType(t) &&
    t.getSymbol()?.getName() !== "Float64Array" &&
    !!(t.flags & ts.TypeFlags.Object) &&
    !ctx.checker.isTupleType(t)
  );
}
