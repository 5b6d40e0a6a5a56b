/**
 * Assembly: wraps the passes' output into whole functions with the signatures of the public API
 * (grad, valueAndGrad, jvp, vjp's pullback) and of the internal calling convention between
 * generated functions (tangent functions and joint pullbacks of callees). This file holds what
 * the modes share and the reverse-mode signatures; assemble-forward.ts the forward-mode ones and
 * the second order built on them.
 */
import { alloc, decl, len, newVar, num, objectType, ref, sameKeys, typeOfValue } from "../ir/build.js";
import type { Block, Expr, IRFunction, IRType, Param, Stmt, Var } from "../ir/types.js";
import { NUM, STACK } from "../ir/types.js";
import { forEachStmt, forEachSubExpr, forEachVarInExpr, mapBlock, stmtExprs, writesOf } from "../ir/visit.js";
import { refuse, TSG } from "../refusal.js";
import { analyseActivity, type Activity } from "../analyse/activity.js";
import { ArrayAliases } from "../analyse/aliases.js";
import { makesTensorFromData, tensorArgIsDifferentiable, tensorCall } from "../rules/tensor-registry.js";
import { reversePass } from "./reverse/index.js";
import { differentiableLeaves } from "./reverse/adjoints.js";
import { writtenArgs } from "../ir/calls.js";

export interface Assembled {
  readonly params: readonly Var[];
  readonly body: Block;
  readonly returnType: IRType;
  /** The doc comment's first words, when the kind's usual ones would mislead. */
  readonly doc?: string;
  /** What the differentiating pass produced, before assembly (for `tsgrad emit --stages`). */
  readonly pass?: PassOutput;
}

/** A pass's output as it was handed to assembly: the tangent body, or the reverse pass's sweeps. */
export interface PassOutput {
  readonly stage: "forward" | "reverse";
  readonly sections: readonly { readonly label?: string; readonly body: Block }[];
}

function reverseSections(out: { readonly prelude: Block; readonly forward: Block; readonly reverse: Block }): PassOutput {
  return {
    stage: "reverse",
    sections: [
      { label: "prelude", body: out.prelude },
      { label: "forward sweep", body: out.forward },
      { label: "reverse sweep", body: out.reverse },
    ],
  };
}

/** Inputs of activity analysis: the leaves of the differentiated parameters. */
function inputLeaves(fn: IRFunction, wrt: readonly boolean[]): Var[] {
  return fn.params.flatMap((p, i) => (wrt[i] ? p.leaves.filter((l) => l.type.kind !== "bool") : []));
}

function resultVar(result: Expr): Var[] {
  return result.k === "var" ? [result.v] : [];
}

/** Variables a returned value is made of (a variable, or the fields of a record). */
function resultVarsOf(result: Expr): Var[] {
  if (result.k === "record") return result.fields.flatMap((f) => resultVarsOf(f.value));
  return resultVar(result);
}

/** The returned atom of a structured, A-normal-form function. */
export function returnedAtom(fn: IRFunction): Expr {
  const last = fn.body[fn.body.length - 1];
  if (!last || last.k !== "return" || !last.value) return num(0);
  return last.value;
}

/** Activity with respect to the differentiated parameters, towards every returned value. */
export function activityOf(fn: IRFunction, wrt: readonly boolean[]): Activity {
  const outputs: Var[] = [];
  forEachStmt(fn.body, (s) => {
    if (s.k === "return" && s.value) outputs.push(...resultVarsOf(s.value));
  });
  // arrays a function writes through its parameters are outputs too (a pullback's adjoints),
  // also when written through a row or another name (`const row_bar = rows_bar[i]`): those
  // among the differentiated parameters. One the caller does not differentiate (an adjoint array
  // of data, which the caller discards) gets no tangent argument, so nothing may flow into one
  const written = ArrayAliases.of(fn.body).expand(writesOf(fn.body));
  fn.params.forEach((p, i) => {
    if (wrt[i]) for (const leaf of p.leaves) if (leaf.type.kind === "array" && written.has(leaf)) outputs.push(leaf);
  });
  // parameters the calling convention does not write (a pullback writes its adjoint arrays, the
  // tangent version of one those and their tangents; a source function nothing it is given)
  const writtenPositions = new Set(writtenArgs({ kind: "user", key: fn.key }, fn.params.length));
  const readOnly = new Set(fn.params.filter((_, i) => !writtenPositions.has(i)).flatMap((p) => [p.root, ...p.leaves]));
  // written but not differentiated: the caller discards what flows into them, and passes no
  // tangent for them, also when they share memory with an active array here (an adjoint array
  // handed on to a callee, or saved on the tape in a loop)
  const discarded = new Set(fn.params.filter((_, i) => writtenPositions.has(i) && !wrt[i]).flatMap((p) => [p.root, ...p.leaves]));
  const activity = analyseActivity(fn.body, inputLeaves(fn, wrt), outputs, readOnly, discarded);
  refuseTensorsFromVariedData(fn, activity);
  return activity;
}

/**
 * `zeros([n])`, `rand(shape, seed)` and the like make tensors from data: a derivative flowing
 * into their shapes or seeds would be lost, so it is refused (scalar(x) and stack/concat carry
 * derivatives). `tensor(xs)` carries the derivative of its data (a number, an array, nested
 * arrays), not of its shape. A tensor that never reaches the result (an auxiliary output,
 * `hasAux`) loses nothing.
 */
function refuseTensorsFromVariedData(fn: IRFunction, activity: Activity): void {
  forEachStmt(fn.body, (s) => {
    if ((s.k === "decl" || s.k === "assign") && !activity.useful.has(s.v)) return;
    for (const e of stmtExprs(s))
      forEachSubExpr(e, (x) => {
        if (x.k !== "call" || x.fn.kind !== "tensor" || !makesTensorFromData(x.fn.key)) return;
        x.args.forEach((a, i) => {
          if (tensorArgIsDifferentiable(x.fn.key, i, x.args.length)) return; // tensor(xs): xs's derivative flows
          forEachVarInExpr(a, (v) => {
            if (activity.varied.has(v))
              refuse(
                TSG.unsupportedSyntax,
                s.origin,
                `${x.fn.key}(...) makes a tensor from data, but \`${v.name}\` carries a derivative that would be lost`,
                "build it with scalar(x), stack([...]) or concat([...]), which carry derivatives, or pass the tensor in as a parameter",
              );
          });
        });
      });
  });
}

// ----------------------------------------------------------------------------------------------
// gradients in the shape of the parameters

/** The gradient type of a parameter type (same shape; booleans have none). */
/** Booleans and strings carry no derivative: an object's gradient leaves them out. */
const carriesNoDerivative = (t: IRType): boolean => t.kind === "bool" || t.kind === "data";

/**
 * The type of a gradient: the parameter's shape, without an object's booleans and strings; a
 * tuple keeps every position (a 0 where the element carries no derivative), so that g[i] is the
 * gradient of p[i].
 */
export function gradientType(t: IRType): IRType {
  if (t.kind !== "record") return t;
  if (t.tuple)
    return { ...t, fields: t.fields.map((f) => ({ key: f.key, type: carriesNoDerivative(f.type) ? NUM : gradientType(f.type) })) };
  return { ...t, fields: t.fields.filter((f) => !carriesNoDerivative(f.type)).map((f) => ({ key: f.key, type: gradientType(f.type) })) };
}

function zerosOf(v: Var): Expr {
  const t = v.type;
  if (t.kind === "tensor") return tensorCall("zerosLike", [ref(v)]);
  if (t.kind === "array")
    return t.elem.kind === "array" || t.elem.kind === "tensor" ? { k: "zerosLike", arr: ref(v) } : alloc(len(ref(v)), t.storage);
  return num(0);
}

/** Declarations of the adjoints of differentiated parameters (zeros of their shape). */
function declareParamAdjoints(adjoints: ReadonlyMap<Var, Var>): Stmt[] {
  const out: Stmt[] = [];
  for (const [leaf, adj] of adjoints) out.push(decl(adj, zerosOf(leaf)));
  return out;
}

/** The gradient value of one parameter: its adjoint, rebuilt into records where needed. */
function gradientOf(p: Param, adjoints: ReadonlyMap<Var, Var>): Expr {
  const leafExpr = (leaf: Var): Expr => {
    const a = adjoints.get(leaf);
    return a ? ref(a) : zerosOf(leaf);
  };
  if (p.root.type.kind !== "record") return leafExpr(p.root);
  const build = (t: IRType, keys: readonly (string | number)[]): Expr => {
    if (t.kind !== "record") {
      const leaf = p.leaves.find((l) => l.path && sameKeys(l.path.keys, keys))!;
      return leafExpr(leaf);
    }
    return {
      k: "record",
      tuple: t.tuple,
      fields: t.fields
        .filter((f) => t.tuple || !carriesNoDerivative(f.type))
        .map((f) => ({ key: f.key, value: carriesNoDerivative(f.type) ? num(0) : build(f.type, [...keys, f.key]) })),
    };
  };
  return build(p.root.type, []);
}

/** One gradient bare, several as a tuple in parameter order. */
export function gradients(fn: IRFunction, wrt: readonly boolean[], adjoints: ReadonlyMap<Var, Var>): { value: Expr; type: IRType } {
  const chosen = fn.params.filter((_, i) => wrt[i]);
  const values = chosen.map((p) => gradientOf(p, adjoints));
  const types = chosen.map((p) => gradientType(p.root.type));
  if (values.length === 1) return { value: values[0]!, type: types[0]! };
  return {
    value: { k: "record", tuple: true, fields: values.map((v, i) => ({ key: i, value: v })) },
    type: { kind: "record", tuple: true, fields: types.map((t, i) => ({ key: i, type: t })) },
  };
}

// ----------------------------------------------------------------------------------------------
// reverse mode

/**
 * grad(f) and valueAndGrad(f): adjoints of the parameters, zero-initialised, the forward sweep,
 * the value (if wanted), the reverse sweep seeded with 1, the gradients. With `aux` (the local
 * passes/aux.ts set aside for `hasAux`), the result is `{ grad, aux }` or `{ value, aux, grad }`.
 */
export function assembleGradient(fn: IRFunction, wrt: readonly boolean[], withValue: boolean, seed?: Var, aux?: Var): Assembled {
  const result = returnedAtom(fn);
  const activity = activityOf(fn, wrt);
  const out = reversePass({ fn, result, activity, wrt, seed: seed ? ref(seed) : num(1) });
  const body: Stmt[] = [...declareParamAdjoints(out.paramAdjoints), ...out.prelude];
  body.push({ k: "section", sweep: "forward" }, ...out.forward);
  const grads = gradients(fn, wrt, out.paramAdjoints);
  let value: Var | null = null;
  if (withValue) {
    value = newVar("value", fn.returnType, "local");
    body.push(decl(value, result));
  }
  body.push({ k: "section", sweep: "reverse" }, ...out.reverse);
  const params = [...fn.params.map((p) => p.root), ...(seed ? [seed] : [])];
  const pass = reverseSections(out);
  if (!withValue && !aux) {
    body.push({ k: "return", value: grads.value });
    return { params, body, returnType: grads.type, pass };
  }
  const fields: { key: string; value: Expr; type: IRType }[] = [];
  if (value) fields.push({ key: "value", value: ref(value), type: fn.returnType });
  if (aux) fields.push({ key: "aux", value: ref(aux), type: aux.type });
  fields.push({ key: "grad", value: grads.value, type: grads.type });
  body.push({ k: "return", value: { k: "record", tuple: false, fields: fields.map(({ key, value }) => ({ key, value })) } });
  return { params, body, returnType: { kind: "record", tuple: false, fields: fields.map(({ key, type }) => ({ key, type })) }, pass };
}

/** The pullback vjp(f) returns: the gradient for a given cotangent of the output. */
export function assemblePublicPullback(fn: IRFunction, wrt: readonly boolean[]): Assembled {
  const seed = newVar(fn.returnType.kind === "array" ? "cotangent" : "cotangent", fn.returnType, "param", { owned: false });
  return assembleGradient(fn, wrt, false, seed);
}

/**
 * The joint pullback a generated function calls for a user function it calls:
 * `h_vjp(...args, seed, ...adjoint arrays of active array args)`. It recomputes h's primal,
 * accumulates into the array adjoints it is given, and returns the scalar adjoints (one bare,
 * several as a tuple, none: nothing).
 */
export function assembleCalleePullback(source: IRFunction, active: readonly boolean[]): Assembled {
  // the pullback recomputes what the caller's forward sweep already ran: its console calls
  // printed there, once, as the function's own run would
  return calleePullback({ ...source, body: mapBlock(source.body, (s) => (s.k === "log" ? [] : s)) }, active);
}

function calleePullback(fn: IRFunction, active: readonly boolean[]): Assembled {
  const result = returnedAtom(fn);
  const activity = activityOf(fn, active);
  const seed = newVar("seed", fn.returnType, "param", { owned: false });
  const out = reversePass({ fn, result, activity, wrt: active, seed: ref(seed) });
  const arrayAdjointParams: Var[] = [];
  const scalarAdjoints: Var[] = [];
  const body: Stmt[] = [];
  fn.params.forEach((p, i) => {
    if (!active[i]) return;
    // a tuple or object: every differentiable leaf of its type, in order, as the caller lists
    // them (reverse.ts, callAdjoint), also those the function never reads (a derived function's
    // parameter has leaves only for what it reads)
    const root = p.root;
    const leaves =
      root.type.kind === "record"
        ? differentiableLeaves(root.type).map(({ keys, type }) => ({
            keys,
            type,
            v: p.leaves.find((l) => l.path && sameKeys(l.path.keys, keys)),
          }))
        : [{ keys: [], type: root.type, v: root }];
    for (const leaf of leaves) {
      const adj = leaf.v && out.paramAdjoints.get(leaf.v);
      const name = leaf.v?.name ?? [root.name, ...leaf.keys].join("_");
      if (leaf.type.kind === "array") {
        // the caller's adjoint array, accumulated in place
        arrayAdjointParams.push(adj ?? newVar(`${name}_bar`, leaf.type, "adjoint", { owned: false }));
      } else {
        // zeros of the leaf's shape: a tensor's adjoint is a tensor even where nothing flows into it
        const a = adj ?? newVar(`${name}_bar`, leaf.type, "adjoint");
        scalarAdjoints.push(a);
        const path = leaf.keys.reduce<Expr>((obj, key) => ({ k: "field", obj, key }), ref(root));
        body.push(decl(a, leaf.v ? zerosOf(leaf.v) : leaf.type.kind === "tensor" ? tensorCall("zerosLike", [path]) : num(0)));
      }
    }
  });
  body.push(...out.prelude, { k: "section", sweep: "forward" }, ...out.forward);
  body.push({ k: "section", sweep: "reverse" }, ...out.reverse);
  let returnType: IRType = { kind: "void" };
  if (scalarAdjoints.length === 1) {
    body.push({ k: "return", value: ref(scalarAdjoints[0]!) });
    returnType = scalarAdjoints[0]!.type;
  } else if (scalarAdjoints.length > 1) {
    body.push({
      k: "return",
      value: { k: "record", tuple: true, fields: scalarAdjoints.map((a, i) => ({ key: i, value: ref(a) })) },
    });
    returnType = { kind: "record", tuple: true, fields: scalarAdjoints.map((a, i) => ({ key: i, type: a.type })) };
  }
  const params = [...fn.params.map((p) => p.root), seed, ...arrayAdjointParams.map((a) => withOwned(a))];
  return { params, body, returnType, pass: reverseSections(out) };
}

/**
 * The joint pullback of a gradient, grad[M](h) or valueAndGrad[M](h), called inside a function
 * being differentiated in reverse mode, without running the reverse pass over a reverse sweep.
 * For a scalar h, the cotangent u of the gradient with respect to the parameters M, pulled back to
 * a parameter j, is sum over m of d2h/dj dm u_m: the rows A (the active arguments) of the Hessian
 * times u, which is one forward sweep over grad[A](h) along u (`jvpKey`: jvp[M](grad[A](h))).
 * For valueAndGrad, the value's cotangent c adds c times grad[A](h), the same sweep's value.
 * Same calling convention as assembleCalleePullback.
 */
/**
 * The callee pullback that also keeps its function's value, for split mode
 * (passes/split-calls.ts cuts it in two): the value is pushed, after the forward sweep, onto a
 * stack of its own (`sink`), so that simplification keeps what computes it; the cut returns it.
 */
export function assembleValuePullback(source: IRFunction, active: readonly boolean[]): { assembled: Assembled; sink: Var } {
  // the forward half runs in place of the function: its console calls print there
  const assembled = calleePullback(source, active);
  const sink = newVar("valueSink", STACK, "control");
  const at = assembled.body.findIndex((s) => s.k === "section" && s.sweep === "reverse");
  const body: Stmt[] = [
    decl(sink, { k: "newStack", of: "ref" }),
    ...assembled.body.slice(0, at),
    { k: "stackPush", stack: sink, value: returnedAtom(source) },
    ...assembled.body.slice(at),
  ];
  return { assembled: { ...assembled, body }, sink };
}

export function assembleGradientPullback(
  h: IRFunction,
  gradMask: readonly boolean[],
  active: readonly boolean[],
  withValue: boolean,
  jvpKey: string,
): Assembled {
  const params = h.params.map((p) => p.root);
  const gradType = gradients(h, gradMask, new Map()).type;
  const seedType: IRType = withValue ? objectType({ value: h.returnType, grad: gradType }) : gradType;
  const seed = newVar("seed", seedType, "param", { owned: false });
  const u: Expr = withValue ? { k: "field", obj: ref(seed), key: "grad" } : ref(seed);
  const gradCount = gradMask.filter(Boolean).length;
  // a tensor's part of the seed is the number 0 where nothing flowed into it (an unread
  // gradient): the tangent sweep takes directions shaped like their parameters
  const shaped = (d: Expr, i: number): Expr => (params[i]!.type.kind === "tensor" ? tensorCall("broadcastLike", [d, ref(params[i]!)]) : d);
  const directions = gradMask.flatMap((m, i) =>
    m ? [shaped(gradCount === 1 ? u : ({ k: "field", obj: u, key: gradMask.slice(0, i).filter(Boolean).length } as Expr), i)] : [],
  );
  const activeType = gradients(h, active, new Map()).type;
  const sweepType: IRType = objectType({ value: activeType, tangent: activeType });
  const sweep = newVar("hessian_times_seed", sweepType, "temp");
  const body: Stmt[] = [
    decl(sweep, { k: "call", fn: { kind: "user", key: jvpKey }, args: [...params.map(ref), ...directions], type: sweepType }),
  ];
  const activeCount = active.filter(Boolean).length;
  const part = (field: "value" | "tangent", k: number): Expr => {
    const whole: Expr = { k: "field", obj: ref(sweep), key: field };
    return activeCount === 1 ? whole : { k: "field", obj: whole, key: k };
  };
  const c: Expr = { k: "field", obj: ref(seed), key: "value" };
  const arrayAdjoints: Var[] = [];
  const scalarResults: Expr[] = [];
  let k = 0;
  h.params.forEach((p, i) => {
    if (!active[i]) return;
    const tangent = part("tangent", k);
    const value = part("value", k);
    k++;
    if (p.root.type.kind === "array") {
      // the caller's adjoint array, accumulated in place
      const adj = newVar(`${p.root.name}_bar`, p.root.type, "adjoint", { owned: false });
      arrayAdjoints.push(adj);
      const j = newVar("j", NUM, "local");
      const term: Expr = withValue
        ? {
            k: "op",
            op: "add",
            args: [
              { k: "op", op: "mul", args: [c, { k: "index", arr: value, index: ref(j) }] },
              { k: "index", arr: tangent, index: ref(j) },
            ],
          }
        : { k: "index", arr: tangent, index: ref(j) };
      body.push(decl(j, num(0)), {
        k: "loop",
        test: { k: "op", op: "lt", args: [ref(j), len(ref(adj))] },
        testAtEnd: false,
        body: [{ k: "store", arr: adj, index: ref(j), value: term, accumulate: true }],
        update: [{ k: "assign", v: j, value: { k: "op", op: "add", args: [ref(j), num(1)] } }],
      });
    } else if (p.root.type.kind === "num") {
      scalarResults.push(withValue ? { k: "op", op: "add", args: [{ k: "op", op: "mul", args: [c, value] }, tangent] } : tangent);
    } else if (p.root.type.kind === "tensor") {
      scalarResults.push(withValue ? tensorCall("add", [tensorCall("mul", [c, value]), tangent]) : tangent);
    } else
      refuse(
        TSG.unsupportedSyntax,
        h.origin,
        `reverse mode through a derivative of \`${h.name}\` with respect to a ${p.root.type.kind} is not supported yet`,
        "differentiate with respect to numbers or arrays of numbers",
      );
  });
  let returnType: IRType = { kind: "void" };
  if (scalarResults.length === 1) {
    body.push({ k: "return", value: scalarResults[0]! });
    returnType = typeOfValue(scalarResults[0]!);
  } else if (scalarResults.length > 1) {
    body.push({ k: "return", value: { k: "record", tuple: true, fields: scalarResults.map((value, i) => ({ key: i, value })) } });
    returnType = { kind: "record", tuple: true, fields: scalarResults.map((_, i) => ({ key: i, type: typeOfValue(scalarResults[i]!) })) };
  }
  return {
    params: [...params, seed, ...arrayAdjoints],
    body,
    returnType,
    doc: `Pullback (the Hessian of \`${h.name}\` times the seed, by forward mode over its gradient) of`,
  };
}

/** Array adjoint parameters belong to the caller: never owned (stores into them always live). */
function withOwned(a: Var): Var {
  return a.owned === false ? a : (Object.assign(a, { owned: false }) as Var);
}
