/**
 * `xs.sort((a, b) => a - b)` (or `b - a`) of an array of numbers the function owns (a local it
 * made, or a fresh copy: `[...xs].sort(...)`, `xs.slice().sort(...)`): the runtime gives the
 * permutation (`sortOrder`, data: no derivative flows through the order), and the items are
 * read through it into their places, as a loop the passes differentiate like any other:
 *
 *   const order = tsgrad.sortOrder(c, false);
 *   const sorted = new Array(c.length); for (k) sorted[k] = c[order[k]];
 *   for (k) c[k] = sorted[k];                  (in place, when c is a named array)
 *
 * Other comparators, and sorting without one (JavaScript compares numbers as strings then), are
 * refused with what to write.
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import { alloc, bool, decl, index, len, newVar, op, ref, typeOfValue } from "../../ir/build.js";
import type { Expr } from "../../ir/types.js";
import { NUM } from "../../ir/types.js";
import { countedLoop, emit, evaluatedOnce, type LowerContext } from "../context.js";
import { unwrap, OUTER } from "../../syntax/unwrap.js";

export function sortCall(ctx: LowerContext, e: ts.CallExpression, callee: ts.PropertyAccessExpression): Expr | undefined {
  const receiver = ctx.expression(callee.expression, "value");
  const t = typeOfValue(receiver);
  if (t.kind !== "array" || t.elem.kind !== "num") return undefined;
  const descending = comparatorOrder(e);
  const named = receiver.k === "var" && ts.isIdentifier(unwrap(callee.expression, OUTER)) ? receiver.v : undefined;
  if (named && named.owned !== true)
    fail(
      TSG.unsupportedSyntax,
      e,
      `sorting \`${named.name}\` in place would change an array the function does not own (the caller's, or data)`,
      `sort a copy: \`[...${named.name}].sort(...)\``,
    );
  const items = named ? ref(named) : evaluatedOnce(ctx, "items", receiver);
  const o = ctx.origin;
  const order = newVar("order", { kind: "array", elem: NUM, storage: "array" }, "local", { owned: true });
  const permutation: Expr = {
    k: "call",
    fn: { kind: "runtime", key: "sortOrder" },
    args: [op("stop", items), bool(descending)],
    type: order.type,
  };
  emit(ctx, decl(order, permutation, o));
  const sorted = newVar("sorted", { kind: "array", elem: NUM, storage: t.storage }, "local", { owned: true });
  emit(ctx, decl(sorted, alloc(len(items), t.storage), o));
  countedLoop(ctx, len(items), (k) => [
    { k: "store", arr: sorted, index: ref(k), value: index(items, index(ref(order), ref(k))), accumulate: false, origin: o },
  ]);
  if (!named) return ref(sorted);
  countedLoop(ctx, len(items), (k) => [
    { k: "store", arr: named, index: ref(k), value: index(ref(sorted), ref(k)), accumulate: false, origin: o },
  ]);
  return ref(named);
}

/** Whether the comparator is `(a, b) => b - a` (descending) rather than `(a, b) => a - b`; anything else is refused. */
function comparatorOrder(e: ts.CallExpression): boolean {
  const [cmp] = e.arguments;
  const fn = cmp && unwrap(cmp, OUTER);
  const body = fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) ? returned(fn.body) : undefined;
  const [a, b] = fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) ? fn.parameters.map((p) => p.name.getText()) : [];
  const diff = body && ts.isBinaryExpression(body) && body.operatorToken.kind === ts.SyntaxKind.MinusToken ? body : undefined;
  const left = diff && unwrap(diff.left, OUTER).getText();
  const right = diff && unwrap(diff.right, OUTER).getText();
  if (e.arguments.length === 1 && a && b && left === a && right === b) return false;
  if (e.arguments.length === 1 && a && b && left === b && right === a) return true;
  fail(
    TSG.unsupportedSyntax,
    e,
    e.arguments.length === 0
      ? "`.sort()` without a comparator compares numbers as strings (10 before 9)"
      : "`.sort` is supported with the comparator `(a, b) => a - b` or `(a, b) => b - a`",
    "sort numbers with `.sort((a, b) => a - b)` (ascending) or `.sort((a, b) => b - a)` (descending)",
  );
}

/** The expression an arrow's body returns: the body itself, or a block's only `return`. */
function returned(body: ts.ConciseBody): ts.Expression | undefined {
  if (!ts.isBlock(body)) return unwrap(body, OUTER);
  const [only] = body.statements;
  return body.statements.length === 1 && only && ts.isReturnStatement(only) && only.expression ? unwrap(only.expression, OUTER) : undefined;
}
