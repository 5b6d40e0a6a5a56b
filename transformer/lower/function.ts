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
import { newVar, num, recordLeaves, ref } from "../ir/build.js";
import type { Expr, IRFunction, IRType, Param, Stmt, Var } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { collect, createContext, emit, originOf, symbolOf, type LowerContext, type OptionalParameter } from "./context.js";
import { lowerExpression } from "./expressions.js";
import { capturedType, capturedVariables, type CapturedVariable } from "./captures.js";
import type { LowerHost } from "./host.js";
import { functionName, type FunctionLike } from "../syntax/declarations.js";
import { lowerBlock } from "./statements.js";
import { customRuleOf, primalOf, ruleCallee } from "./calls/custom-rules.js";
import { isThisParameter } from "./syntax.js";
import { bindOptional, bindOptionalLeaf, bindOptionalPart, optionalParameterType, optionalParts } from "./optional.js";
import { irTypeOf, isDifferentiable } from "./types.js";

export function lowerFunction(host: LowerHost, fn: FunctionLike, key: string): IRFunction {
  const ctx = createContext(host, fn, { expression: lowerExpression, block: lowerBlock });
  if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || fn.asteriskToken)
    fail(TSG.asyncOrGenerator, fn, "async and generator functions cannot be differentiated", "write a plain synchronous function");
  if (!fn.body) fail(TSG.opaqueCall, fn, "this function has no body to differentiate", "give it a body, or give it a custom rule");
  // what it reads from enclosing functions comes first (lambda lifting, see captures.ts);
  // `this: T` is a type annotation, not a parameter
  // an optional parameter's two parts are declared as the body opens (optional.ts)
  const prologue: Stmt[] = [];
  const captured = capturedVariables(ctx.checker, fn).map((c) => capturedParameter(ctx, c, prologue));
  const params = [...captured, ...fn.parameters.filter((p) => !isThisParameter(p)).map((p) => lowerParameter(ctx, p, prologue))];
  const sig = ctx.checker.getSignatureFromDeclaration(fn);
  const retType = sig ? ctx.checker.getReturnTypeOfSignature(sig) : undefined;
  const returnType: IRType = retType ? irTypeOf(ctx.checker, retType, fn.type ?? fn) : NUM;
  let body: Stmt[];
  if (ts.isBlock(fn.body)) {
    body = [...prologue, ...ctx.block(fn.body.statements)];
  } else {
    const expr = fn.body;
    body = collect(ctx, () => {
      emit(ctx, ...prologue);
      ctx.origin = originOf(ctx, expr);
      const value = ctx.expression(expr, "value");
      emit(ctx, { k: "return", value, origin: ctx.origin });
    });
  }
  return { key, name: functionName(fn), params, body, returnType, origin: originOf(ctx, fn) };
}

/** A variable of an enclosing function, read by this one: a parameter that is only read. */
function capturedParameter(ctx: LowerContext, c: CapturedVariable, prologue: Stmt[]): Param {
  ctx.captured.add(c.symbol);
  // an optional parameter of the enclosing function: passed as it is, read through its parts
  const decl = c.symbol.valueDeclaration;
  const optional = decl && ts.isParameter(decl) ? optionalParameterType(ctx.checker, decl) : undefined;
  if (optional && decl && ts.isParameter(decl)) {
    const { raw, prologue: parts } = bindOptional(ctx, c.symbol, decl, optional);
    prologue.push(...parts);
    return { root: raw, leaves: [raw], differentiable: true, captured: true };
  }
  const type = capturedType(ctx.checker, c);
  return { ...bindParameter(ctx, c.symbol, c.name, type, prologue), captured: true };
}

/**
 * A parameter: its name, type and checks; the binding itself is bindParameter's, or, for an
 * optional one, bindOptional's, whose statements go to `prologue`.
 */
function lowerParameter(ctx: LowerContext, p: ts.ParameterDeclaration, prologue: Stmt[]): Param {
  if (!ts.isIdentifier(p.name))
    fail(
      TSG.unsupportedSyntax,
      p,
      "destructured parameters are not supported yet",
      "take the parameter whole and read its fields in the body",
    );
  if (p.dotDotDotToken) fail(TSG.unsupportedSyntax, p, "rest parameters cannot be differentiated", "pass an array instead");
  const optional = optionalParameterType(ctx.checker, p);
  if (optional) {
    const { raw, prologue: parts } = bindOptional(ctx, symbolOf(ctx, p.name), p, optional);
    prologue.push(...parts);
    return { root: raw, leaves: [raw], differentiable: true };
  }
  const type = irTypeOf(ctx.checker, ctx.checker.getTypeAtLocation(p), p);
  const defaultValue = p.initializer ? defaultOf(ctx, p.initializer, type) : undefined;
  return bindParameter(ctx, symbolOf(ctx, p.name), p.name.text, type, prologue, defaultValue);
}

/**
 * `delta = 1`: a default value, a number or boolean constant. Callers that leave the argument out
 * pass it (calls/user-functions.ts), and the generated functions declare it too, so a derivative
 * called without the argument uses it as the function would.
 */
function defaultOf(ctx: LowerContext, init: ts.Expression, type: IRType): Expr {
  const value = constantOf(ctx.expression(init, "value"));
  if (!value || (type.kind !== "num" && type.kind !== "bool"))
    fail(
      TSG.unsupportedSyntax,
      init,
      "a default parameter value must be a number or boolean constant",
      "pass the value explicitly, or compute it in the body from a parameter that callers may leave undefined",
    );
  return value;
}

function constantOf(e: Expr): Expr | undefined {
  if (e.k === "num" || e.k === "bool") return e;
  if (e.k === "op" && e.op === "neg" && e.args[0]?.k === "num") return num(-e.args[0].value);
  return undefined;
}

/**
 * A parameter's variables. A tuple or object parameter is flattened into one leaf variable per
 * number or array inside it, which is what the passes differentiate; reads of its fields find
 * the leaves.
 */
function bindParameter(ctx: LowerContext, sym: ts.Symbol, name: string, type: IRType, prologue: Stmt[], defaultValue?: Expr): Param {
  const root = newVar(name, type, "param", {
    ...(type.kind === "array" ? { owned: false } : {}),
    ...(defaultValue ? { defaultValue } : {}),
  });
  ctx.vars.set(sym, root);
  const leaves: Var[] = [];
  if (type.kind === "record") {
    const byPath = new Map<string, Var>();
    for (const { keys, type: t, optional } of recordLeaves(type)) {
      const leaf = newVar([name, ...keys].join("_"), t, "param", {
        path: { root, keys },
        ...(t.kind === "array" ? { owned: false } : {}),
        ...(optional ? { optional } : {}),
      });
      byPath.set(keys.join("."), leaf);
      leaves.push(leaf);
      // `o.scale` of `scale?: number`: read through its two parts, as an optional parameter is
      if (optional) prologue.push(...bindOptionalLeaf(ctx, leaf, `${[name, ...keys].join(".")}`));
    }
    ctx.leaves.set(sym, byPath);
    // `o.noise` of `noise?: { sigma: number }`: whether it is given (its fields are optional leaves)
    const parts = optionalParts(type);
    if (parts.length > 0) {
      const byPart = new Map<string, OptionalParameter>();
      for (const { keys, type: t } of parts) {
        const { opt, prologue: given } = bindOptionalPart(ctx, root, keys, t, [name, ...keys].join("."));
        byPart.set(keys.join("."), opt);
        prologue.push(...given);
      }
      ctx.optionalParts.set(sym, byPart);
    }
  } else {
    leaves.push(root);
  }
  return { root, leaves, differentiable: isDifferentiable(type) };
}

/**
 * `grad(lse)` for `const lse = customVjp(raw, rule)` (or customJvp, nonDifferentiable): the
 * function of `raw`'s parameters that returns `lse(...)`, so that the marker differentiates the
 * binding with its rule, as a wrapper `(x) => lse(x)` would be.
 */
export function lowerRuleWrapper(host: LowerHost, decl: ts.VariableDeclaration, key: string): IRFunction {
  const rule = customRuleOf({ checker: host.checker, host }, decl);
  const primal = rule && primalOf({ checker: host.checker, host }, rule);
  if (!rule || !primal || !ts.isIdentifier(decl.name))
    fail(
      TSG.badRule,
      decl,
      "this binding's rule helper needs the function as its first argument",
      "write customVjp((x: number) => ..., rule)",
    );
  const ctx = createContext(host, primal, { expression: lowerExpression, block: lowerBlock });
  const { callee } = ruleCallee(ctx, rule, decl);
  const params = primal.parameters.filter((p) => !isThisParameter(p)).map((p) => lowerParameter(ctx, p, []));
  for (const [i, p] of params.entries())
    if (p.root.type.kind === "record")
      fail(
        TSG.unsupportedType,
        primal.parameters[i]!,
        `a function with a ${rule.kind} rule differentiated directly takes numbers, arrays and tensors`,
        `differentiate a function that calls it: \`(p) => ${decl.name.text}(p)\``,
      );
  const sig = ctx.checker.getSignatureFromDeclaration(primal);
  const retType = sig ? ctx.checker.getReturnTypeOfSignature(sig) : undefined;
  const returnType: IRType = retType ? irTypeOf(ctx.checker, retType, primal.type ?? primal) : NUM;
  const origin = originOf({ ...ctx, sourceFile: decl.getSourceFile() }, decl);
  const args = params.map((p) => ref(p.root));
  const body: Stmt[] = [{ k: "return", value: { k: "call", fn: callee, args, type: returnType }, origin }];
  return { key, name: decl.name.text, params, body, returnType, origin };
}
