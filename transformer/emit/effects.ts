/** Statements run for their effect: `throw new Error(`...`)` and `console.log(...)`, values printed as data. */
import type { Expr, Stmt, TemplateSpan } from "../ir/types.js";

type EmitExpr = (e: Expr) => ts.Expression;

export function throwStatement(f: ts.NodeFactory, s: Stmt & { k: "throw" }, expr: EmitExpr): ts.Statement {
  const message = s.spans?.length ? template(f, s.message, s.spans, expr) : s.message ? f.createStringLiteral(s.message) : undefined;
  return f.createThrowStatement(f.createNewExpression(f.createIdentifier(s.error), undefined, message ? [message] : []));
}

export function consoleStatement(f: ts.NodeFactory, s: Stmt & { k: "log" }, expr: EmitExpr): ts.Statement {
  const args = s.args.map((a) =>
    a.kind === "text" ? f.createStringLiteral(a.text) : a.kind === "value" ? expr(a.value) : template(f, a.head, a.spans, expr),
  );
  const callee = f.createPropertyAccessExpression(f.createIdentifier("console"), s.method);
  return f.createExpressionStatement(f.createCallExpression(callee, undefined, args));
}

/** `head${value}text...`, or a plain string when there are no values. */
function template(f: ts.NodeFactory, head: string, spans: readonly TemplateSpan[], expr: EmitExpr): ts.Expression {
  if (spans.length === 0) return f.createNoSubstitutionTemplateLiteral(head);
  return f.createTemplateExpression(
    f.createTemplateHead(head),
    spans.map((span, i) =>
      f.createTemplateSpan(expr(span.value), i === spans.length - 1 ? f.createTemplateTail(span.text) : f.createTemplateMiddle(span.text)),
    ),
  );
}
