/**
 * Assembly: wraps the passes' output into whole functions with the signatures of the public API
 * (grad, valueAndGrad, jvp, vjp's pullback) and of the internal calling convention between
 * generated functions (tangent functions and joint pullbacks of callees).
 */
import { alloc, decl, len, newVar, num, ref, sameKeys, shapeGuard, typeOfValue } from "../ir/build.js";
import type { Block, Callee, Expr, IRFunction, IRType, Param, Stmt, Var } from "../ir/types.js";
import { NUM, TENSOR } from "../ir/types.js";
import { forEachStmt, forEachSubExpr, forEachVarInExpr, mapBlock, stmtExprs, writesOf } from "../ir/visit.js";
import { refuse, TSG } from "../refusal.js";
import { analyseActivity, type Activity } from "../analyse/activity.js";
import { ArrayAliases } from "../analyse/aliases.js";
import { forwardPass } from "./forward.js";
import { makesTensorFromData, tensorCall } from "../rules/tensor-registry.js";
import { reversePass } from "./reverse/index.js";
import { differentiableLeaves } from "./reverse/adjoints.js";
import { parseDerivedKey } from "../ir/keys.js";
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
 * `tensor([x, y])`, `zeros([n])` and the like make tensors from data: a derivative flowing into
 * them would be lost, so it is refused (scalar(x) and stack/concat carry derivatives).
 */
function refuseTensorsFromVariedData(fn: IRFunction, activity: Activity): void {
  forEachStmt(fn.body, (s) => {
    for (const e of stmtExprs(s))
      forEachSubExpr(e, (x) => {
        if (x.k !== "call" || x.fn.kind !== "tensor" || !makesTensorFromData(x.fn.key)) return;
        for (const a of x.args)
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
  if (t.tuple) return { ...t, fields: t.fields.map((f) => ({ key: f.key, type: carriesNoDerivative(f.type) ? NUM : gradientType(f.type) })) };
  return { ...t, fields: t.fields.filter((f) => !carriesNoDerivative(f.type)).map((f) => ({ key: f.key, type: gradientType(f.type) })) };
}

function zerosOf(v: Var): Expr {
  const t = v.type;
  if (t.kind === "tensor") return tensorCall("zerosLike", [ref(v)]);
  if (t.kind === "array") return t.elem.kind === "array" || t.elem.kind === "tensor" ? { k: "zerosLike", arr: ref(v) } : alloc(len(ref(v)), t.storage);
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
function gradients(fn: IRFunction, wrt: readonly boolean[], adjoints: ReadonlyMap<Var, Var>): { value: Expr; type: IRType } {
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
 * the value (if wanted), the reverse sweep seeded with 1, the gradients.
 */
export function assembleGradient(fn: IRFunction, wrt: readonly boolean[], withValue: boolean, seed?: Var): Assembled {
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
  if (withValue) {
    const type: IRType = {
      kind: "record",
      tuple: false,
      fields: [
        { key: "value", type: fn.returnType },
        { key: "grad", type: grads.type },
      ],
    };
    body.push({
      k: "return",
      value: {
        k: "record",
        tuple: false,
        fields: [
          { key: "value", value: ref(value!) },
          { key: "grad", value: grads.value },
        ],
      },
    });
    return { params: [...fn.params.map((p) => p.root), ...(seed ? [seed] : [])], body, returnType: type, pass: reverseSections(out) };
  }
  body.push({ k: "return", value: grads.value });
  return { params: [...fn.params.map((p) => p.root), ...(seed ? [seed] : [])], body, returnType: grads.type, pass: reverseSections(out) };
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
export function assembleCalleePullback(fn: IRFunction, active: readonly boolean[]): Assembled {
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
        ? differentiableLeaves(root.type).map(({ keys, type }) => ({ keys, type, v: p.leaves.find((l) => l.path && sameKeys(l.path.keys, keys)) }))
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
export function assembleGradientPullback(h: IRFunction, gradMask: readonly boolean[], active: readonly boolean[], withValue: boolean, jvpKey: string): Assembled {
  const params = h.params.map((p) => p.root);
  const gradType = gradients(h, gradMask, new Map()).type;
  const seedType: IRType = withValue
    ? { kind: "record", tuple: false, fields: [{ key: "value", type: h.returnType }, { key: "grad", type: gradType }] }
    : gradType;
  const seed = newVar("seed", seedType, "param", { owned: false });
  const u: Expr = withValue ? { k: "field", obj: ref(seed), key: "grad" } : ref(seed);
  const gradCount = gradMask.filter(Boolean).length;
  // a tensor's part of the seed is the number 0 where nothing flowed into it (an unread
  // gradient): the tangent sweep takes directions shaped like their parameters
  const shaped = (d: Expr, i: number): Expr => (params[i]!.type.kind === "tensor" ? tensorCall("broadcastLike", [d, ref(params[i]!)]) : d);
  const directions = gradMask.flatMap((m, i) => (m ? [shaped(gradCount === 1 ? u : ({ k: "field", obj: u, key: gradMask.slice(0, i).filter(Boolean).length } as Expr), i)] : []));
  const activeType = gradients(h, active, new Map()).type;
  const sweepType: IRType = { kind: "record", tuple: false, fields: [{ key: "value", type: activeType }, { key: "tangent", type: activeType }] };
  const sweep = newVar("hessian_times_seed", sweepType, "temp");
  const body: Stmt[] = [decl(sweep, { k: "call", fn: { kind: "user", key: jvpKey }, args: [...params.map(ref), ...directions], type: sweepType })];
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
        ? { k: "op", op: "add", args: [{ k: "op", op: "mul", args: [c, { k: "index", arr: value, index: ref(j) }] }, { k: "index", arr: tangent, index: ref(j) }] }
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
    } else refuse(TSG.unsupportedSyntax, h.origin, `reverse mode through a derivative of \`${h.name}\` with respect to a ${p.root.type.kind} is not supported yet`, "differentiate with respect to numbers or arrays of numbers");
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

// ----------------------------------------------------------------------------------------------
// forward mode

/**
 * jvp(f) and callee tangent functions: primal and tangent parameters, `{ value, tangent }`.
 * `checkTangentsOf`: check on entry that array and tensor tangents are shaped like their
 * primals, naming this function (the user's, also when `fn` is its generated gradient) in errors.
 */
export function assembleTangent(fn: IRFunction, wrt: readonly boolean[], checkTangentsOf: string | null = null): Assembled {
  const activity = activityOf(fn, wrt);
  const out = forwardPass(fn, activity, wrt, checkTangentsOf);
  const params = [...out.params.map((p) => p.root), ...out.tangentParams.map((p) => p.root)];
  const returnType: IRType = {
    kind: "record",
    tuple: false,
    fields: [
      { key: "value", type: fn.returnType },
      { key: "tangent", type: fn.returnType },
    ],
  };
  return { params, body: out.body, returnType, pass: { stage: "forward", sections: [{ body: out.body }] } };
}

/** vjp(f): the value now, and a pullback that computes the gradient for any cotangent. */
export function assembleVjpWrapper(fn: IRFunction, wrt: readonly boolean[], pullbackKey: string): Assembled {
  const params = fn.params.map((p) => p.root);
  const value = newVar("value", fn.returnType, "local");
  const cot = newVar("cotangent", fn.returnType, "param", { owned: false });
  const gradType = gradients(fn, wrt, new Map()).type;
  const body: Stmt[] = [
    decl(value, { k: "call", fn: { kind: "user", key: fn.key }, args: params.map(ref), type: fn.returnType }),
    {
      k: "return",
      value: {
        k: "record",
        tuple: false,
        fields: [
          { key: "value", value: ref(value) },
          {
            key: "pullback",
            value: {
              k: "closure",
              params: [cot],
              returnType: gradType,
              body: [
                ...shapeGuard(ref(value), fn.returnType, ref(cot), `${fn.name}: the cotangent must have the shape of the output`),
                {
                  k: "return",
                  value: { k: "call", fn: { kind: "user", key: pullbackKey }, args: [...params.map(ref), ref(cot)], type: gradType },
                },
              ],
            },
          },
        ],
      },
    },
  ];
  return {
    params,
    body,
    returnType: {
      kind: "record",
      tuple: false,
      fields: [
        { key: "value", type: fn.returnType },
        { key: "pullback", type: { kind: "void" } },
      ],
    },
  };
}

// ----------------------------------------------------------------------------------------------
// second order, by forward over reverse

function tangentOfCall(fn: IRFunction, jvpKey: string, args: readonly Expr[], type: IRType): Expr {
  const resultType: IRType = { kind: "record", tuple: false, fields: [{ key: "value", type }, { key: "tangent", type }] };
  return { k: "call", fn: { kind: "user", key: jvpKey }, args, type: resultType };
}

/**
 * A tangent function that returns only its tangent: hvp(f) is the tangent sweep over grad(f)
 * along the direction, without the gradient itself (whose accumulations the simplifier then
 * drops wherever no tangent reads them). Never builds the Hessian.
 */
export function tangentOnly(a: Assembled): Assembled {
  const tangentOf = (e: Expr): Expr => (e.k === "record" ? e.fields.find((f) => f.key === "tangent")!.value : { k: "field", obj: e, key: "tangent" });
  const body = mapBlock(a.body, (s) => (s.k === "return" && s.value ? { ...s, value: tangentOf(s.value) } : s));
  const returnType = a.returnType.kind === "record" ? a.returnType.fields.find((f) => f.key === "tangent")!.type : a.returnType;
  return { ...a, body, returnType };
}

/**
 * hessian(f)(x): the Hessian matrix, one Hessian-vector product per basis vector (the runtime's
 * hessianFromHvp loops over them). For a number parameter, the second derivative; for a tensor,
 * a tensor of shape [...x's shape, ...x's shape].
 */
export function assembleHessian(fn: IRFunction, mask: readonly boolean[], hvpKey: string): Assembled {
  const params = fn.params.map((p) => p.root);
  const i = mask.indexOf(true);
  const x = params[i]!;
  const hvp = (dir: Expr): Expr => ({ k: "call", fn: { kind: "user", key: hvpKey }, args: [...params.map(ref), dir], type: x.type });
  if (x.type.kind === "num") return { params, body: [{ k: "return", value: hvp(num(1)) }], returnType: NUM };
  const dir = newVar("direction", x.type, "param", { owned: false });
  const product: Expr = { k: "closure", params: [dir], returnType: x.type, body: [{ k: "return", value: hvp(ref(dir)) }] };
  // a tensor's Hessian is the Jacobian of its gradient, shape [...x's shape, ...x's shape]
  const tensors = x.type.kind === "tensor";
  const matrix: IRType = tensors ? TENSOR : { kind: "array", elem: { kind: "array", elem: NUM, storage: "array" }, storage: "array" };
  const fromProducts: Callee = tensors ? { kind: "tensor", key: "jacobianFromTangents" } : { kind: "runtime", key: "hessianFromHvp" };
  return {
    params,
    body: [{ k: "return", value: { k: "call", fn: fromProducts, args: [product, ref(x)], type: matrix } }],
    returnType: matrix,
  };
}

/**
 * The derivative of a function of one number (grad(grad(g)), valueAndGrad(grad(g))): its
 * tangent along 1, in one forward sweep (`jvpKey`: the tangent function of `fn`).
 */
export function assembleDerivative(fn: IRFunction, mask: readonly boolean[], jvpKey: string, withValue: boolean): Assembled {
  const params = fn.params.map((p) => p.root);
  const ones = mask.flatMap((m) => (m ? [num(1)] : []));
  const r = newVar("r", { kind: "record", tuple: false, fields: [{ key: "value", type: NUM }, { key: "tangent", type: NUM }] }, "temp");
  const body: Stmt[] = [decl(r, tangentOfCall(fn, jvpKey, [...params.map(ref), ...ones], NUM))];
  if (!withValue) {
    body.push({ k: "return", value: { k: "field", obj: ref(r), key: "tangent" } });
    return { params, body, returnType: NUM };
  }
  body.push({
    k: "return",
    value: {
      k: "record",
      tuple: false,
      fields: [
        { key: "value", value: { k: "field", obj: ref(r), key: "value" } },
        { key: "grad", value: { k: "field", obj: ref(r), key: "tangent" } },
      ],
    },
  });
  return { params, body, returnType: { kind: "record", tuple: false, fields: [{ key: "value", type: NUM }, { key: "grad", type: NUM }] } };
}

// ----------------------------------------------------------------------------------------------
// Jacobians

/**
 * jacobian(f)(x) for f: R^n -> R^m, rows are outputs: n tangent sweeps (forward, `jvpKey`) or m
 * pullbacks (reverse, `pullbackKey`); with both, the fewer sweeps, chosen at run time.
 */
export function assembleJacobian(fn: IRFunction, mask: readonly boolean[], jvpKey: string | null, pullbackKey: string | null): Assembled {
  const params = fn.params.map((p) => p.root);
  const x = params[mask.indexOf(true)]!;
  // arrays give rows of numbers; tensors a tensor of shape [...y's shape, ...x's shape]
  const tensors = x.type.kind === "tensor";
  const matrix: IRType = tensors ? TENSOR : { kind: "array", elem: { kind: "array", elem: NUM, storage: "array" }, storage: "array" };
  const helper = (runtimeKey: string, tensorKey: string): Callee => (tensors ? { kind: "tensor", key: tensorKey } : { kind: "runtime", key: runtimeKey });
  const forward = (): Expr => {
    if (parseDerivedKey(jvpKey!)?.kind === "jvpVec") {
      // one vector sweep along every basis direction: the tangent holds the whole Jacobian
      const identity: Expr = { k: "call", fn: { kind: "runtime", key: "identityDirections" }, args: [ref(x)], type: x.type };
      const sweepType: IRType = { kind: "record", tuple: false, fields: [{ key: "value", type: fn.returnType }, { key: "tangent", type: fn.returnType }] };
      const sweep: Expr = { k: "call", fn: { kind: "user", key: jvpKey! }, args: [...params.map(ref), identity, len(ref(x))], type: sweepType };
      return { k: "call", fn: { kind: "runtime", key: "jacobianRows" }, args: [{ k: "field", obj: sweep, key: "tangent" }, len(ref(x))], type: matrix };
    }
    const dir = newVar("direction", x.type, "param", { owned: false });
    const sweep = tangentOfCall(fn, jvpKey!, [...params.map(ref), ref(dir)], fn.returnType);
    return {
      k: "call",
      fn: helper("jacobianForward", "jacobianFromTangents"),
      args: [{ k: "closure", params: [dir], returnType: fn.returnType, body: [{ k: "return", value: { k: "field", obj: sweep, key: "tangent" } }] }, ref(x)],
      type: matrix,
    };
  };
  const y = newVar("y", fn.returnType, "local", { owned: false });
  const reverse = (): Expr => {
    const cot = newVar("cotangent", fn.returnType, "param", { owned: false });
    const pull: Expr = { k: "call", fn: { kind: "user", key: pullbackKey! }, args: [...params.map(ref), ref(cot)], type: x.type };
    return {
      k: "call",
      fn: helper("jacobianReverse", "jacobianFromPullbacks"),
      args: [{ k: "closure", params: [cot], returnType: x.type, body: [{ k: "return", value: pull }] }, ref(y), ...(tensors ? [ref(x)] : [])],
      type: matrix,
    };
  };
  const primal = (): Stmt => decl(y, { k: "call", fn: { kind: "user", key: fn.key }, args: params.map(ref), type: fn.returnType });
  if (!pullbackKey) return { params, body: [{ k: "return", value: forward() }], returnType: matrix };
  if (!jvpKey) return { params, body: [primal(), { k: "return", value: reverse() }], returnType: matrix };
  // as many sweeps as inputs (forward) or as outputs (reverse): the fewer
  const sizeOf = (v: Var): Expr => (tensors ? { k: "field", obj: ref(v), key: "size" } : { k: "len", arr: ref(v) });
  const fewerInputs = { k: "op", op: "le", args: [sizeOf(x), sizeOf(y)] } as const;
  return {
    params,
    body: [primal(), { k: "return", value: { k: "op", op: "select", args: [fewerInputs, forward(), reverse()] } }],
    returnType: matrix,
  };
}
