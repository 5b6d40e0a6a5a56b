/**
 * Tuples and objects ("records"): reading fields of structured parameters (flattened into leaf
 * variables) and of names bound to records (aliases, see RecordValue), record literals
 * (`return [loss, y]`, `{ h, out }`), and records passed to functions.
 */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import { decl, newVar, recordLeaves, ref, typeOfValue } from "../ir/build.js";
import type { Expr, IRType } from "../ir/types.js";
import { emit, irTypeAt, symbolOf, typeOfNode, type LowerContext, type RecordValue } from "./context.js";
import { fieldKey } from "./syntax.js";
import { isModuleNumberTuple, moduleRecord } from "./names.js";
import { OUTER, unwrap } from "../syntax/unwrap.js";
import { optionalOrDefault } from "./optional.js";

/** A part of a record: a value (number, array, tensor) or a record again. */
export type Part = { readonly kind: "value"; readonly expr: Expr } | { readonly kind: "record"; readonly value: RecordValue };

type RecordType = IRType & { kind: "record" };

/** A tuple or object value, by what it is made of; a call's result is named once. */
export function recordValue(ctx: LowerContext, e: ts.Expression): RecordValue {
  e = unwrap(e, OUTER);
  switch (e.kind) {
    case ts.SyntaxKind.Identifier: {
      const sym = symbolOf(ctx, e as ts.Identifier);
      if (ctx.leaves.has(sym)) return { from: "param", sym, keys: [] };
      const alias = ctx.records.get(sym);
      if (alias) return alias;
      // an element of an array of records (`for (const q of points)`, `const q = points[i]`)
      const local = ctx.vars.get(sym);
      if (local?.type.kind === "record") return { from: "ir", expr: ref(local) };
      const moduleLevel = moduleRecord(ctx, e as ts.Identifier);
      if (moduleLevel) return { from: "ir", expr: ref(moduleLevel) };
      fail(
        TSG.unsupportedType,
        e,
        "module-level tuples and objects cannot be read yet",
        "use module-level numbers and arrays, or pass the value as a parameter",
      );
    }
    case ts.SyntaxKind.PropertyAccessExpression:
    case ts.SyntaxKind.ElementAccessExpression: {
      const holder = (e as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression;
      const holderType = irTypeAt(ctx, holder);
      if (ts.isElementAccessExpression(e) && holderType?.kind === "array" && holderType.elem.kind === "record") {
        // `points[i]`: the element, named once, read field by field
        const t = newVar("element", holderType.elem, "temp");
        emit(ctx, decl(t, ctx.expression(e, "value"), ctx.origin));
        return { from: "ir", expr: ref(t) };
      }
      const key = fieldKey(e);
      if (key === undefined) break;
      const part = project(ctx, recordValue(ctx, holder), key, e);
      if (part.kind === "record") return part.value;
      break;
    }
    case ts.SyntaxKind.CallExpression: {
      const value = ctx.expression(e, "value");
      const type = typeOfValue(value);
      if (type.kind !== "record") break;
      const t = newVar("result", type, "temp");
      emit(ctx, decl(t, value, ctx.origin));
      return { from: "ir", expr: ref(t) };
    }
    case ts.SyntaxKind.ArrayLiteralExpression:
    case ts.SyntaxKind.ObjectLiteralExpression: {
      const value = recordLiteral(ctx, e as ts.ArrayLiteralExpression | ts.ObjectLiteralExpression);
      const t = newVar("record", typeOfValue(value), "temp");
      emit(ctx, decl(t, value, ctx.origin));
      return { from: "ir", expr: ref(t) };
    }
    case ts.SyntaxKind.BinaryExpression: {
      // `m.noise ?? { sigma: 1 }`: optionalOrDefault says why not, and what to write
      const b = e as ts.BinaryExpression;
      if (b.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) optionalOrDefault(ctx, b.left, b.right);
      break;
    }
  }
  fail(
    TSG.unsupportedSyntax,
    e,
    "this tuple or object value is not supported here",
    "bind the result of a call with const, then read its fields",
  );
}

/** The field `key` of a record: a value (an array field gets a name of its own) or a record. */
export function project(ctx: LowerContext, r: RecordValue, key: string | number, node: ts.Node): Part {
  if (r.from === "param") {
    const byPath = ctx.leaves.get(r.sym)!;
    const path = [...r.keys, key].join(".");
    const leaf = byPath.get(path);
    if (leaf) return { kind: "value", expr: ref(leaf) };
    if ([...byPath.keys()].some((p) => p.startsWith(`${path}.`)))
      return { kind: "record", value: { from: "param", sym: r.sym, keys: [...r.keys, key] } };
    fail(TSG.dynamicKey, node, `the field \`${String(key)}\` cannot be read here`, "read a number or array field");
  }
  const type = typeOfValue(r.expr);
  const fieldType = type.kind === "record" ? type.fields.find((f) => f.key === key)?.type : undefined;
  if (!fieldType) fail(TSG.dynamicKey, node, `this value has no field \`${String(key)}\``, "read one of its fields");
  const field: Expr = { k: "field", obj: r.expr, key };
  if (fieldType.kind === "record") return { kind: "record", value: { from: "ir", expr: field } };
  if (fieldType.kind !== "array") return { kind: "value", expr: field };
  const name = typeof key === "string" ? key : "elements";
  const t = newVar(name, fieldType, "temp", { owned: false });
  emit(ctx, decl(t, field, ctx.origin));
  return { kind: "value", expr: ref(t) };
}

/** Whether a record value has the field `key` (a literal may leave out an optional one). */
function hasField(ctx: LowerContext, r: RecordValue, key: string | number): boolean {
  if (r.from === "param") {
    const path = [...r.keys, key].join(".");
    return [...ctx.leaves.get(r.sym)!.keys()].some((p) => p === path || p.startsWith(`${path}.`));
  }
  const type = typeOfValue(r.expr);
  return type.kind === "record" && type.fields.some((f) => f.key === key);
}

/** `r.value`, `r[0]`, `vg.grad[1]` on a tuple or object that is not a structured parameter's leaf. */
export function recordField(ctx: LowerContext, e: ts.PropertyAccessExpression | ts.ElementAccessExpression): Expr | undefined {
  const key = fieldKey(e);
  if (key === undefined || irTypeAt(ctx, e.expression)?.kind !== "record" || isModuleNumberTuple(ctx, e.expression)) return undefined;
  const part = project(ctx, recordValue(ctx, e.expression), key, e);
  if (part.kind !== "value")
    fail(TSG.unsupportedSyntax, e, "a tuple or object can only be read field by field here", "read the numbers or arrays inside it");
  return part.expr;
}

/**
 * A tuple or object literal (`return [loss, y]`, `return { h, out }`): a record of its parts,
 * in the literal's own order. A part that is itself a tuple or object is a literal again, or a
 * value read whole (a structured parameter, a call's result) taken apart by its type.
 */
export function recordLiteral(ctx: LowerContext, e: ts.ArrayLiteralExpression | ts.ObjectLiteralExpression): Expr {
  const type = typeOfNode(ctx, e);
  if (type.kind !== "record")
    fail(TSG.unsupportedType, e, "this literal is not a tuple or object of numbers and arrays", "return a tuple or object type");
  const parts = ts.isArrayLiteralExpression(e) ? tupleParts(e) : objectParts(e);
  const spreads = spreadSources(ctx, e);
  return {
    k: "record",
    tuple: type.tuple,
    fields: type.fields.map((f) => {
      // the last of the literal's properties and spreads to give the field its value wins
      const part = parts.findLast((x) => String(x.key) === String(f.key));
      const spread = spreads.findLast((x) => x.at > (part?.at ?? -1) && x.fields.has(String(f.key)));
      if (spread) {
        const from = project(ctx, spread.value(), f.key, spread.node);
        if (from.kind === "value") return { key: f.key, value: from.expr };
        return { key: f.key, value: recordArgument(ctx, spread.node, f.type as RecordType, from.value) };
      }
      if (!part) fail(TSG.unsupportedType, e, `the field \`${String(f.key)}\` has no value here`, "give every field a value");
      const node = unwrap(part.node, OUTER);
      if (f.type.kind !== "record") return { key: f.key, value: ctx.expression(node, "value") };
      if (ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node)) return { key: f.key, value: recordLiteral(ctx, node) };
      return { key: f.key, value: recordArgument(ctx, node, f.type) };
    }),
  };
}

type LiteralPart = { key: string | number; node: ts.Expression; at: number };

/** `...p` in an object literal: the fields it gives, and its value (read once, when first needed). */
interface SpreadSource {
  readonly at: number;
  readonly node: ts.Expression;
  readonly fields: ReadonlySet<string>;
  readonly value: () => RecordValue;
}

function spreadSources(ctx: LowerContext, e: ts.ArrayLiteralExpression | ts.ObjectLiteralExpression): SpreadSource[] {
  if (!ts.isObjectLiteralExpression(e)) return [];
  const out: SpreadSource[] = [];
  e.properties.forEach((p, at) => {
    if (!ts.isSpreadAssignment(p)) return;
    const node = p.expression;
    const t = irTypeAt(ctx, node);
    if (t?.kind !== "record" || t.tuple)
      fail(
        TSG.unsupportedType,
        p,
        "only objects of numbers, arrays and tensors can be spread into an object here",
        "write each field as `key: value`",
      );
    let value: RecordValue | undefined;
    out.push({ at, node, fields: new Set(t.fields.map((f) => String(f.key))), value: () => (value ??= recordValue(ctx, node)) });
  });
  return out;
}

function tupleParts(e: ts.ArrayLiteralExpression): LiteralPart[] {
  return e.elements.map((el, i) => {
    if (ts.isSpreadElement(el) || ts.isOmittedExpression(el))
      fail(TSG.unsupportedSyntax, el, "spread and holes in tuple literals are not supported", "write each element");
    return { key: i, node: el, at: i };
  });
}

function objectParts(e: ts.ObjectLiteralExpression): LiteralPart[] {
  return e.properties.flatMap((p, at): LiteralPart[] => {
    switch (p.kind) {
      case ts.SyntaxKind.PropertyAssignment:
        if (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name))
          return [{ key: p.name.text, node: p.initializer, at }];
        break;
      case ts.SyntaxKind.ShorthandPropertyAssignment:
        return [{ key: p.name.text, node: p.name, at }];
      case ts.SyntaxKind.SpreadAssignment:
        return []; // spreadSources
    }
    fail(
      TSG.unsupportedSyntax,
      p,
      "only `key: value`, shorthand properties and spreads of objects are supported in object literals here",
      "write each field as `key: value`",
    );
  });
}

/**
 * A tuple or object passed to a function (`forward(params, x)`): a record literal of its
 * parts, in the order of the parameter's own type (the callee's leaves and the caller's
 * adjoints then line up, whatever order the caller's type lists the fields in).
 */
export function recordArgument(ctx: LowerContext, arg: ts.Expression, target: RecordType, value?: RecordValue): Expr {
  return recordArgumentOf(ctx, value ?? recordValue(ctx, arg), target, arg);
}

/** Whether `e` has the leaves of `target`, in its order (its leaves line up with the callee's). */
function sameLayout(e: Expr, target: RecordType): boolean {
  const leaves = (t: IRType) => recordLeaves(t).map((l) => l.keys.join("."));
  return leaves(typeOfValue(e)).join(",") === leaves(target).join(",");
}

/** The same, from a record already resolved (a structured parameter a local helper captures); `arg` is where to point a refusal. */
export function recordArgumentOf(ctx: LowerContext, value: RecordValue, target: RecordType, arg: ts.Node): Expr {
  const build = (r: RecordValue, t: RecordType): Expr => ({
    k: "record",
    tuple: t.tuple,
    fields: t.fields.map((f) => {
      // an optional field the value leaves out (`{ bias: 1 }` for `{ scale?: number; bias: number }`)
      if (f.optional && !hasField(ctx, r, f.key)) return { key: f.key, value: { k: "undef", type: f.type } as Expr };
      const part = project(ctx, r, f.key, arg);
      // an optional object made elsewhere (`{ noise: made.noise }`) is passed as it is: rebuilt
      // field by field it would be there even where it is missing. One that lists other fields
      // (a literal leaving an optional field out) is there, and is rebuilt.
      if (
        f.optional &&
        f.type.kind === "record" &&
        part.kind === "record" &&
        part.value.from === "ir" &&
        sameLayout(part.value.expr, f.type)
      )
        return { key: f.key, value: part.value.expr };
      if (f.type.kind === "record") {
        if (part.kind !== "record")
          fail(
            TSG.unsupportedType,
            arg,
            `the field \`${String(f.key)}\` is not a tuple or object here`,
            "pass a value of the parameter's type",
          );
        return { key: f.key, value: build(part.value, f.type) };
      }
      if (part.kind !== "value")
        fail(TSG.unsupportedType, arg, `the field \`${String(f.key)}\` is a tuple or object here`, "pass a value of the parameter's type");
      if (f.type.kind === "array" && f.type.elem.kind !== "num")
        fail(
          TSG.unsupportedType,
          arg,
          "a tuple or object holding nested arrays cannot be passed to a function yet",
          "pass the nested array as a parameter of its own",
        );
      return { key: f.key, value: part.expr };
    }),
  });
  return build(value, target);
}
