/**
 * Readings of the program's declarations through the TypeChecker that discovery, lowering and the
 * function table share: which function a name binds, where it is declared, what it is called.
 */
import { ts } from "../compiler.js";
import { unwrap } from "./unwrap.js";

/** A function tsgrad can differentiate: declared, an arrow or function expression, or a static method. */
export type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

export function isFunctionLike(n: ts.Node): n is FunctionLike {
  return ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n);
}

/**
 * The function a declaration binds, when it binds one: `function f`, `const f = (...) => ...`,
 * and a class's static method (`static f(...) {...}`, `static f = (...) => ...`), which, unlike an
 * instance method, names one function wherever it is called.
 */
export function functionOfDeclaration(decl: ts.Declaration): FunctionLike | undefined {
  if (ts.isFunctionDeclaration(decl)) return decl;
  if (ts.isMethodDeclaration(decl)) return isStatic(decl) && decl.body ? decl : undefined;
  if (ts.isPropertyDeclaration(decl) && isStatic(decl) && decl.initializer) {
    const init = unwrap(decl.initializer, ["parens", "as", "satisfies"]);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
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

export function isStatic(decl: ts.Node): boolean {
  return ts.canHaveModifiers(decl) && !!ts.getModifiers(decl)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
}

/**
 * A member read by a qualified name from anywhere: a function or `const` declared at the top of a
 * namespace (`namespace NS { export function cube ... }`), or a static member of a class
 * declared at module level or in such a namespace. Its name qualified from the module's top
 * (`NS.cube`, `K.sq`), and the module-level declaration that holds it (for `export`).
 */
export function qualifiedMember(decl: ts.Node): { readonly name: string; readonly top: ts.Node } | undefined {
  let holder: ts.Node;
  let name: string;
  if ((ts.isMethodDeclaration(decl) || ts.isPropertyDeclaration(decl)) && isStatic(decl)) {
    const cls = decl.parent;
    if (!ts.isClassDeclaration(cls) || !cls.name || !ts.isIdentifier(decl.name)) return undefined;
    holder = cls;
    name = `${cls.name.text}.${decl.name.text}`;
  } else if (ts.isFunctionDeclaration(decl) && decl.name) {
    holder = decl;
    name = decl.name.text;
  } else if (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) && ts.isVariableStatement(decl.parent.parent)) {
    if (!(decl.parent.flags & ts.NodeFlags.Const)) return undefined;
    holder = decl.parent.parent;
    name = decl.name.text;
  } else return undefined;
  // up through the namespaces around it, to the module's top
  for (;;) {
    const block = holder.parent;
    if (ts.isSourceFile(block)) return name.includes(".") ? { name, top: holder } : undefined;
    // read from outside its namespace, by generated code at module level: it must be exported
    if (!ts.isModuleBlock(block) || !isExportedMember(holder)) return undefined;
    let ns = block.parent;
    name = `${ns.name.text}.${name}`;
    // `namespace A.B { }` is two declarations, the inner one the body of the outer
    while (ts.isModuleDeclaration(ns.parent)) {
      ns = ns.parent;
      name = `${ns.name.text}.${name}`;
    }
    holder = ns;
  }
}

function isExportedMember(n: ts.Node): boolean {
  return ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
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
