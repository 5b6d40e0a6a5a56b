/**
 * Calls whose tuple or object result is read only in part call a copy of the callee that leaves
 * the unread fields out (`fields[10](h)`: `h` returning its first field and a zero for the
 * second). What only an unread field needs is then dead code in the copy and in every derivative
 * of it. That saves work, and it keeps a derivative exact where an unread field overflows: a
 * pullback seeded with 0 for the field would otherwise multiply 0 by the field's infinite partials
 * (NaN), in the tangent of the pullback above all (second order).
 *
 * The rewrite is made on a source function's IR before it is differentiated. It only narrows
 * calls of source functions (a derived function's results follow its calling convention), and
 * only a result named once (`const r = h(...)`) whose every read is a field read (`r.p`, `r[0]`)
 * or an argument of a source function, which reads the fields its body names. A field read
 * stored in a number that nothing reads is no read: `let r = h(x)` is lowered to a variable per
 * field, assigned again where `r` is.
 */
import { calleeKey, zeroValue } from "../ir/build.js";
import { derivedKey, parseDerivedKey } from "../ir/keys.js";
import type { Block, Expr, IRFunction, IRType, Stmt, Var } from "../ir/types.js";
import { forEachStmt, forEachSubExpr, mapBlock, stmtExprs } from "../ir/visit.js";
import { IrRefusal } from "../refusal.js";

type RecordType = IRType & { kind: "record" };

/** What the function reads of each record a call of a source function made. */
interface Reads {
  /** Top-level field keys read, by result variable. */
  readonly fields: Map<Var, Set<string | number>>;
  /** Results read whole somewhere (passed on, returned, assigned): never narrowed. */
  readonly whole: Set<Var>;
}

/** A field whose value can be replaced by its type's zero: no tensor, nothing optional. */
function droppable(t: IRType): boolean {
  if (t.kind === "num" || t.kind === "bool") return true;
  if (t.kind === "array") return t.elem.kind !== "record" && droppable(t.elem);
  if (t.kind === "record") return t.fields.every((f) => f.optional !== true && droppable(f.type));
  return false;
}

function sourceCall(e: Expr): (Expr & { k: "call" }) | null {
  if (e.k !== "call" || e.fn.kind !== "user" || parseDerivedKey(e.fn.key) || e.type.kind !== "record") return null;
  return e;
}

/** The IR of a source function, by key (the callee a record is handed to). */
export type SourceOf = (key: string) => IRFunction;

/**
 * The top-level fields of its record parameter `index` that a source function reads: those with
 * a leaf its body names (a callee of its own that it hands them to counts as reading them); all
 * of them where it reads the parameter whole. Null where it cannot tell.
 */
function fieldsReadByParameter(callee: IRFunction | null, index: number): Set<string | number> | null {
  const param = callee?.params[index];
  if (!param || param.root.type.kind !== "record") return null;
  const named = namedIn(callee!.body);
  if (named.has(param.root)) return new Set(param.root.type.fields.map((f) => f.key));
  const read = new Set<string | number>();
  for (const leaf of param.leaves) if (leaf.path && leaf.path.keys.length > 0 && named.has(leaf)) read.add(leaf.path.keys[0]!);
  return read;
}

const namedMemo = new WeakMap<Block, ReadonlySet<Var>>();

/** The variables a function body names, read once per body (a callee is asked at every call). */
function namedIn(body: Block): ReadonlySet<Var> {
  let named = namedMemo.get(body);
  if (!named) {
    const found = new Set<Var>();
    forEachStmt(body, (s) => {
      for (const e of stmtExprs(s)) forEachSubExpr(e, (x) => x.k === "var" && found.add(x.v));
    });
    namedMemo.set(body, (named = found));
  }
  return named;
}

/** The callee's IR, or null where lowering it is refused (the caller may only read it as data). */
function calleeOf(sourceOf: SourceOf, key: string): IRFunction | null {
  try {
    return sourceOf(key);
  } catch (e) {
    if (e instanceof IrRefusal) return null;
    throw e;
  }
}

function readsOfResults(body: Block, sourceOf: SourceOf): Reads {
  const candidates = new Set<Var>();
  const declared = new Set<Var>();
  forEachStmt(body, (s) => {
    if (s.k !== "decl") return;
    // declared twice (a block entered again declares once per entry, but one decl statement)
    if (declared.has(s.v)) candidates.delete(s.v);
    else if (sourceCall(s.init)) candidates.add(s.v);
    declared.add(s.v);
  });
  const fields = new Map<Var, Set<string | number>>();
  const whole = new Set<Var>();
  const varReads = new Map<Var, number>();
  /** Reads of each result accounted for by the fields they read (a field read, a record handed on). */
  const accounted = new Map<Var, number>();
  const readFields = (v: Var, keys: Iterable<string | number>) => {
    accounted.set(v, (accounted.get(v) ?? 0) + 1);
    let read = fields.get(v);
    if (!read) fields.set(v, (read = new Set()));
    for (const key of keys) read.add(key);
  };
  /**
   * Field reads that read nothing in the end: inside a record handed to a source function that
   * does not read that field, or stored in a variable nothing reads (`let r = h(x)` is lowered to
   * a variable per field, `r_q = result.q` among them, whether or not `r.q` is ever read).
   */
  const unreadThere = new Set<Expr>();
  const namedHere = namedIn(body);
  forEachStmt(body, (s) => {
    if (s.k !== "decl" && s.k !== "assign") return;
    const stored = s.k === "decl" ? s.init : s.value;
    // a number or boolean only: an array stored may share its elements with something read
    const scalar = s.v.type.kind === "num" || s.v.type.kind === "bool";
    if (stored.k === "field" && scalar && !namedHere.has(s.v)) unreadThere.add(stored);
  });
  forEachStmt(body, (s) => {
    if (s.k === "assign" && candidates.has(s.v)) whole.add(s.v);
    for (const e of stmtExprs(s))
      forEachSubExpr(e, (x) => {
        if (x.k === "field" && x.obj.k === "var" && candidates.has(x.obj.v)) readFields(x.obj.v, unreadThere.has(x) ? [] : [x.key]);
        else if (x.k === "var" && candidates.has(x.v)) varReads.set(x.v, (varReads.get(x.v) ?? 0) + 1);
        else if (x.k === "call" && x.fn.kind === "user" && !parseDerivedKey(x.fn.key))
          // a record handed to a source function, whole (`h(r)`) or rebuilt from its fields
          // (`h({ p: r.p, q: r.q })`, as lowering passes one on): what the function reads of it
          x.args.forEach((a, i) => {
            if (a.k !== "var" && a.k !== "record") return;
            if (a.k === "var" && !candidates.has(a.v)) return;
            const read = fieldsReadByParameter(calleeOf(sourceOf, calleeKey(x.fn)), i);
            if (!read) return;
            if (a.k === "var") readFields(a.v, read);
            else for (const f of a.fields) if (f.value.k === "field" && f.value.key === f.key && !read.has(f.key)) unreadThere.add(f.value);
          });
      });
  });
  // each accounted read holds one read of the variable: any other read takes the record whole
  for (const [v, n] of varReads) if (n > (accounted.get(v) ?? 0)) whole.add(v);
  return { fields, whole };
}

/** The mask of fields kept (true) when `read` are the fields read; null when nothing is left out. */
function keptFields(type: RecordType, read: ReadonlySet<string | number>): boolean[] | null {
  const mask = type.fields.map((f) => read.has(f.key) || !droppable(f.type) || f.optional === true);
  return mask.every(Boolean) ? null : mask;
}

/** `fn` with its calls of source functions narrowed to the fields it reads of their results. */
export function narrowCallsToReadFields(fn: IRFunction, sourceOf: SourceOf): IRFunction {
  const reads = readsOfResults(fn.body, sourceOf);
  const narrowed = new Map<Var, boolean[]>();
  for (const [v, read] of reads.fields) {
    if (reads.whole.has(v)) continue;
    const mask = keptFields(v.type as RecordType, read);
    if (mask) narrowed.set(v, mask);
  }
  if (narrowed.size === 0) return fn;
  const body = mapBlock(fn.body, (s): Stmt => {
    if (s.k !== "decl" || !narrowed.has(s.v)) return s;
    const call = sourceCall(s.init)!;
    const key = derivedKey("fields", narrowed.get(s.v)!, calleeKey(call.fn));
    return { ...s, init: { ...call, fn: { kind: "user", key } } };
  });
  return { ...fn, body };
}

/**
 * `fn` returning only the fields of its result that `kept` marks: every other
 * field is its type's zero. A returned record literal has its unkept fields replaced; a returned
 * variable is rebuilt from field reads of it, unless its type has optional fields (a field read
 * would make an absent one present): that return stays whole, correct and no cheaper.
 */
export function keepReturnedFields(fn: IRFunction, kept: readonly boolean[]): Block {
  const type = fn.returnType as RecordType;
  const isKept = (key: string | number) => kept[type.fields.findIndex((f) => f.key === key)] !== false;
  const zeroOf = (key: string | number) => zeroValue(type.fields.find((f) => f.key === key)!.type);
  const project = (value: Expr): Expr => {
    if (value.k === "record")
      return { ...value, fields: value.fields.map((f) => (isKept(f.key) ? f : { key: f.key, value: zeroOf(f.key) })) };
    if (value.k !== "var" || type.fields.some((f) => f.optional === true)) return value;
    const fields = type.fields.map((f) => ({
      key: f.key,
      value: isKept(f.key) ? ({ k: "field", obj: value, key: f.key } as Expr) : zeroOf(f.key),
    }));
    return { k: "record", tuple: type.tuple, fields };
  };
  return mapBlock(fn.body, (s): Stmt => (s.k === "return" && s.value ? { ...s, value: project(s.value) } : s));
}
