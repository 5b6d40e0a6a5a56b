/**
 * Keys of derived functions. A key is a recipe: `grad[10](file#pos)` is the gradient of the
 * source function `file#pos` with respect to its first parameter; keys nest
 * (`jvp[1](grad[1](file#pos))`). Generated code names its callees by key, and the pipeline
 * generates each key it meets once.
 */

export const DERIVED_KINDS = [
  "grad",
  "valueAndGrad",
  "jvp",
  "jvpVec",
  "vjp",
  "pullback",
  "vjpPublic",
  "primal",
  // a copy of a function returning only the fields of its result its caller reads (passes/unread-fields.ts)
  "fields",
  "hvp",
  "hessian",
  "derivative",
  "valueAndDerivative",
  "jacobian",
  "jacobianForward",
  "jacobianReverse",
  // auxiliary outputs (`hasAux`): the function's loss alone, its aux set aside (passes/aux.ts),
  // and the derivatives that also return the aux
  "withoutAux",
  "gradAux",
  "valueAndGradAux",
  "vjpAux",
  "jvpAux",
  // hvp, hessian or jacobian of `withoutAux[](f)`, returned beside f's aux (`{ hvp, aux }`)
  "withAux",
  // the two halves of a pullback in split mode (passes/split-calls.ts): the forward sweep, which
  // returns the value and saves on the shared stacks what the reverse sweep reads, and that
  // reverse sweep; only emitted code calls them, never IR another pass differentiates
  "splitForward",
  "splitReverse",
] as const;

export type DerivedKind = (typeof DERIVED_KINDS)[number];

export function derivedKey(kind: DerivedKind, mask: readonly boolean[], key: string): string {
  return `${kind}[${mask.map((a) => (a ? 1 : 0)).join("")}](${key})`;
}

export function parseDerivedKey(key: string): { kind: DerivedKind; mask: boolean[]; base: string } | null {
  const m = /^(\w+)\[([01]*)\]\((.*)\)$/.exec(key);
  if (!m || !(DERIVED_KINDS as readonly string[]).includes(m[1]!)) return null;
  return { kind: m[1] as DerivedKind, mask: [...m[2]!].map((c) => c === "1"), base: m[3]! };
}

const fromPullback = new Map<string, boolean>();

/**
 * Whether the function with this key is a pullback (`vjp`, or a half of one in split mode) or is
 * derived from one at any depth (`jvp[1](vjp[1](h))`, the tangent of a pullback): calls of those
 * accumulate into the adjoint arrays they are given (and a split half pushes or pops the shared
 * stacks). Read from the key's recipe, level by level.
 */
export function derivesFromPullback(key: string): boolean {
  let known = fromPullback.get(key);
  if (known === undefined) {
    const parsed = parseDerivedKey(key);
    known =
      parsed !== null &&
      (parsed.kind === "vjp" || parsed.kind === "splitForward" || parsed.kind === "splitReverse" || derivesFromPullback(parsed.base));
    fromPullback.set(key, known);
  }
  return known;
}
