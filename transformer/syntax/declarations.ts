/**
 * Readings of the program's declarations through the TypeChecker that discovery, lowering and the
 * function table share: which function a name binds, where it is declared, what it is called.
 */
import { ts } from "../compiler.js";
import { unwrap } from "./unwrap.js";

export type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

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
  return ts.canHaveModifiers(holder) && !!ts.getModifiers(holder)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}
