/**
 * The result shape `hasAux` needs (`grad(f, { hasAux: true })`): a pair `[loss, aux]` whose
 * first element is a number. Read by discovery (to refuse other shapes at the marker) and by the
 * pass that sets the aux aside (passes/aux.ts).
 */
import type { IRType } from "./types.js";

/** The aux's type, when a function's result type is `[number, A]`. */
export function auxType(t: IRType): IRType | undefined {
  if (t.kind !== "record" || !t.tuple || t.fields.length !== 2 || t.fields[0]!.type.kind !== "num") return undefined;
  return t.fields[1]!.type;
}
