/** Reads of a field of a structured parameter: `p.layer.b`, `p[0]`, and `o.noise?.sigma` past an optional object. */
import { ts } from "../compiler.js";
import type { IRType, RecordField } from "../ir/types.js";

/**
 * `base.k1.k2...`: the field of a value of type `type` at `keys`. Past an optional object
 * (`noise?: {...}`) the read goes on with `?.`, so that a missing object reads as undefined,
 * as the optional field it holds does.
 */
export function fieldChain(f: ts.NodeFactory, base: ts.Expression, type: IRType, keys: readonly (string | number)[]): ts.Expression {
  let e = base;
  let t: IRType | undefined = type;
  let chained = false;
  for (const k of keys) {
    const question = chained ? f.createToken(ts.SyntaxKind.QuestionDotToken) : undefined;
    if (typeof k === "number") e = question ? f.createElementAccessChain(e, question, k) : f.createElementAccessExpression(e, k);
    else e = question ? f.createPropertyAccessChain(e, question, k) : f.createPropertyAccessExpression(e, k);
    const field: RecordField | undefined = t?.kind === "record" ? t.fields.find((x) => x.key === k) : undefined;
    chained = field?.optional === true && field.type.kind === "record";
    t = field?.type;
  }
  return e;
}

/** Whether the field of a value of type `type` at `keys` may be undefined: it, or an object holding it, is optional. */
export function mayBeMissing(type: IRType, keys: readonly (string | number)[]): boolean {
  let t: IRType | undefined = type;
  for (const k of keys) {
    const field: RecordField | undefined = t?.kind === "record" ? t.fields.find((x) => x.key === k) : undefined;
    if (field?.optional) return true;
    t = field?.type;
  }
  return false;
}
