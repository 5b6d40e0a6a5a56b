/**
 * What a function writes that it did not declare itself: the elements of its array parameters,
 * and variables of enclosing functions or the module,
 * directly or through the functions it calls (a writing helper calling another). Read from the
 * text alone, so that a caller knows it without lowering the helper (lower/calls/inline.ts
 * inlines a helper that writes into its caller's state).
 *
 * Each function's own writes and calls are read once; what its callees write is then propagated
 * along the call graph with a worklist, not by recursion, so a chain of thousands of helpers does
 * not grow the stack, and the work is linear in the size of the code. A recursive group of
 * functions is iterated until what each writes stops growing.
 */
import { ts } from "../../compiler.js";
import { declarationWithBody, functionOfDeclaration, resolveAlias, type FunctionLike } from "../../syntax/declarations.js";
import { OUTER, unwrap } from "../../syntax/unwrap.js";
import { isThisParameter } from "../syntax.js";

/** Methods that change the array they are called on. */
const MUTATING_METHODS = new Set(["push", "pop", "shift", "unshift", "splice", "fill", "set", "sort", "reverse", "copyWithin"]);

/** A call of one of the program's functions, and what each of its arguments writes into. */
interface CallSite {
  readonly callee: FunctionLike;
  /** The callee's parameters' symbols, by position. */
  readonly params: readonly (ts.Symbol | undefined)[];
  /** The caller's variable each argument is rooted in (`x` for `x`, `x[i]`), by position. */
  readonly argumentRoots: readonly (ts.Symbol | undefined)[];
}

/** A function's own writes and calls, read from its text. */
interface OwnWrites {
  readonly written: ReadonlySet<ts.Symbol>;
  readonly calls: readonly CallSite[];
}

const memo = new WeakMap<FunctionLike, ReadonlySet<ts.Symbol>>();

export function writtenOutside(checker: ts.TypeChecker, fn: FunctionLike): ReadonlySet<ts.Symbol> {
  const known = memo.get(fn);
  if (known) return known;
  // every function reachable from fn whose writes are not known yet, with its own writes
  const own = new Map<FunctionLike, OwnWrites>();
  const pending = [fn];
  while (pending.length > 0) {
    const f = pending.pop()!;
    if (own.has(f) || memo.has(f)) continue;
    const w = ownWrites(checker, f);
    own.set(f, w);
    for (const c of w.calls) pending.push(c.callee);
  }
  // what each writes only grows: propagate until nothing changes (once over, plus a check,
  // where there is no recursion)
  const written = new Map<FunctionLike, Set<ts.Symbol>>();
  for (const f of own.keys()) written.set(f, new Set());
  const writesOf = (f: FunctionLike): ReadonlySet<ts.Symbol> => memo.get(f) ?? written.get(f)!;
  // callees first: reachability order reversed puts most callees before their callers
  const order = [...own.keys()].reverse();
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of order) {
      const set = written.get(f)!;
      const before = set.size;
      const { written: direct, calls } = own.get(f)!;
      for (const sym of direct) set.add(sym);
      for (const c of calls)
        for (const sym of writesOf(c.callee)) {
          const k = c.params.indexOf(sym);
          const target = k < 0 ? sym : c.argumentRoots[k];
          if (target) set.add(target);
        }
      // its own locals are its business
      for (const sym of set) if (declaredIn(sym, f.body!)) set.delete(sym);
      if (set.size !== before) changed = true;
    }
  }
  for (const [f, set] of written) memo.set(f, set);
  return memo.get(fn)!;
}

/** Whether a call of `fn` must be inlined: it writes something of its caller's. */
export function writesCallerState(checker: ts.TypeChecker, fn: FunctionLike): boolean {
  return writtenOutside(checker, fn).size > 0;
}

/** What `fn` writes itself, and the calls through which it may write more. */
function ownWrites(checker: ts.TypeChecker, fn: FunctionLike): OwnWrites {
  const written = new Set<ts.Symbol>();
  const calls: CallSite[] = [];
  if (!fn.body) return { written, calls };
  const rootSymbol = (target: ts.Expression): ts.Symbol | undefined => {
    const root = rootIdentifier(target);
    return root && checker.getSymbolAtLocation(root);
  };
  const own = new Set(fn.parameters.map((p) => checker.getSymbolAtLocation(p.name)));
  const mark = (target: ts.Expression) => {
    const sym = rootSymbol(target);
    // a parameter given a new value (`rate = rate * 0.9`) is the function's own variable from
    // then on: the caller's argument is unchanged (its elements, `p[0] = 1`, are the caller's)
    if (sym && own.has(sym) && ts.isIdentifier(unwrap(target, OUTER))) return;
    if (sym) written.add(sym);
  };
  const visit = (n: ts.Node): void => {
    // a nested function writes when it is called, where its call is seen
    if (ts.isFunctionLike(n)) return;
    if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind)) mark(n.left);
    else if (
      (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
      (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)
    )
      mark(n.operand);
    else if (ts.isCallExpression(n)) {
      if (ts.isPropertyAccessExpression(n.expression) && MUTATING_METHODS.has(n.expression.name.text)) mark(n.expression.expression);
      const callee = calledFunction(checker, n);
      if (callee) {
        const params = callee.parameters.filter((p) => !isThisParameter(p)).map((p) => checker.getSymbolAtLocation(p.name));
        calls.push({ callee, params, argumentRoots: params.map((_, k) => n.arguments[k] && rootSymbol(n.arguments[k]!)) });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return { written, calls };
}

/** The function a call reaches, when it is one of the program's with a body. */
function calledFunction(checker: ts.TypeChecker, call: ts.CallExpression): FunctionLike | undefined {
  const callee = unwrap(call.expression, OUTER);
  const at = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined;
  const sym = at && checker.getSymbolAtLocation(at);
  if (!sym) return undefined;
  const d = declarationWithBody(resolveAlias(checker, sym));
  const fn = d && functionOfDeclaration(d);
  return fn?.body && !fn.getSourceFile().isDeclarationFile ? fn : undefined;
}

/** `x` in `x`, `x[i]`, `x[i][j]`, `x.f`: the variable a write lands in. */
function rootIdentifier(e: ts.Expression): ts.Identifier | undefined {
  e = unwrap(e, OUTER);
  while (ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) e = unwrap(e.expression, OUTER);
  return ts.isIdentifier(e) ? e : undefined;
}

export function isAssignmentOperator(k: ts.SyntaxKind): boolean {
  return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
}

function declaredIn(sym: ts.Symbol, body: ts.Node): boolean {
  const d = sym.valueDeclaration ?? sym.declarations?.[0];
  return !!d && d.getSourceFile() === body.getSourceFile() && d.pos >= body.pos && d.end <= body.end;
}
