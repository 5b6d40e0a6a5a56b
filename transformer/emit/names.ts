/** Readable, unique names for generated code: source names first, `_2` style suffixes on clashes. */
import { ts } from "../compiler.js";

const JS_RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval undefined NaN " +
    "Infinity Math Array Float64Array Object Number"
  ).split(" "),
);

/**
 * Names generated code must not shadow: everything declared at the top of the module (generated
 * functions live there and read module constants by name), and every name the module reads from
 * the global scope.
 */
export function moduleScopeNames(sf: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  const addBinding = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) out.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  for (const stmt of sf.statements) {
    if (ts.isVariableStatement(stmt)) for (const d of stmt.declarationList.declarations) addBinding(d.name);
    else if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && stmt.name)
      out.add(stmt.name.text);
    else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const c = stmt.importClause;
      if (c.name) out.add(c.name.text);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) out.add(b.name.text);
      if (b && ts.isNamedImports(b)) for (const el of b.elements) out.add(el.name.text);
    } else if (ts.isImportEqualsDeclaration(stmt)) out.add(stmt.name.text);
  }
  return out;
}

export class Namer {
  private readonly used: Set<string>;

  constructor(reserved: Iterable<string>) {
    this.used = new Set([...JS_RESERVED, ...reserved]);
  }

  /** A fresh name based on `preferred`, never returned before by this namer. */
  fresh(preferred: string): string {
    let base = preferred.replace(/[^A-Za-z0-9_$]/g, "_");
    if (!/^[A-Za-z_$]/.test(base)) base = "_" + base;
    if (!this.used.has(base)) {
      this.used.add(base);
      return base;
    }
    for (let i = 2; ; i++) {
      const candidate = `${base}${/\d$/.test(base) ? "_" : ""}${i}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  child(): Namer {
    return new Namer(this.used);
  }
}
