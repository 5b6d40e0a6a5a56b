/**
 * Fields of structured parameters: a tuple or object parameter is flattened into one leaf
 * variable per number or array inside it (function.ts), and `p.w`, `p[0]`, `p.layer.b` read them.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import type { Var } from "../ir/types.js";
import { typeOfNode, type LowerContext } from "./context.js";
import { unwrap } from "../syntax/unwrap.js";

/** `p.w`, `p[0]`, `p.layer.b` on a structured parameter: the flattened leaf variable. */
export function structuredLeaf(ctx: LowerContext, e: ts.Expression): Var | undefined {
  const field = fieldPath(ctx, e);
  if (!field) return undefined;
  const { byPath, keys } = field;
  // the path may stop at an array leaf and continue with an index: find the longest prefix
  for (let n = keys.length; n > 0; n--) {
    const leaf = byPath.get(keys.slice(0, n).join("."));
    if (leaf) {
      if (n === keys.length) return leaf;
      return undefined; // indexing into an array leaf: handled by elementAccess on the leaf
    }
  }
  fail(TSG.dynamicKey, e, "this field of a structured parameter cannot be read", "read a number or array field");
}

/**
 * The root parameter (its symbol) and the keys of a chain of literal-keyed reads rooted at a
 * structured parameter (`p.layer.b`, `o.noise?.sigma`, `p[0]`), with the parameter's leaves;
 * undefined for anything else (a computed key into an array leaf included).
 */
export function fieldPath(
  ctx: LowerContext,
  e: ts.Expression,
): { sym: ts.Symbol; keys: (string | number)[]; byPath: Map<string, Var> } | undefined {
  // only accesses rooted at a structured parameter are fields
  let root = unwrap(e, ["parens", "nonNull"]);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression, ["parens", "nonNull"]);
  const rootSym = ts.isIdentifier(root) ? ctx.checker.getSymbolAtLocation(root) : undefined;
  if (!rootSym || !ctx.leaves.has(rootSym)) return undefined;
  const keys: (string | number)[] = [];
  let cur: ts.Expression = e;
  for (;;) {
    cur = unwrap(cur, ["parens", "nonNull"]);
    if (ts.isPropertyAccessExpression(cur)) {
      keys.unshift(cur.name.text);
      cur = cur.expression;
    } else if (ts.isElementAccessExpression(cur)) {
      const arg = cur.argumentExpression;
      if (ts.isNumericLiteral(arg)) keys.unshift(Number(arg.text));
      else if (ts.isStringLiteral(arg)) keys.unshift(arg.text);
      else {
        const t = typeOfNode(ctx, cur.expression);
        if (t.kind === "record")
          fail(
            TSG.dynamicKey,
            cur,
            "a computed key into a tuple or object parameter is not supported",
            "use a literal key, or pass an array",
          );
        return undefined;
      }
      cur = cur.expression;
    } else break;
  }
  if (!ts.isIdentifier(cur) || keys.length === 0) return undefined;
  const sym = ctx.checker.getSymbolAtLocation(cur);
  const byPath = sym && ctx.leaves.get(sym);
  return byPath ? { sym: sym!, keys, byPath } : undefined;
}
