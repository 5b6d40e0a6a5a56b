/** Loops: `for`, `while`, `do...while` and `for...of`, all to the IR's one general `loop`. */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { add, assign, decl, index, len, newVar, num, op, ref, typeOfValue } from "../ir/build.js";
import type { Expr } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { expressionStatement } from "./assignments.js";
import { blockOf, collect, emit, irTypeAt, referencedSymbol, symbolOf, type LowerContext } from "./context.js";
import { ITERATORS } from "./calls/array-methods.js";
import { variableDeclaration } from "./declarations.js";
import { destructureElement } from "./destructuring.js";
import { checkpointRequest } from "./checkpoint-annotation.js";
import { OUTER, unwrap } from "../syntax/unwrap.js";

export function forLoop(ctx: LowerContext, s: ts.ForStatement, label: string | undefined): void {
  const origin = ctx.origin;
  if (s.initializer) {
    if (ts.isVariableDeclarationList(s.initializer)) for (const d of s.initializer.declarations) variableDeclaration(ctx, d);
    else expressionStatement(ctx, s.initializer);
  }
  const test = s.condition ? loopCondition(ctx, s.condition) : null;
  const body = blockOf(ctx, s.statement);
  const update = s.incrementor ? collect(ctx, () => expressionStatement(ctx, s.incrementor!)) : [];
  emit(ctx, { k: "loop", label, test, testAtEnd: false, body, update, origin, ...checkpointOf(s) });
}

export function whileLoop(ctx: LowerContext, s: ts.WhileStatement, label: string | undefined): void {
  const origin = ctx.origin;
  const test = loopCondition(ctx, s.expression);
  emit(ctx, { k: "loop", label, test, testAtEnd: false, body: blockOf(ctx, s.statement), update: [], origin, ...checkpointOf(s) });
}

export function doLoop(ctx: LowerContext, s: ts.DoStatement, label: string | undefined): void {
  const origin = ctx.origin;
  const body = blockOf(ctx, s.statement);
  const test = loopCondition(ctx, s.expression);
  emit(ctx, { k: "loop", label, test, testAtEnd: true, body, update: [], origin, ...checkpointOf(s) });
}

/**
 * `for (const v of array)`: an index loop over the array, `v` read from it at the top of the body.
 * `for (const [i, v] of xs.entries())`, `for (const i of xs.keys())` and `xs.values()` are the
 * same loop, the index a copy of the counter.
 */
export function forOfLoop(ctx: LowerContext, s: ts.ForOfStatement, label: string | undefined): void {
  const origin = ctx.origin;
  if (!ts.isVariableDeclarationList(s.initializer) || s.initializer.declarations.length !== 1)
    fail(TSG.unsupportedSyntax, s, "for...of must declare its loop variable", "write `for (const v of array)`");
  const d = s.initializer.declarations[0]!;
  const walk = iteratorOf(ctx, s.expression);
  const binding = walk.iterator === "entries" ? entryNames(d.name) : undefined;
  const itemName = walk.iterator === "keys" ? undefined : walk.iterator === "entries" ? binding!.item : d.name;
  const indexName = walk.iterator === "keys" ? d.name : binding?.index;
  const name = itemName && ts.isIdentifier(itemName) ? itemName.text : "element";
  let arr = ctx.expression(walk.array, "value");
  const arrType = typeOfValue(arr);
  if (arrType.kind !== "array")
    fail(TSG.unsupportedType, s.expression, "for...of is supported over arrays only", "iterate over a number[] or Float64Array");
  // for...of walks the array it started with, even if the body gives the variable a new one
  const iterated = unwrap(walk.array, OUTER);
  if (arr.k !== "var" || (ts.isIdentifier(iterated) && assignedIn(ctx, s.statement, iterated))) {
    const t = newVar(`${name}_array`, arrType, "temp", { owned: false });
    emit(ctx, decl(t, arr, origin));
    arr = ref(t);
  }
  const k = newVar(`${name}_index`, NUM, "local");
  emit(ctx, decl(k, num(0), origin));
  const elemType = arrType.elem;
  const elem = newVar(name, elemType, "local", elemType.kind === "array" ? { owned: false } : {});
  if (itemName && ts.isIdentifier(itemName)) ctx.vars.set(symbolOf(ctx, itemName), elem);
  const body = collect(ctx, () => {
    if (indexName) {
      // `let [i, v]` may write its own i: a copy, as each iteration's binding is a new one
      const at = newVar(ts.isIdentifier(indexName) ? indexName.text : "index", NUM, "local");
      emit(ctx, decl(at, ref(k), origin));
      if (ts.isIdentifier(indexName)) ctx.vars.set(symbolOf(ctx, indexName), at);
      else fail(TSG.unsupportedSyntax, indexName, "the index of an entry is a number, and cannot be destructured", "name it: `[i, v]`");
    }
    if (itemName) {
      emit(ctx, decl(elem, index(arr, ref(k)), origin));
      // `for (const { x, y } of points)`, `for (const [a, b] of rows)`: the names read the element
      if (!ts.isIdentifier(itemName)) destructureElement(ctx, itemName, ref(elem));
    }
    const rest = blockOf(ctx, s.statement);
    emit(ctx, ...rest);
  });
  const update = [assign(k, add(ref(k), num(1)), origin)];
  emit(ctx, { k: "loop", label, test: op("lt", ref(k), len(arr)), testAtEnd: false, body, update, origin, ...checkpointOf(s) });
}

/** What a for...of walks: an array itself, or one of its iterators (`xs.entries()`, `.keys()`, `.values()`). */
function iteratorOf(
  ctx: LowerContext,
  e: ts.Expression,
): { readonly array: ts.Expression; readonly iterator?: "entries" | "keys" | "values" } {
  const call = unwrap(e, OUTER);
  if (
    ts.isCallExpression(call) &&
    call.arguments.length === 0 &&
    ts.isPropertyAccessExpression(call.expression) &&
    ITERATORS.has(call.expression.name.text) &&
    irTypeAt(ctx, call.expression.expression)?.kind === "array"
  )
    return { array: call.expression.expression, iterator: call.expression.name.text as "entries" | "keys" | "values" };
  return { array: e };
}

/** `[i, v]` of `for (const [i, v] of xs.entries())`: the index's name and the item's (either may be left out). */
function entryNames(name: ts.BindingName): { readonly index?: ts.BindingName; readonly item?: ts.BindingName } {
  if (!ts.isArrayBindingPattern(name) || name.elements.length > 2)
    fail(
      TSG.unsupportedSyntax,
      name,
      "an entry of `.entries()` is supported destructured into the index and the item",
      "write `for (const [i, v] of xs.entries())`",
    );
  const [first, second] = name.elements.map((el) => {
    if (ts.isOmittedExpression(el)) return undefined;
    if (el.dotDotDotToken || el.initializer)
      fail(TSG.unsupportedSyntax, el, "an entry's index and item are bound by name, with no rest or default", "write `[i, v]`");
    return el.name;
  });
  return { index: first, item: second };
}

/** The loop's `checkpoint` field when its comments ask for one (no field otherwise). */
function checkpointOf(s: ts.Statement): { checkpoint?: NonNullable<ReturnType<typeof checkpointRequest>> } {
  const request = checkpointRequest(s);
  return request === undefined ? {} : { checkpoint: request };
}

/** A loop test: evaluated many times, so it must not need prelude statements. */
function loopCondition(ctx: LowerContext, e: ts.Expression): Expr {
  const before = ctx.statements.length;
  const r = ctx.expression(e, "cond");
  if (ctx.statements.length !== before)
    fail(
      TSG.unsupportedSyntax,
      e,
      "this loop condition needs statements of its own (a ?: with active values)",
      "compute it in the loop body into a variable",
    );
  return r;
}

/** Whether `node` assigns the variable `id` names (`id = ...`, `id += ...`). */
function assignedIn(ctx: LowerContext, node: ts.Node, id: ts.Identifier): boolean {
  const target = referencedSymbol(ctx, id);
  const visit = (n: ts.Node): boolean => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      const left = unwrap(n.left, OUTER);
      if (ts.isIdentifier(left) && referencedSymbol(ctx, left) === target) return true;
    }
    return ts.forEachChild(n, visit) ?? false;
  };
  return visit(node);
}
