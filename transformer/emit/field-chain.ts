/** Reads of a field of a structured parameter: `p.layer.b`, `p[0]`, and `o.noise?.sigma` past an optional object. */
import { ts } from "../compiler.js";
import { fieldsAlong } from "../ir/build.js";
import type { IRType } from "../ir/types.js";

/**
 * `base.k1.k2...`: the field of a value of type `type` at `keys`. Past an optional object
 * (`noise?: {...}`) the read goes on with `?.`, so that a missing object reads as undefined,
 * as the optional field it holds does.
 */
export function fieldChain(f: ts.NodeFactory, base: ts.Expression, type: IRType, keys: readonly (string | number)[]): ts.Expression {
  const fields = fieldsAlong(type, keys);
  return keys.reduce<ts.Expression>((e, k, i) => {
    const before = fields[i - 1];
    const question = before?.optional === true && before.type.kind === "record" ? f.createToken(ts.SyntaxKind.QuestionDotToken) : undefined;
    if (typeof k === "number") return question ? f.createElementAccessChain(e, question, k) : f.createElementAccessExpression(e, k);
    return question ? f.createPropertyAccessChain(e, question, k) : f.createPropertyAccessExpression(e, k);
  }, base);
}

/** Whether the field of a value of type `type` at `keys` may be undefined: it, or an object holding it, is optional. */
export function mayBeMissing(type: IRType, keys: readonly (string | number)[]): boolean {
  return fieldsAlong(type, keys).some((field) => field?.optional === true);
}
