/**
 * Array ownership, the policy that rules out aliasing writes. An array variable either owns its
 * array (the function made it: it may write into it) or borrows it (parameters, module data, rows,
 * call results, aliases: read-only). Writes go only into owned arrays, an owning variable is only
 * ever given a fresh array, and a function's array result is its own, never one it shares.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { assign, typeOfValue } from "../ir/build.js";
import { parseDerivedKey } from "../ir/keys.js";
import type { Expr, Var } from "../ir/types.js";
import { emit, irTypeAt, referencedSymbol, type LowerContext } from "./context.js";
import type { FunctionLike } from "../syntax/declarations.js";
import { localOf } from "./names.js";
import { OUTER, unwrap } from "../syntax/unwrap.js";
import { typeToString } from "./types.js";

/**
 * Whether an initializer creates a new array (so the variable owns it and may write it). A call
 * of one of the program's source functions is one: its array result is checked to be its own
 * (sharedReturn, at every call), so the caller is its only holder.
 */
export function isFreshArray(e: Expr): boolean {
  if (e.k === "call") return e.fn.kind === "user" && parseDerivedKey(e.fn.key) === null;
  return e.k === "alloc" || e.k === "arrayLit" || e.k === "copy";
}

/**
 * `q = [...]`: an array variable given another array. A variable that owns its array (it may
 * write into it) may only be given a new one, so that it never starts writing into an array
 * something else can read (or a `const` array that is never used again: see isMovedArray); a
 * read-only alias may be given any array. Parameters keep theirs.
 */
export function rebindArray(ctx: LowerContext, v: Var, value: Expr, node: ts.Node): void {
  if (v.role === "param")
    fail(TSG.arrayRebind, node, "array parameters cannot be reassigned", "copy it into a local first: `let y = x.slice()`");
  const t = typeOfValue(value);
  if (t.kind !== "array" || v.type.kind !== "array" || t.storage !== v.type.storage || t.elem.kind !== v.type.elem.kind)
    fail(
      TSG.unsupportedType,
      node,
      `this assigns a ${typeToString(t)} to a ${typeToString(v.type)} variable`,
      "give it an array of the same kind",
    );
  // `w = w.map(...)`: the array lowering made for the right side, which no name holds; or a const
  // array moved (isMovedArray). Either is copied: a copy is what the reverse pass knows to
  // restore when an owned array is rebound
  if (v.owned && !isFreshArray(value) && value.k === "var" && (isUnnamedArray(ctx, value) || isMovedArray(ctx, value.v, node)))
    value = { k: "copy", arr: value, storage: t.storage };
  if (v.owned && !isFreshArray(value))
    fail(
      TSG.arrayRebind,
      node,
      `\`${v.name}\` owns its array (it may write into it), so it can only be given a new array, ` +
        "not one that other code may also read",
      "give it a copy (`.slice()`), a literal, a new Float64Array / Array(n).fill(0), " +
        "or a `const` array declared in the same block and not used after",
    );
  emit(ctx, assign(v, value, ctx.origin));
}

/** A local array lowering made for an expression (owned, and bound to no name yet). */
export function isUnnamedArray(ctx: LowerContext, e: Expr): e is Expr & { k: "var" } {
  if (e.k !== "var" || e.v.role !== "local" || e.v.owned !== true) return false;
  for (const v of ctx.vars.values()) if (v === e.v) return false;
  return true;
}

/**
 * `u = next` where `next` is a `const` local array declared in the same block as this
 * statement, used before it only by indexing and `.length`, and never after: the double buffer
 * of a time-stepping loop. Nothing can observe `next` again, so giving `u` a copy of it is the
 * same program, and `u` keeps owning an array no one else reads.
 */
function isMovedArray(ctx: LowerContext, w: Var, node: ts.Node): boolean {
  if (!w.owned || w.role !== "local" || !ts.isBinaryExpression(node) || !ts.isExpressionStatement(node.parent)) return false;
  const rhs = unwrap(node.right, OUTER);
  if (!ts.isIdentifier(rhs)) return false;
  const sym = ctx.checker.getSymbolAtLocation(rhs);
  const d = sym?.valueDeclaration;
  if (!d || !ts.isVariableDeclaration(d) || !ts.isVariableDeclarationList(d.parent)) return false;
  if (!(d.parent.flags & ts.NodeFlags.Const)) return false;
  const block = d.parent.parent.parent;
  if (!ts.isVariableStatement(d.parent.parent) || node.parent.parent !== block) return false;
  let ok = true;
  // a closure could read `next` after the move, when it would be `u`'s array
  const visit = (n: ts.Node, inClosure: boolean): void => {
    if (ts.isIdentifier(n) && n !== d.name && n !== rhs && ctx.checker.getSymbolAtLocation(n) === sym) {
      const use = n.parent;
      const indexed = ts.isElementAccessExpression(use) && use.expression === n;
      const length = ts.isPropertyAccessExpression(use) && use.expression === n && use.name.text === "length";
      if (inClosure || n.getStart() > node.getStart() || !(indexed || length)) ok = false;
    }
    ts.forEachChild(n, (c) => visit(c, inClosure || ts.isFunctionLike(c)));
  };
  visit(block, false);
  return ok;
}

/** The local array a statement writes into; refuses parameters, globals and aliases. */
export function writableArray(ctx: LowerContext, e: ts.Expression, node: ts.Node): Var {
  e = unwrap(e, ["parens", "nonNull"]);
  if (!ts.isIdentifier(e))
    fail(
      TSG.foreignArrayWrite,
      node,
      "writes are supported into local arrays named by a variable only",
      "copy the data into a local array first",
    );
  const v = localOf(ctx, e, node);
  if (v.type.kind !== "array") fail(TSG.unsupportedType, node, "only arrays can be written by index", "use a number[] or Float64Array");
  if (v.type.elem.kind === "record")
    fail(
      TSG.unsupportedType,
      node,
      `\`${e.text}\` is an array of tuples or objects: such arrays are data that differentiated code reads, never writes`,
      "build it outside the function and pass it in, or keep each field in an array of its own (`xs: number[]`, `ys: number[]`)",
    );
  if (!v.owned)
    fail(
      TSG.foreignArrayWrite,
      node,
      `\`${e.text}\` may be an array the function does not own (a parameter, a module array or an alias), ` +
        "so writing it would change the caller's data",
      "copy it first: `const local = x.slice()`",
    );
  return v;
}

/**
 * An array a function returns without having made it: a parameter, a module-level array, a row
 * or field of one, or a local bound to such a value (`const b = a`), directly or as a field of
 * a returned tuple or object literal. A call's array result is taken to be the callee's own, so
 * calls of such a function are refused (sharing would need aliasing between caller and callee).
 */
export function sharedReturn(ctx: LowerContext, fn: FunctionLike): ts.Expression | undefined {
  const isArray = (n: ts.Node) => irTypeAt(ctx, n)?.kind === "array";
  const shared = (e: ts.Expression): ts.Expression | undefined => {
    e = unwrap(e, OUTER);
    if (ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e)) {
      if (irTypeAt(ctx, e)?.kind !== "record") return undefined;
      for (const part of literalParts(e))
        if (part && !ts.isSpreadElement(part)) {
          const inner = shared(part);
          if (inner) return inner;
        }
      return undefined;
    }
    if (!isArray(e)) return undefined;
    switch (e.kind) {
      // either branch of a choice may be what is returned
      case ts.SyntaxKind.ConditionalExpression: {
        const c = e as ts.ConditionalExpression;
        return shared(c.whenTrue) ?? shared(c.whenFalse);
      }
      case ts.SyntaxKind.BinaryExpression: {
        const b = e as ts.BinaryExpression;
        return b.operatorToken.kind === ts.SyntaxKind.CommaToken ? shared(b.right) : (shared(b.left) ?? shared(b.right));
      }
      case ts.SyntaxKind.ElementAccessExpression:
      case ts.SyntaxKind.PropertyAccessExpression:
        return e;
      case ts.SyntaxKind.Identifier:
        break;
      default:
        return undefined;
    }
    const decl = referencedSymbol(ctx, e as ts.Identifier)?.valueDeclaration;
    if (!decl || ts.isParameter(decl)) return e;
    const inFunction = decl.getSourceFile() === fn.getSourceFile() && decl.pos >= fn.pos && decl.end <= fn.end;
    if (!ts.isVariableDeclaration(decl) || !inFunction) return e; // module level
    // `for (const r of m)`: an element of another array
    if (!decl.initializer) return ts.isForOfStatement(decl.parent.parent) ? e : undefined;
    return shared(decl.initializer) ? e : undefined;
  };
  const visit = (n: ts.Node): ts.Expression | undefined => {
    if (n !== fn.body && ts.isFunctionLike(n)) return undefined;
    if (ts.isReturnStatement(n) && n.expression) return shared(n.expression);
    return ts.forEachChild(n, visit);
  };
  if (fn.body && !ts.isBlock(fn.body)) return shared(fn.body);
  return fn.body ? visit(fn.body) : undefined;
}

/** The elements of a tuple literal, or the values of an object literal's properties. */
function literalParts(e: ts.ArrayLiteralExpression | ts.ObjectLiteralExpression): (ts.Expression | undefined)[] {
  if (ts.isArrayLiteralExpression(e)) return [...e.elements];
  return e.properties.map((p) => (ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined));
}
