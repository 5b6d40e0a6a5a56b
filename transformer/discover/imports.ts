/**
 * Which files a host should transform: those that import one of tsgrad's markers, resolved
 * through the program (a renamed import, a namespace import, `export { grad as derivative }` in
 * another module of the project, a path alias), never by matching text. A file that imports no
 * marker has no marker call to rewrite, so the hosts leave it to the bundler's own TypeScript
 * handling.
 */
import { ts } from "../compiler.js";
import { resolveAlias } from "../syntax/declarations.js";
import { markerKindOf } from "./markers.js";

/** Whether `sf` imports (or requires) a binding that resolves to a marker. */
export function importsMarkers(sf: ts.SourceFile, checker: ts.TypeChecker): boolean {
  const isMarker = (symbol: ts.Symbol | undefined): boolean => !!symbol && markerKindOf(resolveAlias(checker, symbol)) !== undefined;
  /** A module (namespace import, `import x = require`) whose exports include a marker. */
  const exportsMarker = (symbol: ts.Symbol | undefined): boolean => {
    if (!symbol) return false;
    const target = resolveAlias(checker, symbol);
    if (!(target.flags & ts.SymbolFlags.Module)) return isMarker(symbol);
    return checker.getExportsOfModule(target).some((s) => isMarker(s));
  };
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt)) {
      const clause = stmt.importClause;
      if (!clause || clause.isTypeOnly) continue;
      if (clause.name && exportsMarker(checker.getSymbolAtLocation(clause.name))) return true;
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings) && exportsMarker(checker.getSymbolAtLocation(bindings.name))) return true;
      if (bindings && ts.isNamedImports(bindings))
        for (const el of bindings.elements) if (!el.isTypeOnly && isMarker(checker.getSymbolAtLocation(el.name))) return true;
    } else if (ts.isImportEqualsDeclaration(stmt) && !stmt.isTypeOnly) {
      if (exportsMarker(checker.getSymbolAtLocation(stmt.name))) return true;
    }
  }
  return false;
}

/**
 * Whether a file's text has any import, re-export or require at all: a cheap test that spares
 * building a Program for files that cannot reach a marker.
 */
export function hasImports(compiler: typeof ts, code: string): boolean {
  return compiler.preProcessFile(code, true, false).importedFiles.length > 0;
}
