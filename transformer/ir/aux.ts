/**
 * The result shape `hasAux` needs (`grad(f, { hasAux: true })`): a pair `[loss, aux]` whose
 * first element is a number (for `jacobian`, `[output, aux]` with an array or tensor output). Read by discovery (to refuse other shapes at the marker) and by the
 * pass that sets the aux aside (passes/aux.ts).
 */
import type { IRType } from "./types.js";

/** The aux's type, when a function's result type is `[number, A]`. */
export function auxType(t: IRType): IRType | undefined {
  const pair = auxPair(t);
  return pair?.output.kind === "num" ? pair.aux : undefined;
}

/**
 * The output's and the aux's types of a result `[output, aux]`, whatever the output: `jacobian`
 * with `hasAux` differentiates an array or tensor output, as JAX's `jacfwd(f, has_aux=True)`.
 */
export function auxPair(t: IRType): { output: IRType; aux: IRType } | undefined {
  if (t.kind !== "record" || !t.tuple || t.fields.length !== 2) return undefined;
  return { output: t.fields[0]!.type, aux: t.fields[1]!.type };
}
