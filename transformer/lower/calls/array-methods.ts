/**
 * The functional array style of everyday TypeScript, as the loops it stands for:
 *
 *   xs.map((x, i) => e)            const out = new Array(xs.length); for (i) out[i] = e
 *   xs.reduce((acc, x, i) => e, a) let acc = a; for (i) acc = e
 *   xs.reduce((acc, x, i) => e)    the same from acc = xs[0] and i = 1 (a TypeError when xs is empty)
 *   xs.reduceRight(...)            the same, i from the end down
 *   xs.forEach((x, i) => { ... })  for (i) { ... }
 *   xs.filter((x, i) => p)         const out = []; for (i) if (p) out.push(x)
 *   xs.some(p), xs.every(p)        a flag and a loop that stops at the answer
 *   xs.includes(v), xs.indexOf(v)  the same, comparing with ===
 *   xs.findIndex(p)                the first index whose item passes, or -1 (findLastIndex: the last)
 *
 * The callback is inlined: its parameters are locals of the loop body (the element read at the
 * top, the index a copy of the counter), and it reads and writes the function's variables as the
 * loop would. Its body is an expression, or a block whose only `return` is its last statement
 * (`forEach`: no value returned). The loops are then differentiated like any loop; the queries
 * (`some`, `every`, `includes`, `indexOf`) are data.
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import { add, alloc, assign, bool, decl, index, len, newVar, num, op, ref, typeOfValue } from "../../ir/build.js";
import type { Expr, IRType, OpName, Stmt, Var } from "../../ir/types.js";
import { referencedCallback } from "./callback-references.js";
import { NUM } from "../../ir/types.js";
import { collect, countedLoop, emit, evaluatedOnce, symbolOf, typeOfNode, type LowerContext, type Mode } from "../context.js";
import { OUTER, unwrap } from "../../syntax/unwrap.js";

export const ARRAY_METHODS = new Set([
  "find",
  "findLast",
  "flatMap",
  "findIndex",
  "findLastIndex",
  "map",
  "reduce",
  "reduceRight",
  "forEach",
  "filter",
  "some",
  "every",
  "includes",
  "indexOf",
]);

/** The iterators of an array a for...of loop may walk (loops.ts), and nothing else may call. */
export const ITERATORS = new Set(["entries", "keys", "values"]);

const BOOL: IRType = { kind: "bool" };

export function arrayMethodCall(ctx: LowerContext, e: ts.CallExpression, callee: ts.PropertyAccessExpression, mode: Mode): Expr {
  const name = callee.name.text;
  const value = ctx.expression(callee.expression, "value");
  const t = typeOfValue(value);
  if (t.kind !== "array") fail(TSG.opaqueCall, e, `\`.${name}\` is supported on arrays`, "call it on a number[] or Float64Array");
  const xs = evaluatedOnce(ctx, "items", value);
  switch (name) {
    case "find":
    case "findLast":
      // an item or undefined: what a miss gives has no derivative, and no number to stand for it
      fail(
        TSG.unsupportedSyntax,
        e,
        `\`.${name}\` gives undefined when no item passes, which differentiated code cannot carry`,
        `find the position first: \`const i = xs.${name}Index(p)\`, then read \`xs[i]\` where \`i >= 0\``,
      );
    case "flatMap":
      fail(TSG.unsupportedSyntax, e, "`.flatMap` is not supported", "write the loop, pushing each item's values onto a new array");
    case "includes":
    case "indexOf":
      return search(ctx, e, xs, name);
    case "reduce":
    case "reduceRight":
      return reduce(ctx, e, xs, mode, name === "reduceRight");
  }
  const fn = callback(ctx, e, name);
  switch (name) {
    case "map": {
      const type = typeOfNode(ctx, e);
      if (type.kind !== "array" || type.elem.kind !== "num")
        fail(TSG.unsupportedType, e, "`.map` is supported when the callback returns a number", "build arrays of other values in a loop");
      const out = newVar(resultName(e, "mapped"), type, "local", { owned: true });
      emit(ctx, decl(out, alloc(len(xs), "array"), ctx.origin));
      eachItem(ctx, xs, fn, (i, result) => [
        { k: "store", arr: out, index: ref(i), value: result(mode), accumulate: false, origin: ctx.origin },
      ]);
      return ref(out);
    }
    case "forEach":
      eachItem(ctx, xs, fn, () => []);
      return num(0);
    case "filter": {
      const type = typeOfNode(ctx, e);
      const out = newVar(resultName(e, "kept"), type, "local", { owned: true });
      emit(ctx, decl(out, { k: "arrayLit", elems: [], storage: "array" }, ctx.origin));
      eachItem(ctx, xs, fn, (i, result) => [
        {
          k: "if",
          cond: result("cond"),
          then: [{ k: "push", arr: out, value: index(xs, ref(i)), origin: ctx.origin }],
          else: [],
          origin: ctx.origin,
        },
      ]);
      return ref(out);
    }
    case "some":
    case "every": {
      // some: false until a match; every: true until a miss
      const found = newVar(name === "some" ? "any" : "all", BOOL, "local");
      emit(ctx, decl(found, bool(name === "every"), ctx.origin));
      eachItem(ctx, xs, fn, (_, result) => {
        const test = result("cond");
        return [
          {
            k: "if",
            cond: name === "some" ? test : op("not", test),
            then: [assign(found, bool(name === "some"), ctx.origin), { k: "break" }],
            else: [],
            origin: ctx.origin,
          },
        ];
      });
      return ref(found);
    }
    case "findIndex":
    case "findLastIndex": {
      // the first (last) index whose item passes, or -1: data, as indexOf is
      const position = newVar("position", NUM, "local");
      emit(ctx, decl(position, num(-1), ctx.origin));
      const last = name === "findLastIndex";
      eachItem(
        ctx,
        xs,
        fn,
        (i, result) => [
          { k: "if", cond: result("cond"), then: [assign(position, ref(i), ctx.origin), { k: "break" }], else: [], origin: ctx.origin },
        ],
        last ? { from: op("sub", len(xs), num(1)), down: true } : undefined,
      );
      return ref(position);
    }
  }
  fail(TSG.opaqueCall, e, `\`.${name}\` is not supported`, "write the loop");
}

/**
 * `Array.from(xs, (x, i) => e)`, `Float64Array.from(xs, ...)`: a map into a new array of that
 * kind; `Array.from({ length: n }, (_, i) => e)`: the same over the indices, with no item (the
 * callback's first parameter is undefined there, and may not be read).
 */
export function mappedFrom(ctx: LowerContext, e: ts.CallExpression, storage: "f64" | "array", mode: Mode): Expr {
  const [source] = e.arguments;
  const fn = callback(ctx, e, "from", 1);
  const owner = storage === "f64" ? "Float64Array" : "Array";
  if (fn.parameters.length > 2)
    fail(TSG.unsupportedSyntax, fn.parameters[2]!, `${owner}.from gives its callback the item and the index only`, "take `(x, i) => ...`");
  const lengthOnly = source && lengthOf(unwrap(source, OUTER));
  let xs: Expr | undefined;
  let length: Expr;
  if (lengthOnly) {
    length = toLength(ctx, ctx.expression(lengthOnly, "cond"));
    const itemParam = fn.parameters[0];
    if (itemParam && isRead(ctx, itemParam))
      fail(
        TSG.unsupportedSyntax,
        itemParam,
        `\`${owner}.from({ length: n }, ...)\` gives its callback undefined as the item, which this callback reads`,
        "read only the index: `(_, i) => ...`",
      );
  } else {
    const value = source && ctx.expression(source, "value");
    const t = value && typeOfValue(value);
    if (!value || t?.kind !== "array" || t.elem.kind !== "num")
      fail(
        TSG.unsupportedSyntax,
        e,
        `${owner}.from is supported on an array of numbers or \`{ length: n }\`, with a callback written in the call`,
        "copy the array, then transform it in a loop",
      );
    xs = evaluatedOnce(ctx, "items", value);
    length = len(xs);
  }
  const out = newVar(resultName(e, "made"), { kind: "array", elem: NUM, storage }, "local", { owned: true });
  emit(ctx, decl(out, alloc(length, storage), ctx.origin));
  const items = xs ?? ref(out);
  const body = xs ? fn : { ...fn, parameters: [undefined, ...fn.parameters.slice(1)] };
  eachItem(ctx, items, body, (i, result) => [
    { k: "store", arr: out, index: ref(i), value: result(mode), accumulate: false, origin: ctx.origin },
  ]);
  return ref(out);
}

/** `{ length: n }`: the expression n. */
function lengthOf(e: ts.Expression): ts.Expression | undefined {
  if (!ts.isObjectLiteralExpression(e) || e.properties.length !== 1) return undefined;
  const p = e.properties[0]!;
  if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === "length") return p.initializer;
  if (ts.isShorthandPropertyAssignment(p) && p.name.text === "length") return p.name;
  return undefined;
}

function evaluatedOnceNumber(ctx: LowerContext, value: Expr): Expr {
  if (value.k === "num" || value.k === "var") return value;
  const v = newVar("count", NUM, "local");
  emit(ctx, decl(v, value, ctx.origin));
  return ref(v);
}

/**
 * `{ length: n }` read as JavaScript reads an array-like's length (ToLength): NaN and what is not
 * positive give 0, fractions are truncated (`Array.from({ length: 2.5 }, f)` makes 2 items, where
 * `new Array(2.5)` would throw). Lengths of arrays and integer constants are taken as they are.
 */
function toLength(ctx: LowerContext, value: Expr): Expr {
  if (value.k === "len") return value;
  if (value.k === "num") return num(value.value > 0 ? Math.min(Math.trunc(value.value), Number.MAX_SAFE_INTEGER) : 0);
  const n = evaluatedOnceNumber(ctx, value);
  return op("select", op("gt", n, num(0)), op("trunc", n), num(0));
}

/** Whether a callback's parameter is read in its function. */
function isRead(ctx: LowerContext, p: ts.ParameterDeclaration): boolean {
  const sym = ctx.checker.getSymbolAtLocation(p.name);
  let read = false;
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n !== p.name && ctx.checker.getSymbolAtLocation(n) === sym) read = true;
    ts.forEachChild(n, visit);
  };
  visit(p.parent);
  return read;
}

/**
 * `xs.reduce((acc, x, i) => e, initial)`: an accumulator and a loop. Without an initial value the
 * accumulator starts at the first item and the loop at the second, and an empty array throws the
 * TypeError JavaScript throws. `reduceRight` walks from the end. As in JavaScript, the items are
 * those the array has when the call starts: its length is read once.
 */
function reduce(ctx: LowerContext, e: ts.CallExpression, xs: Expr, mode: Mode, right: boolean): Expr {
  const name = right ? "reduceRight" : "reduce";
  const fn = callback(ctx, e, name);
  const initial = e.arguments[1];
  if (e.arguments.length > 2)
    fail(TSG.unsupportedSyntax, e, `\`.${name}\` takes a callback and an initial value`, `write \`xs.${name}((acc, x) => acc + x, 0)\``);
  const [accParam, ...rest] = fn.parameters as readonly ts.ParameterDeclaration[];
  const origin = ctx.origin;
  const t = typeOfValue(xs);
  const items = evaluatedOnceNumber(ctx, len(xs));
  let start: Expr;
  if (initial) {
    start = ctx.expression(initial, mode);
    if (typeOfValue(start).kind !== "num")
      fail(TSG.unsupportedType, initial, `\`.${name}\` is supported with a number accumulator`, "accumulate a number, or write the loop");
  } else {
    if (t.kind !== "array" || t.elem.kind !== "num")
      fail(
        TSG.unsupportedType,
        e,
        `\`.${name}\` without an initial value is supported on arrays of numbers`,
        `pass a number initial value: \`xs.${name}((acc, x) => ..., 0)\``,
      );
    emit(ctx, {
      k: "if",
      cond: op("eq", items, num(0)),
      then: [{ k: "throw", error: "TypeError", message: "Reduce of empty array with no initial value", origin }],
      else: [],
      origin,
    });
    start = index(xs, right ? op("sub", items, num(1)) : num(0));
  }
  const acc = newVar(resultName(e, accParam && ts.isIdentifier(accParam.name) ? accParam.name.text : "acc"), NUM, "local");
  emit(ctx, decl(acc, start, origin));
  if (accParam) bindParameter(ctx, accParam, acc);
  const skip = initial ? 0 : 1;
  const range: Range = right ? { from: op("sub", items, num(1 + skip)), down: true } : { from: num(skip), length: items };
  eachItem(ctx, xs, { ...fn, parameters: rest }, (_, result) => [assign(acc, result(mode), origin)], range);
  return ref(acc);
}

/** `xs.includes(v)`, `xs.indexOf(v)`: a search with ===, as data. */
function search(ctx: LowerContext, e: ts.CallExpression, xs: Expr, name: "includes" | "indexOf"): Expr {
  const [target] = e.arguments;
  if (!target || e.arguments.length !== 1)
    fail(
      TSG.unsupportedSyntax,
      e,
      `\`.${name}\` is supported with one argument (no start position)`,
      "search from the start, or write the loop",
    );
  const wanted = ctx.expression(target, "cond");
  const at = newVar(name === "includes" ? "found" : "position", name === "includes" ? BOOL : NUM, "local");
  emit(ctx, decl(at, name === "includes" ? bool(false) : num(-1), ctx.origin));
  countedLoop(ctx, len(xs), (i) => [
    {
      k: "if",
      cond: op("eq", index(xs, ref(i)), wanted),
      then: [assign(at, name === "includes" ? bool(true) : ref(i), ctx.origin), { k: "break" }],
      else: [],
      origin: ctx.origin,
    },
  ]);
  return ref(at);
}

interface Callback {
  /** Undefined where the loop gives the callback no item (`Array.from({ length: n }, (_, i) => ...)`). */
  readonly parameters: readonly (ts.ParameterDeclaration | undefined)[];
  readonly body: ts.ConciseBody;
  /** `xs.map(Math.exp)`: the Math function applied to the item, in place of a body. */
  readonly math?: OpName;
}

/** The arrow (or function expression) a method is given, written in the call (argument `at`). */
function callback(ctx: LowerContext, e: ts.CallExpression, name: string, at = 0): Callback {
  const arg = e.arguments[at] && unwrap(e.arguments[at], OUTER);
  // `xs.map(sigmoid)`, `xs.map(Math.exp)`: the function named (callback-references.ts)
  const named = arg && (!name.startsWith("reduce") ? e.arguments.length === at + 1 : true) ? referencedCallback(ctx, arg, name) : undefined;
  if (named?.kind === "math") {
    if (name !== "map" && name !== "from")
      fail(
        TSG.unsupportedSyntax,
        arg!,
        `\`.${name}\` with a Math function passed by name is not supported`,
        `write the arrow: \`.${name}((x) => ...)\``,
      );
    return { parameters: [], body: arg!, math: named.op };
  }
  if (named) return { parameters: named.parameters, body: named.body };
  if (!arg || !(ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) || (!name.startsWith("reduce") && e.arguments.length !== at + 1))
    fail(
      TSG.unsupportedSyntax,
      e,
      `\`.${name}\` is supported with a callback written in the call (an arrow function), and no \`this\` argument`,
      `write \`.${name}((x, i) => ...)\`, or the loop`,
    );
  for (const p of arg.parameters)
    if (!ts.isIdentifier(p.name) || p.dotDotDotToken || p.initializer)
      fail(TSG.unsupportedSyntax, p, "the callback's parameters must be plain names here", "name them: `(x, i) => ...`");
  return { parameters: arg.parameters, body: arg.body };
}

/** Which items a loop visits: up from `from` while below `length`, or down from `from` to 0. */
type Range = { readonly from: Expr; readonly length: Expr; readonly down?: false } | { readonly from: Expr; readonly down: true };

/**
 * The loop over `xs` (every item, in order, unless `range` says otherwise): per item, the
 * callback's parameters (item, index, array) bound, its statements lowered, and `make` given the
 * counter and a way to lower its result.
 */
function eachItem(ctx: LowerContext, xs: Expr, fn: Callback, make: (i: Var, result: (mode: Mode) => Expr) => Stmt[], range?: Range): void {
  const origin = ctx.origin;
  const [itemParam, indexParam, arrayParam] = fn.parameters;
  const math = fn.math;
  const body = (i: Var): Stmt[] =>
    collect(ctx, () => {
      ctx.origin = origin;
      if (math) {
        emit(ctx, ...make(i, () => op(math, index(xs, ref(i)))));
        return;
      }
      if (itemParam) {
        const t = typeOfValue(xs);
        const elem = t.kind === "array" ? t.elem : NUM;
        const item = newVar((itemParam.name as ts.Identifier).text, elem, "local", elem.kind === "array" ? { owned: false } : {});
        emit(ctx, decl(item, index(xs, ref(i)), origin));
        bindParameter(ctx, itemParam, item);
      }
      if (indexParam) {
        const at = newVar((indexParam.name as ts.Identifier).text, NUM, "local");
        emit(ctx, decl(at, ref(i), origin));
        bindParameter(ctx, indexParam, at);
      }
      if (arrayParam) {
        if (xs.k !== "var")
          fail(TSG.unsupportedSyntax, arrayParam, "the callback's array parameter is not supported here", "read the array by its own name");
        bindParameter(ctx, arrayParam, xs.v);
      }
      const last = callbackStatements(ctx, fn.body);
      emit(ctx, ...make(i, (mode) => (last ? ctx.expression(last, mode) : num(0))));
    });
  if (!range) {
    countedLoop(ctx, len(xs), body);
    return;
  }
  const i = newVar("i", NUM, "local");
  const stmts = body(i);
  const step = range.down ? op("sub", ref(i), num(1)) : add(ref(i), num(1));
  emit(ctx, decl(i, range.from, origin), {
    k: "loop",
    test: range.down ? op("ge", ref(i), num(0)) : op("lt", ref(i), range.length),
    testAtEnd: false,
    body: stmts,
    update: [assign(i, step, origin)],
    origin,
  });
}

/** Lowers a callback's statements; returns the expression it returns (its body, or the final `return e`). */
function callbackStatements(ctx: LowerContext, body: ts.ConciseBody): ts.Expression | undefined {
  if (!ts.isBlock(body)) return body;
  const stmts = body.statements;
  const final = stmts[stmts.length - 1];
  const returned = final && ts.isReturnStatement(final) ? final : undefined;
  const before = returned ? stmts.slice(0, -1) : stmts;
  for (const s of before) refuseReturns(s);
  for (const s of ctx.block(before)) emit(ctx, s);
  return returned?.expression;
}

/** A `return` anywhere but at the end of the callback would leave the loop iteration early. */
function refuseReturns(n: ts.Node): void {
  if (ts.isReturnStatement(n))
    fail(
      TSG.unsupportedSyntax,
      n,
      "a callback that returns before its last statement is not supported",
      "compute the result in a variable and return it at the end, or write the loop",
    );
  if (ts.isFunctionLike(n)) return;
  ts.forEachChild(n, refuseReturns);
}

/** The callback's parameter names the loop's variable. */
function bindParameter(ctx: LowerContext, p: ts.ParameterDeclaration, v: Var): void {
  ctx.vars.set(symbolOf(ctx, p.name as ts.Identifier), v);
}

/** The name of the variable a call initialises (`const preds = xs.map(...)`), for the array it builds. */
export function resultName(e: ts.CallExpression, fallback: string): string {
  const p = e.parent;
  return ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) ? p.name.text : fallback;
}
