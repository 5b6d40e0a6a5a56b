/** `switch` without fall-through, as an if/else chain. */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { decl, newVar, op, ref, typeOfValue } from "../ir/build.js";
import type { Stmt } from "../ir/types.js";
import { emit, type LowerContext } from "./context.js";

/**
 * `switch` as an if/else chain on its value (evaluated once): each group of case labels ends its
 * statements with `break` (dropped), `return`, `throw` or `continue`, or is the last; `default`
 * is the final else.
 */
export function switchStatement(ctx: LowerContext, s: ts.SwitchStatement): void {
  const origin = ctx.origin;
  let tag = ctx.expression(s.expression, "cond");
  if (tag.k !== "var" && tag.k !== "num" && tag.k !== "str" && tag.k !== "bool") {
    const t = newVar("choice", typeOfValue(tag), "temp");
    emit(ctx, decl(t, tag, origin));
    tag = ref(t);
  }
  const groups: { labels: ts.Expression[]; isDefault: boolean; body: ts.Statement[] }[] = [];
  let labels: ts.Expression[] = [];
  let isDefault = false;
  const clauses = s.caseBlock.clauses;
  clauses.forEach((c, i) => {
    if (ts.isDefaultClause(c)) isDefault = true;
    else labels.push(c.expression);
    if (c.statements.length === 0 && i < clauses.length - 1) return;
    let body = [...c.statements];
    // `case 1: { ...; return q; }`: the braces only scope the case's own declarations
    while (body.length === 1 && ts.isBlock(body[0]!)) body = [...(body[0] as ts.Block).statements];
    const last = body[body.length - 1];
    if (last && ts.isBreakStatement(last) && !last.label) body.pop();
    else if (i < clauses.length - 1 && !(last && endsCase(last)))
      fail(
        TSG.unsupportedSyntax,
        c,
        "a case that falls through into the next is not supported",
        "end the case with break, return, throw or continue",
      );
    for (const st of body) refuseBreakOutOfSwitch(st);
    groups.push({ labels, isDefault, body });
    labels = [];
    isDefault = false;
  });
  const fallback = groups.find((g) => g.isDefault);
  let chain: Stmt[] = fallback ? ctx.block(fallback.body) : [];
  for (const g of [...groups].reverse()) {
    if (g === fallback || g.labels.length === 0) continue;
    const cond = g.labels.map((l) => op("eq", tag, ctx.expression(l, "cond"))).reduce((a, b) => op("or", a, b));
    chain = [{ k: "if", cond, then: ctx.block(g.body), else: chain, origin }];
  }
  emit(ctx, ...chain);
}

/** A statement after which control never reaches the next case (`break` is handled apart). */
function endsCase(s: ts.Statement): boolean {
  switch (s.kind) {
    case ts.SyntaxKind.ReturnStatement:
    case ts.SyntaxKind.ThrowStatement:
    case ts.SyntaxKind.ContinueStatement:
      return true;
    default:
      return false;
  }
}

/** Refuses a `break` that would leave a switch from inside one of its cases (not its last statement). */
function refuseBreakOutOfSwitch(n: ts.Node): void {
  if (ts.isBreakStatement(n) && !n.label)
    fail(
      TSG.unsupportedSyntax,
      n,
      "break inside a case, before its end, is not supported",
      "end the case with break, or restructure the case with if/else",
    );
  // a loop's or an inner switch's own breaks are theirs
  if (ts.isIterationStatement(n, false) || ts.isSwitchStatement(n) || ts.isFunctionLike(n)) return;
  ts.forEachChild(n, refuseBreakOutOfSwitch);
}
