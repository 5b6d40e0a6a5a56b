/**
 * Which marker calls a transformed file replaced, and with what: the original file and the
 * transformer's output are walked side by side (the transformer changes nothing else in the
 * user's statements). `tsgrad generate` splices the replacements into the user's own text; the
 * language service finds which marker a refusal in another file belongs to.
 */
import ts from "typescript";

/** Each replaced call of `calls` in `original`'s statements, with its replacement (`transformed` is the transformer's output). */
export function replacedCalls(
  original: ts.SourceFile,
  transformed: ts.SourceFile,
  calls: ReadonlySet<ts.Node>,
  extra: ReadonlySet<ts.Node>,
): Map<ts.Node, ts.Node> {
  const body = transformed.statements.filter((s) => !extra.has(s));
  if (body.length !== original.statements.length) throw new Error(`tsgrad: unexpected shape of the transformed ${original.fileName}`);
  const found = new Map<ts.Node, ts.Node>();
  const walk = (o: ts.Node, t: ts.Node): void => {
    if (o === t) return;
    if (calls.has(o)) {
      found.set(o, t);
      return;
    }
    const a = childrenOf(o);
    const b = childrenOf(t);
    if (a.length !== b.length) throw new Error(`tsgrad: the transformed ${original.fileName} does not match its source`);
    a.forEach((child, i) => walk(child, b[i]!));
  };
  original.statements.forEach((s, i) => walk(s, body[i]!));
  return found;
}

function childrenOf(n: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  ts.forEachChild(
    n,
    (c) => void out.push(c),
    (cs) => void out.push(...cs),
  );
  return out;
}

/** The message a refused marker's replacement throws (`(() => { throw new Error("...") })()`), if it is one. */
export function thrownRefusal(replacement: ts.Node): string | undefined {
  if (!ts.isCallExpression(replacement) || !ts.isParenthesizedExpression(replacement.expression)) return undefined;
  const fn = replacement.expression.expression;
  if (!ts.isArrowFunction(fn) || !ts.isBlock(fn.body)) return undefined;
  const stmt = fn.body.statements[0];
  if (!stmt || !ts.isThrowStatement(stmt) || !ts.isNewExpression(stmt.expression)) return undefined;
  const arg = stmt.expression.arguments?.[0];
  return arg && ts.isStringLiteral(arg) ? arg.text : undefined;
}
