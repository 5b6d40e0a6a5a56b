/**
 * The registry side of tensor rules: parses the templates of ./tensor.ts into IR once and
 * instantiates them for the passes. A tensor operation's derivative, in both modes, is a sum over
 * its differentiable arguments of one template each.
 */
import type { Expr, IRType } from "../ir/types.js";
import { NUM, TENSOR } from "../ir/types.js";
import { instantiate, MissingRuleError, parseTemplate, type Template } from "./registry.js";
import { tensorRules, type TensorRule } from "./tensor.js";

const SHAPE: IRType = { kind: "array", elem: NUM, storage: "array" };
const VALUES: IRType = { kind: "array", elem: NUM, storage: "f64" };

export function tensorRule(name: string): TensorRule | undefined {
  return tensorRules[name];
}

/** The IR type of a tensor operation's result. */
export function tensorResultType(name: string): IRType {
  const r = tensorRules[name];
  return r?.returns === "number" ? NUM : r?.returns === "shape" ? SHAPE : r?.returns === "values" ? VALUES : TENSOR;
}

export const tensorCall = (name: string, args: readonly Expr[]): Expr => ({
  k: "call",
  fn: { kind: "tensor", key: name },
  args,
  type: tensorResultType(name),
});

/** `T.matmul(a, b)` in a template: the tensor operation, if it has a rule. */
function resolve(_namespace: string, name: string, args: Expr[]): Expr | undefined {
  return tensorRules[name] ? tensorCall(name, args) : undefined;
}

const parsed = new Map<string, { vjp: (Template | null)[]; jvp: (Template | null)[] }>();
function templates(name: string) {
  let t = parsed.get(name);
  if (!t) {
    const rule = tensorRules[name]!;
    const parse = (fs: readonly (((...a: never[]) => unknown) | null)[] | undefined) =>
      (fs ?? []).map((f) => (f ? parseTemplate(f, resolve) : null));
    t = { vjp: parse(rule.vjp), jvp: parse(rule.jvp) };
    parsed.set(name, t);
  }
  return t;
}

/** Variadic operations (`variadic` in the table): tensors first, then the axis (concatPart & co: the adjoint, axis, index, parts). */
const PARTS: Record<string, { part: string; embed: string }> = {};
const LINEAR_PIECES: Record<string, string> = {};
for (const [name, rule] of Object.entries(tensorRules)) {
  if (!rule.variadic) continue;
  if ("part" in rule.variadic) PARTS[name] = rule.variadic;
  else LINEAR_PIECES[name] = rule.variadic.transpose;
}

/** Whether argument i of a call of `name` with these arguments carries a derivative. */
export function tensorArgIsDifferentiable(name: string, i: number, nArgs: number): boolean {
  const rule = tensorRules[name];
  if (!rule) return false; // the assembled wrappers' own helpers (jacobianFromTangents): never differentiated
  if (PARTS[name]) return i < nArgs - 1;
  if (LINEAR_PIECES[name]) return i === 0;
  return rule.diff[i] ?? false;
}

/** Operations that make a tensor from data: their inputs must not carry derivatives. */
export function makesTensorFromData(name: string): boolean {
  return tensorRules[name]?.fromData === true;
}

/** A reduction of every axis (`mean(t)`, no axes given): a single number, whatever t's shape. */
export function reducesEverything(e: Expr): boolean {
  return (
    e.k === "call" &&
    e.fn.kind === "tensor" &&
    tensorRules[e.fn.key]?.reduction === true &&
    (e.args[1] === undefined || e.args[1].k === "undef")
  );
}

/** Emitted code passes the tensors of this operation as one array before the axis (`T.concat([a, b], axis)`). */
export function takesTensorList(name: string): boolean {
  return tensorRules[name]?.emit === "list";
}

/** The adjoint contribution of argument i: its rule instantiated with the output y and adjoint g. */
export function tensorVjp(name: string, i: number, args: readonly Expr[], y: Expr, g: Expr): Expr | null {
  if (!tensorArgIsDifferentiable(name, i, args.length)) return null;
  const pieces = PARTS[name];
  if (pieces) return tensorCall(pieces.part, [g, args[args.length - 1]!, { k: "num", value: i }, ...args.slice(0, -1)]);
  const linear = LINEAR_PIECES[name];
  if (linear) return tensorCall(linear, [g, ...args.slice(1)]);
  const t = templates(name).vjp[i];
  return t ? instantiate(t, [...allArguments(name, args), y, g]) : null;
}

/**
 * The arguments with the optional ones left out filled in as `undefined`, so that y and the
 * tangent or adjoint land on the template's own parameters (calls made by rules, `sum(g)`, leave
 * them out).
 */
function allArguments(name: string, args: readonly Expr[]): readonly Expr[] {
  const count = tensorRules[name]?.params.length ?? args.length;
  if (args.length >= count) return args;
  return [...args, ...Array.from({ length: count - args.length }, (): Expr => ({ k: "undef" }))];
}

/** The tangent term of argument i, for its tangent d. */
export function tensorJvp(name: string, i: number, args: readonly Expr[], y: Expr, d: Expr): Expr | null {
  if (!tensorArgIsDifferentiable(name, i, args.length)) return null;
  const pieces = PARTS[name];
  if (pieces) return tensorCall(pieces.embed, [d, args[args.length - 1]!, { k: "num", value: i }, ...args.slice(0, -1)]);
  if (LINEAR_PIECES[name]) return tensorCall(name, [d, ...args.slice(1)]);
  const t = templates(name).jvp[i];
  // a differentiable argument without a forward rule would otherwise get a silent zero tangent
  if (!t) throw new MissingRuleError(`${name} (forward rule of argument ${i})`);
  return instantiate(t, [...allArguments(name, args), y, d]);
}

/** Whether the reverse rule of argument i exists (helpers of rules have forward rules only). */
export function tensorHasVjp(name: string, i: number, nArgs: number): boolean {
  if (PARTS[name] || LINEAR_PIECES[name]) return tensorArgIsDifferentiable(name, i, nArgs);
  return !!tensorRules[name]?.vjp?.[i];
}
