/**
 * What a program prints or throws: `throw new Error(`x must be positive, got ${x}`)` and
 * `console.log("loss", s)`. Their values are read as data (no derivative flows through a
 * message), and a tuple or object among them is refused: print its fields.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { typeOfValue } from "../ir/build.js";
import type { Expr, LogArg, LogMethod, Stmt, TemplateSpan } from "../ir/types.js";
import type { LowerContext } from "./context.js";
import { unwrap } from "../syntax/unwrap.js";

const METHODS: readonly LogMethod[] = ["log", "info", "warn", "error", "debug"];

/** The values of a template literal's substitutions, each with the text after it. */
export function templateSpans(ctx: LowerContext, t: ts.TemplateExpression): TemplateSpan[] {
  return t.templateSpans.map((span) => ({ value: printed(ctx, span.expression), text: span.literal.text }));
}

/** A value printed: read as data. */
function printed(ctx: LowerContext, e: ts.Expression): Expr {
  const value = ctx.expression(e, "cond");
  if (typeOfValue(value).kind === "record")
    fail(TSG.unsupportedType, e, "a tuple or object in a message is not supported", "print its fields, one by one");
  return value;
}

/**
 * `console.log(...)` (info, warn, error, debug) of the global console, as a statement: the
 * derivative prints it where it runs the function's statements. Undefined for any other call.
 */
export function consoleStatement(ctx: LowerContext, e: ts.Expression): Stmt | undefined {
  const call = unwrap(e, ["parens"]);
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  const target = call.expression;
  if (!ts.isIdentifier(target.expression) || target.expression.text !== "console" || !isGlobal(ctx, target.expression)) return undefined;
  const method = METHODS.find((m) => m === target.name.text);
  if (!method)
    fail(
      TSG.unsupportedSyntax,
      call,
      `\`console.${target.name.text}\` is not supported in a differentiated function`,
      `print with console.log, info, warn, error or debug`,
    );
  const args = call.arguments.map((a): LogArg => {
    if (ts.isSpreadElement(a))
      fail(TSG.unsupportedSyntax, a, "a spread argument of a console call is not supported", "pass the values one by one");
    if (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) return { kind: "text", text: a.text };
    if (ts.isTemplateExpression(a)) return { kind: "template", head: a.head.text, spans: templateSpans(ctx, a) };
    return { kind: "value", value: printed(ctx, a) };
  });
  return { k: "log", method, args, origin: ctx.origin };
}

/** Whether an identifier names the standard library's global (not a local or an import called `console`). */
function isGlobal(ctx: LowerContext, id: ts.Identifier): boolean {
  const decl = ctx.checker.getSymbolAtLocation(id)?.declarations?.[0];
  return !decl || decl.getSourceFile().isDeclarationFile;
}
