/** What lowering needs from the driver: the checker and a way to name (and request) callees. */
import { ts } from "../compiler.js";
import type { MarkerCall, MarkerKind } from "../discover/markers.js";
import { unwrap } from "./syntax.js";

export type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

export interface LowerHost {
  readonly checker: ts.TypeChecker;
  /** Stable key of a user function; the driver lowers it on demand when a pass needs it. */
  functionKey(decl: FunctionLike): string;
  /** Whether a symbol is one of tsgrad's marker exports (grad, jvp, ...). */
  isMarker(symbol: ts.Symbol): boolean;
  /** The tensor operation a symbol is (its name in the registry), if it is one. */
  tensorOp(symbol: ts.Symbol): string | undefined;
  /** Which rule helper (customVjp, customJvp, stopGradient, nonDifferentiable) a symbol is. */
  ruleKind(symbol: ts.Symbol): "customVjp" | "customJvp" | "stopGradient" | "nonDifferentiable" | undefined;
  /** The marker a call's callee resolves to (`grad` in `grad(h)`), if it is one. */
  markerOf(call: ts.CallExpression): MarkerKind | undefined;
  /**
   * A marker used inside a differentiated function (`grad(h)(x)`): the key of the derived
   * function it stands for, and how many arguments that function takes.
   */
  markerTarget(marker: MarkerCall): { readonly key: string; readonly arity: number };
}

export function isFunctionLike(n: ts.Node): n is FunctionLike {
  return ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n);
}

/** The function a declaration binds, when it binds one: `function f`, `const f = (...) => ...`. */
export function functionOfDeclaration(decl: ts.Declaration): FunctionLike | undefined {
  if (ts.isFunctionDeclaration(decl)) return decl;
  if (ts.isVariableDeclaration(decl) && decl.initializer) {
    const init = unwrap(decl.initializer, ["parens", "as", "satisfies"]);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}

/**
 * The declaration of a symbol that has the body: for an overloaded function, the implementation
 * rather than the first signature.
 */
export function declarationWithBody(symbol: ts.Symbol): ts.Declaration | undefined {
  const decls = symbol.declarations ?? [];
  return decls.find((d) => ts.isFunctionDeclaration(d) && d.body) ?? symbol.valueDeclaration ?? decls[0];
}

/** True for declarations directly at the top of a module (not inside a function or block). */
export function isModuleLevel(decl: ts.Node): boolean {
  if (ts.isFunctionDeclaration(decl)) return ts.isSourceFile(decl.parent);
  if (ts.isVariableDeclaration(decl)) {
    const list = decl.parent;
    const stmt = list?.parent;
    return !!stmt && ts.isVariableStatement(stmt) && ts.isSourceFile(stmt.parent);
  }
  if (ts.isArrowFunction(decl) || ts.isFunctionExpression(decl)) {
    const p = decl.parent;
    return ts.isVariableDeclaration(p) && isModuleLevel(p);
  }
  return false;
}

/** Follows import aliases to the symbol that owns the declaration. */
export function resolveAlias(checker: ts.TypeChecker, sym: ts.Symbol): ts.Symbol {
  return sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
}

/** Name of the function (for generated names): declaration name, or the const it is bound to. */
export function functionName(fn: FunctionLike): string {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  // `const softclip = customVjp((x) => ..., (x, y, ybar) => ...)`: softclip_primal, softclip_rule
  if (p && ts.isCallExpression(p) && ts.isVariableDeclaration(p.parent) && ts.isIdentifier(p.parent.name))
    return `${p.parent.name.text}_${p.arguments.indexOf(fn as ts.Expression) === 0 ? "primal" : "rule"}`;
  return "f";
}

export function isExported(decl: ts.Node): boolean {
  const holder = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  return (
    ts.canHaveModifiers(holder) &&
    !!ts.getModifiers(holder)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  );
}
