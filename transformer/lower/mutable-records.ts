/**
 * A `let` tuple or object that is given new values (`s = rk4(s, dt)` in an integrator's loop):
 * one local variable per leaf, as a structured parameter has, so that each reassignment is a
 * plain assignment of numbers the passes already differentiate, saved and restored in loops.
 * Reads of its fields, and passing it to a function, find the leaves as they find a parameter's.
 * A `const` tuple or object, or a `let` never reassigned, stays a name for its value (RecordValue).
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { assign, decl, newVar, recordLeaves, ref } from "../ir/build.js";
import type { Expr, IRType, Var } from "../ir/types.js";
import { emit, type LowerContext, type RecordValue } from "./context.js";
import { project } from "./records.js";
import { typeToString } from "./types.js";
import { OUTER, unwrap } from "../syntax/unwrap.js";

type RecordType = IRType & { kind: "record" };

/** Whether `d` declares a `let` that some assignment in the function gives a new value. */
export function isReassignedLet(ctx: LowerContext, d: ts.VariableDeclaration, sym: ts.Symbol): boolean {
  if (!(d.parent.flags & ts.NodeFlags.Let) || !ctx.fn.body) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = unwrap(n.left, OUTER);
      if (ts.isIdentifier(target) && ctx.checker.getSymbolAtLocation(target) === sym) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(ctx.fn.body);
  return found;
}

/** Declares the leaves of `let name: T = init` and gives them the initial value's parts. */
export function declareMutableRecord(
  ctx: LowerContext,
  sym: ts.Symbol,
  name: string,
  type: RecordType,
  init: RecordValue,
  node: ts.Node,
): void {
  const byPath = new Map<string, Var>();
  for (const { keys, type: t } of recordLeaves(type)) {
    if (t.kind !== "num" && t.kind !== "bool")
      fail(
        TSG.unsupportedType,
        node,
        `a tuple or object that is reassigned may hold numbers and booleans, not ${typeToString(t)} (\`${[name, ...keys].join(".")}\`)`,
        "declare the arrays as variables of their own, or make a new const for each new value",
      );
    byPath.set(keys.join("."), newVar([name, ...keys].join("_"), t, "local"));
  }
  const values = leafValues(ctx, init, byPath, node);
  for (const [path, leaf] of byPath) emit(ctx, decl(leaf, values.get(path)!, ctx.origin));
  ctx.leaves.set(sym, byPath);
  ctx.mutableRecords.add(sym);
}

/**
 * `s = value`: every leaf gets its part of the new value. The value is a record made before any
 * leaf changes (a literal or a call's result is named first), so `s = [s[1], s[0]]` swaps.
 */
export function assignMutableRecord(ctx: LowerContext, sym: ts.Symbol, value: RecordValue, node: ts.Node): void {
  const byPath = ctx.leaves.get(sym)!;
  const values = leafValues(ctx, value, byPath, node);
  for (const [path, leaf] of byPath) emit(ctx, assign(leaf, values.get(path)!, ctx.origin));
}

/** The part of `r` at each leaf's path, read (not assigned) before any leaf is written. */
function leafValues(ctx: LowerContext, r: RecordValue, byPath: ReadonlyMap<string, Var>, node: ts.Node): Map<string, Expr> {
  const out = new Map<string, Expr>();
  for (const path of byPath.keys()) {
    let part: RecordValue = r;
    const keys = path.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    let expr: Expr | undefined;
    keys.forEach((key, i) => {
      const p = project(ctx, part, key, node);
      if (p.kind === "record") part = p.value;
      else if (i === keys.length - 1) expr = p.expr;
    });
    if (!expr)
      fail(TSG.unsupportedType, node, "this value does not have the tuple's or object's shape", "give it a value of the declared type");
    out.set(path, expr);
  }
  // a leaf read straight from the record being assigned (`s = [s[1], s[0]]`) is copied first
  for (const [path, e] of out)
    if (e.k === "var" && [...byPath.values()].includes(e.v)) {
      const t = newVar("previous", e.v.type, "temp");
      emit(ctx, decl(t, ref(e.v), ctx.origin));
      out.set(path, ref(t));
    }
  return out;
}
