/**
 * Calls of the program's own functions (`f(x)`, `models.loss(p, x)`): a call by key, which the
 * driver lowers on demand and the passes differentiate like the caller.
 */
import { fail, TSG } from "../../diagnostics.js";
import type { Expr, IRType } from "../../ir/types.js";
import { irTypeAt, typeOfNode, type LowerContext } from "../context.js";
import { functionName, type FunctionLike } from "../../syntax/declarations.js";
import { capturedType, capturedVariables } from "../captures.js";
import { ref } from "../../ir/build.js";
import { sharedReturn } from "../ownership.js";
import { recordArgument, recordArgumentOf } from "../records.js";
import { refuseMissingArguments, refuseSpreadArguments } from "../refusals.js";
import { isThisParameter } from "../syntax.js";
import { inlineCall } from "./inline.js";
import { writesCallerState } from "./written.js";
import { optionalArgument, optionalParameterType, passedOn } from "../optional.js";

export function userCall(ctx: LowerContext, e: ts.CallExpression, fn: FunctionLike): Expr {
  // a helper that writes into arrays it is given is inlined (inline.ts)
  if (writesCallerState(ctx.checker, fn)) return inlineCall(ctx, e, fn, false);
  const key = ctx.host.functionKey(fn);
  refuseSpreadArguments(e);
  const params = fn.parameters.filter((p) => !isThisParameter(p));
  // arguments left out take the parameter's default, a constant (lower/function.ts), or are
  // undefined for an optional parameter (optional.ts)
  const optional = params.map((p) => optionalParameterType(ctx.checker, p) !== undefined);
  const omitted = params.slice(e.arguments.length);
  if (e.arguments.length > params.length || omitted.some((p, i) => !p.initializer && !optional[e.arguments.length + i]))
    refuseMissingArguments(e);
  const defaults = omitted.map((p): Expr => (p.initializer ? ctx.expression(p.initializer, "value") : { k: "undef" }));
  // a local helper's captured variables come first: their values here (captures.ts)
  const captured = capturedArguments(ctx, fn, e);
  const args = [
    ...captured,
    ...e.arguments.map((a, i) => {
      if (optional[i]) return optionalArgument(ctx, a);
      const t = irTypeAt(ctx, params[i] ?? a);
      return t?.kind === "record" ? recordArgument(ctx, a, t) : ctx.expression(a, "value");
    }),
    ...defaults,
  ];
  const type = typeOfNode(ctx, e);
  // a call's array result is taken to be the callee's own: one it shares would need aliasing
  const shared = sharedReturn(ctx, fn);
  if (shared)
    fail(
      TSG.unsupportedSyntax,
      e,
      `\`${functionName(fn)}\` returns an array it did not make (\`${shared.getText()}\`), ` + "which the caller would share with it",
      `return a copy from it (\`${shared.getText()}.slice()\`)`,
    );
  // arrays of tuples or objects are data the function reads (a parameter, a module constant):
  // what a call returns may carry derivatives
  if (holdsArrayOfRecords(type))
    fail(
      TSG.unsupportedType,
      e,
      `\`${functionName(fn)}\` returns an array of tuples or objects, which differentiated code can only read as data`,
      "return each field as an array of its own (`{ xs, ys }`), or build the array outside the differentiated function and pass it in",
    );
  // the passes give a call's array result one flat adjoint or tangent array
  if (holdsNestedArrays(type))
    fail(
      TSG.unsupportedType,
      e,
      "a call of a function that returns arrays of arrays cannot be differentiated yet",
      "return a flat array (rows one after another, read as r[i * n + j]), " + "or build the rows in the calling function",
    );
  return { k: "call", fn: { kind: "user", key }, args, type };
}

function holdsArrayOfRecords(t: IRType): boolean {
  if (t.kind === "array") return t.elem.kind === "record" || holdsArrayOfRecords(t.elem);
  return t.kind === "record" && t.fields.some((f) => holdsArrayOfRecords(f.type));
}

function holdsNestedArrays(t: IRType): boolean {
  if (t.kind === "array") return t.elem.kind !== "num";
  return t.kind === "record" && t.fields.some((f) => holdsNestedArrays(f.type));
}

/**
 * The current values of what `fn` captures, read where it is called. A captured tuple or object
 * (a structured parameter, or one made in this function) is passed as a record of its parts, as
 * an argument would be (records.ts).
 */
export function capturedArguments(ctx: LowerContext, fn: FunctionLike, at: ts.Node): Expr[] {
  return capturedVariables(ctx.checker, fn).map((c) => {
    const optional = ctx.optionals.get(c.symbol);
    if (optional) return passedOn(optional);
    const record = ctx.leaves.has(c.symbol) ? ({ from: "param", sym: c.symbol, keys: [] } as const) : ctx.records.get(c.symbol);
    if (record) {
      const type = capturedType(ctx.checker, c);
      if (type.kind === "record") return recordArgumentOf(ctx, record, type, at);
    }
    const v = ctx.vars.get(c.symbol);
    if (!v)
      fail(
        TSG.capturedLocal,
        at,
        `\`${functionName(fn)}\` reads \`${c.name}\`, which is not yet declared here`,
        `call it after \`${c.name}\` is declared`,
      );
    return ref(v);
  });
}
