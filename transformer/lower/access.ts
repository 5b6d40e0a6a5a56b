/**
 * Reads: `a[i]` and `obj.name`. An access is, in this order, a constant of Math, a tensor's
 * shape, an array's length, a field of a structured parameter or of a record (records.ts), or an
 * array element; anything else is refused.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { index, len, num, ref, typeOfValue } from "../ir/build.js";
import type { Expr } from "../ir/types.js";
import { mathConstant } from "./calls/math.js";
import { numberConstant } from "./calls/number-guards.js";
import { tensorShape } from "./calls/tensor-ops.js";
import type { LowerContext } from "./context.js";
import { recordField } from "./records.js";
import { structuredLeaf } from "./leaves.js";
import { OUTER, unwrap } from "../syntax/unwrap.js";
import { isStatic, qualifiedMember, resolveAlias } from "../syntax/declarations.js";
import { memberGlobal } from "./names.js";
import { optionalPart, optionalRead } from "./optional.js";

export function elementAccess(ctx: LowerContext, e: ts.ElementAccessExpression): Expr {
  const read = parameterFieldRead(ctx, e);
  if (read) return read;
  const field = recordField(ctx, e);
  if (field) return field;
  const arr = ctx.expression(e.expression, "value");
  if (typeOfValue(arr).kind !== "array")
    fail(TSG.dynamicKey, e, "computed property keys are supported on arrays only", "use a literal property name, or an array");
  const i = ctx.expression(e.argumentExpression, "cond");
  return index(arr, i);
}

export function propertyAccess(ctx: LowerContext, e: ts.PropertyAccessExpression): Expr {
  // `this.c`: refused as `this` (expressions.ts), even where it names a static member
  if (unwrap(e.expression, OUTER).kind === ts.SyntaxKind.ThisKeyword) ctx.expression(e.expression, "value");
  const constant = mathConstant(ctx, e) ?? numberConstant(ctx, e) ?? enumMember(ctx, e);
  if (constant) return constant;
  const member = qualifiedRead(ctx, e);
  if (member) return member;
  const shape = tensorShape(ctx, e);
  if (shape) return shape;
  if (e.name.text === "length" && !isObjectField(ctx, e)) {
    const arr = ctx.expression(e.expression, "value");
    if (typeOfValue(arr).kind === "array") return len(arr);
  }
  const read = parameterFieldRead(ctx, e);
  if (read) return read;
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

/**
 * A field of a structured parameter: its leaf, or, for an optional field or object
 * (`o.scale`, `o.noise?.sigma`, `o.noise`), what optionalRead says. Undefined for other reads.
 */
function parameterFieldRead(ctx: LowerContext, e: ts.PropertyAccessExpression | ts.ElementAccessExpression): Expr | undefined {
  const part = optionalPart(ctx, e);
  if (part) return optionalRead(ctx, e, part, "cond");
  const leaf = structuredLeaf(ctx, e);
  if (!leaf) return undefined;
  const optional = ctx.optionalLeaves.get(leaf);
  return optional ? optionalRead(ctx, e, optional, "cond") : ref(leaf);
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

/** `E.Two` of an enum: its value, a constant. */
function enumMember(ctx: LowerContext, e: ts.PropertyAccessExpression): Expr | undefined {
  const sym = ctx.checker.getSymbolAtLocation(e.name);
  const member = sym && resolveAlias(ctx.checker, sym).valueDeclaration;
  if (!member || !ts.isEnumMember(member)) return undefined;
  const value = ctx.checker.getConstantValue(member);
  if (typeof value === "number") return num(value);
  if (typeof value === "string") return { k: "str", value };
  fail(TSG.unsupportedSyntax, e, `the enum member \`${e.getText()}\` has no constant value`, "give the member a number literal value");
}

/** `NS.D` of a namespace, `K.C` of a class's static property: a value read by its qualified name. */
function qualifiedRead(ctx: LowerContext, e: ts.PropertyAccessExpression): Expr | undefined {
  const sym = ctx.checker.getSymbolAtLocation(e.name);
  const target = sym && resolveAlias(ctx.checker, sym);
  const d = target?.valueDeclaration;
  if (!target || !d || d.getSourceFile().isDeclarationFile) return undefined;
  if (!ts.isVariableDeclaration(d) && !ts.isPropertyDeclaration(d)) return undefined;
  const member = qualifiedMember(d);
  if (member) return ref(memberGlobal(ctx, e, target, member));
  if (ts.isPropertyDeclaration(d) && isStatic(d))
    fail(
      TSG.unsupportedSyntax,
      e,
      `the static property \`${e.getText()}\` belongs to a class that generated code cannot name (a class expression, or in a namespace that does not export it)`,
      "declare the class at module level, or export it from its namespace",
    );
  return undefined;
}
