/**
 * Helpers that write into a caller's arrays (`axpyInto(out, a, x, y)`, `scaleInPlace(v, 2)`),
 * inlined where they are called. tsgrad's functions are otherwise pure: a call passes values and
 * gets one back, and its derivative is the callee's own generated function. A helper that writes
 * into an array it was given has an effect instead, and its derivative would need an adjoint
 * convention for out-parameters in every pass. Inlining keeps every pass as it is: the helper's
 * body is lowered into the caller, each array parameter bound to the caller's own variable (so
 * `axpyInto(x, a, x, y)` reads and writes one array, as in JavaScript), each number parameter to
 * a new local holding the argument, and each `return` to an assignment of a result variable. The
 * writes are then the caller's in-place writes, which every mode already handles (the reverse
 * sweep saves what they overwrite). ARCHITECTURE.md, "Helpers that write into a caller's arrays",
 * says why this and not an out-parameter adjoint.
 *
 * What cannot be inlined is refused here, at the call or in the helper: recursion through a
 * writing helper, an out-parameter that is not an array variable the caller owns, a `return`
 * inside a loop, a result that is not a number or boolean, a call in the middle of an expression
 * (where inlining would move the helper's writes before what the expression read first).
 */
import { ts } from "../../compiler.js";
import { fail, TSG } from "../../diagnostics.js";
import { assign, decl, newVar, num, bool, ref, typeOfValue } from "../../ir/build.js";
import type { Expr, IRType, Stmt, Var } from "../../ir/types.js";
import { collect, emit, inlinedContext, irTypeAt, originOf, symbolOf, type LowerContext } from "../context.js";
import { functionName, type FunctionLike } from "../../syntax/declarations.js";
import { OUTER, unwrap } from "../../syntax/unwrap.js";
import { recordValue } from "../records.js";
import { refuseMissingArguments, refuseSpreadArguments } from "../refusals.js";
import { optionalParameterType } from "../optional.js";
import { isThisParameter } from "../syntax.js";
import { irTypeOf, irTypeOrUndefined } from "../types.js";
import { isAssignmentOperator, writtenOutside } from "./written.js";

/** The chain of helpers being inlined, by the context that lowers the innermost one. */
const chainOf = new WeakMap<LowerContext, readonly FunctionLike[]>();

/**
 * Lowers the call `e` of `fn` by inlining `fn`'s body into the caller; gives the result (a
 * reference to the result variable), or nothing for a helper that returns nothing. `statement`:
 * the call is a statement of its own, its result unused.
 */
export function inlineCall(ctx: LowerContext, e: ts.CallExpression, fn: FunctionLike, statement: boolean): Expr {
  const name = functionName(fn);
  const chain = chainOf.get(ctx) ?? [];
  if (chain.includes(fn) || fn === ctx.fn)
    fail(
      TSG.unsupportedSyntax,
      e,
      `\`${name}\` writes into arrays it is given and calls itself` +
        (chain.length > 0 ? ` (through ${chain.map((f) => `\`${functionName(f)}\``).join(", ")})` : "") +
        ": a helper that writes into a caller's array is inlined into its caller, which recursion cannot be",
      "make the recursive helper return what it computes (a number, or an array it makes), or write the recursion as a loop",
    );
  if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || fn.asteriskToken)
    fail(TSG.asyncOrGenerator, e, "async and generator functions cannot be differentiated", "write a plain synchronous function");
  refuseSpreadArguments(e);
  if (!statement) checkPlacement(ctx, e, fn, name);
  // a result nobody reads may be of any type: the returns are then only evaluated
  const returnType = statement ? statementResultType(ctx, fn) : resultType(ctx, fn, e, name);
  refuseReturnsInLoops(fn, name);
  const written = writtenOutside(ctx.checker, fn);
  const origin = ctx.origin;

  // the arguments, evaluated in order in the caller, bound to the parameters' symbols
  const params = fn.parameters.filter((p) => !isThisParameter(p));
  const optional = params.find((p) => optionalParameterType(ctx.checker, p));
  if (optional)
    fail(
      TSG.unsupportedSyntax,
      optional,
      `\`${name}\` writes into arrays it is given, so it is inlined into its caller, which cannot pass an optional parameter`,
      `give \`${optional.name.getText()}\` a default value, or make it required`,
    );
  if (e.arguments.length > params.length || params.slice(e.arguments.length).some((p) => !p.initializer)) refuseMissingArguments(e);
  const bindings: [ts.Symbol, Var][] = [];
  const records: [ts.Symbol, ReturnType<typeof recordValue>][] = [];
  for (const [i, p] of params.entries()) {
    if (!ts.isIdentifier(p.name) || p.dotDotDotToken)
      fail(
        TSG.unsupportedSyntax,
        p,
        `\`${name}\` writes into arrays it is given, so it is inlined into its caller, which needs plain parameters`,
        "take the parameter whole (no destructuring, no rest parameter)",
      );
    const sym = symbolOf(ctx, p.name);
    const arg = e.arguments[i];
    const type = irTypeAt(ctx, p) ?? (arg ? irTypeAt(ctx, arg) : undefined);
    if (arg && type?.kind === "record") {
      records.push([sym, recordValue(ctx, arg)]);
      continue;
    }
    const value = arg ? ctx.expression(arg, "value") : ctx.expression(p.initializer!, "value");
    const valueType = typeOfValue(value);
    if (valueType.kind === "array") {
      if (written.has(sym)) bindings.push([sym, outArgument(ctx, fn, name, p.name.text, arg!, value)]);
      else if (value.k === "var") bindings.push([sym, value.v]);
      else {
        const held = newVar(p.name.text, valueType, "local", { owned: false });
        emit(ctx, decl(held, value, origin));
        bindings.push([sym, held]);
      }
      continue;
    }
    // a number, boolean or tensor: a local of the helper's, as a parameter is
    const local = newVar(p.name.text, valueType, "local");
    emit(ctx, decl(local, value, origin));
    bindings.push([sym, local]);
  }
  for (const [sym, v] of bindings) ctx.vars.set(sym, v);
  for (const [sym, r] of records) ctx.records.set(sym, r);

  const inner = inlinedContext(ctx, fn);
  chainOf.set(inner, [...chain, fn]);
  let body: Stmt[];
  if (ts.isBlock(fn.body!)) body = inner.block(fn.body.statements);
  else {
    const expr = fn.body as ts.Expression;
    body = collect(inner, () => {
      inner.origin = originOf(inner, expr);
      emit(inner, { k: "return", value: inner.expression(expr, "value"), origin: inner.origin });
    });
  }

  // the helper's loop labels, renamed: inlined inside a caller's loop of the same label, they
  // would shadow it (a syntax error in JavaScript)
  body = renameLabels(body, (label) => `${label}_${name}`);

  const result = returnType.kind === "void" ? undefined : newVar(`${name}_result`, returnType, "local");
  const returns = countReturns(body);
  const last = body[body.length - 1];
  if (result && returns === 1 && last?.k === "return" && last.value) {
    // one return, at the end: the result is declared there
    emit(ctx, ...body.slice(0, -1), decl(result, last.value, last.origin));
  } else {
    if (result) emit(ctx, decl(result, returnType.kind === "bool" ? bool(false) : num(0), origin));
    const placed = placeReturns(body, (r) => (result && r.value ? [assign(result, r.value, r.origin)] : []));
    if (!placed)
      fail(
        TSG.unsupportedSyntax,
        e,
        `\`${name}\` writes into arrays it is given, so it is inlined here, and it returns from inside an \`if\` ` +
          "from which it may also go on: the code after that `if` has no one place to go",
        "return from every branch of that `if` or from none of them (put the rest in an `else`)",
      );
    emit(ctx, ...placed);
  }
  if (result) return ref(result);
  if (!statement)
    fail(TSG.unsupportedSyntax, e, `\`${name}\` returns nothing, so its call has no value`, "call it in a statement of its own");
  return num(0);
}

/**
 * An array argument given for a parameter the helper writes: it must be an array variable of
 * the caller that owns its array, so that the writes go where the caller looks (aliases are
 * read-only, and parameters and module data are not the function's to change).
 */
function outArgument(ctx: LowerContext, fn: FunctionLike, name: string, param: string, arg: ts.Expression, value: Expr): Var {
  const plain = unwrap(arg, OUTER);
  if (!ts.isIdentifier(plain) || value.k !== "var")
    fail(
      TSG.foreignArrayWrite,
      arg,
      `\`${name}\` writes into its parameter \`${param}\`, so it must be given an array variable of the caller, ` +
        `not \`${arg.getText()}\``,
      "make a work buffer first (`const buf = new Float64Array(n)`) and pass it by name",
    );
  if (!value.v.owned)
    fail(
      TSG.foreignArrayWrite,
      arg,
      `\`${name}\` writes into its parameter \`${param}\`, and \`${plain.text}\` may be an array the calling function ` +
        "does not own (a parameter, a module array or an alias): the call would change data outside it",
      `pass a copy made here (\`const local = ${plain.text}.slice()\`) or a buffer made here (\`new Float64Array(n)\`)`,
    );
  if (reassignsParameter(ctx.checker, fn, param))
    fail(
      TSG.arrayRebind,
      arg,
      `\`${name}\` writes into its parameter \`${param}\` and also gives it another array`,
      "give the other array a name of its own in the helper",
    );
  return value.v;
}

/** Whether `fn` assigns its parameter named `param` (`out = other`, not `out[i] = v`). */
function reassignsParameter(checker: ts.TypeChecker, fn: FunctionLike, param: string): boolean {
  const p = fn.parameters.find((q) => ts.isIdentifier(q.name) && q.name.text === param);
  const sym = p && checker.getSymbolAtLocation(p.name);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind)) {
      const target = unwrap(n.left, OUTER);
      if (ts.isIdentifier(target) && checker.getSymbolAtLocation(target) === sym) found = true;
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** The helper's result type: a number, a boolean, or nothing. */
function resultType(ctx: LowerContext, fn: FunctionLike, e: ts.CallExpression, name: string): IRType {
  const sig = ctx.checker.getSignatureFromDeclaration(fn);
  const ret = sig ? ctx.checker.getReturnTypeOfSignature(sig) : undefined;
  if (!ret || ret.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) return { kind: "void" };
  const t = irTypeOf(ctx.checker, ret, fn.type ?? fn);
  if (t.kind !== "num" && t.kind !== "bool")
    fail(
      TSG.unsupportedType,
      e,
      `\`${name}\` writes into arrays it is given, so it is inlined here; such a helper may return a number or a boolean, ` +
        "not an array, tuple or object",
      "write every array result into a buffer the caller passes, and return at most a number",
    );
  return t;
}

function statementResultType(ctx: LowerContext, fn: FunctionLike): IRType {
  const sig = ctx.checker.getSignatureFromDeclaration(fn);
  const ret = sig ? ctx.checker.getReturnTypeOfSignature(sig) : undefined;
  const t = ret && !(ret.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) ? irTypeOrUndefined(ctx.checker, ret) : undefined;
  return t && (t.kind === "num" || t.kind === "bool") ? t : { kind: "void" };
}

/** `return` inside a loop of the helper: the inlined body has no place to jump to. */
function refuseReturnsInLoops(fn: FunctionLike, name: string): void {
  const visit = (n: ts.Node, inLoop: boolean): void => {
    if (ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && inLoop)
      fail(
        TSG.unsupportedSyntax,
        n,
        `\`${name}\` writes into arrays it is given, so it is inlined into its caller, where a \`return\` inside a loop has no place to jump to`,
        "leave the loop with `break` (a flag or a variable for the result), and return after it",
      );
    const loop = ts.isIterationStatement(n, false);
    ts.forEachChild(n, (c) => visit(c, inLoop || loop));
  };
  if (fn.body) ts.forEachChild(fn.body, (c) => visit(c, false));
}

/**
 * A call whose value is used is inlined before the statement that uses it. That is the order of
 * evaluation where the call is the whole value of a declaration, an assignment to a variable, a
 * return or an `if`'s condition (or its negation); elsewhere (`a[0] + h(a)`) what the expression read before the call would be read after
 * its writes.
 */
function checkPlacement(ctx: LowerContext, e: ts.CallExpression, fn: FunctionLike, name: string): void {
  let node: ts.Node = e;
  while (
    ts.isParenthesizedExpression(node.parent) ||
    ts.isNonNullExpression(node.parent) ||
    ts.isAsExpression(node.parent) ||
    ts.isSatisfiesExpression(node.parent)
  )
    node = node.parent;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === node) return;
  if (ts.isReturnStatement(parent)) return;
  // `if (h(...))`, `if (!h(...))`: the condition is evaluated before either branch
  const test = ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken ? parent.parent : parent;
  if (ts.isIfStatement(test) && (test.expression === node || test.expression === parent)) return;
  if (ts.isArrowFunction(parent) && parent.body === node) return;
  if (ts.isBinaryExpression(parent) && parent.right === node && ts.isIdentifier(unwrap(parent.left, OUTER))) {
    const k = parent.operatorToken.kind;
    if (k === ts.SyntaxKind.EqualsToken) return;
    const target = ctx.checker.getSymbolAtLocation(unwrap(parent.left, OUTER));
    if (isAssignmentOperator(k) && target && !writtenOutside(ctx.checker, fn).has(target)) return;
  }
  fail(
    TSG.unsupportedSyntax,
    e,
    `\`${name}\` writes into arrays it is given, so it is inlined before the statement that uses its value, ` +
      "which would change the order of evaluation here",
    `call it in a statement of its own: \`const r = ${name}(...);\`, then use \`r\``,
  );
}

function countReturns(block: readonly Stmt[]): number {
  let n = 0;
  for (const s of block) {
    if (s.k === "return") n++;
    else if (s.k === "if") n += countReturns(s.then) + countReturns(s.else);
    else if (s.k === "loop") n += countReturns(s.body) + countReturns(s.update);
  }
  return n;
}

/** Whether every path through a block ends in `return` or `throw`. */
function alwaysLeaves(block: readonly Stmt[]): boolean {
  return block.some((s) => s.k === "return" || s.k === "throw" || (s.k === "if" && alwaysLeaves(s.then) && alwaysLeaves(s.else)));
}

/**
 * The body with each `return` (outside loops: refuseReturnsInLoops) replaced by `onReturn`'s
 * statements, and the code after an `if` that returns moved into its branch that goes on (the
 * structure pass's rewrite of early returns). Undefined when both branches may go on and one
 * returns: the rest would have to be copied.
 */
function placeReturns(block: readonly Stmt[], onReturn: (r: Stmt & { k: "return" }) => Stmt[]): Stmt[] | undefined {
  const out: Stmt[] = [];
  for (const [i, s] of block.entries()) {
    if (s.k === "return") {
      out.push(...onReturn(s));
      return out;
    }
    if (s.k === "if" && countReturns([s]) > 0) {
      const rest = block.slice(i + 1);
      const thenLeaves = alwaysLeaves(s.then);
      const elseLeaves = alwaysLeaves(s.else);
      if (rest.length > 0 && !thenLeaves && !elseLeaves) return undefined;
      const then = placeReturns(thenLeaves ? s.then : [...s.then, ...rest], onReturn);
      const els = placeReturns(elseLeaves ? s.else : [...s.else, ...rest], onReturn);
      if (!then || !els) return undefined;
      out.push({ ...s, then, else: els });
      return out;
    }
    out.push(s);
  }
  return out;
}

/** Every loop label of a block (and the breaks and continues naming one) renamed by `rename`. */
function renameLabels(block: readonly Stmt[], rename: (label: string) => string): Stmt[] {
  return block.map((s): Stmt => {
    switch (s.k) {
      case "loop":
        return {
          ...s,
          ...(s.label !== undefined ? { label: rename(s.label) } : {}),
          body: renameLabels(s.body, rename),
          update: renameLabels(s.update, rename),
        };
      case "if":
        return { ...s, then: renameLabels(s.then, rename), else: renameLabels(s.else, rename) };
      case "break":
      case "continue":
        return s.label !== undefined ? { ...s, label: rename(s.label) } : s;
      default:
        return s;
    }
  });
}
