/** `Math.f(...)` calls and `Math.PI`-style constants, by the primitive table (rules/math.ts reads it). */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import { num, op } from "../../ir/build.js";
import type { Expr } from "../../ir/types.js";
import { MATH_CONSTANTS, MATH_FUNCTIONS } from "../../rules/math.js";
import { primitive } from "../../rules/primitives.js";
import type { LowerContext, Mode } from "../context.js";
import { spreadMathCall } from "./spread-math.js";

/**
 * Whether a name is the global binding (`Math`, `Number`, `Float64Array`, `isNaN`, ...: declared
 * in the standard library), not a name of the program.
 */
export function isGlobalBinding(ctx: LowerContext, id: ts.Identifier): boolean {
  const sym = ctx.checker.getSymbolAtLocation(id);
  const decl = sym?.declarations?.[0];
  return !decl || decl.getSourceFile().isDeclarationFile;
}

export function mathCall(ctx: LowerContext, e: ts.CallExpression, name: string, mode: Mode): Expr {
  if (name === "random")
    fail(
      TSG.nondeterministic,
      e,
      "Math.random() gives a different value each call, so its derivative code cannot replay it",
      "draw random numbers outside and pass them in as data",
    );
  const known = MATH_FUNCTIONS[name];
  if (!known) fail(TSG.opaqueCall, e, `Math.${name} has no derivative rule`, "use one of the supported Math functions");
  const opName = known.op;
  if (e.arguments.some(ts.isSpreadElement)) return spreadMathCall(ctx, e, name, mode);
  const args = e.arguments.map((a) => ctx.expression(a, mode));
  const arity = known.arity;
  if (arity !== "any" && args.length !== arity)
    fail(TSG.unsupportedSyntax, e, `Math.${name} takes ${arity} argument${arity === 1 ? "" : "s"}`, "pass exactly that many");
  if (known.none !== undefined) {
    if (args.length === 0) return num(known.none);
    // min/max of n arguments as a left fold: exactly the same value, one binary rule
    if (primitive(opName).arity === 2) return args.reduce((acc, a) => op(opName, acc, a));
  }
  return op(opName, ...args);
}

/** `Math.PI`, `Math.E`, ...: the number itself, when `Math` is the global one. */
export function mathConstant(ctx: LowerContext, e: ts.PropertyAccessExpression): Expr | undefined {
  if (!ts.isIdentifier(e.expression) || e.expression.text !== "Math" || !isGlobalBinding(ctx, e.expression)) return undefined;
  const c = MATH_CONSTANTS[e.name.text];
  return c !== undefined ? num(c) : undefined;
}
