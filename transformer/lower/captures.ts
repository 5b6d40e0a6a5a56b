/**
 * Closures, by lambda lifting. A function declared inside another (a loss that reads the batch of
 * the training loop around it, a local helper that reads its caller's locals) reads variables of
 * the functions around it. Generated code lives at module level and cannot see them, so each
 * such variable becomes a leading parameter of the function's IR, and whoever calls it passes
 * the variable's current value: the marker's call site (emit/module.ts), and callers of a local
 * helper (calls/user-functions.ts). A closure reads a variable when it runs, and so does a call
 * that passes it. Writing one is refused (names.ts): that is state, not data.
 *
 * What a function captures is found from its text alone, so that callers know it without
 * lowering it: the variables and parameters it reads that are declared outside it but not at
 * module level, and, for each function declared outside it that it calls (a sibling helper in
 * the same enclosing function), what that one captures from outside it.
 */
import { ts } from "../compiler.js";
import { functionOfDeclaration, isFunctionLike, isModuleLevel, type FunctionLike } from "../syntax/declarations.js";
import type { IRType } from "../ir/types.js";
import { irTypeOf } from "./types.js";

/** A variable a function reads from an enclosing function, and where it first reads it. */
export interface CapturedVariable {
  readonly symbol: ts.Symbol;
  readonly name: string;
  readonly firstUse: ts.Identifier;
}

const memo = new WeakMap<ts.TypeChecker, WeakMap<FunctionLike, readonly CapturedVariable[]>>();

/**
 * The type of a captured variable, read where the capturing function first reads it: the type of
 * its leading parameter there, and of the value each caller passes for it.
 */
export function capturedType(checker: ts.TypeChecker, c: CapturedVariable): IRType {
  return irTypeOf(checker, checker.getTypeAtLocation(c.firstUse), c.firstUse);
}

/** What `fn` captures, in order of first use. Module-level functions capture nothing. */
export function capturedVariables(checker: ts.TypeChecker, fn: FunctionLike): readonly CapturedVariable[] {
  let byFunction = memo.get(checker);
  if (!byFunction) memo.set(checker, (byFunction = new WeakMap()));
  return find(checker, fn, byFunction, new Set());
}

function find(
  checker: ts.TypeChecker,
  fn: FunctionLike,
  byFunction: WeakMap<FunctionLike, readonly CapturedVariable[]>,
  inProgress: Set<FunctionLike>,
): readonly CapturedVariable[] {
  const known = byFunction.get(fn);
  if (known) return known;
  if (isModuleLevel(fn) || inProgress.has(fn)) return [];
  inProgress.add(fn);
  const out: CapturedVariable[] = [];
  const seen = new Set<ts.Symbol>();
  const add = (c: CapturedVariable) => {
    if (seen.has(c.symbol)) return;
    seen.add(c.symbol);
    out.push(c);
  };
  const outside = (d: ts.Node) =>
    d.getSourceFile() === fn.getSourceFile() && (d.end <= fn.pos || d.pos >= fn.end || (d.pos <= fn.pos && d.end >= fn.end));
  const visit = (n: ts.Node): void => {
    if (ts.isTypeNode(n)) return;
    if (ts.isIdentifier(n)) {
      const sym = valueSymbol(checker, n);
      const d = sym?.valueDeclaration;
      if (sym && d && outside(d) && isLocalBinding(d)) {
        const callee = ts.isFunctionDeclaration(d) ? d : functionOfDeclaration(d);
        if (callee) {
          // a helper of the enclosing function: what it reads from outside, this one passes on
          if (callee !== fn) for (const c of find(checker, callee, byFunction, inProgress)) if (outside(c.symbol.valueDeclaration!)) add(c);
        } else add({ symbol: sym, name: n.text, firstUse: n });
      }
    }
    ts.forEachChild(n, visit);
  };
  for (const p of fn.parameters) if (p.initializer) visit(p.initializer);
  if (fn.body) visit(fn.body);
  inProgress.delete(fn);
  byFunction.set(fn, out);
  return out;
}

/** The variable an identifier reads (for `{ xs }`, the variable, not the property). */
function valueSymbol(checker: ts.TypeChecker, n: ts.Identifier): ts.Symbol | undefined {
  const p = n.parent;
  if (ts.isShorthandPropertyAssignment(p) && p.name === n) return checker.getShorthandAssignmentValueSymbol(p);
  // property names and declared names are not reads
  if ((ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p) || ts.isPropertySignature(p)) && p.name === n) return undefined;
  return checker.getSymbolAtLocation(n);
}

/** A parameter, variable or function declared inside some function (not at module level). */
function isLocalBinding(d: ts.Declaration): boolean {
  if (ts.isParameter(d)) return true;
  if (!ts.isVariableDeclaration(d) && !ts.isBindingElement(d) && !ts.isFunctionDeclaration(d)) return false;
  for (let p: ts.Node | undefined = d.parent; p; p = p.parent) {
    if (isFunctionLike(p) || ts.isMethodDeclaration(p) || ts.isConstructorDeclaration(p) || ts.isAccessor(p)) return true;
    if (ts.isModuleBlock(p)) return false; // a namespace's member, read by its qualified name
  }
  // top-level code: a binding in a block or a loop (`for (const batch of batches) { ... }`) is as
  // local as a function's, and generated code at module level cannot see it either
  let top: ts.Node = d;
  while (ts.isBindingElement(top) || ts.isObjectBindingPattern(top) || ts.isArrayBindingPattern(top)) top = top.parent;
  return !isModuleLevel(top);
}
