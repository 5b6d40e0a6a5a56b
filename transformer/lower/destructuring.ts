/**
 * Destructuring: declarations (`const [a, b] = ...`, `const { value, grad: g } = ...`, nested,
 * `const [first, ...rest] = xs`) and assignments to existing variables and elements
 * (`[a, b] = [b, a]`, `[x[i], x[j]] = [x[j], x[i]]`, `({ a, b } = o)`).
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { decl, index, len, newVar, num, op, ref, typeOfValue } from "../ir/build.js";
import type { Expr, Var } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { restOf } from "./arrays.js";
import { isFreshArray, isUnnamedArray } from "./ownership.js";
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
    if (el.dotDotDotToken) {
      bindRest(ctx, name, el, source, i);
      return;
    }
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

/**
 * `const [first, ...rest] = xs`: `rest` is a new array of the items from there on
 * (`xs.slice(1)`), which the function may write. A rest of an object, or of a tuple, is refused.
 */
function bindRest(ctx: LowerContext, pattern: ts.BindingPattern, el: ts.BindingElement, source: Bound, i: number): void {
  if (ts.isObjectBindingPattern(pattern))
    fail(TSG.unsupportedSyntax, el, "a rest in object destructuring is not supported", "read the fields you need by name");
  const name = ts.isIdentifier(el.name) ? el.name.text : "rest";
  let rest: Var;
  if (source.kind === "elements") {
    const elems = source.elems.slice(i).map((x) => {
      if (ts.isSpreadElement(x))
        fail(
          TSG.unsupportedSyntax,
          x,
          "a rest taken from a literal with a spread is not supported",
          "destructure the array the spread reads",
        );
      return ctx.expression(x, "value");
    });
    if (!elems.every((x) => typeOfValue(x).kind === "num"))
      fail(TSG.unsupportedType, el, "a rest element is supported on arrays of numbers", "read the elements you need one by one");
    rest = newVar(name, { kind: "array", elem: NUM, storage: "array" }, "local", { owned: true });
    emit(ctx, decl(rest, { k: "arrayLit", elems, storage: "array" }, ctx.origin));
  } else rest = restOfValue(ctx, source, i, el, name);
  if (ts.isIdentifier(el.name)) ctx.vars.set(symbolOf(ctx, el.name), rest);
  else bindPattern(ctx, el.name, { kind: "value", expr: ref(rest) });
}

/** The items of an array from `i` on, in a new array; refused for a tuple or an object. */
function restOfValue(ctx: LowerContext, source: Part, i: number, node: ts.Node, name: string): Var {
  const t = source.kind === "value" ? typeOfValue(source.expr) : undefined;
  if (source.kind !== "value" || t?.kind !== "array" || t.elem.kind !== "num")
    fail(
      TSG.unsupportedType,
      node,
      "a rest element is supported on arrays of numbers, not on tuples, objects or arrays of other values",
      "read the elements you need one by one",
    );
  return restOf(ctx, source.expr, i, name);
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

/** Assigns a value to one target (`a`, `x[i]`) as `target = value` would; assignments.ts's. */
export type AssignTarget = (target: ts.Expression, value: Expr, node: ts.Node) => void;

/** What an assignment pattern takes apart: a part, or the values of an array literal, evaluated already. */
type Source = Part | { readonly kind: "values"; readonly exprs: readonly Expr[] };

/**
 * `[a, b] = [b, a * 2]`, `[x[i], x[j]] = [x[j], x[i]]`, `[a, b] = pair`, `({ a, b } = o)`: the
 * right side is evaluated first (each element of a literal into a temporary, so that a swap
 * swaps), then the targets are assigned in order, each evaluated when its turn comes, as in
 * JavaScript.
 */
export function destructuringAssignment(ctx: LowerContext, b: ts.BinaryExpression, assignTarget: AssignTarget): void {
  const pattern = unwrap(b.left, ["parens"]) as ts.ArrayLiteralExpression | ts.ObjectLiteralExpression;
  const right = unwrap(b.right, OUTER);
  let source: Source;
  if (ts.isArrayLiteralExpression(pattern) && ts.isArrayLiteralExpression(right))
    source = {
      kind: "values",
      exprs: right.elements.map((el) => {
        if (ts.isSpreadElement(el))
          fail(
            TSG.unsupportedSyntax,
            el,
            "a spread on the right of a destructuring assignment is not supported",
            "assign the values one by one",
          );
        return held(ctx, ctx.expression(el, "value"), el);
      }),
    };
  else {
    const bound = boundOf(ctx, b.right);
    source =
      bound.kind === "elements"
        ? fail(TSG.unsupportedSyntax, b.right, "this destructuring is not supported", "assign each value separately")
        : bound;
  }
  assignPattern(ctx, pattern, source, assignTarget);
}

/**
 * A value of an array literal on the right of an assignment, held until the targets are
 * assigned: constants as they are, arrays the literal makes in a variable that owns them, other
 * values in a temporary.
 */
function held(ctx: LowerContext, value: Expr, node: ts.Node): Expr {
  const type = typeOfValue(value);
  if (type.kind === "record")
    fail(
      TSG.unsupportedType,
      node,
      "destructuring assignment is supported for numbers and arrays, not tuples or objects",
      "assign them one by one",
    );
  if (value.k === "num" || isUnnamedArray(ctx, value)) return value;
  const owned = type.kind === "array" && isFreshArray(value);
  const v = newVar("value", type, owned ? "local" : "temp", type.kind === "array" ? { owned } : {});
  emit(ctx, decl(v, value, ctx.origin));
  return ref(v);
}

function assignPattern(
  ctx: LowerContext,
  pattern: ts.ArrayLiteralExpression | ts.ObjectLiteralExpression,
  source: Source,
  assignTarget: AssignTarget,
): void {
  if (ts.isObjectLiteralExpression(pattern)) {
    if (source.kind !== "record")
      fail(TSG.unsupportedType, pattern, "object destructuring is supported on tuples and objects", "assign the values one by one");
    for (const p of pattern.properties) {
      if (ts.isSpreadAssignment(p))
        fail(TSG.unsupportedSyntax, p, "a rest in object destructuring is not supported", "read the fields you need by name");
      // a default (`{ a = 1 } = o`) never applies: fields of tuples and objects tsgrad reads are never missing
      if (ts.isShorthandPropertyAssignment(p)) assignPart(ctx, p.name, project(ctx, source.value, p.name.text, p), assignTarget, p);
      else if (ts.isPropertyAssignment(p)) {
        const target = unwrap(p.initializer, ["parens"]);
        const inner = ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken ? target.left : target;
        assignPart(ctx, inner, project(ctx, source.value, propertyKey(p), p), assignTarget, p);
      } else fail(TSG.unsupportedSyntax, p, "this is not a destructuring target", "write `{ a, b: c } = o`");
    }
    return;
  }
  pattern.elements.forEach((el, i) => {
    if (ts.isOmittedExpression(el)) return;
    if (ts.isSpreadElement(el)) {
      assignRest(ctx, el, source, i, assignTarget);
      return;
    }
    const withDefault = ts.isBinaryExpression(el) && el.operatorToken.kind === ts.SyntaxKind.EqualsToken ? el : undefined;
    assignPart(ctx, withDefault ? withDefault.left : el, elementPart(ctx, source, i, withDefault, el), assignTarget, el);
  });
}

/** `[a, ...rest] = ...`: rest given a new array of what is left. */
function assignRest(ctx: LowerContext, el: ts.SpreadElement, source: Source, i: number, assignTarget: AssignTarget): void {
  if (source.kind === "values") {
    const elems = source.exprs.slice(i);
    if (!elems.every((x) => typeOfValue(x).kind === "num"))
      fail(TSG.unsupportedType, el, "a rest element is supported on arrays of numbers", "assign the elements one by one");
    assignTarget(el.expression, { k: "arrayLit", elems, storage: "array" }, el);
    return;
  }
  assignTarget(el.expression, ref(restOfValue(ctx, source, i, el, "rest")), el);
}

/** The value for the element at `i` of an assignment pattern; `withDefault` gives one for a missing element. */
function elementPart(ctx: LowerContext, source: Source, i: number, withDefault: ts.BinaryExpression | undefined, node: ts.Node): Part {
  if (source.kind === "values") {
    // a number or an array is never undefined: a default applies only past the literal's end
    if (i < source.exprs.length) return { kind: "value", expr: source.exprs[i]! };
    if (withDefault) return { kind: "value", expr: ctx.expression(withDefault.right, "value") };
    fail(TSG.unsupportedSyntax, node, "this element has no value to assign", "assign as many elements as the literal has");
  }
  if (source.kind === "record") return project(ctx, source.value, i, node);
  const t = typeOfValue(source.expr);
  if (t.kind !== "array")
    fail(TSG.unsupportedType, node, "only tuples, objects and arrays can be destructured", "assign each value separately");
  if (!withDefault) return { kind: "value", expr: index(source.expr, num(i)) };
  if (t.elem.kind !== "num")
    fail(
      TSG.unsupportedSyntax,
      node,
      "a default value is supported for a number element of an array",
      "read the element and test the array's length explicitly",
    );
  return {
    kind: "value",
    expr: elementOrDefault(ctx, { present: op("lt", num(i), len(source.expr)), read: index(source.expr, num(i)) }, withDefault.right),
  };
}

/** Assigns one part to its target, or takes it apart further for a nested pattern. */
function assignPart(ctx: LowerContext, target: ts.Expression, part: Part, assignTarget: AssignTarget, node: ts.Node): void {
  const inner = unwrap(target, ["parens"]);
  if (ts.isArrayLiteralExpression(inner) || ts.isObjectLiteralExpression(inner)) {
    assignPattern(ctx, inner, part.kind === "value" ? { kind: "value", expr: heldArray(ctx, part.expr) } : part, assignTarget);
    return;
  }
  if (part.kind === "record" || typeOfValue(part.expr).kind === "record")
    fail(
      TSG.unsupportedType,
      node,
      "a tuple or object cannot be given to an existing variable by destructuring",
      "destructure it further (`[[a, b], c] = ...`), or declare a new const for it",
    );
  assignTarget(target, part.expr, node);
}

/** An array about to be taken apart, named once. */
function heldArray(ctx: LowerContext, value: Expr): Expr {
  if (value.k === "var" || typeOfValue(value).kind !== "array") return value;
  const t = newVar("elements", typeOfValue(value), "temp", { owned: false });
  emit(ctx, decl(t, value, ctx.origin));
  return ref(t);
}

/** The key a property of an object pattern names. */
function propertyKey(p: ts.PropertyAssignment): string | number {
  const name = p.name;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  if (ts.isNumericLiteral(name)) return Number(name.text);
  fail(TSG.dynamicKey, p, "computed keys in destructuring are not supported", "name the property");
}
