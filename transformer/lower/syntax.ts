/** Small readings of TypeScript syntax that several constructs share. */
import { ts } from "../compiler.js";

/** The literal key of `r.value` / `r[0]` / `r["value"]`, or undefined. */
export function fieldKey(e: ts.Expression): string | number | undefined {
  switch (e.kind) {
    case ts.SyntaxKind.PropertyAccessExpression:
      return (e as ts.PropertyAccessExpression).name.text;
    case ts.SyntaxKind.ElementAccessExpression: {
      const a = (e as ts.ElementAccessExpression).argumentExpression;
      if (ts.isNumericLiteral(a)) return Number(a.text);
      if (ts.isStringLiteral(a)) return a.text;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `function f(this: T, ...)`: a declared type for `this`, not a parameter callers pass. */
export function isThisParameter(p: ts.ParameterDeclaration): boolean {
  return ts.isIdentifier(p.name) && p.name.text === "this";
}
