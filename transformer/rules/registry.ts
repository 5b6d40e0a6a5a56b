/**
 * The rule registry: turns the template functions of ./primitives.ts into IR, once, and
 * instantiates them for the forward and reverse passes. Passes never special-case a primitive's
 * calculus; they ask here.
 */
import { perCompiler, ts } from "../compiler.js";
import { bool, num, op } from "../ir/build.js";
import type { Expr, OpName } from "../ir/types.js";
import { forEachSubExpr } from "../ir/visit.js";
import { InternalError } from "../refusal.js";
import { MATH_CONSTANTS, MATH_FUNCTIONS } from "./math.js";
import { isBooleanOp, PRIMITIVE_NAMES, primitive, type Primitive } from "./primitives.js";

/** A parsed template: IR with holes numbered by the template's parameter positions. */
export interface Template {
  readonly arity: number;
  readonly body: Expr; // holes are { k: "var" } with placeholder vars, see HOLE
}

/** Placeholder variables standing for template parameters. */
const holes: { id: number; name: string; type: { kind: "num" }; role: "temp" }[] = [];
function hole(i: number) {
  while (holes.length <= i) holes.push({ id: -1 - holes.length, name: `$${holes.length}`, type: { kind: "num" }, role: "temp" });
  return holes[i]!;
}

const BINARY_OPS: Partial<Record<ts.SyntaxKind, OpName>> = perCompiler(() => ({
  [ts.SyntaxKind.PlusToken]: "add",
  [ts.SyntaxKind.MinusToken]: "sub",
  [ts.SyntaxKind.AsteriskToken]: "mul",
  [ts.SyntaxKind.SlashToken]: "div",
  [ts.SyntaxKind.AsteriskAsteriskToken]: "pow",
  [ts.SyntaxKind.LessThanToken]: "lt",
  [ts.SyntaxKind.LessThanEqualsToken]: "le",
  [ts.SyntaxKind.GreaterThanToken]: "gt",
  [ts.SyntaxKind.GreaterThanEqualsToken]: "ge",
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: "eq",
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: "ne",
}));

/** How a template names calls other than Math.*: `T.matmul(...)` becomes a tensor operation. */
export type CallResolver = (namespace: string, name: string, args: Expr[]) => Expr | undefined;

/*
 * Mutation testing (`npm run mutate`) mutates the rule table, and a template is read from its
 * function's own text, which then carries the mutation tester's (Stryker's) instrumentation: a
 * mutant switch `stryMutAct_9fa48("7") ? mutated : original` and coverage marks
 * `(stryCov_9fa48("7", ...), original)`. The parser follows a switch the way the running function
 * would (by the active mutant in Stryker's global namespace) and records the marks, so that a
 * mutated rule reaches the generated code. Outside mutation runs no template contains them.
 */
const MUTANT_SWITCH = "stryMutAct_9fa48";
const COVERAGE_MARK = "stryCov_9fa48";
interface MutationState {
  activeMutant?: string;
  currentTestId?: string;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}
const mutationState = () => (globalThis as { __stryker__?: MutationState }).__stryker__;

/** The mutant ids of a call of Stryker's helper `name`, or undefined for any other expression. */
function instrumentation(e: ts.Expression, name: string): string[] | undefined {
  if (!ts.isCallExpression(e) || !ts.isIdentifier(e.expression) || e.expression.text !== name) return undefined;
  return e.arguments.map((a) => (ts.isStringLiteral(a) ? a.text : ""));
}

function recordCoverage(ids: readonly string[]): void {
  const state = mutationState();
  if (!state) return;
  const coverage = (state.mutantCoverage ??= { static: {}, perTest: {} });
  const counts = state.currentTestId ? (coverage.perTest[state.currentTestId] ??= {}) : coverage.static;
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
}

/** What an instrumented expression stands for: the branch of a switch the running code takes, or the expression a coverage mark wraps. */
function followInstrumentation(e: ts.Expression): ts.Expression | undefined {
  if (ts.isConditionalExpression(e)) {
    const mutant = instrumentation(e.condition, MUTANT_SWITCH);
    if (mutant) return mutationState()?.activeMutant === mutant[0] ? e.whenTrue : e.whenFalse;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) {
    const marks = instrumentation(e.left, COVERAGE_MARK);
    if (marks) {
      recordCoverage(marks);
      return e.right;
    }
  }
  return undefined;
}

/** Parses a template function's own source text (`(a, b, y) => ...`) into IR with holes. */
export function parseTemplate(fn: (...args: never[]) => unknown, resolveCall?: CallResolver): Template {
  const text = fn.toString();
  const file = ts.createSourceFile("template.ts", `(${text})`, ts.ScriptTarget.ES2022, false);
  const stmt = file.statements[0];
  let node: ts.Node | undefined = stmt && ts.isExpressionStatement(stmt) ? stmt.expression : undefined;
  while (node && ts.isParenthesizedExpression(node)) node = node.expression;
  if (!node || !ts.isArrowFunction(node)) throw new Error(`rule template is not an arrow function: ${text}`);
  const names = node.parameters.map((p) => p.name.getText(file));
  const body = node.body;
  if (!ts.isExpression(body)) throw new Error(`rule template must have an expression body: ${text}`);
  const lower = (e: ts.Expression): Expr => {
    const instrumented = followInstrumentation(e);
    if (instrumented) return lower(instrumented);
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) return lower(e.expression);
    if (ts.isNumericLiteral(e)) return num(Number(e.text));
    if (ts.isIdentifier(e) && e.text === "undefined") return { k: "undef" };
    if (ts.isIdentifier(e)) {
      const i = names.indexOf(e.text);
      if (i < 0) throw new Error(`rule template reads unknown name ${e.text}: ${text}`);
      return { k: "var", v: hole(i) };
    }
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
      const inner = lower(e.operand);
      return inner.k === "num" ? num(-inner.value) : op("neg", inner);
    }
    if (ts.isBinaryExpression(e)) {
      const name = BINARY_OPS[e.operatorToken.kind];
      if (name) return op(name, lower(e.left), lower(e.right));
    }
    if (ts.isConditionalExpression(e)) return op("select", lower(e.condition), lower(e.whenTrue), lower(e.whenFalse));
    if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "Math") {
      const c = MATH_CONSTANTS[e.name.text];
      if (c !== undefined) return num(c);
    }
    if (
      ts.isCallExpression(e) &&
      ts.isPropertyAccessExpression(e.expression) &&
      ts.isIdentifier(e.expression.expression) &&
      e.expression.expression.text === "Math"
    ) {
      const known = MATH_FUNCTIONS[e.expression.name.text];
      if (known && (known.arity === "any" || known.arity === e.arguments.length)) return op(known.op, ...e.arguments.map((a) => lower(a)));
    }
    if (resolveCall && ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ts.isIdentifier(e.expression.expression)) {
      const call = resolveCall(
        e.expression.expression.text,
        e.expression.name.text,
        e.arguments.map((a) => lower(a)),
      );
      if (call) return call;
    }
    if (e.kind === ts.SyntaxKind.TrueKeyword) return bool(true);
    if (e.kind === ts.SyntaxKind.FalseKeyword) return bool(false);
    throw new Error(`unsupported syntax in rule template: ${e.getText(file)} in ${text}`);
  };
  return { arity: names.length, body: lower(body) };
}

/** Substitutes actual arguments for a template's holes. */
export function instantiate(t: Template, actuals: readonly Expr[]): Expr {
  const fill = (e: Expr): Expr => {
    switch (e.k) {
      case "var":
        return e.v.id < 0 ? actuals[-1 - e.v.id]! : e;
      case "op":
        return { ...e, args: e.args.map(fill) };
      case "call":
        return { ...e, args: e.args.map(fill) };
      default:
        return e;
    }
  };
  return fill(t.body);
}

function usesHole(t: Template, i: number): boolean {
  let used = false;
  forEachSubExpr(t.body, (e) => {
    if (e.k === "var" && e.v.id === -1 - i) used = true;
  });
  return used;
}

interface Parsed {
  readonly rule: Primitive;
  readonly partials: readonly Template[]; // for unary/binary; [each] for variadic
}

/**
 * A primitive that reached the passes without a derivative rule: a defect of tsgrad (an entry of
 * ./primitives.ts without `partials`, which its type forbids), never a refusal of the user's code
 * and never a silent zero derivative.
 */
export class MissingRuleError extends InternalError {
  constructor(readonly primitive: string) {
    super(`no derivative rule for primitive \`${primitive}\` (add one to transformer/rules/primitives.ts)`);
    this.name = "MissingRuleError";
  }
}

/** The table's names, to tell a primitive from any other string (`Object.hasOwn`). */
const PRIMITIVE_NAMES_SET: Readonly<Record<string, true>> = Object.fromEntries(PRIMITIVE_NAMES.map((n) => [n, true]));
const parsed = new Map<string, Parsed>();
/** The parsed rule of a primitive that has one; throws MissingRuleError if it has none. */
function lookup(name: OpName): Parsed {
  let p = parsed.get(name);
  if (p) return p;
  const rule = Object.hasOwn(PRIMITIVE_NAMES_SET, name) ? primitive(name) : undefined;
  const d = rule?.partials;
  if (!rule || d === undefined) throw new MissingRuleError(name);
  const partials =
    typeof d !== "object"
      ? [] // "zero", "selects": nothing to instantiate
      : "each" in d
        ? [parseTemplate(d.each as (...a: never[]) => unknown)]
        : d.map((f) => parseTemplate(f as (...a: never[]) => unknown));
  p = { rule, partials };
  parsed.set(name, p);
  return p;
}

/** How a primitive's result depends on its arguments, for activity analysis. */
export type DerivativeKind = "differentiable" | "zero" | "boolean" | "select";

export function derivativeKind(name: OpName): DerivativeKind {
  if (Object.hasOwn(PRIMITIVE_NAMES_SET, name)) {
    if (isBooleanOp(name)) return "boolean";
    const d = primitive(name).partials;
    if (d === "selects") return "select";
    if (d === "zero") return "zero";
  }
  lookup(name); // a rule of partials, or MissingRuleError
  return "differentiable";
}

/**
 * The partial derivative of `name(args)` with respect to argument `i`, as an IR expression in
 * the argument expressions and the output `y`. Not defined for `select` (structural) and
 * piecewise-constant primitives.
 */
export function partial(name: OpName, args: readonly Expr[], y: Expr, i: number): Expr {
  const p = lookup(name);
  if (p.rule.partials === "zero" || p.rule.partials === "selects") throw new InternalError(`no partials for primitive ${name}`);
  if (p.rule.arity === "variadic") return instantiate(p.partials[0]!, [args[i]!, y]);
  return instantiate(p.partials[i]!, [...args, y]);
}

/** Which inputs (by position) and whether the output the partial w.r.t. `i` reads. */
export function partialReads(name: OpName, arity: number, i: number): { args: boolean[]; output: boolean } {
  const p = lookup(name);
  if (p.rule.partials === "zero" || p.rule.partials === "selects") return { args: new Array(arity).fill(false), output: false };
  if (p.rule.arity === "variadic") {
    const t = p.partials[0]!;
    const args = new Array<boolean>(arity).fill(false);
    args[i] = usesHole(t, 0);
    return { args, output: usesHole(t, 1) };
  }
  const t = p.partials[i]!;
  return { args: Array.from({ length: arity }, (_, j) => usesHole(t, j)), output: usesHole(t, arity) };
}

/** Every primitive with a derivative rule (partials or a zero derivative), for tests that walk the registry. */
export function differentiableOps(): OpName[] {
  return PRIMITIVE_NAMES.filter((n) => primitive(n).partials !== undefined && primitive(n).partials !== "selects");
}
