/** Small constructors for IR values, so passes read like the code they generate. */
import type { ArrayStorage, Callee, Expr, IRType, OpName, Origin, RecordField, Stmt, Var, VarRole } from "./types.js";
import { NUM } from "./types.js";
import { derivedKey } from "./keys.js";
import { isBooleanOp } from "../rules/primitives.js";

let nextVarId = 1;

export function newVar(name: string, type: IRType, role: VarRole, extra: Partial<Var> = {}): Var {
  return { ...extra, id: nextVarId++, name, type, role };
}

export const num = (value: number): Expr => ({ k: "num", value });
export const bool = (value: boolean): Expr => ({ k: "bool", value });
export const ref = (v: Var): Expr => ({ k: "var", v });
export const op = (name: OpName, ...args: Expr[]): Expr => ({ k: "op", op: name, args });
export const index = (arr: Expr, i: Expr): Expr => ({ k: "index", arr, index: i });
export const len = (arr: Expr): Expr => ({ k: "len", arr });
export const call = (fn: Callee, args: readonly Expr[], type: IRType = NUM): Expr => ({ k: "call", fn, args, type });
export const alloc = (length: Expr, storage: ArrayStorage, fill: Expr = num(0)): Expr => ({
  k: "alloc",
  length,
  storage,
  fill,
});

/** The type of an object of named fields, in order: `{ value: number; grad: number[] }`. */
export const objectType = (fields: Readonly<Record<string, IRType>>): IRType => ({
  kind: "record",
  tuple: false,
  fields: Object.entries(fields).map(([key, type]) => ({ key, type })),
});

export const add = (a: Expr, b: Expr): Expr => op("add", a, b);
export const sub = (a: Expr, b: Expr): Expr => op("sub", a, b);
export const mul = (a: Expr, b: Expr): Expr => op("mul", a, b);
export const neg = (a: Expr): Expr => op("neg", a);
export const not = (a: Expr): Expr => op("not", a);

/**
 * A guard that throws a RangeError when `given` is not shaped like `like` (an array of numbers
 * of another length, a tensor of another shape); no statement for values with nothing to check.
 * The caller's directions and cotangents are checked this way on entry: a short array would read
 * undefined (NaN), a tensor of another shape would broadcast.
 */
export function shapeGuard(like: Expr, likeType: IRType, given: Expr, message: string): Stmt[] {
  let mismatch: Expr | null = null;
  if (likeType.kind === "array" && likeType.elem.kind === "num") mismatch = op("ne", len(given), len(like));
  else if (likeType.kind === "tensor") mismatch = not(call({ kind: "runtime", key: "sameShape" }, [like, given], { kind: "bool" }));
  if (!mismatch) return [];
  return [{ k: "if", cond: mismatch, then: [{ k: "throw", error: "RangeError", message }], else: [] }];
}

export const decl = (v: Var, init: Expr, origin?: Origin): Stmt => ({ k: "decl", v, init, origin });
export const assign = (v: Var, value: Expr, origin?: Origin): Stmt => ({ k: "assign", v, value, origin });
export const store = (arr: Var, i: Expr, value: Expr, origin?: Origin, accumulate = false): Stmt => ({
  k: "store",
  arr,
  index: i,
  value,
  accumulate,
  origin,
});
/** `v += e` for a scalar. */
export const accumulate = (v: Var, e: Expr, origin?: Origin): Stmt => assign(v, add(ref(v), e), origin);

export function isZero(e: Expr): boolean {
  return e.k === "num" && e.value === 0;
}
export function isOne(e: Expr): boolean {
  return e.k === "num" && e.value === 1;
}

/** Whether two paths into a record (`p.w[0]` as `["w", 0]`) are the same. */
export function sameKeys(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** The function-table key of a callee: user functions by their own key, derived ones by recipe. */
export function calleeKey(c: Callee): string {
  if (c.kind === "user" || c.kind === "opaque") return c.key;
  if (c.kind === "runtime") return `runtime:${c.key}`;
  if (c.kind === "tensor") return `tensor:${c.key}`;
  return derivedKey(c.kind, c.active, c.key);
}

/** The type of a value expression (numbers unless it is a call or makes an array). */
/** Every leaf of a type (what is not a record), by path, in field order; a non-record is its own leaf. */
export function recordLeaves(
  t: IRType,
  keys: readonly (string | number)[] = [],
  optional = false,
): { keys: (string | number)[]; type: IRType; optional?: true }[] {
  // a field inside an optional object is optional too: absent with it
  if (t.kind === "record") return t.fields.flatMap((f) => recordLeaves(f.type, [...keys, f.key], optional || f.optional === true));
  return [{ keys: [...keys], type: t, ...(optional ? { optional: true as const } : {}) }];
}

export function typeOfValue(e: Expr): IRType {
  switch (e.k) {
    case "call":
      return e.type;
    case "alloc":
    case "copy":
      return { kind: "array", elem: NUM, storage: e.storage };
    case "arrayLit": {
      // a nested literal's rows are arrays: `[[2, 1], [1, 3]]`
      const first = e.elems[0] && typeOfValue(e.elems[0]);
      return { kind: "array", elem: first?.kind === "array" || first?.kind === "tensor" ? first : NUM, storage: e.storage };
    }
    case "var":
      return e.v.type;
    case "bool":
      return { kind: "bool" };
    case "record": {
      // a parameter's part passed whole (emitted as `o.noise`): the part's type, optional fields and all
      const whole = wholePart(e);
      if (whole) return typeAt(whole.root.type, whole.keys);
      return {
        kind: "record",
        tuple: e.tuple,
        // a field left undefined is optional: a variable holding the record may hold it given later
        fields: e.fields.map((f) => ({
          key: f.key,
          type: typeOfValue(f.value),
          ...(literalFieldMayBeMissing(f.value) ? { optional: true } : {}),
        })),
      };
    }
    case "undef":
      return e.type ?? NUM;
    case "str":
      return { kind: "data" };
    case "field": {
      const t = typeOfValue(e.obj);
      return t.kind === "record" ? (t.fields.find((f) => f.key === e.key)?.type ?? NUM) : NUM;
    }
    case "pop":
      return e.type;
    case "zerosLike":
      return typeOfValue(e.arr);
    case "index": {
      const t = typeOfValue(e.arr);
      return t.kind === "array" ? t.elem : NUM;
    }
    default:
      return e.k === "op" && isBooleanOp(e.op) ? { kind: "bool" } : NUM;
  }
}

/**
 * A record literal made of every field of one parameter's part, in the part's own order
 * (`{ W1: p.W1, b1: p.b1 }` for p: { W1, b1 }): that part, as a root and the keys down to it.
 */
export function wholePart(e: Expr & { k: "record" }): { root: Var; keys: readonly (string | number)[] } | null {
  let found: { root: Var; keys: readonly (string | number)[] } | null = null;
  for (const field of e.fields) {
    const part =
      field.value.k === "var" && field.value.v.path
        ? { root: field.value.v.path.root, keys: field.value.v.path.keys }
        : field.value.k === "record"
          ? wholePart(field.value)
          : null;
    if (!part || part.keys.length === 0 || part.keys[part.keys.length - 1] !== field.key) return null;
    const prefix = part.keys.slice(0, -1);
    if (found && (found.root !== part.root || !sameKeys(found.keys, prefix))) return null;
    found = { root: part.root, keys: prefix };
  }
  if (!found) return null;
  // the literal must hold every field the part has, in the part's order (a record's leaves are
  // its fields in order: the type of the literal is the part's)
  const t = typeAt(found.root.type, found.keys);
  return t.kind === "record" &&
    t.tuple === e.tuple &&
    t.fields.length === e.fields.length &&
    t.fields.every((f, i) => f.key === e.fields[i]!.key)
    ? found
    : null;
}

/** Whether a record literal's field value may be undefined: left out, or an optional object of a parameter passed whole. */
function literalFieldMayBeMissing(value: Expr): boolean {
  if (value.k === "undef") return true;
  const whole = value.k === "record" ? wholePart(value) : null;
  if (!whole || whole.keys.length === 0) return false;
  return fieldsAlong(whole.root.type, whole.keys).at(-1)?.optional === true;
}

/**
 * The fields met walking into a value of type `t` along `keys`, one per key (undefined past a
 * key the type does not have): what an optional object on the way means is the caller's.
 */
export function fieldsAlong(t: IRType, keys: readonly (string | number)[]): (RecordField | undefined)[] {
  let at: IRType | undefined = t;
  return keys.map((k) => {
    const field: RecordField | undefined = at?.kind === "record" ? at.fields.find((f) => f.key === k) : undefined;
    at = field?.type;
    return field;
  });
}

/** The type of the part of a value of type `t` at `keys`. */
function typeAt(t: IRType, keys: readonly (string | number)[]): IRType {
  return keys.length === 0 ? t : (fieldsAlong(t, keys).at(-1)?.type ?? t);
}

/** The zero of a type: what a variable holds before its first assignment, or a missing adjoint. */
export function zeroValue(type: IRType): Expr {
  if (type.kind === "record")
    return {
      k: "record",
      tuple: type.tuple,
      fields: type.fields.map((f) => ({ key: f.key, value: zeroValue(f.type) })),
    };
  if (type.kind === "bool") return { k: "bool", value: false };
  if (type.kind === "data") return { k: "str", value: "" };
  if (type.kind === "array") return alloc(num(0), type.storage);
  return num(0);
}

/** Whether values of this type can carry a derivative (numbers, and arrays/records of them). */
export function isDifferentiable(t: IRType): boolean {
  switch (t.kind) {
    case "num":
    case "tensor":
      return true;
    case "array":
      // an array of tuples or objects is data: read, never differentiated
      return t.elem.kind !== "record" && isDifferentiable(t.elem);
    case "record":
      // an object with an optional field is data: its gradient could not say what a missing field's is
      return !t.fields.some((f) => f.optional) && t.fields.some((f) => isDifferentiable(f.type));
    default:
      return false;
  }
}
