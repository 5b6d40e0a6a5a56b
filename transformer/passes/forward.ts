/**
 * Forward mode (tangent) pass: IR -> IR.
 *
 * Every active variable v gets a tangent v_dot, computed next to v from the rule registry's
 * partials: v = op(a, b) gives v_dot = d op/da * a_dot + d op/db * b_dot. Control flow is kept as
 * it is (forward mode runs alongside the primal), so the output reads like the source with a
 * tangent line under each active line. Calls to other user functions call their generated
 * tangent function. The output is ordinary IR: the reverse pass's output can be fed back in
 * (forward over reverse), and this pass's output can be simplified and emitted.
 */
import {
  add,
  alloc,
  assign,
  bool,
  calleeKey,
  decl,
  index,
  len,
  mul,
  newVar,
  num,
  objectType,
  ref,
  shapeGuard,
  store,
} from "../ir/build.js";
import { isCheckpointCall, writtenArgs } from "../ir/calls.js";
import type { Block, Callee, Expr, IRFunction, IRType, Param, Stmt, Var } from "../ir/types.js";
import { refuse, TSG } from "../refusal.js";
import { ruleCall } from "./reverse/calls.js";
import { tensorCall, tensorJvp } from "../rules/tensor-registry.js";
import { NUM } from "../ir/types.js";
import { exprEquals, forEachStmt, forEachSubExpr, stmtExprs, varsOf } from "../ir/visit.js";
import { hasDataResult, type Activity } from "../analyse/activity.js";
import { derivativeKind, partial } from "../rules/registry.js";
import { typeOfValue } from "./anf.js";

export interface ForwardOutput {
  /** Parameters: the primal ones, then one tangent parameter per differentiated parameter. */
  readonly params: readonly Param[];
  readonly tangentParams: readonly Param[];
  /** Body ending in `return { value, tangent }`. */
  readonly body: Block;
}

/**
 * @param fn      the function in A-normal form
 * @param wrt     which parameters get a tangent parameter (by position)
 */
export function forwardPass(
  fn: IRFunction,
  activity: Activity,
  wrt: readonly boolean[],
  checkTangentsOf: string | null = null,
): ForwardOutput {
  refuseCheckpointed(fn);
  const tangents = new Map<Var, Var>();
  const tangentParams: Param[] = [];
  fn.params.forEach((p, i) => {
    if (!wrt[i]) return;
    const root = newVar(`${p.root.name}_dot`, p.root.type, "tangent", {
      shapeLike: p.root,
      ...(p.root.type.kind === "array" ? { owned: false } : {}),
    });
    const leaves = p.leaves.map((leaf) => {
      if (leaf === p.root) return root;
      return newVar(`${leaf.name}_dot`, leaf.type, "tangent", {
        shapeLike: leaf,
        path: { root, keys: leaf.path!.keys },
        ...(leaf.type.kind === "array" ? { owned: false } : {}),
      });
    });
    p.leaves.forEach((leaf, j) => tangents.set(leaf, leaves[j]!));
    tangentParams.push({ root, leaves, differentiable: true });
  });
  const pass = new Forward(activity, tangents);
  const checks = checkTangentsOf !== null ? tangentChecks(fn, tangentParams, wrt, checkTangentsOf) : [];
  return { params: fn.params, tangentParams, body: [...checks, ...pass.block(fn.body)] };
}

/** A tangent the caller passes must be shaped like its primal, and so must each array or tensor inside a tuple or object. */
/**
 * A checkpointed loop's reverse sweep (passes/reverse/checkpoint.ts) restores snapshots of values
 * and not of their tangents: differentiating it again would give wrong tangents, so it is refused.
 */
function refuseCheckpointed(fn: IRFunction): void {
  forEachStmt(fn.body, (s) => {
    for (const e of stmtExprs(s))
      forEachSubExpr(e, (x) => {
        if (x.k === "call" && isCheckpointCall(x.fn))
          refuse(
            TSG.checkpoint,
            s.origin,
            "a checkpointed loop's reverse sweep cannot be differentiated again (hvp, hessian, a derivative of a gradient)",
            "write `// @tsgrad checkpoint off` above the loop for second derivatives",
          );
      });
  });
}

function tangentChecks(fn: IRFunction, tangentParams: readonly Param[], wrt: readonly boolean[], name: string): Stmt[] {
  const out: Stmt[] = [];
  let k = 0;
  fn.params.forEach((p, i) => {
    if (!wrt[i]) return;
    const tangent = tangentParams[k++]!;
    p.leaves.forEach((x, j) => {
      const what = `\`${x === p.root ? x.name : [p.root.name, ...x.path!.keys].join(".")}\``;
      out.push(
        ...shapeGuard(
          ref(x),
          x.type,
          ref(tangent.leaves[j]!),
          `${name}: the tangent (direction) for ${what} must have the shape of ${what}`,
        ),
      );
    });
  });
  return out;
}

class Forward {
  constructor(
    private readonly activity: Activity,
    private readonly tangents: Map<Var, Var>,
  ) {}

  private tangentVar(v: Var): Var {
    let t = this.tangents.get(v);
    if (!t) {
      t = newVar(`${v.name}_dot`, v.type, "tangent", { shapeLike: v, ...(v.type.kind === "array" ? { owned: v.owned ?? false } : {}) });
      this.tangents.set(v, t);
    }
    return t;
  }

  private active(v: Var): boolean {
    return this.activity.isActive(v) && (v.role !== "param" || this.tangents.has(v));
  }

  /**
   * Forward over reverse: a stack that carries active values carries their tangents too, pushed
   * right after each value (zero for the inactive ones, so pushes and pops stay paired).
   */
  private stackCarriesTangents(stack: Var, type: IRType): boolean {
    return type.kind !== "bool" && this.activity.isActive(stack);
  }

  /** The tangent of an atom or memory read; null when it is structurally zero. */
  private tangentOf(e: Expr): Expr | null {
    switch (e.k) {
      case "var":
        return this.active(e.v) ? ref(this.tangentVar(e.v)) : null;
      case "index": {
        const arr = this.tangentOf(e.arr);
        return arr ? index(arr, e.index) : null;
      }
      case "field": {
        const obj = this.tangentOf(e.obj);
        return obj ? { k: "field", obj, key: e.key } : null;
      }
      case "call":
      case "op":
        // a comparison left in place (an argument `x > 0` for a boolean parameter) has no tangent
        if (typeOfValue(e).kind === "bool") return null;
        // A-normal form gives every call and primitive a statement of its own: one nested here
        // would have its derivative silently dropped
        throw new Error(`forward pass: a nested ${e.k} reached tangentOf`);
      default:
        return null;
    }
  }

  /** The tangent of a one-primitive expression over atoms, given its output `y`. */
  private tangentOfValue(e: Expr, y: Expr): Expr | null {
    if (e.k !== "op") return this.tangentOf(e);
    const kind = derivativeKind(e.op);
    if (kind === "zero" || kind === "boolean") return null;
    if (kind === "select") {
      const a = this.tangentOf(e.args[1]!);
      const b = this.tangentOf(e.args[2]!);
      if (!a && !b) return null;
      return { k: "op", op: "select", args: [e.args[0]!, a ?? num(0), b ?? num(0)] };
    }
    // group repeated operands (x * x): one term with the partials summed
    const groups: { arg: Expr; dArg: Expr; coef: Expr }[] = [];
    e.args.forEach((a, i) => {
      const da = this.tangentOf(a);
      if (!da) return;
      const p = partial(e.op, e.args, y, i);
      const g = groups.find((g) => exprEquals(g.arg, a));
      if (g) g.coef = add(g.coef, p);
      else groups.push({ arg: a, dArg: da, coef: p });
    });
    if (groups.length === 0) return null;
    return groups.map((g) => mul(g.coef, g.dArg)).reduce((s, t) => add(s, t));
  }

  block(b: Block): Stmt[] {
    const out: Stmt[] = [];
    for (const s of b) this.stmt(s, out);
    return out;
  }

  private stmt(s: Stmt, out: Stmt[]): void {
    const o = s.origin;
    switch (s.k) {
      case "decl":
      case "assign": {
        const v = s.k === "decl" ? s.v : s.v;
        const value = s.k === "decl" ? s.init : s.value;
        if (value.k === "pop" && this.stackCarriesTangents(value.stack, value.type)) {
          // the tangent was pushed after the value, so it comes off first
          const popTangent: Expr = { k: "pop", stack: value.stack, type: value.type };
          if (this.active(v)) out.push((s.k === "decl" ? decl : assign)(this.tangentVar(v), popTangent, o));
          else out.push(decl(newVar("unused", { kind: "void" }, "temp"), popTangent, o));
          out.push(s);
          return;
        }
        if (
          value.k === "call" &&
          writtenArgs(value.fn, value.args.length).length > 0 &&
          value.args.some((a) => this.tangentOf(a) !== null)
        ) {
          // a pullback (or the tangent version of one) accumulates into active adjoint arrays:
          // its tangent version must run even when its own result carries nothing
          this.call(s, v, value, out);
          return;
        }
        if (!this.active(v)) {
          out.push(s);
          return;
        }
        if (value.k === "call") {
          this.call(s, v, value, out);
          return;
        }
        if (value.k === "record") {
          out.push(s);
          out.push((s.k === "decl" ? decl : assign)(this.tangentVar(v), this.recordTangent(value), o));
          return;
        }
        if (value.k === "alloc" || value.k === "arrayLit" || value.k === "copy" || value.k === "zerosLike") {
          out.push(s);
          const dv = this.tangentVar(v);
          out.push((s.k === "decl" ? decl : assign)(dv, this.arrayTangent(value, v), o));
          return;
        }
        const selfRef = varsOf(value).has(v);
        if (s.k === "decl" || !selfRef) {
          out.push(s);
          const dv = this.tangentVar(v);
          const t = this.tangentOfValue(value, ref(v)) ?? this.zeroLike(v.type, ref(v));
          out.push((s.k === "decl" ? decl : assign)(dv, t, o));
          return;
        }
        // v = op(v, ...): the tangent reads the old v, the output is the new one
        const y = newVar("t", v.type, "temp");
        out.push(decl(y, value, o));
        const t = this.tangentOfValue(value, ref(y)) ?? num(0);
        const dy = newVar("t_dot", v.type, "tangent", { shapeLike: v });
        out.push(decl(dy, t, o));
        out.push(assign(v, ref(y), o));
        out.push(assign(this.tangentVar(v), ref(dy), o));
        return;
      }
      case "store": {
        out.push(s);
        if (!this.active(s.arr)) return;
        const dArr = this.tangentVar(s.arr);
        const t = this.tangentOfValue(s.value, s.value) ?? num(0);
        out.push(store(dArr, s.index, t, o, s.accumulate));
        return;
      }
      case "push": {
        out.push(s);
        if (!this.active(s.arr)) return;
        out.push({
          k: "push",
          arr: this.tangentVar(s.arr),
          value: this.tangentOf(s.value) ?? this.zeroLike(typeOfValue(s.value), s.value),
          origin: o,
        });
        return;
      }
      case "truncate": {
        out.push(s);
        if (this.active(s.arr)) out.push({ k: "truncate", arr: this.tangentVar(s.arr), origin: o });
        return;
      }
      case "if":
        out.push({ ...s, then: this.block(s.then), else: this.block(s.else) });
        return;
      case "loop":
        out.push({ ...s, body: this.block(s.body), update: this.block(s.update) });
        return;
      case "return": {
        if (!s.value) {
          out.push(s);
          return;
        }
        const type = typeOfValue(s.value);
        const tangent = this.tangentOf(s.value) ?? this.zeroLike(type, s.value);
        out.push({
          k: "return",
          value: {
            k: "record",
            tuple: false,
            fields: [
              { key: "value", value: s.value },
              { key: "tangent", value: tangent },
            ],
          },
          origin: o,
        });
        return;
      }
      case "stackPush": {
        out.push(s);
        const type = typeOfValue(s.value);
        if (this.stackCarriesTangents(s.stack, type)) out.push({ ...s, value: this.tangentOf(s.value) ?? this.zeroLike(type, s.value) });
        return;
      }
      default:
        out.push(s);
    }
  }

  /** v = h(args) where h is a user function: call its tangent function once for both. */
  private call(s: Stmt & { k: "decl" | "assign" }, v: Var, value: Expr & { k: "call" }, out: Stmt[]): void {
    const o = s.origin;
    if (value.fn.kind === "opaque" && value.fn.body) {
      // a rule's invocation: differentiate the rule's own body
      this.call(s, v, { ...value, fn: { kind: "user", key: value.fn.body } }, out);
      return;
    }
    if (value.fn.kind === "opaque") {
      if (!value.args.some((a) => varsOf(a).has(v))) {
        out.push(s);
        out.push((s.k === "decl" ? decl : assign)(this.tangentVar(v), this.ruleTangent(value, value.fn, v, out), o));
        return;
      }
      // `v = rule(v)`: the rule reads the old v, so the new value waits in a temporary
      const y = newVar("t", v.type, "temp");
      out.push(decl(y, value, o));
      const dy = newVar("t_dot", v.type, "tangent", { shapeLike: v });
      out.push(decl(dy, this.ruleTangent(value, value.fn, y, out), o), assign(v, ref(y), o), assign(this.tangentVar(v), ref(dy), o));
      return;
    }
    if (value.fn.kind === "tensor") {
      this.tensorCall(s, v, value, value.fn.key, out);
      return;
    }
    // a sort's order is data, also when the values it orders come back from a stack with tangents
    const activeArgs = value.args.map((a) => !hasDataResult(value.fn) && this.tangentOf(a) !== null);
    const args: Expr[] = [...value.args];
    value.args.forEach((a, i) => {
      if (activeArgs[i]) args.push(this.tangentOf(a)!);
    });
    const resultType: IRType = objectType({ value: value.type, tangent: value.type });
    const r = newVar(`${v.name}_jvp`, resultType, "temp");
    if (!activeArgs.some(Boolean)) {
      out.push(s);
      out.push((s.k === "decl" ? decl : assign)(this.tangentVar(v), this.zeroLike(v.type, ref(v)), o));
      return;
    }
    const jvpCall: Expr = { k: "call", fn: { kind: "jvp", key: calleeKey(value.fn), active: activeArgs }, args, type: resultType };
    if (value.type.kind === "void") {
      // a pullback returning nothing: its tangent version updates the tangents of the arrays
      out.push(decl(newVar("unused", { kind: "void" }, "temp"), { ...jvpCall, type: { kind: "void" } }, o));
      return;
    }
    out.push(decl(r, jvpCall, o));
    const mk = s.k === "decl" ? decl : assign;
    out.push(mk(v, { k: "field", obj: ref(r), key: "value" }, o));
    out.push(mk(this.tangentVar(v), { k: "field", obj: ref(r), key: "tangent" }, o));
  }

  /**
   * A tensor operation: the tangent is the sum, over its differentiable arguments with a tangent,
   * of the rule's term for each. When the target is also an argument (`t = add(t, x)`), the
   * output goes to a temporary first: the terms read the old value.
   */
  private tensorCall(s: Stmt & { k: "decl" | "assign" }, v: Var, value: Expr & { k: "call" }, name: string, out: Stmt[]): void {
    const o = s.origin;
    const selfRef = value.args.some((a) => varsOf(a).has(v));
    const y = selfRef ? newVar("t", v.type, "temp") : v;
    out.push(selfRef ? decl(y, value, o) : s);
    const terms: Expr[] = [];
    value.args.forEach((a, i) => {
      const d = this.tangentOf(a);
      if (!d) return;
      const term = tensorJvp(name, i, value.args, ref(y), d);
      if (term) terms.push(term);
    });
    const tensorType = v.type.kind === "tensor";
    const tangent =
      terms.length === 0
        ? this.zeroLike(v.type, ref(y))
        : terms.reduce((acc, t) => (tensorType ? tensorCall("add", [acc, t]) : add(acc, t)));
    const mk = s.k === "decl" && !selfRef ? decl : assign;
    if (selfRef) {
      const dy = newVar("t_dot", v.type, "tangent", { shapeLike: v });
      out.push(decl(dy, tangent, o), assign(v, ref(y), o), assign(this.tangentVar(v), ref(dy), o));
      return;
    }
    out.push(mk(this.tangentVar(v), tangent, o));
  }

  /**
   * The tangent of a call of a function with the user's own rule: customJvp's rule directly;
   * customVjp's rule with cotangent 1, dotted with the tangents (scalar outputs); zero for
   * nonDifferentiable.
   */
  private ruleTangent(value: Expr & { k: "call" }, fn: Callee & { kind: "opaque" }, v: Var, out: Stmt[]): Expr {
    const types = value.args.map(typeOfValue);
    const tangents = value.args.map((a, i) => this.tangentOf(a) ?? this.zeroLike(types[i]!, a));
    if (!fn.rule || value.args.every((a) => this.tangentOf(a) === null)) return this.zeroLike(v.type, ref(v));
    if (fn.rule.jvp) return { k: "call", fn: ruleCall(fn, "tsgradJvp", fn.rule.jvp), args: [...value.args, ...tangents], type: v.type };
    if (v.type.kind !== "num")
      refuse(
        TSG.badRule,
        undefined,
        "forward mode through a customVjp rule needs a function returning a number",
        "give the function a customJvp rule for forward mode",
      );
    const gradType: IRType =
      types.length === 1 ? types[0]! : { kind: "record", tuple: true, fields: types.map((t, i) => ({ key: i, type: t })) };
    const gv = newVar(`${v.name}_rule_grad`, gradType, "tangent");
    out.push(decl(gv, { k: "call", fn: ruleCall(fn, "tsgradVjp", fn.rule.vjp!), args: [...value.args, ref(v), num(1)], type: gradType }));
    const g = ref(gv);
    const terms = value.args.flatMap((a, i): Expr[] => {
      const t = this.tangentOf(a);
      if (!t) return [];
      const gi: Expr = types.length === 1 ? g : { k: "field", obj: g, key: i };
      const kind = types[i]!.kind;
      if (kind === "array") return [{ k: "call", fn: { kind: "runtime", key: "dot" }, args: [gi, t], type: NUM }];
      if (kind === "tensor") return [tensorCall("item", [tensorCall("sum", [tensorCall("mul", [gi, t])])])];
      if (kind !== "num")
        refuse(
          TSG.badRule,
          undefined,
          "forward mode through a customVjp rule takes numbers, arrays and tensors as arguments",
          "give the function a customJvp rule for forward mode",
        );
      return [mul(gi, t)];
    });
    return terms.reduce((acc, t) => add(acc, t));
  }

  /** The tangent of a record literal, field by field (nested literals included). */
  private recordTangent(value: Expr & { k: "record" }): Expr {
    return {
      k: "record",
      tuple: value.tuple,
      fields: value.fields.map((f) => ({
        key: f.key,
        value:
          f.value.k === "record"
            ? this.recordTangent(f.value)
            : f.value.k === "undef"
              ? f.value // an optional field left out has no tangent either
              : (this.tangentOf(f.value) ?? this.zeroLike(typeOfValue(f.value), f.value)),
      })),
    };
  }

  private arrayTangent(value: Expr, v: Var): Expr {
    switch (value.k) {
      case "alloc":
        return alloc(value.length, value.storage, this.tangentOf(value.fill) ?? num(0));
      case "arrayLit":
        // the rows of a nested literal are arrays: a row without a tangent has zeros
        return {
          k: "arrayLit",
          storage: value.storage,
          elems: value.elems.map((e) => this.tangentOf(e) ?? (typeOfValue(e).kind === "array" ? this.zeroLike(typeOfValue(e), e) : num(0))),
        };
      case "copy": {
        const t = this.tangentOf(value.arr);
        return t ? { k: "copy", arr: t, storage: value.storage } : alloc(len(value.arr), value.storage);
      }
      case "zerosLike":
        return value;
      default:
        return this.zeroLike(v.type, ref(v));
    }
  }

  /** A zero of the given type, shaped like `like` for arrays and records. */
  private zeroLike(type: IRType, like: Expr): Expr {
    if (type.kind === "tensor") return tensorCall("zerosLike", [like]);
    if (type.kind === "array")
      return type.elem.kind === "array" || type.elem.kind === "tensor" ? { k: "zerosLike", arr: like } : alloc(len(like), type.storage);
    if (type.kind === "record")
      return {
        k: "record",
        tuple: type.tuple,
        // an optional field too: its tangent is read where the field is given, and must be a number there
        fields: type.fields.map((f) => ({ key: f.key, value: this.zeroLike(f.type, { k: "field", obj: like, key: f.key }) })),
      };
    return type.kind === "bool" ? bool(false) : num(0);
  }
}
