/** Maps TypeScript types (from the TypeChecker) to IR types, refusing what tsgrad cannot carry. */
import { ts } from "../compiler.js";
import { fail, TSG } from "../diagnostics.js";
import type { IRType } from "../ir/types.js";
import { typeTagOf } from "../discover/markers.js";
import { BOOL, NUM } from "../ir/types.js";
import { recordLeaves } from "../ir/build.js";
export { isDifferentiable } from "../ir/build.js";

/** Reads the IR type of a TypeScript type; `node` is where a refusal is reported. */
export function irTypeOf(checker: ts.TypeChecker, type: ts.Type, node: ts.Node): IRType {
  const t = irTypeOrUndefined(checker, type);
  if (t) return t;
  if (type.flags & ts.TypeFlags.Any)
    fail(
      TSG.anyType,
      node,
      "an `any`-typed value flows into a differentiated computation",
      "give it a type: number, number[], Float64Array, or a tuple/object of those",
    );
  const arrayLike = isArrayLike(checker, type);
  if (arrayLike)
    fail(
      TSG.unsupportedType,
      node,
      `\`${checker.typeToString(arrayLike)}\`${arrayLike === type ? "" : ` (the constraint of \`${checker.typeToString(type)}\`)`} is not differentiated: tsgrad reads number[] and Float64Array, whose gradients it gives in their own type`,
      "declare the parameter number[] or Float64Array (a generic helper: `<T extends number[]>`), or readonly number[]; pass a Float64Array to a number[] parameter as Array.from(v)",
    );
  if (type.flags & ts.TypeFlags.TypeParameter)
    fail(
      TSG.unsupportedType,
      node,
      `the type parameter \`${checker.typeToString(type)}\` has no constraint tsgrad can differentiate`,
      "constrain it to what it holds: `<T extends number[]>`, `<T extends number>`, or an object of those",
    );
  // `number | undefined` (an element read by `at`, a helper that may return nothing): say how to choose
  const maybe = optionalValueType(checker, type);
  fail(
    TSG.unsupportedType,
    node,
    `values of type \`${checker.typeToString(type)}\` cannot be differentiated`,
    maybe && maybe.kind !== "record"
      ? "the value may be undefined: choose one where it is (`v ?? 0`), or assert it is there (`xs.at(-1)!`)"
      : "use number, boolean, number[], Float64Array, or a readonly tuple/object of those",
  );
}

export function irTypeOrUndefined(checker: ts.TypeChecker, type: ts.Type): IRType | undefined {
  if (type.flags & ts.TypeFlags.Any) return undefined;
  // a generic helper's `T extends number[]`: every T it may be is its constraint's kind
  if (type.flags & ts.TypeFlags.TypeParameter) {
    const constraint = checker.getBaseConstraintOfType(type);
    return constraint && constraint !== type && !(constraint.flags & ts.TypeFlags.Unknown)
      ? irTypeOrUndefined(checker, constraint)
      : undefined;
  }
  if (type.flags & ts.TypeFlags.NumberLike) return NUM;
  if (type.flags & ts.TypeFlags.BooleanLike) return BOOL;
  if (type.flags & ts.TypeFlags.StringLike) return { kind: "data" };
  if (type.isUnion()) {
    // `true | false` is boolean; number literal unions are numbers
    const parts = type.types.map((t) => irTypeOrUndefined(checker, t));
    if (parts.every((p) => p?.kind === "num")) return NUM;
    if (parts.every((p) => p?.kind === "bool")) return BOOL;
    if (parts.every((p) => p?.kind === "data")) return { kind: "data" };
    return undefined;
  }
  if (isArrayLike(checker, type)) return undefined; // not a record of a length (irTypeOf says what to write)
  const symbolName = type.getSymbol()?.getName();
  if (symbolName === "Float64Array") return { kind: "array", elem: NUM, storage: "f64" };
  if (symbolName === "Tensor" && isTsgradTensor(type)) return { kind: "tensor" };
  if (checker.isTupleType(type)) {
    const elems = checker.getTypeArguments(type as ts.TypeReference);
    const fields = [];
    for (let i = 0; i < elems.length; i++) {
      const ft = irTypeOrUndefined(checker, elems[i]!);
      if (!ft) return undefined;
      fields.push({ key: i, type: ft });
    }
    return { kind: "record", fields, tuple: true };
  }
  if (checker.isArrayType(type)) {
    const elem = checker.getTypeArguments(type as ts.TypeReference)[0];
    // `[]` where TypeScript gives it no element type (`return [s, []]` is `[number, never[]]`): an
    // empty array, of numbers as far as anything can read
    if (elem && elem.flags & ts.TypeFlags.Never) return { kind: "array", elem: NUM, storage: "array" };
    const et = elem && irTypeOrUndefined(checker, elem);
    if (!et || et.kind === "bool") return undefined;
    return { kind: "array", elem: et, storage: "array" };
  }
  if (type.flags & ts.TypeFlags.Object && !type.getCallSignatures().length) {
    const props = checker.getPropertiesOfType(type);
    if (props.length === 0) return undefined;
    const fields = [];
    for (const p of props) {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      if (!decl) return undefined;
      const propType = checker.getTypeOfSymbolAtLocation(p, decl);
      const plain = irTypeOrUndefined(checker, propType);
      const ft = plain ? { type: plain } : optionalFieldType(checker, propType);
      if (!ft) return undefined;
      fields.push({ key: p.getName(), ...ft });
    }
    return { kind: "record", fields, tuple: false };
  }
  return undefined;
}

/** `scale?: number`, `flag: boolean | undefined`, `noise?: { sigma: number }`: an optional field's type (lower/optional.ts). */
function optionalFieldType(checker: ts.TypeChecker, t: ts.Type): { type: IRType; optional: true } | undefined {
  const type = optionalValueType(checker, t);
  return type && { type, optional: true };
}

/**
 * What an optional parameter or field holds when it is given: a number, a boolean, or an object
 * of numbers and booleans (`noise?: { sigma: number; floor?: number }`, read with `?.`). Undefined
 * for a type without undefined in it, for `undefined` alone, and for anything else.
 */
export function optionalValueType(checker: ts.TypeChecker, t: ts.Type): IRType | undefined {
  const members = t.isUnion() ? t.types : [t];
  const rest = members.filter((m) => !(m.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
  if (rest.length === 0 || rest.length === members.length) return undefined;
  const parts = rest.map((m) => irTypeOrUndefined(checker, m));
  if (parts.every((x) => x?.kind === "num")) return NUM;
  if (parts.every((x) => x?.kind === "bool")) return BOOL;
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only?.kind === "record" && !only.tuple && recordLeaves(only).every((l) => l.type.kind === "num" || l.type.kind === "bool"))
    return only;
  return undefined;
}

/**
 * The standard library's `ArrayLike<T>` (or `ArrayLike<number>` constraining a type parameter):
 * it has a `length` and an index signature, and would otherwise read as an object `{ length }`.
 */
function isArrayLike(checker: ts.TypeChecker, type: ts.Type): ts.Type | undefined {
  const t = type.flags & ts.TypeFlags.TypeParameter ? checker.getBaseConstraintOfType(type) : type;
  const sym = t?.aliasSymbol ?? t?.getSymbol();
  if (!t || !sym || sym.getName() !== "ArrayLike") return undefined;
  return sym.declarations?.some((d) => isStandardLibrary(d.getSourceFile())) ? t : undefined;
}

/** TypeScript's own declaration files (`lib.es5.d.ts` and the rest), wherever the host keeps them. */
function isStandardLibrary(sf: ts.SourceFile): boolean {
  return sf.isDeclarationFile && (sf.hasNoDefaultLib || /(^|[\\/])lib\.[\w.]+\.d\.ts$/.test(sf.fileName));
}

/** `any[]` or `never[]`: what TypeScript says for `[]` and `new Array(n).fill(0)`. */
export function isUntypedArray(checker: ts.TypeChecker, t: ts.Type): boolean {
  if (!checker.isArrayType(t)) return false;
  const elem = checker.getTypeArguments(t as ts.TypeReference)[0];
  return !!elem && (elem.flags & (ts.TypeFlags.Any | ts.TypeFlags.Never)) !== 0;
}

/** The runtime's Tensor class (tagged `@tsgradType tensor`), not any class named Tensor. */
function isTsgradTensor(type: ts.Type): boolean {
  const sym = type.getSymbol();
  return !!sym && typeTagOf(sym) === "tensor";
}

export function typeToString(t: IRType): string {
  switch (t.kind) {
    case "num":
      return "number";
    case "bool":
      return "boolean";
    case "array":
      return t.storage === "f64" ? "Float64Array" : `${typeToString(t.elem)}[]`;
    case "record":
      return t.tuple
        ? `[${t.fields.map((f) => typeToString(f.type)).join(", ")}]`
        : `{ ${t.fields.map((f) => `${String(f.key)}: ${typeToString(f.type)}`).join("; ")} }`;
    default:
      return t.kind;
  }
}
