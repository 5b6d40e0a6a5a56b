/**
 * Statements: the dispatcher, and the statements that need no module of their own (blocks, if,
 * return, break/continue, labels, throw). Loops are in loops.ts, switch in switch.ts,
 * declarations in declarations.ts, expression statements (assignments, ++, push) in
 * assignments.ts, console calls and messages in messages.ts.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import type { Stmt } from "../ir/types.js";
import { expressionStatement } from "./assignments.js";
import { blockOf, collect, emit, originOf, type LowerContext } from "./context.js";
import { variableDeclaration } from "./declarations.js";
import { doLoop, forLoop, forOfLoop, whileLoop } from "./loops.js";
import { switchStatement } from "./switch.js";
import { consoleStatement, templateSpans } from "./messages.js";

/** Lowers statements into a block of their own. */
export function lowerBlock(ctx: LowerContext, stmts: readonly ts.Statement[]): Stmt[] {
  return collect(ctx, () => {
    for (const s of stmts) lowerStatement(ctx, s);
  });
}

/** One statement, appended to the block being lowered; `label` is a labelled loop's. */
export function lowerStatement(ctx: LowerContext, s: ts.Statement, label?: string): void {
  ctx.origin = originOf(ctx, s);
  const origin = ctx.origin;
  switch (s.kind) {
    case ts.SyntaxKind.Block:
      for (const inner of (s as ts.Block).statements) lowerStatement(ctx, inner);
      return;
    case ts.SyntaxKind.VariableStatement:
      for (const d of (s as ts.VariableStatement).declarationList.declarations) variableDeclaration(ctx, d);
      return;
    case ts.SyntaxKind.ExpressionStatement: {
      const expression = (s as ts.ExpressionStatement).expression;
      const log = consoleStatement(ctx, expression);
      if (log) emit(ctx, log);
      else expressionStatement(ctx, expression);
      return;
    }
    case ts.SyntaxKind.IfStatement: {
      const { expression, thenStatement, elseStatement } = s as ts.IfStatement;
      const cond = ctx.expression(expression, "cond");
      const then = blockOf(ctx, thenStatement);
      const els = elseStatement ? blockOf(ctx, elseStatement) : [];
      emit(ctx, { k: "if", cond, then, else: els, origin });
      return;
    }
    case ts.SyntaxKind.ReturnStatement: {
      const { expression } = s as ts.ReturnStatement;
      const value = expression ? ctx.expression(expression, "value") : null;
      emit(ctx, { k: "return", value, origin });
      return;
    }
    case ts.SyntaxKind.ForStatement:
      forLoop(ctx, s as ts.ForStatement, label);
      return;
    case ts.SyntaxKind.WhileStatement:
      whileLoop(ctx, s as ts.WhileStatement, label);
      return;
    case ts.SyntaxKind.DoStatement:
      doLoop(ctx, s as ts.DoStatement, label);
      return;
    case ts.SyntaxKind.ForOfStatement:
      forOfLoop(ctx, s as ts.ForOfStatement, label);
      return;
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement: {
      const k = s.kind === ts.SyntaxKind.BreakStatement ? "break" : "continue";
      emit(ctx, { k, label: (s as ts.BreakOrContinueStatement).label?.text, origin });
      return;
    }
    case ts.SyntaxKind.LabeledStatement:
      labeledStatement(ctx, s as ts.LabeledStatement);
      return;
    case ts.SyntaxKind.EmptyStatement:
      return;
    case ts.SyntaxKind.TryStatement:
      fail(TSG.tryCatch, s, "try/catch cannot be differentiated", "move the try/catch outside the differentiated function");
    case ts.SyntaxKind.ThrowStatement:
      emit(ctx, throwStatement(ctx, s as ts.ThrowStatement));
      return;
    case ts.SyntaxKind.SwitchStatement:
      switchStatement(ctx, s as ts.SwitchStatement);
      return;
    case ts.SyntaxKind.FunctionDeclaration:
      // a local helper: lowered as a function of its own where it is called (captures.ts)
      return;
    case ts.SyntaxKind.ClassDeclaration:
      fail(
        TSG.unsupportedSyntax,
        s,
        "class declarations are not supported inside a differentiated function",
        "move the declaration to module level",
      );
    case ts.SyntaxKind.ForInStatement:
      fail(TSG.unsupportedSyntax, s, "for...in cannot be differentiated", "loop over indices with a for loop");
    default:
      unsupportedStatement(s);
  }
}

/** A label names a loop for `break label` / `continue label`; on anything else it is refused. */
function labeledStatement(ctx: LowerContext, s: ts.LabeledStatement): void {
  const inner = s.statement;
  switch (inner.kind) {
    case ts.SyntaxKind.ForStatement:
    case ts.SyntaxKind.WhileStatement:
    case ts.SyntaxKind.DoStatement:
    case ts.SyntaxKind.ForOfStatement:
      lowerStatement(ctx, inner, s.label.text);
      return;
    default:
      fail(TSG.unsupportedSyntax, s, "labels are supported on loops only", "label the loop, or restructure with if/else");
  }
}

/** `throw new Error("...")` (Error, TypeError, RangeError with a literal message). */
function throwStatement(ctx: LowerContext, s: ts.ThrowStatement): Stmt {
  const e = s.expression;
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && ["Error", "TypeError", "RangeError"].includes(e.expression.text)) {
    const arg = e.arguments?.[0];
    const error = e.expression.text as "Error" | "TypeError" | "RangeError";
    if (!arg || ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))
      return { k: "throw", error, message: arg ? arg.text : "", origin: ctx.origin };
    // `x must be positive, got ${x}`: the values are read as data
    if (ts.isTemplateExpression(arg))
      return { k: "throw", error, message: arg.head.text, spans: templateSpans(ctx, arg), origin: ctx.origin };
  }
  fail(
    TSG.unsupportedSyntax,
    s,
    "only `throw new Error(message)` with a string or template literal is supported here",
    "throw an Error (or TypeError/RangeError) with a string or template literal message",
  );
}

/** Any other statement: named by its keyword in the refusal. */
function unsupportedStatement(s: ts.Statement): never {
  const what =
    s.kind === ts.SyntaxKind.DebuggerStatement
      ? "debugger"
      : s.kind === ts.SyntaxKind.WithStatement
        ? "with"
        : (s.getText().split(/[\s({;]/)[0] ?? ts.SyntaxKind[s.kind]);
  fail(TSG.unsupportedSyntax, s, `this statement (\`${what}\`) is not supported`, "rewrite it with if/else, loops and assignments");
}
