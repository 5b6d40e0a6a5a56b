/**
 * A-normal form: every numeric primitive and call gets its operands as atoms, so that each
 * statement is one primitive application whose partial derivatives the rule registry gives.
 * Intermediate values get temporaries (`t`); the inline pass folds the survivors back into
 * expressions when the derivative code is done.
 *
 * Atoms are constants, variables, and memory reads `a[i]` / `a.length` whose array is an atom.
 * Boolean expressions (comparisons, logic) and index expressions stay trees: they never carry a
 * derivative.
 */
import { decl, newVar, ref, typeOfValue } from "../ir/build.js";
import type { Block, Expr, IRFunction, Stmt } from "../ir/types.js";
import { isBooleanOp } from "../rules/primitives.js";

export { typeOfValue };

export function isAtom(e: Expr): boolean {
  switch (e.k) {
    case "num":
    case "bool":
    case "var":
    case "undef":
    case "str":
      return true;
    case "index":
      return isAtom(e.arr);
    case "len":
      return isAtom(e.arr);
    default:
      return false;
  }
}

export const isBooleanExpr = (e: Expr): boolean => e.k === "bool" || (e.k === "op" && isBooleanOp(e.op));

export function toAnf(fn: IRFunction): IRFunction {
  return { ...fn, body: anfBlock(fn.body) };
}

export function anfBlock(block: Block): Stmt[] {
  const out: Stmt[] = [];
  for (const s of block) anfStmt(s, out);
  return out;
}

function anfStmt(s: Stmt, out: Stmt[]): void {
  const o = s.origin;
  /** Makes `e` an atom, emitting temporaries for its parts into `out`. */
  const atom = (e: Expr): Expr => {
    if (isAtom(e)) return e.k === "index" || e.k === "len" ? atomArray(e) : e;
    if (isBooleanExpr(e)) return e;
    const top = shallow(e);
    const type = typeOfValue(e);
    const t = newVar("t", type, "temp", type.kind === "array" ? { owned: e.k !== "call" } : {});
    out.push(decl(t, top, o));
    return ref(t);
  };
  /** Memory reads keep their shape; only the array part is made an atom (`f(x)[1]` names the call). */
  const atomArray = (e: Expr): Expr => {
    if (e.k === "index") return { ...e, arr: atomArray(e.arr) };
    if (e.k === "len") return { ...e, arr: atomArray(e.arr) };
    return atom(e);
  };
  /** A field read reads a variable (or a field of one): a record made by a call is named first. */
  const fieldBase = (e: Expr): Expr => {
    if (e.k === "var") return e;
    if (e.k === "field") return { ...e, obj: fieldBase(e.obj) };
    const t = newVar("t", typeOfValue(e), "temp");
    out.push(decl(t, shallow(e), o));
    return ref(t);
  };
  /** One primitive application over atoms. */
  const shallow = (e: Expr): Expr => {
    switch (e.k) {
      case "op":
        if (isBooleanExpr(e)) return e;
        if (e.op === "select") return { ...e, args: [e.args[0]!, atom(e.args[1]!), atom(e.args[2]!)] };
        return { ...e, args: e.args.map(atom) };
      case "call":
        return { ...e, args: e.args.map(atom) };
      case "index":
      case "len":
        return atomArray(e);
      case "alloc":
        return { ...e, fill: atom(e.fill) };
      case "arrayLit":
        // a nested literal of constants stays one literal (its rows' entries made atoms)
        return { ...e, elems: e.elems.map((el) => (el.k === "arrayLit" ? shallow(el) : atom(el))) };
      case "copy":
        return { ...e, arr: atom(e.arr) };
      case "record":
        // a nested record literal stays one literal (its fields made atoms): `{ w, scale: { s } }`
        return { ...e, fields: e.fields.map((f) => ({ key: f.key, value: f.value.k === "record" ? shallow(f.value) : atom(f.value) })) };
      case "field":
        return { ...e, obj: fieldBase(e.obj) };
      default:
        return e;
    }
  };
  switch (s.k) {
    case "decl":
      out.push({ ...s, init: shallow(s.init) });
      return;
    case "assign":
      out.push({ ...s, value: shallow(s.value) });
      return;
    case "store":
      out.push({ ...s, value: atom(s.value) });
      return;
    case "push":
      out.push({ ...s, value: atom(s.value) });
      return;
    case "return":
      if (s.value && s.value.k !== "var" && !(s.value.k === "num")) {
        const type = typeOfValue(s.value);
        const t = newVar("result", type, "temp", type.kind === "array" ? { owned: false } : {});
        out.push(decl(t, shallow(s.value), o));
        out.push({ ...s, value: ref(t) });
      } else out.push(s);
      return;
    case "if":
      out.push({ ...s, then: anfBlock(s.then), else: anfBlock(s.else) });
      return;
    case "loop":
      out.push({ ...s, body: anfBlock(s.body), update: anfBlock(s.update) });
      return;
    default:
      out.push(s);
  }
}
