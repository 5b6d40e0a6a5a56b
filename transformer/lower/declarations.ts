/**
 * `const` / `let` declarations of one name: a number, boolean or array variable, a name for a
 * tuple or object (an alias, see RecordValue; a `let` given new values has a variable per leaf,
 * see mutable-records.ts), or a name for a derivative function
 * (`const dh = grad(h)`). Patterns (`const [a, b] = ...`) are destructuring.ts's.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { bool, decl, newVar, num, typeOfValue } from "../ir/build.js";
import type { Expr } from "../ir/types.js";
import { freshArrayType } from "./arrays.js";
import { markerBindingOf } from "./calls/derivatives.js";
import { emit, symbolOf, type LowerContext } from "./context.js";
import { functionOfDeclaration } from "../syntax/declarations.js";
import { destructuringDeclaration } from "./destructuring.js";
import { isFreshArray, isUnnamedArray } from "./ownership.js";
import { recordValue } from "./records.js";
import { OUTER, unwrap } from "../syntax/unwrap.js";
import { includesUndefined, optionalPart, optionalRead } from "./optional.js";
import { declareMutableRecord, isReassignedLet } from "./mutable-records.js";
import { irTypeOf, isUntypedArray } from "./types.js";

export function variableDeclaration(ctx: LowerContext, d: ts.VariableDeclaration): void {
  const marker = markerBindingOf(ctx.host, d);
  if (marker) {
    ctx.markerBindings.set(symbolOf(ctx, d.name as ts.Identifier), marker);
    return;
  }
  // `const sq = (t) => t * w`: a local helper, lowered as a function of its own where it is called
  if ((d.parent.flags & ts.NodeFlags.Const) !== 0 && functionOfDeclaration(d)) return;
  if (!ts.isIdentifier(d.name)) {
    destructuringDeclaration(ctx, d, d.name);
    return;
  }
  const sym = symbolOf(ctx, d.name);
  const declared = ctx.checker.getTypeAtLocation(d.name);
  // `const n = m.noise` where it may be missing: refused as such (a narrowed one is an alias below)
  const part = d.initializer && optionalPart(ctx, unwrap(d.initializer, OUTER));
  if (part && includesUndefined(declared)) optionalRead(ctx, d.initializer!, part, "value");
  // `const v = xs.find(p)`: the call's own refusal says more than the type's
  if (!part && d.initializer && ts.isCallExpression(unwrap(d.initializer, OUTER)) && includesUndefined(declared))
    ctx.expression(d.initializer, "value");
  // `new Array(n).fill(0)` and `[]` are typed any[] by TypeScript: their initialiser says more
  const initial = d.initializer && isUntypedArray(ctx.checker, declared) ? freshArrayType(d.initializer) : undefined;
  // `const total = a.reduce(...)` over such an array is typed any: the value lowering made says more
  const lowered = d.initializer && !initial && declared.flags & ts.TypeFlags.Any ? ctx.expression(d.initializer, "value") : undefined;
  const loweredType = lowered && typeOfValue(lowered);
  const type = initial ?? (loweredType?.kind === "num" || loweredType?.kind === "bool" ? loweredType : irTypeOf(ctx.checker, declared, d));
  if (type.kind === "record") {
    if (!d.initializer)
      fail(TSG.unsupportedSyntax, d, "a tuple or object variable needs an initializer", "initialise it where it is declared");
    if (isReassignedLet(ctx, d, sym)) declareMutableRecord(ctx, sym, d.name.text, type, recordValue(ctx, d.initializer), d);
    else ctx.records.set(sym, recordValue(ctx, d.initializer));
    return;
  }
  let init: Expr;
  let owned: boolean | undefined;
  if (d.initializer) {
    init = lowered ?? ctx.expression(d.initializer, "value");
    // `const ys = xs.map(...)`, `[...v, x]`, `Array.from(xs, f)`: lowering made a new array for
    // it (named after this variable), which no other name holds: the name is that array's
    if (type.kind === "array" && isUnnamedArray(ctx, init)) {
      ctx.vars.set(sym, init.v);
      return;
    }
    // a variable owns (may write) only an array it made; see ownership.ts
    if (type.kind === "array") owned = isFreshArray(init);
  } else {
    if (type.kind === "array")
      fail(TSG.unsupportedSyntax, d, "array variables need an initializer", "initialise it, e.g. `= new Float64Array(n)`");
    init = type.kind === "bool" ? bool(false) : num(0);
  }
  const v = newVar(d.name.text, type, "local", owned !== undefined ? { owned } : {});
  ctx.vars.set(sym, v);
  emit(ctx, decl(v, init, ctx.origin));
}
