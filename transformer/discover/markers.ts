/**
 * Discovery: the calls of tsgrad's markers in a source file. A marker is recognised by the
 * `@tsgradMarker` tag in the doc comment of the declaration its symbol resolves to (through
 * imports and renames), never by its name, so a user's own `grad` function is not touched.
 */
import path from "node:path";
import { ts } from "../compiler.js";
import { resolveAlias } from "../syntax/declarations.js";

export type MarkerKind = "grad" | "valueAndGrad" | "jvp" | "vjp" | "checkGrad" | "hvp" | "hessian" | "jacobian";
const KINDS = new Set<MarkerKind>(["grad", "valueAndGrad", "jvp", "vjp", "checkGrad", "hvp", "hessian", "jacobian"]);

export interface MarkerCall {
  readonly call: ts.CallExpression;
  readonly kind: MarkerKind;
}

export type RuleKind = "customVjp" | "customJvp" | "stopGradient" | "nonDifferentiable";
const RULE_KINDS = new Set<RuleKind>(["customVjp", "customJvp", "stopGradient", "nonDifferentiable"]);

const tagCache = new WeakMap<ts.Symbol, Map<string, string | null>>();

/**
 * The word after `@<tag>` in the doc comment of a symbol's declarations. The comment text itself
 * is read: tsc skips parsing JSDoc in TypeScript files (jsDocParsingMode), so ts.getJSDocTags
 * would see nothing there.
 */
function taggedWord(symbol: ts.Symbol, tag: string): string | undefined {
  let perTag = tagCache.get(symbol);
  if (!perTag) tagCache.set(symbol, (perTag = new Map()));
  const cached = perTag.get(tag);
  if (cached !== undefined) return cached ?? undefined;
  let word: string | null = null;
  const pattern = new RegExp(`@${tag}\\s+(\\w+)`);
  for (const decl of symbol.declarations ?? []) {
    const sf = decl.getSourceFile();
    const holder = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
    for (const range of ts.getLeadingCommentRanges(sf.text, holder.pos) ?? []) {
      const m = pattern.exec(sf.text.slice(range.pos, range.end));
      if (m) word = m[1]!;
    }
  }
  perTag.set(tag, word);
  return word ?? undefined;
}

/** The marker a (resolved) symbol is, if it is one. */
export function markerKindOf(symbol: ts.Symbol): MarkerKind | undefined {
  const word = taggedWord(symbol, "tsgradMarker");
  return word && KINDS.has(word as MarkerKind) ? (word as MarkerKind) : undefined;
}

/** The kind of value a class is to tsgrad (`tensor`), if it is tagged. */
export function typeTagOf(symbol: ts.Symbol): string | undefined {
  return taggedWord(symbol, "tsgradType");
}

/** The tensor operation (matmul, sum, ...) a (resolved) symbol is, if it is one. */
export function tensorOpOf(symbol: ts.Symbol): string | undefined {
  return taggedWord(symbol, "tsgradTensorOp");
}

/** The rule helper (customVjp, stopGradient, ...) a (resolved) symbol is, if it is one. */
export function ruleKindOf(symbol: ts.Symbol): RuleKind | undefined {
  const word = taggedWord(symbol, "tsgradRule");
  return word && RULE_KINDS.has(word as RuleKind) ? (word as RuleKind) : undefined;
}

export function isMarkerSymbol(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  return markerKindOf(resolveAlias(checker, symbol)) !== undefined;
}

/** The marker a call's callee resolves to (`grad(...)`, `tg.grad(...)`, a renamed import). */
export function markerOfCall(checker: ts.TypeChecker, call: ts.CallExpression): MarkerKind | undefined {
  const callee = call.expression;
  const id = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
  if (!id) return undefined;
  const sym = checker.getSymbolAtLocation(id);
  return sym ? markerKindOf(resolveAlias(checker, sym)) : undefined;
}

/** Every marker call in a file, outermost first. */
export function findMarkerCalls(sf: ts.SourceFile, checker: ts.TypeChecker): MarkerCall[] {
  const out: MarkerCall[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const kind = markerOfCall(checker, n);
      if (kind) out.push({ call: n, kind });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/**
 * The module specifier this file imports the markers from (generated code imports tensor
 * operations from beside it when the file imports none itself). Falls back to "tsgrad".
 */
export function runtimeSpecifier(sf: ts.SourceFile, checker: ts.TypeChecker): string {
  return markerImport(sf, checker)?.specifier ?? "tsgrad";
}

/** The first import of a marker in a file: its specifier, and the file the marker is declared in. */
function markerImport(sf: ts.SourceFile, checker: ts.TypeChecker): { specifier: string; declaredIn: string | undefined } | undefined {
  const declaredIn = (s: ts.Symbol) => s.declarations?.[0]?.getSourceFile().fileName;
  for (const stmt of sf.statements) {
    if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
    const clause = stmt.importClause;
    const bindings = clause?.namedBindings;
    const names: ts.Identifier[] = [];
    if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) names.push(el.name);
    if (bindings && ts.isNamespaceImport(bindings)) {
      const sym = checker.getSymbolAtLocation(bindings.name);
      const target = sym && resolveAlias(checker, sym);
      const marker =
        target?.exports &&
        [...(target.exports.values() as Iterable<ts.Symbol>)].map((s) => resolveAlias(checker, s)).find((s) => markerKindOf(s));
      if (marker) return { specifier: stmt.moduleSpecifier.text, declaredIn: declaredIn(marker) };
    }
    for (const name of names) {
      const sym = checker.getSymbolAtLocation(name);
      const marker = sym && resolveAlias(checker, sym);
      if (marker && markerKindOf(marker)) return { specifier: stmt.moduleSpecifier.text, declaredIn: declaredIn(marker) };
    }
  }
  return undefined;
}

/**
 * Where generated code imports the runtime's helpers from: the internal entry of the package that
 * declares the markers (`tsgrad/internal`), wherever this file imports them from (`tsgrad`, or a
 * module of the user's that re-exports them); for tsgrad's own sources imported by path, the
 * `internal` folder beside the markers' module.
 */
export function internalSpecifier(sf: ts.SourceFile, checker: ts.TypeChecker): string {
  const found = markerImport(sf, checker);
  const declaredIn = found?.declaredIn;
  const inPackage = declaredIn && /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(declaredIn);
  if (inPackage) return `${inPackage[1]}/internal`;
  const specifier = found?.specifier ?? "tsgrad";
  const bare = /^(?:@[^/]+\/)?[^./][^/]*/.exec(specifier);
  if (bare) return `${bare[0]}/internal`;
  if (!declaredIn) return `${specifier}/internal`;
  let relative = path.posix.relative(path.posix.dirname(sf.fileName), `${path.posix.dirname(declaredIn)}/internal/index.js`);
  if (!relative.startsWith(".")) relative = `./${relative}`;
  return relative;
}
