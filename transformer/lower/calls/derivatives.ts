/**
 * Derivatives called inside a differentiated function: `grad(h)(x)`, or `dh(x)` for a
 * `const dh = grad(h)` in the body or at module level.
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import type { Expr } from "../../ir/types.js";
import type { MarkerCall, MarkerKind } from "../../discover/markers.js";
import { typeOfNode, type LowerContext } from "../context.js";
import type { LowerHost } from "../host.js";
import { isModuleLevel, resolveAlias } from "../../syntax/declarations.js";
import { refuseSpreadArguments } from "../refusals.js";
import { capturedArguments } from "./user-functions.js";
import { OUTER, unwrap } from "../../syntax/unwrap.js";
import { isThisParameter } from "../syntax.js";
import { optionalArgument, optionalParameterType } from "../optional.js";

/** Markers whose derivative functions may be called inside a differentiated function. */
const NESTABLE = new Set<MarkerKind>(["grad", "valueAndGrad", "jvp", "hvp"]);

/** `const dh = grad(h)`: the marker call a const declaration binds, if it binds one. */
export function markerBindingOf(host: LowerHost, d: ts.VariableDeclaration): MarkerCall | undefined {
  if (!ts.isIdentifier(d.name) || !d.initializer || !(d.parent.flags & ts.NodeFlags.Const)) return undefined;
  const init = unwrap(d.initializer, OUTER);
  if (!ts.isCallExpression(init)) return undefined;
  const kind = host.markerOf(init);
  return kind ? { call: init, kind } : undefined;
}

/** The marker call a callee stands for: `grad(h)` itself, or a const bound to it. */
export function invokedMarker(ctx: LowerContext, callee: ts.Expression): MarkerCall | undefined {
  callee = unwrap(callee, OUTER);
  if (ts.isCallExpression(callee)) {
    const kind = ctx.host.markerOf(callee);
    return kind ? { call: callee, kind } : undefined;
  }
  if (!ts.isIdentifier(callee)) return undefined;
  const sym = ctx.checker.getSymbolAtLocation(callee);
  if (!sym) return undefined;
  const local = ctx.markerBindings.get(sym);
  if (local) return local;
  const d = resolveAlias(ctx.checker, sym).valueDeclaration;
  return d && ts.isVariableDeclaration(d) && isModuleLevel(d) ? markerBindingOf(ctx.host, d) : undefined;
}

/**
 * A derivative called inside the function (`grad(h)(x)`): a call of the derived function,
 * which the pipeline generates like any callee. Differentiating the caller then
 * differentiates it (forward over reverse, reverse over forward, ...).
 */
export function derivativeCall(ctx: LowerContext, marker: MarkerCall, e: ts.CallExpression): Expr {
  if (!NESTABLE.has(marker.kind))
    fail(
      TSG.nestedMarker,
      e,
      `${marker.kind}(...) cannot be called inside a differentiated function yet`,
      "call grad, valueAndGrad, jvp or hvp there",
    );
  const target = ctx.host.markerTarget(marker);
  refuseSpreadArguments(e);
  // the source's own parameters lead the arguments: an optional one may be passed on or, when
  // only the primals are taken (grad, valueAndGrad), left out, as a default one may
  const params = target.source ? target.source.parameters.filter((p) => !isThisParameter(p)) : [];
  const optional = params.map((p) => optionalParameterType(ctx.checker, p) !== undefined);
  const omitted = params.slice(e.arguments.length);
  const mayOmit = target.arity === params.length && omitted.every((p, i) => p.initializer || optional[e.arguments.length + i]);
  if (e.arguments.length !== target.arity && !(e.arguments.length < target.arity && mayOmit))
    fail(
      TSG.unsupportedSyntax,
      e,
      `this derivative takes ${target.arity} argument${target.arity === 1 ? "" : "s"}`,
      "pass every argument explicitly",
    );
  const captured = target.source ? capturedArguments(ctx, target.source, e) : [];
  const args = [
    ...captured,
    ...e.arguments.map((a, i) => (optional[i] ? optionalArgument(ctx, a) : ctx.expression(a, "value"))),
    ...(e.arguments.length < target.arity
      ? omitted.map((p): Expr => (p.initializer ? ctx.expression(p.initializer, "value") : { k: "undef" }))
      : []),
  ];
  return { k: "call", fn: { kind: "user", key: target.key }, args, type: typeOfNode(ctx, e) };
}
