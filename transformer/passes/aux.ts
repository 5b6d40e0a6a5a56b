/**
 * Auxiliary outputs (`hasAux`, as JAX's `has_aux`): a function returning `[loss, aux]` is
 * differentiated as the function returning `loss` alone. Before the differentiating passes run,
 * every `return [loss, aux]` becomes `aux = <aux>; return loss`, where `aux` is a plain local
 * that nothing differentiated reads: it is no output, so activity never makes it (or anything
 * computed only for it) active, and no adjoint is ever made for it. The assembled gradient
 * returns it beside the gradient.
 *
 * The aux is what a plain call would return: the value at the `return` that produced it. The
 * reverse sweep restores arrays the forward sweep overwrote (element by element) and undoes
 * pushes, so an array of the aux that the function writes is copied at the `return` (`.slice()`,
 * row by row for arrays of arrays): otherwise the caller would see it as the reverse sweep left it.
 */
import { decl, newVar, ref, zeroValue, assign } from "../ir/build.js";
import type { Block, Expr, IRFunction, IRType, Stmt, Var } from "../ir/types.js";
import { forEachStmt, forEachVarInExpr, mapBlock } from "../ir/visit.js";
import { ArrayAliases } from "../analyse/aliases.js";
import { refuse, TSG } from "../refusal.js";
import { auxPair } from "../ir/aux.js";

export interface SplitAux {
  /** The function returning its loss alone. */
  readonly fn: IRFunction;
  /** The local holding the aux when the function returns. */
  readonly aux: Var;
}

export function splitAux(fn: IRFunction): SplitAux {
  const pair = auxPair(fn.returnType);
  if (!pair)
    refuse(
      TSG.unsupportedOutput,
      fn.origin,
      `with hasAux, \`${fn.name}\` must return a pair [loss, aux]`,
      "return [loss, aux] with the return type annotated as [number, A] (or `as const`)",
    );
  const type = pair.aux;
  // an array aux names whichever array a return gives (a parameter's, too): never owned
  const aux = newVar("aux", type, "local", type.kind === "array" ? { owned: false } : {});
  const written = contentsWritten(fn.body);
  const last = fn.body[fn.body.length - 1];
  const returns = countReturns(fn.body);
  // one return, the last statement: the aux is declared right there; otherwise each return assigns it
  const single = returns === 1 && last?.k === "return";
  const body = mapBlock(fn.body, (s) => {
    if (s.k !== "return" || !s.value) return s;
    const { loss, value, before } = parts(s.value, fn.returnType);
    const held = snapshot(value, type, written, before, s.origin);
    return [...before, single ? decl(aux, held, s.origin) : assign(aux, held, s.origin), { ...s, value: loss }];
  });
  return {
    fn: { ...fn, body: single ? body : [decl(aux, placeholder(type)), ...body], returnType: pair.output },
    aux,
  };
}

/**
 * What the aux holds before a return assigns it: the zero of its type where that zero has the
 * type in TypeScript too (numbers, flat arrays, strings, records of those), else nothing
 * (`undef`, emitted as a definite-assignment declaration `let aux!: A`): a zero for arrays of
 * arrays and tensors would be mistyped in the generated TypeScript (`new Array<number>(0)`, `0`).
 */
function placeholder(type: IRType): Expr {
  return zeroIsTyped(type) ? zeroValue(type) : { k: "undef" };
}

function zeroIsTyped(t: IRType): boolean {
  if (t.kind === "record") return t.fields.every((f) => zeroIsTyped(f.type));
  if (t.kind === "array") return t.elem.kind === "num";
  return t.kind === "num" || t.kind === "bool" || t.kind === "data";
}

function countReturns(block: Block): number {
  let n = 0;
  forEachStmt(block, (s) => {
    if (s.k === "return") n++;
  });
  return n;
}

/** The loss and the aux of a returned pair: a literal's elements, or the fields of a value. */
function parts(e: Expr, type: IRType): { loss: Expr; value: Expr; before: Stmt[] } {
  if (e.k === "record") return { loss: e.fields[0]!.value, value: e.fields[1]!.value, before: [] };
  if (e.k === "var") return { loss: { k: "field", obj: e, key: 0 }, value: { k: "field", obj: e, key: 1 }, before: [] };
  // a call's result (`return step(x)`): held once, read twice
  const held = newVar("returned", type, "temp");
  return { loss: { k: "field", obj: ref(held), key: 0 }, value: { k: "field", obj: ref(held), key: 1 }, before: [decl(held, e)] };
}

/** Every name of the arrays whose elements the function writes (stores, pushes). */
function contentsWritten(body: Block): Set<Var> {
  const direct = new Set<Var>();
  forEachStmt(body, (s) => {
    if (s.k === "store" || s.k === "push" || s.k === "truncate") direct.add(s.arr);
  });
  return ArrayAliases.of(body).expand(direct);
}

/**
 * The aux as it is at the return: arrays the function writes, copied (the reverse sweep would
 * restore them) into a variable named after them (`pred_returned`, declared in `before`); a
 * record of such arrays, rebuilt field by field. Numbers, tensors and arrays the function never
 * writes are values already.
 */
function snapshot(e: Expr, type: IRType, written: ReadonlySet<Var>, before: Stmt[], origin: Stmt["origin"]): Expr {
  if (!mentions(e, written)) return e;
  const named = (copy: Expr): Expr => {
    const held = newVar(`${e.k === "var" ? e.v.name : "aux"}_returned`, type, "local");
    before.push(decl(held, copy, origin));
    return ref(held);
  };
  if (type.kind === "record") {
    const fieldOf = (key: string | number): Expr =>
      e.k === "record" ? e.fields.find((f) => f.key === key)!.value : { k: "field", obj: e, key };
    return {
      k: "record",
      tuple: type.tuple,
      fields: type.fields.map((f) => ({ key: f.key, value: snapshot(fieldOf(f.key), f.type, written, before, origin) })),
    };
  }
  if (type.kind === "array" && type.elem.kind === "num") return named({ k: "copy", arr: e, storage: type.storage });
  // rows too: the function may have written them, or pushed them
  if (type.kind === "array") return named({ k: "call", fn: { kind: "runtime", key: "copyNested" }, args: [e], type });
  return e;
}

function mentions(e: Expr, vars: ReadonlySet<Var>): boolean {
  let found = false;
  forEachVarInExpr(e, (v) => {
    if (vars.has(v)) found = true;
  });
  return found;
}

/**
 * `hvp`, `hessian` or `jacobian` with `hasAux`: the derivative of the function's output alone
 * (`derivative`, generated from `withoutAux[](f)`, with its own parameters: f's, then hvp's
 * directions), and f's aux from one plain call of f, side by side as `{ [field]: ..., aux }`.
 * The call of f costs one primal evaluation more than the derivative alone; its aux is what a
 * plain call returns, as with grad's.
 */
export function assembleWithAux(fn: IRFunction, derivative: IRFunction, field: string): { params: Var[]; body: Block; returnType: IRType } {
  const params = derivative.params.map((p) => p.root);
  const own = params.slice(0, fn.params.length);
  const pair = newVar("returned", fn.returnType, "local");
  const auxOf = auxPair(fn.returnType)!.aux;
  const body: Stmt[] = [
    decl(pair, { k: "call", fn: { kind: "user", key: fn.key }, args: own.map(ref), type: fn.returnType }),
    {
      k: "return",
      value: {
        k: "record",
        tuple: false,
        fields: [
          {
            key: field,
            value: { k: "call", fn: { kind: "user", key: derivative.key }, args: params.map(ref), type: derivative.returnType },
          },
          { key: "aux", value: { k: "field", obj: ref(pair), key: 1 } },
        ],
      },
    },
  ];
  const returnType: IRType = {
    kind: "record",
    tuple: false,
    fields: [
      { key: field, type: derivative.returnType },
      { key: "aux", type: auxOf },
    ],
  };
  return { params, body, returnType };
}
