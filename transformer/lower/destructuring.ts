/** Destructuring declarations: `const [a, b] = ...`, `const { value, grad: g } = ...`, nested. */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { decl, index, len, newVar, num, op, ref, typeOfValue } from "../ir/build.js";
import type { Expr } from "../ir/types.js";
import { elementOrDefault } from "./operators.js";
import { emit, irTypeAt, symbolOf, type LowerContext } from "./context.js";
import { project, recordValue, type Part } from "./records.js";
import { OUTER, unwrap } from "../syntax/unwrap.js";

/** What a name or a pattern binds: a value, a record, or (`const [a, b] = [x, y]`) literal elements. */
type Bound = Part | { readonly kind: "elements"; readonly elems: readonly ts.Expression[] };

export function destructuringDeclaration(ctx: LowerContext, d: ts.VariableDeclaration, pattern: ts.BindingPattern): void {
  if (!d.initializer) fail(TSG.unsupportedSyntax, d, "a destructuring declaration needs an initializer", "initialise it");
  // `const [a, b] = [x, y]` binds each name to its element, with no array in between
  const literal = unwrap(d.initializer, OUTER);
  const source: Bound =
    ts.isArrayBindingPattern(pattern) && ts.isArrayLiteralExpression(literal)
      ? { kind: "elements", elems: literal.elements }
      : boundOf(ctx, d.initializer);
  bindPattern(ctx, pattern, source);
}

/** `for (const [a, b] of pairs)`, `for (const { x, y } of points)`: binds the pattern to one element. */
export function destructureElement(ctx: LowerContext, pattern: ts.BindingPattern, element: Expr): void {
  const type = typeOfValue(element);
  bindPattern(
    ctx,
    pattern,
    type.kind === "record" ? { kind: "record", value: { from: "ir", expr: element } } : { kind: "value", expr: element },
  );
}

/** Binds a name, or each name of a pattern, to its part of `source`. */
function bindPattern(ctx: LowerContext, name: ts.BindingName, source: Bound): void {
  if (ts.isIdentifier(name)) {
    const sym = symbolOf(ctx, name);
    if (source.kind === "record") {
      ctx.records.set(sym, source.value);
      return;
    }
    if (source.kind === "elements")
      fail(TSG.unsupportedSyntax, name, "this destructuring is not supported", "declare each value separately");
    // the value's own type: TypeScript types `const [a] = xs` as number | undefined
    const type = typeOfValue(source.expr);
    const v = newVar(name.text, type, "local", type.kind === "array" ? { owned: false } : {});
    emit(ctx, decl(v, source.expr, ctx.origin));
    // an element of an array of tuples or objects (`const [first] = points`) is read by field
    if (type.kind === "record") ctx.records.set(sym, { from: "ir", expr: ref(v) });
    else ctx.vars.set(sym, v);
    return;
  }
  name.elements.forEach((el, i) => {
    if (ts.isOmittedExpression(el)) return;
    if (el.dotDotDotToken)
      fail(TSG.unsupportedSyntax, el, "rest elements in destructuring are not supported", "read the elements you need one by one");
    // a default applies to a missing value; fields of tuples and objects tsgrad reads are never
    // missing (their types have no undefined), elements of an array may be: `const [a = 1] = xs`
    // is xs[0] when xs has it, else 1
    if (el.initializer && source.kind === "value") {
      bindPattern(ctx, el.name, { kind: "value", expr: elementWithDefault(ctx, source.expr, i, el) });
      return;
    }
    let key: string | number = i;
    if (ts.isObjectBindingPattern(name)) {
      const prop = el.propertyName ?? el.name;
      if (ts.isIdentifier(prop) || ts.isStringLiteral(prop)) key = prop.text;
      else if (ts.isNumericLiteral(prop)) key = Number(prop.text);
      else fail(TSG.dynamicKey, el, "computed keys in destructuring are not supported", "name the property");
    }
    bindPattern(ctx, el.name, partOf(ctx, source, key, el));
  });
}

/** One part of what a pattern takes apart: a field, an array element, a literal's element. */
function partOf(ctx: LowerContext, source: Bound, key: string | number, node: ts.Node): Bound {
  if (source.kind === "record") return project(ctx, source.value, key, node);
  if (source.kind === "elements") {
    const el = typeof key === "number" ? source.elems[key] : undefined;
    if (!el || ts.isSpreadElement(el))
      fail(TSG.unsupportedSyntax, node, "this element has no value to bind", "destructure as many elements as the literal has");
    return boundOf(ctx, el);
  }
  if (typeOfValue(source.expr).kind !== "array" || typeof key !== "number")
    fail(TSG.unsupportedType, node, "only tuples, objects and arrays can be destructured", "declare each value separately");
  return { kind: "value", expr: index(source.expr, num(key)) };
}

/** An expression about to be destructured or bound. Arrays are named once, not re-evaluated. */
function boundOf(ctx: LowerContext, e: ts.Expression): Bound {
  if (irTypeAt(ctx, e)?.kind === "record") return { kind: "record", value: recordValue(ctx, e) };
  const value = ctx.expression(e, "value");
  const type = typeOfValue(value);
  if (type.kind !== "array" || value.k === "var") return { kind: "value", expr: value };
  const t = newVar("elements", type, "temp", { owned: false });
  emit(ctx, decl(t, value, ctx.origin));
  return { kind: "value", expr: ref(t) };
}

/** `const [, b = d] = xs`: the element at `i` when the array has it, else the default. */
function elementWithDefault(ctx: LowerContext, arr: Expr, i: number, el: ts.BindingElement): Expr {
  const t = typeOfValue(arr);
  if (t.kind !== "array" || t.elem.kind !== "num" || !ts.isIdentifier(el.name))
    fail(
      TSG.unsupportedSyntax,
      el,
      "a default value is supported for a number element of an array bound to a name",
      "read the element and test the array's length explicitly",
    );
  return elementOrDefault(ctx, { present: op("lt", num(i), len(arr)), read: index(arr, num(i)) }, el.initializer!);
}
