/** How emit prints the primitives the table gives an operator: each operator's token, and the arithmetic precedence levels. */
import { perCompiler, ts } from "../compiler.js";
import type { Operator } from "../rules/primitives.js";

/** The token of each operator the primitive table prints primitives with. */
export const TOKENS: Record<Operator, ts.BinaryOperator | ts.PrefixUnaryOperator> = perCompiler(() => ({
  "+": ts.SyntaxKind.PlusToken,
  "-": ts.SyntaxKind.MinusToken,
  "*": ts.SyntaxKind.AsteriskToken,
  "/": ts.SyntaxKind.SlashToken,
  "%": ts.SyntaxKind.PercentToken,
  "&": ts.SyntaxKind.AmpersandToken,
  "|": ts.SyntaxKind.BarToken,
  "^": ts.SyntaxKind.CaretToken,
  "<<": ts.SyntaxKind.LessThanLessThanToken,
  ">>": ts.SyntaxKind.GreaterThanGreaterThanToken,
  ">>>": ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
  "~": ts.SyntaxKind.TildeToken,
  "<": ts.SyntaxKind.LessThanToken,
  "<=": ts.SyntaxKind.LessThanEqualsToken,
  ">": ts.SyntaxKind.GreaterThanToken,
  ">=": ts.SyntaxKind.GreaterThanEqualsToken,
  "===": ts.SyntaxKind.EqualsEqualsEqualsToken,
  "!==": ts.SyntaxKind.ExclamationEqualsEqualsToken,
  "&&": ts.SyntaxKind.AmpersandAmpersandToken,
  "||": ts.SyntaxKind.BarBarToken,
  "!": ts.SyntaxKind.ExclamationToken,
}));

/** Arithmetic precedence levels (only equality within a level matters here). */
export const PRECEDENCE: Partial<Record<Operator, number>> = { "+": 1, "-": 1, "*": 2, "/": 2, "%": 2 };
