/**
 * Lowering: one TypeScript function to IR. This module lowers the function itself (its
 * parameters, its return type, its body) and wires the context to the two dispatchers every other
 * module of lowering recurses into: expressions.ts and statements.ts.
 *
 * Lowering and emit are the only modules that know TypeScript's AST. Lowering resolves every name
 * through the TypeChecker (locals, parameters, module-level constants, callees), maps types,
 * makes compound assignments and `for...of` explicit, and refuses anything it cannot represent
 * soundly with a TSG diagnostic. It does not flatten expressions: that is the ANF pass's job.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { newVar } from "../ir/build.js";
import type { IRFunction, IRType, Param, Stmt, Var } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { collect, createContext, emit, originOf, symbolOf, type LowerContext } from "./context.js";
import { lowerExpression } from "./expressions.js";
import type { LowerHost } from "./host.js";
import { functionName, type FunctionLike } from "../syntax/declarations.js";
import { lowerBlock } from "./statements.js";
import { isThisParameter } from "./syntax.js";
import { irTypeOf, isDifferentiable } from "./types.js";

export function lowerFunction(host: LowerHost, fn: FunctionLike, key: string): IRFunction {
  const ctx = createContext(host, fn, { expression: lowerExpression, block: lowerBlock });
  if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || fn.asteriskToken)
    fail(
      TSG.asyncOrGenerator,
      fn,
      "async and generator functions cannot be differentiated",
      "write a plain synchronous function",
    );
  if (!fn.body)
    fail(TSG.opaqueCall, fn, "this function has no body to differentiate", "give it a body, or give it a custom rule");
  // `this: T` is a type annotation, not a parameter
  const params = fn.parameters.filter((p) => !isThisParameter(p)).map((p) => lowerParameter(ctx, p));
  const sig = ctx.checker.getSignatureFromDeclaration(fn);
  const retType = sig ? ctx.checker.getReturnTypeOfSignature(sig) : undefined;
  const returnType: IRType = retType ? irTypeOf(ctx.checker, retType, fn.type ?? fn) : NUM;
  let body: Stmt[];
  if (ts.isBlock(fn.body)) {
    body = ctx.block(fn.body.statements);
  } else {
    const expr = fn.body;
    body = collect(ctx, () => {
      ctx.origin = originOf(ctx, expr);
      const value = ctx.expression(expr, "value");
      emit(ctx, { k: "return", value, origin: ctx.origin });
    });
  }
  return { key, name: functionName(fn), params, body, returnType, origin: originOf(ctx, fn) };
}

/**
 * A parameter. A tuple or object parameter is flattened into one leaf variable per number or
 * array inside it, which is what the passes differentiate; reads of its fields find the leaves.
 */
function lowerParameter(ctx: LowerContext, p: ts.ParameterDeclaration): Param {
  if (!ts.isIdentifier(p.name))
    fail(
      TSG.unsupportedSyntax,
      p,
      "destructured parameters are not supported yet",
      "take the parameter whole and read its fields in the body",
    );
  if (p.dotDotDotToken)
    fail(TSG.unsupportedSyntax, p, "rest parameters cannot be differentiated", "pass an array instead");
  if (p.initializer)
    fail(TSG.unsupportedSyntax, p, "default parameter values are not supported", "pass the value explicitly");
  const sym = symbolOf(ctx, p.name);
  const type = irTypeOf(ctx.checker, ctx.checker.getTypeAtLocation(p), p);
  const root = newVar(p.name.text, type, "param", type.kind === "array" ? { owned: false } : {});
  ctx.vars.set(sym, root);
  const leaves: Var[] = [];
  if (type.kind === "record") {
    const byPath = new Map<string, Var>();
    const walk = (t: IRType, keys: (string | number)[]) => {
      if (t.kind === "record") {
        for (const f of t.fields) walk(f.type, [...keys, f.key]);
        return;
      }
      const leaf = newVar([p.name.getText(), ...keys].join("_"), t, "param", {
        path: { root, keys },
        ...(t.kind === "array" ? { owned: false } : {}),
      });
      byPath.set(keys.join("."), leaf);
      leaves.push(leaf);
    };
    walk(type, []);
    ctx.leaves.set(sym, byPath);
  } else {
    leaves.push(root);
  }
  return { root, leaves, differentiable: isDifferentiable(type) };
}
