/**
 * Vector forward mode: IR -> IR, over the forward pass's output. Every tangent carries
 * `directions` tangents at once, so that one sweep gives a Jacobian's columns together and the
 * primal is computed once rather than once per direction:
 *
 *   - a number's tangent becomes a Float64Array with one entry per direction, made once at the
 *     top of the function (`y_dot[d]` is the derivative along direction d);
 *   - an array's tangent of length n becomes an array of n * directions, direction d of element i
 *     at `i * directions + d`;
 *   - each statement computing a tangent is linear in the tangents it reads, so it becomes a loop
 *     over the directions, with its primal factors (the partials) and index arithmetic computed
 *     once before the loop.
 *
 * Calls of other functions' tangents call their vector versions. Tensors, tuples and objects of
 * tangents, stacks that carry tangents (forward over reverse) and customJvp rules are not
 * vectorized: `vectorize` refuses them, and the caller uses one sweep per direction instead.
 */
import { add, alloc, decl, index, mul, newVar, num, op, ref, typeOfValue } from "../ir/build.js";
import { derivedKey, parseDerivedKey } from "../ir/keys.js";
import type { Block, Expr, IRType, Stmt, Var } from "../ir/types.js";
import { NUM } from "../ir/types.js";
import { forEachSubExpr, mapBlock, mapStmtExprs, substitute, varsOf } from "../ir/visit.js";
import { refuse, TSG } from "../refusal.js";
import { calleeKey } from "../ir/build.js";
import type { Assembled } from "./assemble.js";

const F64: IRType = { kind: "array", elem: NUM, storage: "f64" };

/** The key of the vector tangent function of a function (`jvpVec[10](file#pos)`). */
export function vectorTangentKey(mask: readonly boolean[], key: string): string {
  return derivedKey("jvpVec", mask, key);
}

export function vectorize(tangent: Assembled): Assembled {
  return new Vectorizer().run(tangent);
}

class Vectorizer {
  /** How many directions: the function's last parameter. */
  readonly directions = newVar("directions", NUM, "param");
  /** Number tangents become buffers of one entry per direction. */
  private readonly buffers = new Map<Var, Var>();
  /** Records of a tangent call's result get variables of the vector call's type. */
  private readonly records = new Map<Var, Var>();
  private readonly prelude: Stmt[] = [];

  run(t: Assembled): Assembled {
    for (const p of t.params)
      if (p.role === "tangent" && p.type.kind !== "num" && !(p.type.kind === "array" && p.type.elem.kind === "num"))
        this.unsupported(
          `tangents of ${p.type.kind === "array" ? "nested arrays" : p.type.kind === "record" ? "tuples and objects" : "tensors"}`,
        );
    const params = t.params.map((p) => (p.role === "tangent" && p.type.kind === "num" ? this.buffer(p, false) : p));
    const body = this.block(t.body);
    const returnType = this.returnType(t.returnType);
    // reads of a call's result record go to its new variable
    const renamed = new Map<Var, Expr>([...this.records].map(([a, b]) => [a, ref(b)]));
    const renamedBody = mapBlock([...this.prelude, ...body], (s) => mapStmtExprs(s, (e) => substitute(e, renamed)));
    return { params: [...params, this.directions], body: renamedBody, returnType };
  }

  private unsupported(what: string): never {
    refuse(TSG.unsupportedSyntax, undefined, `vector forward mode does not handle ${what}`, "use one tangent sweep per direction");
  }

  /** The buffer of a number tangent; declared (zeros) at the top unless it is a parameter. */
  private buffer(v: Var, declare = true): Var {
    let b = this.buffers.get(v);
    if (!b) {
      b = newVar(v.name, F64, "tangent", { owned: true });
      this.buffers.set(v, b);
      if (declare) this.prelude.push(decl(b, alloc(ref(this.directions), "f64")));
    }
    return b;
  }

  private returnType(t: IRType): IRType {
    if (t.kind !== "record") return t;
    return {
      ...t,
      fields: t.fields.map((f) => (f.key === "tangent" && f.type.kind === "num" ? { key: f.key, type: F64 } : f)),
    };
  }

  private block(b: Block): Stmt[] {
    const out: Stmt[] = [];
    for (const s of b) this.stmt(s, out);
    return out;
  }

  private stmt(s: Stmt, out: Stmt[]): void {
    const o = s.origin;
    switch (s.k) {
      case "decl":
      case "assign": {
        const value = s.k === "decl" ? s.init : s.value;
        if (s.v.role !== "tangent") {
          if (value.k === "call" && value.fn.kind === "jvp") {
            const call = this.tangentCall(value, out, o);
            let r = this.records.get(s.v);
            if (!r) this.records.set(s.v, (r = newVar(s.v.name, call.type, s.v.role)));
            out.push(s.k === "decl" ? decl(r, call, o) : { k: "assign", v: r, value: call, origin: o });
            return;
          }
          if (value.k === "pop" || this.mentionsTangent(value)) this.unsupported("this statement");
          out.push(s);
          return;
        }
        if (s.v.type.kind === "num") {
          const b = this.buffer(s.v);
          this.perDirection(out, o, (d, pre) => ({
            k: "store",
            arr: b,
            index: d,
            value: this.scalar(value, d, pre),
            accumulate: false,
            origin: o,
          }));
          return;
        }
        if (s.v.type.kind === "array" && s.v.type.elem.kind === "array") {
          // an array of arrays: its rows are array tangents already (n * directions each)
          if (
            !(
              value.k === "var" ||
              value.k === "index" ||
              value.k === "copy" ||
              value.k === "field" ||
              (value.k === "arrayLit" && value.elems.every((el) => this.isTangentArray(el)))
            )
          )
            this.unsupported(`this tangent of an array of arrays (\`${value.k}\`)`);
          out.push(s);
          return;
        }
        if (s.v.type.kind === "array" && s.v.type.elem.kind === "num") {
          const { init, fill } = this.arrayValue(s.v, value);
          // `out = [out[1] + g, ...]`: the new elements read the old tangent, so they are made
          // apart and the variable takes them after
          const readsItself = s.k === "assign" && fill.some(([, e]) => varsOf(e).has(s.v));
          const target = readsItself ? newVar(s.v.name, s.v.type, "tangent", { owned: true }) : s.v;
          if (readsItself) out.push(decl(target, init, o));
          else out.push(s.k === "decl" ? { ...s, init } : { ...s, value: init });
          for (const [i, e] of fill)
            this.perDirection(out, o, (d, pre) => ({
              k: "store",
              arr: target,
              index: add(this.hoist(mul(i, ref(this.directions)), pre), d),
              value: this.scalar(e, d, pre),
              accumulate: false,
              origin: o,
            }));
          if (readsItself) out.push({ k: "assign", v: s.v, value: ref(target), origin: o });
          return;
        }
        return this.unsupported(`tangents of type ${s.v.type.kind}`);
      }
      case "store": {
        if (s.arr.role !== "tangent") {
          if (this.mentionsTangent(s.value)) this.unsupported("this store");
          out.push(s);
          return;
        }
        const pre: Stmt[] = [];
        const base = this.hoist(mul(s.index, ref(this.directions)), pre);
        out.push(...pre);
        this.perDirection(out, o, (d, p) => ({ ...s, index: add(base, d), value: this.scalar(s.value, d, p) }));
        return;
      }
      case "push":
        // a row pushed onto an array of arrays is already an array tangent: pushed once
        if (s.arr.role !== "tangent" || this.isTangentArray(s.value)) {
          out.push(s);
          return;
        }
        this.perDirection(out, o, (d, pre) => ({ ...s, value: this.scalar(s.value, d, pre) }));
        return;
      case "truncate":
        if (s.arr.role !== "tangent") {
          out.push(s);
          return;
        }
        this.perDirection(out, o, () => s);
        return;
      case "stackPush":
        if (this.mentionsTangent(s.value)) this.unsupported("stacks that carry tangents");
        out.push(s);
        return;
      case "if":
        out.push({ ...s, then: this.block(s.then), else: this.block(s.else) });
        return;
      case "loop":
        out.push({ ...s, body: this.block(s.body), update: this.block(s.update) });
        return;
      case "return": {
        const v = s.value;
        if (!v || v.k !== "record") this.unsupported("this return");
        out.push({
          ...s,
          value: { ...v, fields: v.fields.map((f) => (f.key === "tangent" ? { key: f.key, value: this.bufferOf(f.value, out, o) } : f)) },
        });
        return;
      }
      default:
        out.push(s);
    }
  }

  /** `for (let d = 0; d < directions; d++) <statement for d>`, the statement's primal parts first. */
  private perDirection(out: Stmt[], o: Stmt["origin"], make: (d: Expr, pre: Stmt[]) => Stmt): void {
    const d = newVar("d", NUM, "local");
    const pre: Stmt[] = [];
    const body = make(ref(d), pre);
    out.push(...pre, decl(d, num(0), o), {
      k: "loop",
      test: op("lt", ref(d), ref(this.directions)),
      testAtEnd: false,
      body: [body],
      update: [{ k: "assign", v: d, value: add(ref(d), num(1)), origin: o }],
      origin: o,
    });
  }

  /** A primal subexpression, computed once before the loop over directions. */
  private hoist(e: Expr, pre: Stmt[]): Expr {
    if (e.k === "num" || e.k === "var" || e.k === "bool") return e;
    const t = newVar("t", NUM, "local");
    pre.push(decl(t, e));
    return ref(t);
  }

  /** A number tangent expression, along direction `d`. */
  private scalar(e: Expr, d: Expr, pre: Stmt[]): Expr {
    if (!this.mentionsTangent(e)) return this.hoist(e, pre);
    switch (e.k) {
      case "var":
        if (e.v.type.kind === "num") return index(ref(this.buffer(e.v)), d);
        break;
      case "index":
        if (this.isTangentArray(e.arr)) return index(e.arr, add(this.hoist(mul(e.index, ref(this.directions)), pre), d));
        break;
      case "field":
        // the tangent of a call's number result: one entry per direction
        if (e.key === "tangent" && e.obj.k === "var") return index(e, d);
        break;
      case "op":
        if (e.op === "select")
          return op("select", this.hoist(e.args[0]!, pre), this.scalar(e.args[1]!, d, pre), this.scalar(e.args[2]!, d, pre));
        return { ...e, args: e.args.map((a) => this.scalar(a, d, pre)) };
    }
    this.unsupported(`the tangent expression \`${e.k}\``);
  }

  /**
   * An array tangent's new value, n * directions entries: what to make, and the elements to fill
   * in afterwards (by index, each a number tangent).
   */
  private arrayValue(v: Var, e: Expr): { init: Expr; fill: [Expr, Expr][] } {
    const k = ref(this.directions);
    switch (e.k) {
      case "copy":
      case "var":
      case "field":
      case "index":
        if (e.k === "copy" ? this.isTangentArray(e.arr) : this.isTangentArray(e)) return { init: e, fill: [] };
        break;
      case "alloc":
        if (e.fill.k === "num" && e.fill.value === 0) return { init: alloc(mul(e.length, k), e.storage), fill: [] };
        break;
      case "arrayLit":
        return {
          init: alloc(mul(num(e.elems.length), k), e.storage),
          fill: e.elems.flatMap((el, i): [Expr, Expr][] => (el.k === "num" && el.value === 0 ? [] : [[num(i), el]])),
        };
    }
    this.unsupported(`this array tangent (\`${e.k}\`) for ${v.name}`);
  }

  /**
   * The tangent a function returns, as a buffer: a variable's, zeros for a zero tangent, or a new
   * one filled (before the return, in `out`) from a number tangent expression.
   */
  private bufferOf(e: Expr, out: Stmt[], o: Stmt["origin"]): Expr {
    if (e.k === "var" && e.v.role === "tangent") return e.v.type.kind === "num" ? ref(this.buffer(e.v)) : e;
    if (e.k === "num" && e.value === 0) return alloc(ref(this.directions), "f64");
    if (e.k === "alloc" && e.fill.k === "num" && e.fill.value === 0) return alloc(mul(e.length, ref(this.directions)), e.storage);
    if (e.k === "field" && this.isTangentArray(e)) return e;
    if (this.mentionsTangent(e) && e.k !== "record") {
      const b = this.buffer(newVar("tangent", NUM, "tangent"));
      this.perDirection(out, o, (d, pre) => ({
        k: "store",
        arr: b,
        index: d,
        value: this.scalar(e, d, pre),
        accumulate: false,
        origin: o,
      }));
      return ref(b);
    }
    this.unsupported(`this returned tangent (\`${e.k}\`)`);
  }

  /** A constant zero tangent given to a vector tangent: a number's zeros, or an array's, per direction. */
  private zeroTangentArgument(a: Expr): Expr {
    if (a.k === "num" && a.value === 0) return alloc(ref(this.directions), "f64");
    if (a.k === "alloc" && a.fill.k === "num" && a.fill.value === 0) return alloc(mul(a.length, ref(this.directions)), a.storage);
    this.unsupported(`this constant tangent argument (\`${a.k}\`)`);
  }

  /**
   * A call of another function's tangent: its vector version, given buffers and the number of
   * directions. A number tangent that is not a variable (an element of an array's tangent) is
   * copied into a buffer of its own first (made once, at the top).
   */
  private tangentCall(e: Expr & { k: "call" }, out: Stmt[], o: Stmt["origin"]): Expr & { k: "call" } {
    if (e.fn.kind !== "jvp") return e;
    const inner = parseDerivedKey(e.fn.key);
    if (inner) this.unsupported("tangents of derivatives");
    // the primal arguments, then one tangent per active argument (forward.ts)
    const firstTangent = e.args.length - e.fn.active.filter(Boolean).length;
    const args = e.args.map((a, i) => {
      if (a.k === "var" && a.v.role === "tangent" && a.v.type.kind === "num") return ref(this.buffer(a.v));
      // a tangent folded to a zero (the tangent of `y - y`): zeros for every direction, as the
      // vector version reads one entry per direction
      if (i >= firstTangent && !this.mentionsTangent(a)) return this.zeroTangentArgument(a);
      if (!this.mentionsTangent(a) || this.isTangentArray(a)) return a;
      const b = this.buffer(newVar("arg_dot", NUM, "tangent"));
      this.perDirection(out, o, (d, pre) => ({
        k: "store",
        arr: b,
        index: d,
        value: this.scalar(a, d, pre),
        accumulate: false,
        origin: o,
      }));
      return ref(b);
    });
    const type = e.type.kind === "record" ? this.returnType(e.type) : e.type;
    return {
      k: "call",
      fn: { kind: "user", key: vectorTangentKey(e.fn.active, calleeKey({ kind: "user", key: e.fn.key })) },
      args: [...args, ref(this.directions)],
      type,
    };
  }
  /**
   * Whether an expression reads a tangent: a tangent variable, or the tangent of a tangent call's
   * result. A `.tangent` read elsewhere is data: the result of a `jvp` the program itself calls,
   * whose tangent is a number of the primal (`jvp(h)(a, 1).tangent` handed on as an argument).
   */
  private mentionsTangent(e: Expr): boolean {
    let found = false;
    forEachSubExpr(e, (x) => {
      if (x.k === "var" && x.v.role === "tangent") found = true;
      if (this.isCallTangent(x)) found = true;
    });
    return found;
  }

  /** `r.tangent` where `r` holds the result of a tangent call (its record has a vector version). */
  private isCallTangent(e: Expr): boolean {
    return e.k === "field" && e.key === "tangent" && e.obj.k === "var" && this.records.has(e.obj.v);
  }

  /** An array tangent: a tangent array variable, a call's array tangent, or a row of either. */
  private isTangentArray(e: Expr): boolean {
    if (e.k === "var") return e.v.role === "tangent" && e.v.type.kind === "array";
    if (e.k === "index") return this.isTangentArray(e.arr) && typeOfValue(e).kind === "array";
    return this.isCallTangent(e) && typeOfValue(e).kind === "array";
  }
}
