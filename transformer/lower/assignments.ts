/**
 * Expression statements: assignments (`=`, `+=` and the other compound operators, made explicit),
 * `++`/`--`, `array.push(...)`, and calls made for their effect. Which arrays may be written is
 * ownership.ts's policy.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { assign, decl, index, newVar, num, op, ref, store } from "../ir/build.js";
import type { Expr, IRType } from "../ir/types.js";
import { resolveCallee } from "./calls/callee.js";
import { collect, emit, type LowerContext } from "./context.js";
import { inlineCall } from "./calls/inline.js";
import { writesCallerState } from "./calls/written.js";
import { localOf } from "./names.js";
import { COMPOUND } from "./operators.js";
import { rebindArray, writableArray } from "./ownership.js";
import { assignMutableRecord } from "./mutable-records.js";
import { recordValue } from "./records.js";
import { unwrap } from "../syntax/unwrap.js";
import { irTypeOrUndefined } from "./types.js";
import { assignOptional, logicalAssignOptional, optionalTarget } from "./optional.js";
import { destructuringAssignment } from "./destructuring.js";

/** An expression used as a statement (also a `for` loop's initializer and update). */
export function expressionStatement(ctx: LowerContext, e: ts.Expression): void {
  e = unwrap(e, ["parens"]);
  switch (e.kind) {
    case ts.SyntaxKind.BinaryExpression: {
      const b = e as ts.BinaryExpression;
      const k = b.operatorToken.kind;
      if (k === ts.SyntaxKind.CommaToken) {
        expressionStatement(ctx, b.left);
        expressionStatement(ctx, b.right);
        return;
      }
      if (k === ts.SyntaxKind.EqualsToken) {
        const pattern = unwrap(b.left, ["parens"]);
        if (ts.isArrayLiteralExpression(pattern) || ts.isObjectLiteralExpression(pattern)) {
          destructuringAssignment(ctx, b, (target, value, node) => assignValue(ctx, target, value, node));
          return;
        }
        const optional = optionalTarget(ctx, b.left);
        if (optional) {
          assignOptional(ctx, optional, () => ctx.expression(b.right, "value"), b.right);
          return;
        }
        assignTo(ctx, b.left, (_old) => ctx.expression(b.right, "value"), b);
        return;
      }
      if (
        k === ts.SyntaxKind.BarBarEqualsToken ||
        k === ts.SyntaxKind.AmpersandAmpersandEqualsToken ||
        k === ts.SyntaxKind.QuestionQuestionEqualsToken
      ) {
        logicalAssignment(ctx, b);
        return;
      }
      const compound = COMPOUND[k];
      if (compound) {
        assignTo(ctx, b.left, (old) => op(compound, old, ctx.expression(b.right, "value")), b);
        return;
      }
      break;
    }
    case ts.SyntaxKind.PrefixUnaryExpression:
    case ts.SyntaxKind.PostfixUnaryExpression: {
      const u = e as ts.PrefixUnaryExpression | ts.PostfixUnaryExpression;
      if (u.operator !== ts.SyntaxKind.PlusPlusToken && u.operator !== ts.SyntaxKind.MinusMinusToken) break;
      const delta = u.operator === ts.SyntaxKind.PlusPlusToken ? "add" : "sub";
      assignTo(ctx, u.operand, (old) => op(delta, old, num(1)), u);
      return;
    }
    case ts.SyntaxKind.CallExpression:
      callStatement(ctx, e as ts.CallExpression);
      return;
  }
  fail(TSG.unsupportedSyntax, e, "this expression statement is not supported", "use assignments, compound assignments, ++/-- and push");
}

/**
 * `x ||= e`, `x &&= e`, `x ??= e` on a number or boolean variable: `if (!x) x = e`, `if (x) x = e`,
 * and nothing (a number or boolean is never null or undefined, so `e` is never evaluated), as in
 * JavaScript, where a number is false when it is 0, -0 or NaN.
 */
function logicalAssignment(ctx: LowerContext, b: ts.BinaryExpression): void {
  const target = unwrap(b.left, ["parens"]);
  const optional = optionalTarget(ctx, target);
  if (optional) {
    logicalAssignOptional(ctx, optional, b.operatorToken.kind, b.right);
    return;
  }
  const op = ts.tokenToString(b.operatorToken.kind);
  if (!ts.isIdentifier(target))
    fail(
      TSG.unsupportedSyntax,
      b,
      `\`${op}\` is supported on a variable, not on an element or a field`,
      `write the test out: \`if (xs[i] === 0) xs[i] = ...\``,
    );
  const v = localOf(ctx, target, b);
  if (v.type.kind !== "num" && v.type.kind !== "bool")
    fail(TSG.unsupportedType, b, `\`${op}\` is supported on numbers and booleans`, "write the test out with if/else");
  if (b.operatorToken.kind === ts.SyntaxKind.QuestionQuestionEqualsToken) return;
  const current = ref(v);
  const cond = b.operatorToken.kind === ts.SyntaxKind.BarBarEqualsToken ? notOp(current) : current;
  const origin = ctx.origin;
  const then = collect(ctx, () => emit(ctx, assign(v, ctx.expression(b.right, "value"), origin)));
  emit(ctx, { k: "if", cond, then, else: [], origin });
}

function notOp(e: Expr): Expr {
  return { k: "op", op: "not", args: [e] };
}

/** `xs.push(a, b)`, or a call for its effect. */
function callStatement(ctx: LowerContext, e: ts.CallExpression): void {
  const callee = e.expression;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === "push") {
    const arr = writableArray(ctx, callee.expression, e);
    for (const a of e.arguments) emit(ctx, { k: "push", arr, value: ctx.expression(a, "value"), origin: ctx.origin });
    return;
  }
  // a call for its effect. A function of the program given arrays may write into them (its
  // result written into a caller's buffer, an update in place): it is inlined, so that its writes
  // are the caller's (calls/inline.ts). Given only numbers, it can change nothing of the caller's
  // (unless it writes a variable it captures, which inlining also takes): the call is dropped.
  // A nonDifferentiable one stays (it may log).
  const target = resolveCallee(ctx, e);
  if (target.kind === "user" && (givesArrays(ctx, e) || writesCallerState(ctx.checker, target.fn))) {
    inlineCall(ctx, e, target.fn, true);
    return;
  }
  const lowered = ctx.expression(e, "value");
  if (lowered.k === "call" && lowered.fn.kind === "opaque")
    emit(ctx, decl(newVar("effect", { kind: "void" }, "temp"), lowered, ctx.origin));
}

function givesArrays(ctx: LowerContext, e: ts.CallExpression): boolean {
  return e.arguments.some((a) => carriesArray(irTypeOrUndefined(ctx.checker, ctx.checker.getTypeAtLocation(a))));
}

function carriesArray(t: IRType | undefined): boolean {
  if (!t) return false;
  if (t.kind === "array") return true;
  return t.kind === "record" && t.fields.some((f) => carriesArray(f.type));
}

/** `target = value`, the value lowered already (one target of a destructuring assignment). */
function assignValue(ctx: LowerContext, target: ts.Expression, value: Expr, node: ts.Node): void {
  const optional = optionalTarget(ctx, target);
  if (optional) assignOptional(ctx, optional, () => value);
  else assignTo(ctx, target, () => value, node);
}

/** Lowers `target = value(old)`, where `old` reads the target's current value. */
function assignTo(ctx: LowerContext, target: ts.Expression, value: (old: Expr) => Expr, node: ts.Node): void {
  target = unwrap(target, ["parens", "nonNull"]);
  switch (target.kind) {
    case ts.SyntaxKind.Identifier: {
      const id = target as ts.Identifier;
      const sym = ctx.checker.getSymbolAtLocation(id);
      const optional = sym && !ctx.captured.has(sym) && ctx.optionals.get(sym);
      if (optional) {
        assignOptional(ctx, optional, value);
        return;
      }
      if (sym && ctx.mutableRecords.has(sym)) {
        if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken)
          fail(TSG.unsupportedSyntax, node, "a tuple or object can only be given a new value with `=`", "assign a new tuple or object");
        assignMutableRecord(ctx, sym, recordValue(ctx, node.right), node);
        return;
      }
      if (sym && (ctx.records.has(sym) || ctx.markerBindings.has(sym)))
        fail(
          TSG.unsupportedSyntax,
          node,
          "tuples, objects and derivative functions cannot be reassigned here",
          "declare the tuple or object with `let` in this function (it then gets a variable per field), or a new const for the new value",
        );
      const v = localOf(ctx, id, node);
      if (v.type.kind === "array") {
        rebindArray(ctx, v, value(ref(v)), node);
        return;
      }
      emit(ctx, assign(v, value(ref(v)), ctx.origin));
      return;
    }
    case ts.SyntaxKind.ElementAccessExpression: {
      const access = target as ts.ElementAccessExpression;
      const arr = writableArray(ctx, access.expression, node);
      if (arr.type.kind === "array" && arr.type.elem.kind !== "num")
        fail(TSG.unsupportedSyntax, node, "writing rows of nested arrays is not supported", "use a flat array and compute the index");
      const i = ctx.expression(access.argumentExpression, "cond");
      emit(ctx, store(arr, i, value(index(ref(arr), i)), ctx.origin));
      return;
    }
    case ts.SyntaxKind.PropertyAccessExpression:
      fail(TSG.outerWrite, node, "writes to object fields are not supported", "compute a new value in a local variable");
    default:
      fail(TSG.unsupportedSyntax, node, "unsupported assignment target", "assign to a local variable or an element of a local array");
  }
}
