/**
 * Arrays made or copied in the function: literals (`[a, b]`, `[...v, x]`, nested rows of constants),
 * `new Float64Array(n | array)`, `new Array(n).fill(v)`, `.slice()` and `Float64Array.from(xs)`. Each is a fresh array its variable owns (ownership.ts).
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { add, alloc, assign, decl, index, len, newVar, num, op, ref, typeOfValue } from "../ir/build.js";
import type { Expr, IRType, Stmt, Var } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { countedLoop, emit, evaluatedOnce, irTypeAt, typeOfNode, type LowerContext } from "./context.js";
import { unwrap } from "../syntax/unwrap.js";
import { isUntypedArray } from "./types.js";
import { mappedFrom, resultName } from "./calls/array-methods.js";

/** A flat number array literal (tuples and objects are records.ts's). */
export function arrayLiteral(ctx: LowerContext, e: ts.ArrayLiteralExpression): Expr {
  const raw = ctx.checker.getTypeAtLocation(e);
  const type: IRType = isUntypedArray(ctx.checker, raw) ? { kind: "array", elem: NUM, storage: "array" } : typeOfNode(ctx, e);
  if (type.kind === "array" && type.elem.kind === "array") return nestedLiteral(ctx, e);
  if (type.kind === "array" && type.elem.kind === "record") refuseNewArrayOfRecords(e);
  if (type.kind === "array" && type.elem.kind === "tensor" && !e.elements.some(ts.isSpreadElement))
    return { k: "arrayLit", elems: e.elements.map((el) => ctx.expression(el, "value")), storage: "array" };
  if (type.kind !== "array" || type.elem.kind !== "num")
    fail(
      TSG.unsupportedType,
      e,
      "only array literals of numbers, and nested array literals of number constants, are supported",
      "make tuples and objects with a type of their own, or build the data outside the function",
    );
  if (e.elements.some(ts.isSpreadElement)) return spreadLiteral(ctx, e);
  return { k: "arrayLit", elems: e.elements.map((el) => ctx.expression(el, "value")), storage: "array" };
}

/**
 * `[[2, 1], [1, 3]]`, read as `A[i][j]`. Rows of constants (literals, module constants and
 * arithmetic on them) stay one literal: data. A matrix of values that may carry derivatives
 * (`[[c, -s], [s, c]]`) gets its rows as arrays of their own, and the passes carry a derivative
 * per row; that is done for two levels (a matrix), deeper nesting only for constants.
 */
function nestedLiteral(ctx: LowerContext, e: ts.ArrayLiteralExpression): Expr {
  const row = (el: ts.Expression): Expr => {
    const inner = unwrap(el, ["parens", "as", "satisfies"]);
    if (ts.isArrayLiteralExpression(inner)) {
      if (inner.elements.some(ts.isSpreadElement))
        fail(
          TSG.unsupportedSyntax,
          inner,
          "a spread inside a nested array literal is not supported",
          "write the rows out, or use a flat array",
        );
      return { k: "arrayLit", elems: inner.elements.map(row), storage: "array" };
    }
    if (irTypeAt(ctx, inner)?.kind === "array")
      fail(
        TSG.unsupportedSyntax,
        el,
        "the rows of a nested array literal must be written in it (`[[a, b], [c, d]]`), not arrays held by variables",
        "write the rows as literals, or keep a flat array read as `m[i * n + j]`",
      );
    return ctx.expression(el, "value");
  };
  if (e.elements.some(ts.isSpreadElement))
    fail(TSG.unsupportedSyntax, e, "a spread inside a nested array literal is not supported", "write the rows out, or use a flat array");
  const rows = e.elements.map(row);
  if (rows.every(isConstant)) return { k: "arrayLit", elems: rows, storage: "array" };
  const named = rows.map((r, i) => {
    if (r.k !== "arrayLit" || !r.elems.every((x) => typeOfValue(x).kind === "num"))
      fail(
        TSG.unsupportedType,
        e.elements[i]!,
        "a nested array literal holding values that may carry a derivative is supported as a matrix (rows of numbers), not deeper",
        "keep the values in a flat array read as `m[(i * n + j) * p + k]`, or make the deeper levels constants",
      );
    const v = newVar("row", { kind: "array", elem: NUM, storage: "array" }, "local", { owned: true });
    emit(ctx, decl(v, r, ctx.origin));
    return ref(v);
  });
  return { k: "arrayLit", elems: named, storage: "array" };
}

/** A value made of literals and module constants only: no derivative can reach it. */
function isConstant(e: Expr): boolean {
  switch (e.k) {
    case "num":
    case "bool":
      return true;
    case "arrayLit":
      return e.elems.every(isConstant);
    case "var":
      return e.v.role === "global";
    case "op":
      return e.args.every(isConstant);
    case "index":
      return isConstant(e.arr) && isConstant(e.index);
    case "len":
      return isConstant(e.arr);
    default:
      return false;
  }
}

/**
 * `[...xs]` is a copy. `[...v, x]`, `[a, ...xs, ...ys]`: a new array of the total length, filled
 * in order, the loops the spreads stand for.
 */
function spreadLiteral(ctx: LowerContext, e: ts.ArrayLiteralExpression): Expr {
  const parts = e.elements.map((el) => {
    if (!ts.isSpreadElement(el)) return { spread: false, value: ctx.expression(el, "value") };
    const value = ctx.expression(el.expression, "value");
    const t = typeOfValue(value);
    if (t.kind !== "array" || t.elem.kind !== "num")
      fail(TSG.unsupportedType, el, "only arrays of numbers can be spread into an array literal", "spread a number[] or Float64Array");
    return { spread: true, value: evaluatedOnce(ctx, "spread", value) };
  });
  return joined(ctx, parts);
}

/**
 * `xs.concat(ys, [1, 2], x)`: `[...xs, ...ys, ...[1, 2], x]`, as JavaScript spreads each array
 * argument one level and appends anything else. Undefined when `xs` is not an array of numbers.
 */
export function concatCall(ctx: LowerContext, e: ts.CallExpression, callee: ts.PropertyAccessExpression): Expr | undefined {
  const receiver = ctx.expression(callee.expression, "value");
  const rt = typeOfValue(receiver);
  if (rt.kind !== "array" || rt.elem.kind !== "num") return undefined;
  const parts = [{ spread: true, value: evaluatedOnce(ctx, "items", receiver) }];
  for (const a of e.arguments) {
    if (ts.isSpreadElement(a))
      fail(TSG.unsupportedSyntax, a, "a spread argument of `.concat` is not supported", "pass the arrays one by one");
    const value = ctx.expression(a, "value");
    const t = typeOfValue(value);
    if (t.kind === "array" && t.elem.kind !== "num")
      fail(TSG.unsupportedType, a, "`.concat` of arrays of other values than numbers is not supported", "concatenate arrays of numbers");
    parts.push(t.kind === "array" ? { spread: true, value: evaluatedOnce(ctx, "items", value) } : { spread: false, value });
  }
  return joined(ctx, parts);
}

/** A new array of the parts in order: each array's items (a spread), or a single value. */
function joined(ctx: LowerContext, parts: readonly { spread: boolean; value: Expr }[]): Expr {
  if (parts.length === 1 && parts[0]!.spread) return { k: "copy", arr: parts[0]!.value, storage: "array" };
  const length = parts.map((p) => (p.spread ? len(p.value) : num(1))).reduce((a, b) => add(a, b));
  const out = newVar("joined", { kind: "array", elem: NUM, storage: "array" }, "local", { owned: true });
  const at = newVar("at", NUM, "local");
  emit(ctx, decl(out, alloc(length, "array"), ctx.origin), decl(at, num(0), ctx.origin));
  const put = (value: Expr): Stmt[] => [
    { k: "store", arr: out, index: ref(at), value, accumulate: false, origin: ctx.origin },
    assign(at, add(ref(at), num(1)), ctx.origin),
  ];
  for (const p of parts) {
    if (!p.spread) {
      emit(ctx, ...put(p.value));
      continue;
    }
    countedLoop(ctx, len(p.value), (i) => put(index(p.value, ref(i))));
  }
  return ref(out);
}

/**
 * `Float64Array.from(xs)`, `Array.from(xs)` of an array of numbers: a copy; with a mapping
 * callback, the loop it stands for (calls/array-methods.ts).
 */
export function fromCall(ctx: LowerContext, e: ts.CallExpression, storage: "f64" | "array"): Expr {
  if (e.arguments.length === 2) return mappedFrom(ctx, e, storage, "value");
  const [source] = e.arguments;
  const value = source && e.arguments.length === 1 ? ctx.expression(source, "value") : undefined;
  const t = value && typeOfValue(value);
  if (!value || t?.kind !== "array" || t.elem.kind !== "num")
    fail(
      TSG.unsupportedSyntax,
      e,
      `${storage === "f64" ? "Float64Array" : "Array"}.from is supported on an array of numbers, with no mapping function`,
      "copy the array, then transform it in a loop",
    );
  return { k: "copy", arr: value, storage };
}

/** `new Float64Array(n)` and `new Float64Array(array)`; other constructors are refused. */
export function newExpression(ctx: LowerContext, e: ts.NewExpression): Expr {
  const ctor = e.expression;
  const args = e.arguments ?? [];
  if (ts.isIdentifier(ctor) && ctor.text === "Float64Array" && args.length === 1) {
    const arg = ctx.expression(args[0]!, "value");
    const t = typeOfValue(arg);
    if (t.kind === "num") return alloc(arg, "f64");
    if (t.kind === "array" && t.elem.kind === "num") return { k: "copy", arr: arg, storage: "f64" };
  }
  if (ts.isIdentifier(ctor) && ctor.text === "Array")
    fail(TSG.unsupportedSyntax, e, "`new Array(n)` has holes, not numbers", "write `new Array(n).fill(0)` or `new Float64Array(n)`");
  fail(
    TSG.unsupportedSyntax,
    e,
    "only `new Float64Array(n)` and `new Float64Array(array)` can be constructed here",
    "allocate arrays with new Float64Array(n), new Array(n).fill(0) or []",
  );
}

/** `new Array(n).fill(v)` and `Array(n).fill(v)`; `.fill` on anything else is refused. */
export function fillCall(ctx: LowerContext, e: ts.CallExpression, callee: ts.PropertyAccessExpression): Expr {
  const target = unwrap(callee.expression, ["parens"]);
  const isArrayCtor = (x: ts.Expression) => ts.isIdentifier(x) && x.text === "Array";
  if (
    (ts.isNewExpression(target) || ts.isCallExpression(target)) &&
    isArrayCtor(target.expression) &&
    target.arguments?.length === 1 &&
    e.arguments.length === 1
  ) {
    const length = ctx.expression(target.arguments[0]!, "cond");
    return alloc(length, "array", ctx.expression(e.arguments[0]!, "value"));
  }
  fail(TSG.unsupportedSyntax, e, "fill is supported only as `new Array(n).fill(value)`", "fill a new array, or write a loop");
}

/**
 * `xs.slice()` on a flat number array: a copy; `xs.slice(start, end)`: a new array of the range,
 * filled by a counted loop (so every mode differentiates it as the element reads it is). Anything
 * else called `slice` is undefined here, and the caller resolves the call as it would any other
 * method.
 */
export function sliceCall(ctx: LowerContext, e: ts.CallExpression, callee: ts.PropertyAccessExpression): Expr | undefined {
  const arr = ctx.expression(callee.expression, "value");
  const t = typeOfValue(arr);
  if (t.kind === "array" && t.elem.kind === "record") refuseNewArrayOfRecords(e);
  if (t.kind !== "array" || t.elem.kind !== "num") return undefined;
  if (e.arguments.length === 0) return { k: "copy", arr, storage: t.storage };
  const xs = evaluatedOnce(ctx, "sliced", arr);
  const n = len(xs);
  const from = evaluatedOnce(ctx, "from", sliceBound(ctx, e.arguments[0]!, n));
  const to = e.arguments[1] ? evaluatedOnce(ctx, "to", sliceBound(ctx, e.arguments[1], n)) : n;
  const count = evaluatedOnce(ctx, "count", op("max", op("sub", to, from), num(0)));
  const out = newVar(resultName(e, "part"), { kind: "array", elem: NUM, storage: t.storage }, "local", { owned: true });
  emit(ctx, decl(out, alloc(count, t.storage), ctx.origin));
  const origin = ctx.origin;
  countedLoop(ctx, count, (i) => [{ k: "store", arr: out, index: ref(i), value: index(xs, add(from, ref(i))), accumulate: false, origin }]);
  return ref(out);
}

/**
 * `const [a, ...rest] = xs`, `[a, ...rest] = xs`: the items from `from` on, in a new plain array
 * (`xs.slice(from)`, a plain array also when xs is a Float64Array, as the iteration destructuring
 * makes is).
 */
export function restOf(ctx: LowerContext, xs: Expr, from: number, name: string): Var {
  const out = newVar(name, { kind: "array", elem: NUM, storage: "array" }, "local", { owned: true });
  const count = evaluatedOnce(ctx, "count", op("max", op("sub", len(xs), num(from)), num(0)));
  emit(ctx, decl(out, alloc(count, "array"), ctx.origin));
  const origin = ctx.origin;
  countedLoop(ctx, count, (i) => [
    { k: "store", arr: out, index: ref(i), value: index(xs, add(num(from), ref(i))), accumulate: false, origin },
  ]);
  return out;
}

/**
 * Where `slice` starts or ends, as JavaScript resolves it: the argument truncated (NaN is 0), from
 * the end when negative, clamped to [0, n].
 */
function sliceBound(ctx: LowerContext, arg: ts.Expression, n: Expr): Expr {
  const x = ctx.expression(arg, "cond");
  if (x.k === "num" && Number.isInteger(x.value))
    return x.value < 0 ? op("max", op("add", n, num(x.value)), num(0)) : op("min", num(x.value), n);
  const whole = evaluatedOnce(ctx, "at", op("trunc", x));
  const r = op("select", op("ne", whole, whole), num(0), whole);
  const at = evaluatedOnce(ctx, "at", r);
  return op("select", op("lt", at, num(0)), op("max", op("add", n, at), num(0)), op("min", at, n));
}

/**
 * `xs.at(i)`: the array and the index it reads, `i` counted from the end when negative, as
 * JavaScript resolves it (the argument truncated, NaN read as 0). Out of range, the read finds
 * nothing, as `xs[i]` does (and `xs.at(i) ?? d` is `d` there, operators.ts). Undefined when `xs`
 * is not an array: the call is then resolved as any other method.
 */
export function atIndex(ctx: LowerContext, e: ts.CallExpression, callee: ts.PropertyAccessExpression): { arr: Expr; at: Expr } | undefined {
  const value = ctx.expression(callee.expression, "value");
  if (typeOfValue(value).kind !== "array") return undefined;
  const [arg] = e.arguments;
  if (!arg || e.arguments.length !== 1 || ts.isSpreadElement(arg))
    fail(TSG.unsupportedSyntax, e, "`.at` takes one index", "write `xs.at(i)`, or `xs.at(-1)` for the last element");
  const x = ctx.expression(arg, "cond");
  if (x.k === "num" && Number.isInteger(x.value) && x.value >= 0) return { arr: value, at: x };
  const arr = evaluatedOnce(ctx, "items", value);
  if (x.k === "num" && Number.isInteger(x.value)) return { arr, at: add(len(arr), x) };
  const whole = evaluatedOnce(ctx, "at", op("trunc", x));
  const relative = evaluatedOnce(ctx, "at", op("select", op("ne", whole, whole), num(0), whole));
  return { arr, at: evaluatedOnce(ctx, "at", op("select", op("lt", relative, num(0)), add(len(arr), relative), relative)) };
}

/** The type of `new Array(n).fill(v)` / `[]` / `[1, 2]` when TypeScript says any[]. */
export function freshArrayType(init: ts.Expression): IRType | undefined {
  const e = unwrap(init, ["parens", "as"]);
  if (ts.isArrayLiteralExpression(e)) return { kind: "array", elem: NUM, storage: "array" };
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "fill")
    return { kind: "array", elem: NUM, storage: "array" };
  return undefined;
}

/**
 * Arrays of tuples or objects are data a differentiated function reads where they are (a
 * parameter, a module constant, `filter`'s selection of one); it never writes them, so it has no
 * need of a copy, and a new one could hold values that carry derivatives, which such arrays never
 * do.
 */
function refuseNewArrayOfRecords(e: ts.Node): never {
  fail(
    TSG.unsupportedType,
    e,
    "differentiated code reads arrays of tuples or objects as data, and does not make new ones (literals, copies, spreads)",
    "read the array itself (differentiated code never writes it), or build it outside the function and pass it in",
  );
}
