/**
 * What the page needs to know of the user's module besides its code: which exports are marker
 * calls (`export const df = grad(f)`), what each became, and which function to plot and how to
 * call it. Markers are recognised as the transformer recognises them: by the `@tsgradMarker` tag
 * on the declaration a callee resolves to, so renamed and namespace imports count.
 */
import type typescript from "typescript";
import type { ArgumentShape, MarkerExport, PlotTarget } from "../protocol.js";

type TS = typeof typescript;

interface MarkerCallExport {
  readonly exportName: string;
  readonly marker: string;
  readonly target?: typescript.FunctionLikeDeclaration;
  readonly targetName?: string;
}

/** The module's `export const name = marker(target, ...)` declarations, before tsgrad ran. */
export function markerExports(ts: TS, sf: typescript.SourceFile, checker: typescript.TypeChecker): MarkerCallExport[] {
  const found: MarkerCallExport[] = [];
  for (const statement of sf.statements) {
    if (!ts.isVariableStatement(statement) || !statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer && skipParentheses(ts, declaration.initializer);
      if (!ts.isIdentifier(declaration.name) || !init || !ts.isCallExpression(init)) continue;
      const marker = markerOf(ts, checker, init.expression);
      if (!marker) continue;
      const argument = init.arguments[0] && skipParentheses(ts, init.arguments[0]);
      const target = argument && ts.isIdentifier(argument) ? functionOf(ts, checker, argument) : undefined;
      found.push({ exportName: declaration.name.text, marker, target, targetName: argument && ts.isIdentifier(argument) ? argument.text : undefined });
    }
  }
  return found;
}

/**
 * The generated function each marker export became, read off the transformed module: tsgrad
 * replaces the call with a reference to it (`export const df = f_grad`); a refused call becomes
 * code that throws, and has none.
 */
export function generatedNames(ts: TS, transformed: typescript.SourceFile): Map<string, string> {
  const names = new Map<string, string>();
  for (const statement of transformed.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations)
      if (ts.isIdentifier(declaration.name) && declaration.initializer && ts.isIdentifier(declaration.initializer))
        names.set(declaration.name.text, declaration.initializer.text);
  }
  return names;
}

export function describeExports(found: readonly MarkerCallExport[], generated: ReadonlyMap<string, string>): MarkerExport[] {
  return found.map((e) => ({ exportName: e.exportName, marker: e.marker, target: e.targetName, generated: generated.get(e.exportName) }));
}

/**
 * The function to plot: the one most of the marker exports differentiate (the first of those on
 * a tie), with how the page calls it.
 */
export function plotTarget(ts: TS, sf: typescript.SourceFile, checker: typescript.TypeChecker, found: readonly MarkerCallExport[]): PlotTarget | undefined {
  const counts = new Map<string, number>();
  for (const e of found) if (e.targetName && e.target) counts.set(e.targetName, (counts.get(e.targetName) ?? 0) + 1);
  let best: MarkerCallExport | undefined;
  for (const e of found) if (e.targetName && e.target && (!best || counts.get(e.targetName)! > counts.get(best.targetName!)!)) best = e;
  if (!best?.target || !best.targetName) return undefined;
  const shape = argumentShape(ts, checker, best.target);
  return {
    name: best.targetName,
    exportName: exportNameOf(ts, sf, checker, best.target),
    shape,
    problem: shape ? undefined : `the page plots a function of two numbers, f(x: number, y: number), or of one array of two, f(x: number[]); ${best.targetName} is neither`,
  };
}

function argumentShape(ts: TS, checker: typescript.TypeChecker, fn: typescript.FunctionLikeDeclaration): ArgumentShape | undefined {
  const params = fn.parameters;
  const isNumber = (p: typescript.ParameterDeclaration) => (checker.getTypeAtLocation(p).flags & ts.TypeFlags.NumberLike) !== 0;
  if (params.length === 2 && params.every(isNumber)) return "pair";
  if (params.length === 1 && ts.isIdentifier(params[0]!.name)) {
    const type = checker.getTypeAtLocation(params[0]!);
    const numeric = (t: typescript.Type | undefined) => !!t && (t.flags & ts.TypeFlags.NumberLike) !== 0;
    if (checker.isArrayType(type)) return numeric(checker.getTypeArguments(type as typescript.TypeReference)[0]) ? "array" : undefined;
    if (type.getSymbol()?.getName() === "Float64Array") return "array";
  }
  return undefined;
}

/** The name under which the module exports a function, if it does. */
function exportNameOf(ts: TS, sf: typescript.SourceFile, checker: typescript.TypeChecker, fn: typescript.FunctionLikeDeclaration): string | undefined {
  const moduleSymbol = checker.getSymbolAtLocation(sf);
  if (!moduleSymbol) return undefined;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (symbol.declarations?.includes(fn as typescript.Declaration)) return exported.getName();
  }
  return undefined;
}

function markerOf(ts: TS, checker: typescript.TypeChecker, callee: typescript.Expression): string | undefined {
  const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
  let symbol = name && checker.getSymbolAtLocation(name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  for (const declaration of symbol?.declarations ?? [])
    for (const tag of ts.getJSDocTags(declaration))
      if (tag.tagName.text === "tsgradMarker") return ts.getTextOfJSDocComment(tag.comment)?.trim().split(/\s+/)[0];
  return undefined;
}

function functionOf(ts: TS, checker: typescript.TypeChecker, name: typescript.Identifier): typescript.FunctionLikeDeclaration | undefined {
  let symbol = checker.getSymbolAtLocation(name);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  for (const d of symbol?.declarations ?? []) {
    if (ts.isFunctionDeclaration(d)) return d;
    if (ts.isVariableDeclaration(d) && d.initializer) {
      const init = skipParentheses(ts, d.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
  }
  return undefined;
}

function skipParentheses(ts: TS, e: typescript.Expression): typescript.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}
