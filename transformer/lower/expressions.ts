/**
 * Expressions: the dispatcher, by syntax kind, to the module that lowers each construct. Literals
 * are lowered here; everything else has a module named after it (names, operators, access, calls,
 * records, arrays). Every module lowers its sub-expressions through `ctx.expression`, which is
 * this dispatcher.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { bool, num } from "../ir/build.js";
import type { Expr } from "../ir/types.js";
import { elementAccess, propertyAccess } from "./access.js";
import { arrayLiteral, newExpression } from "./arrays.js";
import { lowerCall } from "./calls/callee.js";
import { irTypeAt, type LowerContext, type Mode } from "./context.js";
import { identifier } from "./names.js";
import { binary, conditional, prefixUnary } from "./operators.js";
import { recordLiteral } from "./records.js";
import { refuseIncrementInExpression } from "./refusals.js";
import { EVERY_WRAPPER, unwrap } from "../syntax/unwrap.js";

export function lowerExpression(ctx: LowerContext, e: ts.Expression, mode: Mode): Expr {
  e = unwrap(e, EVERY_WRAPPER);
  switch (e.kind) {
    case ts.SyntaxKind.NumericLiteral:
      return num(Number((e as ts.NumericLiteral).text));
    case ts.SyntaxKind.TrueKeyword:
      return bool(true);
    case ts.SyntaxKind.FalseKeyword:
      return bool(false);
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      return { k: "str", value: (e as ts.StringLiteral | ts.NoSubstitutionTemplateLiteral).text };
    case ts.SyntaxKind.Identifier:
      return identifier(ctx, e as ts.Identifier, mode);
    case ts.SyntaxKind.PrefixUnaryExpression:
      return prefixUnary(ctx, e as ts.PrefixUnaryExpression, mode);
    case ts.SyntaxKind.PostfixUnaryExpression:
      refuseIncrementInExpression(e);
    case ts.SyntaxKind.BinaryExpression:
      return binary(ctx, e as ts.BinaryExpression, mode);
    case ts.SyntaxKind.ConditionalExpression:
      return conditional(ctx, e as ts.ConditionalExpression, mode);
    case ts.SyntaxKind.CallExpression:
      return lowerCall(ctx, e as ts.CallExpression, mode);
    case ts.SyntaxKind.NewExpression:
      return newExpression(ctx, e as ts.NewExpression);
    case ts.SyntaxKind.ElementAccessExpression:
      return elementAccess(ctx, e as ts.ElementAccessExpression);
    case ts.SyntaxKind.PropertyAccessExpression:
      return propertyAccess(ctx, e as ts.PropertyAccessExpression);
    case ts.SyntaxKind.ArrayLiteralExpression:
      // a tuple is a record; a number[] or Float64Array literal an array
      if (irTypeAt(ctx, e)?.kind === "record") return recordLiteral(ctx, e as ts.ArrayLiteralExpression);
      return arrayLiteral(ctx, e as ts.ArrayLiteralExpression);
    case ts.SyntaxKind.ObjectLiteralExpression:
      if (irTypeAt(ctx, e)?.kind === "record") return recordLiteral(ctx, e as ts.ObjectLiteralExpression);
      fail(
        TSG.unsupportedType,
        e,
        "only objects whose fields are numbers, arrays, tensors or such objects can be built here",
        "give the literal a type of those (annotate the variable or the function's return type)",
      );
    case ts.SyntaxKind.TemplateExpression:
      fail(TSG.unsupportedType, e, "template strings cannot appear in a differentiated function", "move string handling outside it");
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      fail(
        TSG.unsupportedSyntax,
        e,
        "function expressions inside a differentiated function are not supported",
        "declare the function at module level and call it",
      );
    case ts.SyntaxKind.ThisKeyword:
      fail(
        TSG.unsupportedSyntax,
        e,
        "`this` cannot be read in a differentiated function",
        "name what it reads: a static member by its class (`K.scale`), an object's fields through a parameter",
      );
    case ts.SyntaxKind.AwaitExpression:
    case ts.SyntaxKind.YieldExpression:
      fail(TSG.asyncOrGenerator, e, "await and yield cannot be differentiated", "write a plain synchronous function");
    default:
      fail(
        TSG.unsupportedSyntax,
        e,
        `this expression (${ts.SyntaxKind[e.kind]}) is not supported`,
        "use arithmetic, Math.*, array reads and calls of your own functions",
      );
  }
}
