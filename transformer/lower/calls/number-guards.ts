/**
 * The guards and constants every numeric program has, as data: `Number.EPSILON`,
 * `Number.MAX_VALUE`, ...; `Number.isFinite(x)`, `isNaN(x)`, `Number.isInteger(x)`;
 * `parseFloat("1e-8")` of a literal; `typeof x === "number"`; `Number(x)` of a number (itself) or a boolean. Each becomes a constant or a
 * comparison of the existing primitives, exactly as JavaScript evaluates it on a number:
 *
 *   isFinite(x)    Math.abs(x) < Infinity          (false for NaN and both infinities)
 *   isNaN(x)       x !== x
 *   isInteger(x)   Math.floor(x) === x && Math.abs(x) < Infinity
 *
 * They carry no derivative (their results are booleans or constants).
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import { bool, num, op, typeOfValue } from "../../ir/build.js";
import type { Expr } from "../../ir/types.js";
import type { LowerContext } from "../context.js";
import { isGlobalBinding } from "./math.js";
import { optionalTypeof } from "../optional.js";

const NUMBER_CONSTANTS: Readonly<Record<string, number>> = {
  EPSILON: Number.EPSILON,
  MAX_VALUE: Number.MAX_VALUE,
  MIN_VALUE: Number.MIN_VALUE,
  MAX_SAFE_INTEGER: Number.MAX_SAFE_INTEGER,
  MIN_SAFE_INTEGER: Number.MIN_SAFE_INTEGER,
  POSITIVE_INFINITY: Number.POSITIVE_INFINITY,
  NEGATIVE_INFINITY: Number.NEGATIVE_INFINITY,
  NaN: Number.NaN,
};

type Guard = "isFinite" | "isNaN" | "isInteger" | "isSafeInteger";
const NUMBER_GUARDS = new Set<string>(["isFinite", "isNaN", "isInteger", "isSafeInteger"]);
/** Global functions that coerce their argument: on a number, the same as Number's. */
const GLOBAL_GUARDS = new Set<string>(["isFinite", "isNaN"]);
const PARSERS = new Set<string>(["parseFloat", "parseInt"]);

/** `Number.EPSILON` and the other constants of the global Number. */
export function numberConstant(ctx: LowerContext, e: ts.PropertyAccessExpression): Expr | undefined {
  if (!ts.isIdentifier(e.expression) || e.expression.text !== "Number" || !isGlobalBinding(ctx, e.expression)) return undefined;
  const c = NUMBER_CONSTANTS[e.name.text];
  return c !== undefined ? num(c) : undefined;
}

/** Which guard or parser a call's callee is, if it is one: `Number.isFinite`, `isNaN`, `parseFloat`, ... */
export function numberFunctionOf(ctx: LowerContext, callee: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(callee)) {
    const obj = callee.expression;
    const name = callee.name.text;
    if (!ts.isIdentifier(obj) || obj.text !== "Number" || !isGlobalBinding(ctx, obj)) return undefined;
    return NUMBER_GUARDS.has(name) || PARSERS.has(name) ? name : undefined;
  }
  if (
    ts.isIdentifier(callee) &&
    (GLOBAL_GUARDS.has(callee.text) || PARSERS.has(callee.text) || callee.text === "Number") &&
    isGlobalBinding(ctx, callee)
  )
    return callee.text;
  return undefined;
}

export function numberFunctionCall(ctx: LowerContext, e: ts.CallExpression, name: string): Expr {
  if (PARSERS.has(name)) return parsedConstant(e, name);
  if (name === "Number") return numberOf(ctx, e);
  const [arg] = e.arguments;
  if (!arg || e.arguments.length !== 1) fail(TSG.unsupportedSyntax, e, `${name} takes one number here`, `write ${name}(x)`);
  const x = ctx.expression(arg, "cond");
  if (typeOfValue(x).kind !== "num")
    fail(TSG.unsupportedType, arg, `${name} of a value that is not a number is not supported`, "pass a number");
  return guard(name as Guard, x);
}

/** `Number(x)`: a number is itself (its derivative passes), a boolean 1 or 0. */
function numberOf(ctx: LowerContext, e: ts.CallExpression): Expr {
  const [arg] = e.arguments;
  if (!arg || e.arguments.length !== 1 || ts.isSpreadElement(arg))
    fail(TSG.unsupportedSyntax, e, "Number takes one value here", "write Number(x)");
  const x = ctx.expression(arg, "value");
  const kind = typeOfValue(x).kind;
  if (kind === "num") return x;
  if (kind === "bool") return op("select", x, num(1), num(0));
  fail(
    TSG.unsupportedType,
    arg,
    "Number of a value that is not a number or a boolean is not supported",
    "convert strings outside the differentiated function",
  );
}

function guard(name: Guard, x: Expr): Expr {
  const finite = op("lt", op("abs", x), num(Infinity));
  switch (name) {
    case "isFinite":
      return finite;
    case "isNaN":
      return op("ne", x, x);
    case "isInteger":
      return op("and", op("eq", op("floor", x), x), finite);
    case "isSafeInteger":
      return op("and", op("eq", op("floor", x), x), op("le", op("abs", x), num(Number.MAX_SAFE_INTEGER)));
  }
}

/** `parseFloat("1e-8")`, `parseInt("10", 10)`: a literal parsed at compile time, as at run time. */
function parsedConstant(e: ts.CallExpression, name: string): Expr {
  const [text, radix] = e.arguments;
  const literal = text && (ts.isStringLiteral(text) || ts.isNoSubstitutionTemplateLiteral(text)) ? text.text : undefined;
  const base = radix === undefined ? undefined : ts.isNumericLiteral(radix) ? Number(radix.text) : NaN;
  if (literal === undefined || Number.isNaN(base) || e.arguments.length > (name === "parseInt" ? 2 : 1))
    fail(
      TSG.unsupportedType,
      e,
      `${name} of a value known only at run time reads a string, which cannot be differentiated`,
      `parse the string outside the differentiated function, or write the number (${name}("1e-8") with a literal is fine)`,
    );
  return num(name === "parseInt" ? Number.parseInt(literal, base) : Number.parseFloat(literal));
}

/**
 * `typeof x === "number"` (and `!==`, and the other way round): known from x's type, a number,
 * boolean, array or object in differentiated code. Undefined when `e` is not such a comparison.
 */
export function typeofComparison(ctx: LowerContext, e: ts.BinaryExpression): Expr | undefined {
  const k = e.operatorToken.kind;
  const equal = k === ts.SyntaxKind.EqualsEqualsEqualsToken || k === ts.SyntaxKind.EqualsEqualsToken;
  if (!equal && k !== ts.SyntaxKind.ExclamationEqualsEqualsToken && k !== ts.SyntaxKind.ExclamationEqualsToken) return undefined;
  const [probe, text] = ts.isTypeOfExpression(e.left) ? [e.left, e.right] : [e.right, e.left];
  if (!ts.isTypeOfExpression(probe) || !(ts.isStringLiteral(text) || ts.isNoSubstitutionTemplateLiteral(text))) return undefined;
  const optional = optionalTypeof(ctx, probe.expression, text.text, equal);
  if (optional) return optional;
  const t = ctx.checker.getTypeAtLocation(probe.expression);
  const actual =
    t.flags & ts.TypeFlags.NumberLike
      ? "number"
      : t.flags & ts.TypeFlags.BooleanLike
        ? "boolean"
        : t.flags & ts.TypeFlags.Object && !(t.getCallSignatures().length > 0)
          ? "object"
          : undefined;
  // a union or any: the answer depends on the value, which differentiated code does not inspect
  if (!actual)
    fail(
      TSG.unsupportedType,
      probe,
      "`typeof` of a value whose type is not one of number, boolean or an object type is not supported",
      "give the value a number, boolean, array or object type",
    );
  return bool((actual === text.text) === equal);
}
