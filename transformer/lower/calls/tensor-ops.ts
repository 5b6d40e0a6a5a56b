/** Tensor operations of tsgrad/tensor (`matmul(a, b)`, `T.sum(x)`) and a tensor's `.shape`. */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import { num, typeOfValue } from "../../ir/build.js";
import type { Expr } from "../../ir/types.js";
import { NUM, TENSOR } from "../../ir/types.js";
import { tensorRules } from "../../rules/tensor.js";
import { irTypeAt, type LowerContext } from "../context.js";
import { refuseSpreadArguments } from "../refusals.js";

/**
 * A tensor operation: its arguments as the registry lists them (optional ones filled with
 * undefined; the tensors of concat/stack spread before the axis).
 */
export function tensorCall(ctx: LowerContext, e: ts.CallExpression, name: string): Expr {
  const rule = tensorRules[name];
  if (!rule)
    fail(
      TSG.opaqueCall,
      e,
      `the tensor operation \`${name}\` has no derivative rule`,
      "use the operations of tsgrad/tensor that have rules",
    );
  refuseSpreadArguments(e);
  if (rule.variadic) {
    const [list, axis] = e.arguments;
    if (!list || !ts.isArrayLiteralExpression(list) || list.elements.length === 0)
      fail(TSG.unsupportedSyntax, e, `${name} needs an array literal of tensors here`, `write ${name}([a, b], axis)`);
    const parts = list.elements.map((el) => ctx.expression(el, "value"));
    for (const [i, p] of parts.entries())
      if (typeOfValue(p).kind !== "tensor") fail(TSG.unsupportedType, list.elements[i]!, `${name} joins tensors`, "pass tensors");
    const args = [...parts, axis ? ctx.expression(axis, "cond") : num(0)];
    return { k: "call", fn: { kind: "tensor", key: name }, args, type: TENSOR };
  }
  if (e.arguments.length > rule.params.length)
    fail(TSG.unsupportedSyntax, e, `${name} takes at most ${rule.params.length} arguments`, "pass fewer arguments");
  const args: Expr[] = rule.params.map((param, i) => {
    const arg = e.arguments[i];
    if (!arg) {
      if (!param.endsWith("?")) fail(TSG.unsupportedSyntax, e, `${name} needs its argument \`${param}\``, "pass it");
      const d = rule.defaults?.[i];
      return d === undefined ? { k: "undef" } : num(d);
    }
    return ctx.expression(arg, rule.diff[i] ? "value" : "cond");
  });
  return { k: "call", fn: { kind: "tensor", key: name }, args, type: rule.returns === "number" ? NUM : TENSOR };
}

/** `t.shape` on a tensor: the runtime's shape of it, a plain number array (no derivative). */
export function tensorShape(ctx: LowerContext, e: ts.PropertyAccessExpression): Expr | undefined {
  if (e.name.text !== "shape" || irTypeAt(ctx, e.expression)?.kind !== "tensor") return undefined;
  const t = ctx.expression(e.expression, "cond");
  return {
    k: "call",
    fn: { kind: "tensor", key: "shapeOf" },
    args: [t],
    type: { kind: "array", elem: NUM, storage: "array" },
  };
}
