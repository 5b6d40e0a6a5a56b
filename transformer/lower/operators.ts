/** Operators: unary `-`, `+`, `!` and `~`, binary arithmetic and bitwise operators, comparisons, `&&` / `||`, and `?:`. */
import { perCompiler, ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { alloc, assign, decl, index, len, newVar, num, op, ref, typeOfValue } from "../ir/build.js";
import type { Expr, OpName } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { collect, emit, typeOfNode, type LowerContext, type Mode } from "./context.js";
import { structuredLeaf } from "./leaves.js";
import { unwrap } from "../syntax/unwrap.js";
import { refuseIncrementInExpression } from "./refusals.js";
import { irTypeOrUndefined, typeToString } from "./types.js";
import { typeofComparison } from "./calls/number-guards.js";
import { optionalComparison, optionalOrDefault } from "./optional.js";
import { atIndex } from "./arrays.js";

const ARITH: Partial<Record<ts.SyntaxKind, OpName>> = perCompiler(() => ({
  [ts.SyntaxKind.PlusToken]: "add",
  [ts.SyntaxKind.MinusToken]: "sub",
  [ts.SyntaxKind.AsteriskToken]: "mul",
  [ts.SyntaxKind.SlashToken]: "div",
  [ts.SyntaxKind.PercentToken]: "mod",
  [ts.SyntaxKind.AsteriskAsteriskToken]: "pow",
  [ts.SyntaxKind.AmpersandToken]: "bitAnd",
  [ts.SyntaxKind.BarToken]: "bitOr",
  [ts.SyntaxKind.CaretToken]: "bitXor",
  [ts.SyntaxKind.LessThanLessThanToken]: "shiftLeft",
  [ts.SyntaxKind.GreaterThanGreaterThanToken]: "shiftRight",
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken]: "shiftRightUnsigned",
}));
/** `x op= y`, which assignments.ts makes explicit as `x = x op y`. */
export const COMPOUND: Partial<Record<ts.SyntaxKind, OpName>> = perCompiler(() => ({
  [ts.SyntaxKind.PlusEqualsToken]: "add",
  [ts.SyntaxKind.MinusEqualsToken]: "sub",
  [ts.SyntaxKind.AsteriskEqualsToken]: "mul",
  [ts.SyntaxKind.SlashEqualsToken]: "div",
  [ts.SyntaxKind.PercentEqualsToken]: "mod",
  [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: "pow",
  [ts.SyntaxKind.AmpersandEqualsToken]: "bitAnd",
  [ts.SyntaxKind.BarEqualsToken]: "bitOr",
  [ts.SyntaxKind.CaretEqualsToken]: "bitXor",
  [ts.SyntaxKind.LessThanLessThanEqualsToken]: "shiftLeft",
  [ts.SyntaxKind.GreaterThanGreaterThanEqualsToken]: "shiftRight",
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken]: "shiftRightUnsigned",
}));
const COMPARE: Partial<Record<ts.SyntaxKind, OpName>> = perCompiler(() => ({
  [ts.SyntaxKind.LessThanToken]: "lt",
  [ts.SyntaxKind.LessThanEqualsToken]: "le",
  [ts.SyntaxKind.GreaterThanToken]: "gt",
  [ts.SyntaxKind.GreaterThanEqualsToken]: "ge",
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: "eq",
  [ts.SyntaxKind.EqualsEqualsToken]: "eq",
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: "ne",
  [ts.SyntaxKind.ExclamationEqualsToken]: "ne",
}));

export function prefixUnary(ctx: LowerContext, e: ts.PrefixUnaryExpression, mode: Mode): Expr {
  switch (e.operator) {
    case ts.SyntaxKind.MinusToken: {
      const inner = ctx.expression(e.operand, mode);
      return inner.k === "num" ? num(-inner.value) : op("neg", inner);
    }
    case ts.SyntaxKind.PlusToken:
      return ctx.expression(e.operand, mode);
    case ts.SyntaxKind.ExclamationToken:
      return op("not", ctx.expression(e.operand, "cond"));
    case ts.SyntaxKind.TildeToken: {
      const inner = ctx.expression(e.operand, mode);
      if (typeOfValue(inner).kind !== "num")
        fail(TSG.unsupportedType, e, `\`~\` on ${typeToString(typeOfValue(inner))} is not supported`, "apply ~ to a number");
      return op("bitNot", inner);
    }
    default:
      refuseIncrementInExpression(e);
  }
}

export function binary(ctx: LowerContext, e: ts.BinaryExpression, mode: Mode): Expr {
  const typeofCheck = typeofComparison(ctx, e) ?? optionalComparison(ctx, e);
  if (typeofCheck) return typeofCheck;
  const k = e.operatorToken.kind;
  const arith = ARITH[k];
  if (arith) {
    const left = ctx.expression(e.left, mode);
    const right = ctx.expression(e.right, mode);
    const lt = typeOfValue(left);
    const rt = typeOfValue(right);
    if (lt.kind !== "num" || rt.kind !== "num")
      fail(
        TSG.unsupportedType,
        e,
        `\`${ts.tokenToString(k)}\` on ${typeToString(lt)} and ${typeToString(rt)} is not supported`,
        "apply arithmetic to numbers",
      );
    return op(arith, left, right);
  }
  const cmp = COMPARE[k];
  if (cmp) return op(cmp, ctx.expression(e.left, "cond"), ctx.expression(e.right, "cond"));
  switch (k) {
    case ts.SyntaxKind.AmpersandAmpersandToken:
    case ts.SyntaxKind.BarBarToken:
      return logical(ctx, e);
    case ts.SyntaxKind.QuestionQuestionToken:
      return nullishDefault(ctx, e, mode);
  }
  if (k === ts.SyntaxKind.EqualsToken || COMPOUND[k])
    fail(TSG.unsupportedSyntax, e, "assignment inside an expression is not supported", "write the assignment as its own statement");
  fail(
    TSG.unsupportedSyntax,
    e,
    `the operator \`${ts.tokenToString(k)}\` is not supported`,
    "use arithmetic, bitwise operators on numbers, comparisons and && / || on booleans",
  );
}

/** `&&` and `||` on booleans; the right side may not need statements (it is evaluated lazily). */
function logical(ctx: LowerContext, e: ts.BinaryExpression): Expr {
  const type = typeOfNode(ctx, e);
  if (type.kind !== "bool")
    fail(TSG.unsupportedType, e, "&& and || are supported on booleans only", "use a ?: expression to choose between numbers");
  const left = ctx.expression(e.left, "cond");
  const before = ctx.statements.length;
  const right = ctx.expression(e.right, "cond");
  if (ctx.statements.length !== before)
    fail(TSG.unsupportedSyntax, e.right, "the right side of && / || needs statements of its own", "compute it into a variable first");
  return op(e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? "and" : "or", left, right);
}

/**
 * `c ? a : b` where the value may carry a derivative becomes an if statement: evaluating both
 * sides eagerly would let a NaN of the side not taken leak into the adjoint. In conditions only
 * its value matters, and it stays an expression.
 */
export function conditional(ctx: LowerContext, e: ts.ConditionalExpression, mode: Mode): Expr {
  const cond = ctx.expression(e.condition, "cond");
  const type = typeOfNode(ctx, e);
  if (mode === "cond" || type.kind === "bool" || type.kind === "data") {
    const before = ctx.statements.length;
    const a = ctx.expression(e.whenTrue, "cond");
    const b = ctx.expression(e.whenFalse, "cond");
    if (ctx.statements.length === before) return op("select", cond, a, b);
  }
  const flatArray = type.kind === "array" && type.elem.kind === "num";
  if (type.kind !== "num" && type.kind !== "tensor" && !flatArray)
    fail(
      TSG.unsupportedType,
      e,
      `?: choosing between values of type ${typeToString(type)} is not supported`,
      "choose between numbers, arrays or tensors, or use if/else",
    );
  // an array chosen is a read-only alias of the one taken (given its array in each branch)
  const t = newVar("choice", type, "temp", flatArray ? { owned: false } : {});
  const origin = ctx.origin;
  emit(ctx, decl(t, type.kind === "array" ? alloc(num(0), type.storage) : num(0), origin));
  const then = collect(ctx, () => emit(ctx, assign(t, ctx.expression(e.whenTrue, "value"), origin)));
  const els = collect(ctx, () => emit(ctx, assign(t, ctx.expression(e.whenFalse, "value"), origin)));
  emit(ctx, { k: "if", cond, then, else: els, origin });
  return ref(t);
}

/**
 * `a ?? b`. An element read (`xs[i] ?? 0`) may find nothing, whatever its type says: the element
 * when the index is within the array, else `b` (readOrDefault). Elsewhere, where `a`'s type has no null or undefined in it (a number, an array, a field that is
 * not optional), `a` itself, and `b` is never evaluated, as in JavaScript. An optional parameter
 * is its value when given, else `b` (optional.ts). Any other value that may be missing is refused.
 */
function nullishDefault(ctx: LowerContext, e: ts.BinaryExpression, mode: Mode): Expr {
  const chosen = optionalOrDefault(ctx, e.left, e.right);
  if (chosen) return chosen;
  const guarded = guardedRead(ctx, e.left);
  if (guarded) return readOrDefault(ctx, e, guarded);
  const t = ctx.checker.getTypeAtLocation(e.left);
  const members = t.isUnion() ? t.types : [t];
  const maybeMissing = members.some(
    (m) => m.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Any | ts.TypeFlags.Unknown),
  );
  if (maybeMissing)
    fail(
      TSG.unsupportedType,
      e.left,
      "`??` on a value that may be null or undefined is not supported: differentiated code has no undefined",
      "give the value a type without undefined (a required field or parameter), or choose the value before the differentiated function",
    );
  return ctx.expression(e.left, mode);
}

/** An element read that may miss (`xs[i]`, `rows[i]?.[j]`): when it is there, and what it reads. */
export interface GuardedRead {
  readonly present: Expr;
  readonly read: Expr;
}

/**
 * `xs[i]`, `rows[i][j]` or `rows[i]?.[j]` on arrays: present when every index is an integer
 * within its array (`Math.floor(i) === i && 0 <= i && i < xs.length`), as JavaScript finds an
 * element there or reads undefined. Anything else (a field of a tuple) is undefined here.
 */
function guardedRead(ctx: LowerContext, left: ts.Expression): GuardedRead | undefined {
  const e = unwrap(left, ["parens", "nonNull"]);
  if (isArrayAt(ctx, e)) {
    // `xs.at(i) ?? d`: the index resolved (from the end when negative) is an integer already
    const { arr, at } = atIndex(ctx, e, e.expression)!;
    const below = op("lt", at, len(arr));
    return { present: at.k === "num" ? below : op("and", op("le", num(0), at), below), read: index(arr, at) };
  }
  if (!ts.isElementAccessExpression(e)) return undefined;
  // `rows[i]` is `number[] | undefined` under noUncheckedIndexedAccess: the array it may be
  const holder = ctx.checker.getNonNullableType(ctx.checker.getTypeAtLocation(e.expression));
  if (irTypeOrUndefined(ctx.checker, holder)?.kind !== "array") return undefined;
  if (structuredLeaf(ctx, e)) return undefined;
  const outer = guardedRead(ctx, e.expression);
  const arr = outer ? outer.read : ctx.expression(e.expression, "value");
  if (typeOfValue(arr).kind !== "array") return undefined;
  let i = ctx.expression(e.argumentExpression, "cond");
  if (i.k !== "num" && i.k !== "var") {
    const at = newVar("at", NUM, "local");
    emit(ctx, decl(at, i, ctx.origin));
    i = ref(at);
  }
  const below = op("lt", i, len(arr));
  const natural = i.k === "num" && Number.isInteger(i.value) && i.value >= 0;
  const inBounds = natural ? below : op("and", op("and", op("eq", op("floor", i), i), op("le", num(0), i)), below);
  return { present: outer ? op("and", outer.present, inBounds) : inBounds, read: index(arr, i) };
}

/** `xs.at(i)` on an array. */
function isArrayAt(ctx: LowerContext, e: ts.Expression): e is ts.CallExpression & { expression: ts.PropertyAccessExpression } {
  return (
    ts.isCallExpression(e) &&
    ts.isPropertyAccessExpression(e.expression) &&
    e.expression.name.text === "at" &&
    irTypeOrUndefined(ctx.checker, ctx.checker.getTypeAtLocation(e.expression.expression))?.kind === "array"
  );
}

/**
 * `xs[i] ?? d`: the element when it is there, else `d`, evaluated only then (as in JavaScript);
 * an if statement, so that neither side's derivative leaks into the other.
 */
function readOrDefault(ctx: LowerContext, e: ts.BinaryExpression, g: GuardedRead): Expr {
  const type = typeOfValue(g.read);
  if (type.kind !== "num")
    fail(
      TSG.unsupportedType,
      e,
      `\`??\` after an element read is supported on numbers, not on ${typeToString(type)}`,
      "check the index against the array's length with if/else",
    );
  return elementOrDefault(ctx, g, e.right);
}

/**
 * The element `g` reads when it is present, else `fallback`, lowered only in that branch (a
 * default is evaluated only when it applies): `xs[i] ?? d`, and `const [a = d] = xs`.
 */
export function elementOrDefault(ctx: LowerContext, g: GuardedRead, fallback: ts.Expression): Expr {
  const t = newVar("element", NUM, "temp");
  const origin = ctx.origin;
  emit(ctx, decl(t, num(0), origin));
  const then = [assign(t, g.read, origin)];
  const els = collect(ctx, () => emit(ctx, assign(t, ctx.expression(fallback, "value"), origin)));
  emit(ctx, { k: "if", cond: g.present, then, else: els, origin });
  return ref(t);
}
