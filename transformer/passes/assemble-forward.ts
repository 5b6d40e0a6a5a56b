/**
 * Assembly of the forward-mode signatures: tangent functions (jvp), vjp's wrapper, and the second
 * order and Jacobians built on them (Hessians and Hessian-vector products by forward over reverse,
 * derivatives of derivatives, Jacobians by sweeps in either mode). The reverse-mode signatures and
 * what both share are in assemble.ts.
 */
import { decl, len, newVar, num, objectType, ref, shapeGuard } from "../ir/build.js";
import type { Callee, Expr, IRFunction, IRType, Stmt, Var } from "../ir/types.js";
import { NUM, TENSOR } from "../ir/types.js";
import { mapBlock } from "../ir/visit.js";
import { parseDerivedKey } from "../ir/keys.js";
import { forwardPass } from "./forward.js";
import { activityOf, gradients, type Assembled } from "./assemble.js";

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
  const returnType: IRType = objectType({ value: fn.returnType, tangent: fn.returnType });
  return { params, body: out.body, returnType, pass: { stage: "forward", sections: [{ body: out.body }] } };
}

/**
 * jvp(f, { hasAux: true }): the tangent function of f's loss (passes/aux.ts), each of its returns
 * `{ value, tangent }` given the aux beside: `{ value, aux, tangent }`. The aux is assigned just
 * before each return, and the forward pass keeps the primal's order.
 */
export function withAux(a: Assembled, aux: Var): Assembled {
  const body = mapBlock(a.body, (s) =>
    s.k === "return" && s.value?.k === "record"
      ? { ...s, value: { ...s.value, fields: [s.value.fields[0]!, { key: "aux", value: ref(aux) }, ...s.value.fields.slice(1)] } }
      : s,
  );
  const t = a.returnType;
  const returnType: IRType =
    t.kind === "record" ? { ...t, fields: [t.fields[0]!, { key: "aux", type: aux.type }, ...t.fields.slice(1)] } : t;
  return { ...a, body, returnType };
}

/**
 * vjp(f): the value now, and a pullback that computes the gradient for any cotangent. With
 * `withAux` (`hasAux`), f returns [loss, aux]: the value is the loss, the aux is returned beside
 * it as the call gave it, and the pullback (of f's loss alone, `pullbackKey`) takes the loss's
 * cotangent.
 */
export function assembleVjpWrapper(fn: IRFunction, wrt: readonly boolean[], pullbackKey: string, withAux = false): Assembled {
  const params = fn.params.map((p) => p.root);
  const pair = withAux ? newVar("returned", fn.returnType, "local") : undefined;
  const outType: IRType = withAux ? NUM : fn.returnType;
  const value = newVar("value", outType, "local");
  const cot = newVar("cotangent", outType, "param", { owned: false });
  const gradType = gradients(fn, wrt, new Map()).type;
  const primal: Expr = { k: "call", fn: { kind: "user", key: fn.key }, args: params.map(ref), type: fn.returnType };
  const auxType = fn.returnType.kind === "record" ? fn.returnType.fields[1]?.type : undefined;
  const body: Stmt[] = pair ? [decl(pair, primal), decl(value, { k: "field", obj: ref(pair), key: 0 })] : [decl(value, primal)];
  const pullback: Expr = {
    k: "closure",
    params: [cot],
    returnType: gradType,
    body: [
      ...shapeGuard(ref(value), outType, ref(cot), `${fn.name}: the cotangent must have the shape of the output`),
      {
        k: "return",
        value: { k: "call", fn: { kind: "user", key: pullbackKey }, args: [...params.map(ref), ref(cot)], type: gradType },
      },
    ],
  };
  const fields: { key: string; value: Expr; type: IRType }[] = [{ key: "value", value: ref(value), type: outType }];
  if (pair && auxType) fields.push({ key: "aux", value: { k: "field", obj: ref(pair), key: 1 }, type: auxType });
  fields.push({ key: "pullback", value: pullback, type: { kind: "void" } });
  body.push({ k: "return", value: { k: "record", tuple: false, fields: fields.map(({ key, value }) => ({ key, value })) } });
  return { params, body, returnType: { kind: "record", tuple: false, fields: fields.map(({ key, type }) => ({ key, type })) } };
}

// ----------------------------------------------------------------------------------------------
// second order, by forward over reverse

function tangentOfCall(fn: IRFunction, jvpKey: string, args: readonly Expr[], type: IRType): Expr {
  const resultType: IRType = {
    kind: "record",
    tuple: false,
    fields: [
      { key: "value", type },
      { key: "tangent", type },
    ],
  };
  return { k: "call", fn: { kind: "user", key: jvpKey }, args, type: resultType };
}

/**
 * A tangent function that returns only its tangent: hvp(f) is the tangent sweep over grad(f)
 * along the direction, without the gradient itself (whose accumulations the simplifier then
 * drops wherever no tangent reads them). Never builds the Hessian.
 */
export function tangentOnly(a: Assembled): Assembled {
  const tangentOf = (e: Expr): Expr =>
    e.k === "record" ? e.fields.find((f) => f.key === "tangent")!.value : { k: "field", obj: e, key: "tangent" };
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
  const r = newVar("r", objectType({ value: NUM, tangent: NUM }), "temp");
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
  return {
    params,
    body,
    returnType: objectType({ value: NUM, grad: NUM }),
  };
}

// ----------------------------------------------------------------------------------------------
// Jacobians

/**
 * jacobian(f)(x) for f: R^n -> R^m, rows are outputs: n tangent sweeps (forward, `jvpKey`) or m
 * pullbacks (reverse, `pullbackKey`); with both, the fewer sweeps, chosen at run time.
 */
export function assembleJacobian(
  fn: IRFunction,
  mask: readonly boolean[],
  jvpKey: string | null,
  pullbackKey: string | null,
  /** The output, where calling `fn` is not how to get it (the output of a function returning [output, aux]). */
  output?: Expr,
): Assembled {
  const params = fn.params.map((p) => p.root);
  const x = params[mask.indexOf(true)]!;
  // arrays give rows of numbers; tensors a tensor of shape [...y's shape, ...x's shape]
  const tensors = x.type.kind === "tensor";
  const matrix: IRType = tensors ? TENSOR : { kind: "array", elem: { kind: "array", elem: NUM, storage: "array" }, storage: "array" };
  const helper = (runtimeKey: string, tensorKey: string): Callee =>
    tensors ? { kind: "tensor", key: tensorKey } : { kind: "runtime", key: runtimeKey };
  const forward = (): Expr => {
    if (parseDerivedKey(jvpKey!)?.kind === "jvpVec") {
      // one vector sweep along every basis direction: the tangent holds the whole Jacobian
      const identity: Expr = { k: "call", fn: { kind: "runtime", key: "identityDirections" }, args: [ref(x)], type: x.type };
      const sweepType: IRType = objectType({ value: fn.returnType, tangent: fn.returnType });
      const sweep: Expr = {
        k: "call",
        fn: { kind: "user", key: jvpKey! },
        args: [...params.map(ref), identity, len(ref(x))],
        type: sweepType,
      };
      return {
        k: "call",
        fn: { kind: "runtime", key: "jacobianRows" },
        args: [{ k: "field", obj: sweep, key: "tangent" }, len(ref(x))],
        type: matrix,
      };
    }
    const dir = newVar("direction", x.type, "param", { owned: false });
    const sweep = tangentOfCall(fn, jvpKey!, [...params.map(ref), ref(dir)], fn.returnType);
    return {
      k: "call",
      fn: helper("jacobianForward", "jacobianFromTangents"),
      args: [
        {
          k: "closure",
          params: [dir],
          returnType: fn.returnType,
          body: [{ k: "return", value: { k: "field", obj: sweep, key: "tangent" } }],
        },
        ref(x),
      ],
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
      args: [
        { k: "closure", params: [cot], returnType: x.type, body: [{ k: "return", value: pull }] },
        ref(y),
        ...(tensors ? [ref(x)] : []),
      ],
      type: matrix,
    };
  };
  const primal = (): Stmt =>
    decl(y, output ?? { k: "call", fn: { kind: "user", key: fn.key }, args: params.map(ref), type: fn.returnType });
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
