/**
 * Calls of functions that carry their own rule: `const f = customVjp(primal, rule)`,
 * `customJvp(primal, rule)`, `nonDifferentiable(g)` at module level, and `stopGradient(x)`.
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import { decl, newVar, op, ref, typeOfValue } from "../../ir/build.js";
import type { Callee, Expr } from "../../ir/types.js";
import { emit, typeOfNode, type LowerContext, type Mode } from "../context.js";
import { recordArgument } from "../records.js";
import {
  declarationWithBody,
  functionOfDeclaration,
  isExported,
  isModuleLevel,
  resolveAlias,
  type FunctionLike,
} from "../../syntax/declarations.js";
import { refuseMissingArguments, refuseSpreadArguments } from "../refusals.js";
import { unwrap } from "../../syntax/unwrap.js";

/** What reading a rule binding needs: the checker and the driver (no function being lowered). */
type Readers = Pick<LowerContext, "checker" | "host">;

/** A declaration whose initializer is a call of a rule helper: `const f = customVjp(...)`. */
export interface CustomRule {
  readonly kind: "customVjp" | "customJvp" | "nonDifferentiable";
  readonly decl: ts.VariableDeclaration;
  /** The helper's call: `customVjp(primal, rule)`. */
  readonly init: ts.CallExpression;
}

/** The rule a callee's declaration gives it, if it is `const f = customVjp(...)` or its kin. */
export function customRuleOf(ctx: Readers, decl: ts.Declaration): CustomRule | undefined {
  if (!ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
  const init = unwrap(decl.initializer, ["parens", "as"]);
  if (!ts.isCallExpression(init) || !ts.isIdentifier(init.expression)) return undefined;
  const helper = ctx.checker.getSymbolAtLocation(init.expression);
  const kind = helper && ctx.host.ruleKind(helper);
  if (!kind || kind === "stopGradient") return undefined;
  return { kind, decl, init };
}

/** A call of a function declared with its own rule, which the passes call instead of deriving one. */
export function customRuleCall(ctx: LowerContext, rule: CustomRule, e: ts.CallExpression): Expr {
  refuseSpreadArguments(e);
  const type = typeOfNode(ctx, e);
  const { callee, arity } = ruleCallee(ctx, rule, e);
  if (!callee.rule) {
    const args = e.arguments.map((a) => ctx.expression(a, "cond"));
    return { k: "call", fn: callee, args, type };
  }
  if (e.arguments.length !== arity) refuseMissingArguments(e);
  const args = e.arguments.map((a) => ctx.expression(a, "value"));
  return { k: "call", fn: callee, args, type };
}

/**
 * The callee of a function with its own rule, after checking its declaration (at module level,
 * the rule's arity): generated code calls the binding, and the rule through it. `at` is where a
 * refusal of the declaration is reported. `arity` is the primal's number of parameters.
 */
export function ruleCallee(
  ctx: Readers,
  { kind, decl, init }: CustomRule,
  at: ts.Node,
): { callee: Callee & { kind: "opaque" }; arity: number } {
  if (!isModuleLevel(decl) || !ts.isIdentifier(decl.name))
    fail(TSG.badRule, at, `a function with a ${kind} rule must be declared at module level`, "declare it with const at module level");
  // the binding itself is the primal at run time (the helpers return the function unchanged)
  const external = { file: decl.getSourceFile().fileName, name: decl.name.text, exported: isExported(decl) };
  const key = `opaque:${external.file}#${external.name}`;
  if (kind === "nonDifferentiable") {
    const primal = init.arguments[0] && functionArgument(ctx, init.arguments[0]);
    return { callee: { kind: "opaque", key, external }, arity: primal?.parameters.length ?? 0 };
  }
  const [primalArg, ruleArg] = init.arguments;
  const primal = primalArg && functionArgument(ctx, primalArg);
  const ruleFn = ruleArg && functionArgument(ctx, ruleArg);
  if (!primal || !ruleFn)
    fail(
      TSG.badRule,
      init,
      `${kind} takes the function and its rule, both functions written in this program`,
      `write ${kind}((x: number) => ..., (x, ...) => ...)`,
    );
  const n = primal.parameters.length;
  const expected = kind === "customVjp" ? n + 2 : 2 * n;
  if (ruleFn.parameters.length !== expected) {
    const takes = kind === "customVjp" ? "the arguments, the output and its cotangent" : "the arguments, then one tangent per argument";
    fail(
      TSG.badRule,
      ruleArg!,
      `a ${kind} rule for a function of ${n} parameter${n === 1 ? "" : "s"} takes ${expected} (${takes}), ` +
        `not ${ruleFn.parameters.length}`,
      kind === "customVjp" ? "write (x, y, ybar) => ... for f(x)" : "write (x, dx) => ... for f(x)",
    );
  }
  const ruleKey = ctx.host.functionKey(ruleFn);
  const rule = kind === "customVjp" ? { vjp: ruleKey } : { jvp: ruleKey };
  return { callee: { kind: "opaque", key, external, rule }, arity: n };
}

/** The function a rule binding's helper was given first: its primal (`customVjp(primal, rule)`). */
export function primalOf(ctx: Readers, rule: CustomRule): FunctionLike | undefined {
  const arg = rule.init.arguments[0];
  return arg && functionArgument(ctx, arg);
}

/**
 * `stopGradient(x)`: the value of `x`, through which no derivative flows. A tuple or object is
 * stopped part by part: a record of its stopped numbers and arrays.
 */
export function stopGradientCall(ctx: LowerContext, e: ts.CallExpression, mode: Mode): Expr {
  if (e.arguments.length !== 1) fail(TSG.unsupportedSyntax, e, "stopGradient takes one value", "write stopGradient(x)");
  const arg = e.arguments[0]!;
  const type = typeOfNode(ctx, arg);
  if (type.kind !== "record") return op("stop", ctx.expression(arg, mode));
  const stopParts = (x: Expr): Expr => {
    if (x.k === "record") return { ...x, fields: x.fields.map((f) => ({ key: f.key, value: stopParts(f.value) })) };
    const t = typeOfValue(x);
    if (t.kind === "num") return op("stop", x);
    // an array or a tensor: named, as `const y = stopGradient(x)` names it
    const held = newVar("stopped", t, "temp", t.kind === "array" ? { owned: false } : {});
    emit(ctx, decl(held, op("stop", x), ctx.origin));
    return ref(held);
  };
  return stopParts(recordArgument(ctx, arg, type));
}

/** A function given as an argument: an arrow or function expression, or a function's name. */
function functionArgument(ctx: Readers, arg: ts.Expression): FunctionLike | undefined {
  const e = unwrap(arg, ["parens", "as"]);
  switch (e.kind) {
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      return e as ts.ArrowFunction | ts.FunctionExpression;
    case ts.SyntaxKind.Identifier: {
      const sym = ctx.checker.getSymbolAtLocation(e);
      const target = sym && resolveAlias(ctx.checker, sym);
      const d = target && declarationWithBody(target);
      const fn = d && functionOfDeclaration(d);
      return fn?.body && !fn.getSourceFile().isDeclarationFile ? fn : undefined;
    }
    default:
      return undefined;
  }
}
