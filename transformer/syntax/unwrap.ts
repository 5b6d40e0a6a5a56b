/**
 * Looking through syntax that wraps an expression without changing its value: parentheses, `!`,
 * `as`, `satisfies` and `<T>x`. Discovery and lowering share it (and each site names what it
 * looks through).
 */
import { ts } from "../compiler.js";

/**
 * Syntax that wraps an expression without changing its value. Sites differ in which of these they
 * look through (an assignment target never sits under `as`, a value may), so each names its own.
 */
export type Wrapper = "parens" | "nonNull" | "as" | "satisfies" | "typeAssertion";

/** What most sites look through: parentheses, `!`, `as` and `satisfies`. */
export const OUTER: readonly Wrapper[] = ["parens", "as", "nonNull", "satisfies"];
/** Every wrapper, `<T>x` included: what expression lowering looks through. */
export const EVERY_WRAPPER: readonly Wrapper[] = [...OUTER, "typeAssertion"];

type WrapperNode = ts.ParenthesizedExpression | ts.NonNullExpression | ts.AsExpression | ts.SatisfiesExpression | ts.TypeAssertion;

function wrapperOf(e: ts.Expression): Wrapper | undefined {
  switch (e.kind) {
    case ts.SyntaxKind.ParenthesizedExpression:
      return "parens";
    case ts.SyntaxKind.NonNullExpression:
      return "nonNull";
    case ts.SyntaxKind.AsExpression:
      return "as";
    case ts.SyntaxKind.SatisfiesExpression:
      return "satisfies";
    case ts.SyntaxKind.TypeAssertionExpression:
      return "typeAssertion";
    default:
      return undefined;
  }
}

/** The expression under the wrappers `through` names. */
export function unwrap(e: ts.Expression, through: readonly Wrapper[]): ts.Expression {
  let w = wrapperOf(e);
  while (w !== undefined && through.includes(w)) {
    e = (e as WrapperNode).expression;
    w = wrapperOf(e);
  }
  return e;
}
