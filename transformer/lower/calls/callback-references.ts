/**
 * A callback passed by name to an array method: `xs.map(Math.exp)`, `xs.map(sigmoid)`. JavaScript
 * calls it with the item, the index and the array, so it is the arrow `(x, i, a) => f(x, i, a)`:
 *
 * - a Math function of one argument applies to the item (it ignores the rest);
 * - a function of this file, declared or bound to a `const`, is inlined as an arrow written in the
 *   call would be: its own parameters name the item, index and array, and its body is lowered in
 *   the loop. One that returns before its last statement, or takes parameters other than plain
 *   names, is refused with the arrow that calls it as the fix.
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import type { OpName } from "../../ir/types.js";
import { MATH_FUNCTIONS } from "../../rules/math.js";
import { declarationWithBody, functionOfDeclaration, resolveAlias } from "../../syntax/declarations.js";
import type { LowerContext } from "../context.js";
import { isGlobalBinding } from "./math.js";

export type ReferencedCallback =
  | { readonly kind: "math"; readonly op: OpName }
  | { readonly kind: "function"; readonly parameters: readonly ts.ParameterDeclaration[]; readonly body: ts.ConciseBody };

/** The callback `arg` names, or undefined when it names none (an arrow written in the call, or anything else). */
export function referencedCallback(ctx: LowerContext, arg: ts.Expression, method: string): ReferencedCallback | undefined {
  if (
    ts.isPropertyAccessExpression(arg) &&
    ts.isIdentifier(arg.expression) &&
    arg.expression.text === "Math" &&
    isGlobalBinding(ctx, arg.expression)
  ) {
    const name = arg.name.text;
    const known = MATH_FUNCTIONS[name];
    if (known?.arity === 1) return { kind: "math", op: known.op };
    fail(
      TSG.unsupportedSyntax,
      arg,
      `\`.${method}(Math.${name})\` would call Math.${name} with the item, its index and the array`,
      `write the arrow that says which: \`.${method}((x) => Math.${name}(x, ...))\``,
    );
  }
  if (!ts.isIdentifier(arg)) return undefined;
  const sym = ctx.checker.getSymbolAtLocation(arg);
  const target = sym && resolveAlias(ctx.checker, sym);
  const decl = target && declarationWithBody(target);
  const fn = decl && functionOfDeclaration(decl);
  if (!fn || !fn.body || ts.isMethodDeclaration(fn) || ctx.host.isMarker(target!) || ctx.host.ruleKind(target!)) return undefined;
  const arrow = `\`.${method}((x) => ${arg.text}(x))\``;
  const refuse = (why: string): never =>
    fail(TSG.unsupportedSyntax, arg, `\`${arg.text}\` passed by name ${why}`, `write the arrow that calls it: ${arrow}`);
  if (fn.getSourceFile() !== ctx.sourceFile) refuse("is declared in another file, and only a callback of this file is inlined");
  if (
    fn.parameters.length > 3 ||
    fn.parameters.some((p) => !ts.isIdentifier(p.name) || p.dotDotDotToken || p.initializer || p.questionToken)
  )
    refuse("takes parameters other than the item, index and array, named plainly");
  if (returnsEarly(fn.body)) refuse("returns before its last statement, and is inlined only as a callback whose last statement returns");
  return { kind: "function", parameters: fn.parameters, body: fn.body };
}

/** Whether a body has a `return` other than its last statement (outside nested functions). */
function returnsEarly(body: ts.ConciseBody): boolean {
  if (!ts.isBlock(body)) return false;
  const last = body.statements[body.statements.length - 1];
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n !== last) found = true;
    else ts.forEachChild(n, visit);
  };
  body.statements.forEach(visit);
  return found;
}
