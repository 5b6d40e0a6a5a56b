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
 * refused with what to write. `xs.reverse()` is the same with the order known: item n - 1 - k.
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import { alloc, bool, decl, index, len, newVar, num, op, ref, typeOfValue } from "../../ir/build.js";
import type { Expr, Var } from "../../ir/types.js";
import { NUM } from "../../ir/types.js";
import { countedLoop, emit, evaluatedOnce, type LowerContext } from "../context.js";
import { unwrap, OUTER } from "../../syntax/unwrap.js";

export function sortCall(ctx: LowerContext, e: ts.CallExpression, callee: ts.PropertyAccessExpression): Expr | undefined {
  return reordered(ctx, e, callee, "sort", (items) => {
    const descending = comparatorOrder(e);
    const order = newVar("order", { kind: "array", elem: NUM, storage: "array" }, "local", { owned: true });
    const permutation: Expr = {
      k: "call",
      fn: { kind: "runtime", key: "sortOrder" },
      args: [op("stop", items), bool(descending)],
      type: order.type,
    };
    emit(ctx, decl(order, permutation, ctx.origin));
    return (k) => index(ref(order), ref(k));
  });
}

/** `xs.reverse()` alike: item k of the result is item n - 1 - k. */
export function reverseCall(ctx: LowerContext, e: ts.CallExpression, callee: ts.PropertyAccessExpression): Expr | undefined {
  if (e.arguments.length > 0) fail(TSG.unsupportedSyntax, e, "`.reverse` takes no arguments", "write `.reverse()`");
  return reordered(ctx, e, callee, "reverse", (items) => (k) => op("sub", op("sub", len(items), num(1)), ref(k)));
}

/**
 * The items of an array of numbers the function owns (or a fresh copy of one), reordered: item k
 * of the result is item `from(k)` of the array, read into a new array and, for a named array,
 * written back in place, as JavaScript's in-place methods return the array they changed.
 * Undefined when the receiver is not an array of numbers.
 */
function reordered(
  ctx: LowerContext,
  e: ts.CallExpression,
  callee: ts.PropertyAccessExpression,
  method: "sort" | "reverse",
  order: (items: Expr) => (k: Var) => Expr,
): Expr | undefined {
  const receiver = ctx.expression(callee.expression, "value");
  const t = typeOfValue(receiver);
  if (t.kind !== "array" || t.elem.kind !== "num") return undefined;
  const named = receiver.k === "var" && ts.isIdentifier(unwrap(callee.expression, OUTER)) ? receiver.v : undefined;
  if (named && named.owned !== true)
    fail(
      TSG.unsupportedSyntax,
      e,
      `\`.${method}\` of \`${named.name}\` in place would change an array the function does not own (the caller's, or data)`,
      `${method} a copy: \`[...${named.name}].${method}(...)\``,
    );
  const items = named ? ref(named) : evaluatedOnce(ctx, "items", receiver);
  const o = ctx.origin;
  const from = order(items);
  const sorted = newVar(method === "sort" ? "sorted" : "reversed", { kind: "array", elem: NUM, storage: t.storage }, "local", {
    owned: true,
  });
  emit(ctx, decl(sorted, alloc(len(items), t.storage), o));
  countedLoop(ctx, len(items), (k) => [
    { k: "store", arr: sorted, index: ref(k), value: index(items, from(k)), accumulate: false, origin: o },
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
