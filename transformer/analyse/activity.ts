/**
 * Activity analysis: which variables carry derivatives.
 *
 * A variable is *varied* when its value depends on a differentiated input, *useful* when the
 * output depends on it, and *active* when both. Only active variables get tangents (forward
 * mode) or adjoints (reverse mode); everything else stays primal code. The analysis is
 * flow-insensitive per variable (conservative: a variable varied anywhere is varied
 * everywhere), which keeps it simple and never drops a derivative that exists.
 */
import type { Block, Callee, Expr, Stmt, Var } from "../ir/types.js";
import { baseVar, forEachStmt, forEachSubExpr, stmtExprs } from "../ir/visit.js";
import { writtenArgExprs, writtenArgs } from "../ir/calls.js";
import { derivativeKind } from "../rules/registry.js";
import { tensorArgIsDifferentiable } from "../rules/tensor-registry.js";
import { ArrayAliases } from "./aliases.js";
import { typeOfValue } from "../ir/build.js";

/** Runtime functions whose result is data, whatever their arguments: nothing differentiates through them. */
const DATA_RESULTS: ReadonlySet<string> = new Set(["sortOrder"]);

/** Whether a call's result is data whatever its arguments (a sort's order). */
export function hasDataResult(fn: Callee): boolean {
  return fn.kind === "runtime" && DATA_RESULTS.has(fn.key);
}

export interface Activity {
  readonly varied: ReadonlySet<Var>;
  readonly useful: ReadonlySet<Var>;
  isActive(v: Var): boolean;
  /** Whether an expression's value carries a derivative. */
  isActiveExpr(e: Expr): boolean;
}

/** Variables whose derivative flows through `e` (the positions with nonzero partials). */
export function differentiableReads(e: Expr, out: (v: Var) => void): void {
  switch (e.k) {
    case "var":
      out(e.v);
      return;
    case "index":
      differentiableReads(e.arr, out);
      return;
    case "op": {
      const kind = derivativeKind(e.op);
      if (kind === "differentiable") for (const a of e.args) differentiableReads(a, out);
      else if (kind === "select") {
        differentiableReads(e.args[1]!, out);
        differentiableReads(e.args[2]!, out);
      }
      return;
    }
    case "call":
      if (e.fn.kind === "opaque" && !e.fn.rule && !e.fn.body) return; // nonDifferentiable: a constant
      // a permutation computed from values (a sort's order) is data, also where the values come
      // back from a stack that carries tangents (forward over reverse), not wrapped in `stop`
      if (hasDataResult(e.fn)) return;
      if (e.fn.kind === "tensor") {
        const name = e.fn.key;
        e.args.forEach((a, i) => {
          if (tensorArgIsDifferentiable(name, i, e.args.length)) differentiableReads(a, out);
        });
        return;
      }
      {
        // a pullback's result (the adjoints of scalar arguments) does not depend on the adjoint
        // arrays it accumulates into: those are written, not read
        const written = writtenArgs(e.fn, e.args.length);
        e.args.forEach((a, i) => {
          if (!written.includes(i)) differentiableReads(a, out);
        });
      }
      return;
    case "alloc":
      differentiableReads(e.fill, out);
      return;
    case "arrayLit":
      for (const a of e.elems) differentiableReads(a, out);
      return;
    case "copy":
      differentiableReads(e.arr, out);
      return;
    case "field":
      differentiableReads(e.obj, out);
      return;
    case "record":
      for (const f of e.fields) differentiableReads(f.value, out);
      return;
    case "pop":
      // a stack carries what was pushed on it (forward over reverse differentiates the stack)
      out(e.stack);
      return;
    case "zerosLike":
    default:
      return;
  }
}

/** A definition: the variable written and the expression whose derivative flows into it. */
interface Flow {
  readonly target: Var;
  readonly from: Expr;
}

function flowsOf(body: Block): Flow[] {
  const flows: Flow[] = [];
  forEachStmt(body, (s: Stmt) => {
    switch (s.k) {
      case "decl":
        flows.push({ target: s.v, from: s.init });
        break;
      case "assign":
        flows.push({ target: s.v, from: s.value });
        break;
      case "store":
      case "push":
        flows.push({ target: s.arr, from: s.value });
        break;
      case "stackPush":
        flows.push({ target: s.stack, from: s.value });
        break;
    }
    // a generated pullback (or its tangent version) accumulates into the adjoint arrays it is
    // given, and only into those: its primal arguments are read, never written. The array given
    // may be a row or field of another (`rows_bar[0]`): that one is written
    for (const e of stmtExprs(s))
      forEachSubExpr(e, (x) => {
        if (x.k !== "call") return;
        for (const a of writtenArgExprs(x)) {
          const base = baseVar(a);
          if (base && (base.type.kind === "array" || base.type.kind === "record") && typeOfValue(a).kind === "array")
            flows.push({ target: base, from: x });
        }
      });
  });
  return flows;
}

/**
 * @param readOnly parameters (leaves) the function never writes into: all of a source function's,
 *   and of a generated one those its calling convention does not write (ir/calls.ts)
 * @param discarded parameters the function writes into whose derivative the caller does not
 *   want (a pullback's adjoint array of data): they never vary, whatever flows into them or
 *   shares their memory. The caller passes no tangent for them, so none may be read or written
 */
export function analyseActivity(
  body: Block,
  inputs: Iterable<Var>,
  outputs: Iterable<Var>,
  readOnly: ReadonlySet<Var> = new Set(),
  discarded: ReadonlySet<Var> = new Set(),
): Activity {
  const flows = flowsOf(body);
  // the names of one array are the same memory (`row = m[i]`, `b = t ? a : c`, `rows.push(a)`,
  // `{ v: a }`): what is written through one reaches the others, both ways. Except into module
  // data and read-only parameters: no name writes into those, so a local array that shares a
  // name with one (`b = t ? a : CONST`) does not make it vary, and what it is useful for is its
  // own business
  const aliases = ArrayAliases.of(body);
  const writable = (v: Var): boolean => v.role !== "global" && !readOnly.has(v);
  const otherNames = (v: Var): Iterable<Var> => (aliases.hasOtherNames(v) ? aliases.expand([v]) : []);
  // the dataflow graph, both ways: flows by the variables they read, and by their targets
  const readers = new Map<Var, number[]>();
  const writers = new Map<Var, number[]>();
  const reads = flows.map((f, i) => {
    const vs: Var[] = [];
    differentiableReads(f.from, (v) => vs.push(v));
    for (const v of vs) push(readers, v, i);
    push(writers, f.target, i);
    return vs;
  });

  // varied: forward from the inputs (a worklist: each variable is taken once, each flow read once
  // per variable it reads)
  const varied = new Set<Var>();
  const pending: Var[] = [];
  const mark = (set: Set<Var>, v: Var) => {
    if (set.has(v)) return;
    set.add(v);
    pending.push(v);
  };
  // what varies through one name varies through every writable other
  const vary = (v: Var) => {
    if (!discarded.has(v)) mark(varied, v);
    for (const n of otherNames(v)) if (writable(n) && !discarded.has(n)) mark(varied, n);
  };
  for (const v of inputs) vary(v);
  while (pending.length) for (const i of readers.get(pending.pop()!) ?? []) vary(flows[i]!.target);

  // useful: backward from the outputs
  const useful = new Set<Var>();
  // a writable name is useful for what every other name of its memory is
  const use = (v: Var) => {
    mark(useful, v);
    if (writable(v)) for (const n of otherNames(v)) mark(useful, n);
  };
  for (const v of outputs) use(v);
  while (pending.length) for (const i of writers.get(pending.pop()!) ?? []) for (const v of reads[i]!) use(v);

  const isActive = (v: Var) => varied.has(v) && useful.has(v);
  const isActiveExpr = (e: Expr) => {
    let active = false;
    differentiableReads(e, (v) => {
      if (isActive(v)) active = true;
    });
    return active;
  };
  return { varied, useful, isActive, isActiveExpr };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
