/**
 * Emit of a whole module: names the functions derived for the file's marker calls and emits each
 * once (hoisted to the end of the module, deduplicated by key), replaces each marker call with a
 * reference to its function (or, refused, with code that throws the refusal), and adds the
 * imports the generated code needs. What to derive is the driver's (pipeline/module.ts).
 */
import { ts } from "../compiler.js";
import { displayPath, IrRefusal, TSG } from "../diagnostics.js";
import { internalSpecifier, runtimeSpecifier, tensorOpOf, typeTagOf, type MarkerCall } from "../discover/markers.js";
import type { Request } from "../discover/requests.js";
import { derivedKey, parseDerivedKey } from "../ir/keys.js";
import type { ExternalRef, GeneratedFunction, Origin } from "../ir/types.js";
import { resolveAlias } from "../syntax/declarations.js";
import { emitFunction, type ModuleScope } from "./function.js";
import { moduleScopeNames, Namer } from "./names.js";

/** What emitting a module needs to know of the program and of what was derived. */
export interface ModuleHost {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  /** How generated code in `fromFile` calls the source function `key` by name, or null (it gets a copy). */
  reference(key: string, fromFile: string): { name: string; file: string; exported: boolean } | null;
  /** Whether module `file` exports a binding called `name`. */
  isExportedName(file: string, name: string): boolean;
  /** A derived function, by key. */
  generated(key: string): GeneratedFunction | undefined;
}

export class ModuleEmitter {
  private readonly f: ts.NodeFactory;
  private readonly namer: Namer;
  private readonly functionNames = new Map<string, string>();
  private readonly declarations = new Map<string, ts.FunctionDeclaration>();
  private readonly replacements = new Map<ts.CallExpression, ts.Expression>();
  private readonly imports = new Map<string, ts.Identifier>(); // module file or specifier -> namespace
  private runtimeNs: ts.Identifier | undefined;
  private tensorNs: ts.Identifier | undefined;
  private readonly runtimeModule: string;
  private readonly sourceMapSources = new Map<string, ts.SourceMapSource>();

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly context: ts.TransformationContext,
    private readonly host: ModuleHost,
  ) {
    this.f = context.factory;
    this.namer = new Namer(moduleScopeNames(sf));
    this.runtimeModule = runtimeSpecifier(sf, host.checker);
  }

  /**
   * Emits derived functions (named on first use), all or none: a refusal raised while emitting
   * one of them leaves none of them declared.
   */
  emitFunctions(functions: readonly GeneratedFunction[]): void {
    const emitted: [string, ts.FunctionDeclaration][] = [];
    for (const gf of functions) emitted.push([gf.key, emitFunction(gf, this.nameFor(gf.key, gf.name), this.scope())]);
    for (const [k, node] of emitted) this.declarations.set(k, node);
  }

  /**
   * Replaces a marker call with the function derived for it; `captured` names what the function
   * reads from enclosing functions, which the call site passes (lower/captures.ts).
   */
  replaceCall(request: Request, key: string, captured: readonly string[] = []): void {
    this.replacements.set(request.marker.call, this.callSite(request, key, captured));
  }

  /** Replaces a refused marker call with code that throws the refusal. */
  replaceRefused(marker: MarkerCall, refusal: ts.Diagnostic): void {
    this.replacements.set(marker.call, refusalThrow(this.f, marker, refusal));
  }

  /** The functions emitted, by key, with their names. */
  generated(): { name: string; key: string; node: ts.FunctionDeclaration }[] {
    return [...this.declarations.entries()].map(([key, node]) => ({ key, name: this.functionNames.get(key)!, node }));
  }

  private nameFor(key: string, preferred: string): string {
    let n = this.functionNames.get(key);
    if (!n) {
      n = this.moduleName(preferred);
      this.functionNames.set(key, n);
    }
    return n;
  }

  /**
   * A new module-level name (a generated function, an import namespace). It avoids every name of
   * the module; locals of generated functions avoid these (and the module bindings they read),
   * but may reuse the module's other names.
   */
  private moduleName(preferred: string): string {
    const n = this.namer.fresh(preferred);
    this.localReserved.add(n);
    return n;
  }

  private readonly localReserved = new Set<string>();

  /** The replacement of a marker call. */
  private callSite(request: Request, key: string, captured: readonly string[]): ts.Expression {
    const f = this.f;
    const fn = closeOver(
      f,
      f.createIdentifier(this.functionNames.get(key)!),
      captured.map((c) => f.createIdentifier(c)),
    );
    if (request.marker.kind !== "checkGrad") return fn;
    const call = request.marker.call;
    const params = request.mask.flatMap((m, i) => (m ? [i - captured.length] : []));
    const compiled = f.createObjectLiteralExpression([
      f.createPropertyAssignment("__tsgradCheck", f.createNumericLiteral(1)),
      f.createPropertyAssignment("f", call.arguments[0]!),
      f.createPropertyAssignment("grad", fn),
      f.createPropertyAssignment("params", f.createArrayLiteralExpression(params.map((p) => f.createNumericLiteral(p)))),
      // f returns [loss, aux]: the check reads the loss, and the gradient from `{ grad, aux }`
      ...(request.derived === "gradAux" ? [f.createPropertyAssignment("aux", f.createTrue())] : []),
    ]);
    return f.updateCallExpression(call, call.expression, call.typeArguments, [compiled, ...call.arguments.slice(1)]);
  }

  private scope(): ModuleScope {
    return {
      factory: this.f,
      fileName: this.sf.fileName,
      moduleNames: () => this.localReserved,
      runtime: () => (this.runtimeNs ??= this.f.createIdentifier(this.moduleName("tsgrad"))),
      tensorModule: () => (this.tensorNs ??= this.f.createIdentifier(this.moduleName("T"))),
      callee: (key) => this.callee(key),
      external: (ref, origin) => this.external(ref, origin),
      sourceMapSource: (file) => this.sourceMapSource(file),
    };
  }

  private callee(key: string): ts.Expression {
    const f = this.f;
    if (parseDerivedKey(key)) {
      const gf = this.host.generated(key);
      return f.createIdentifier(this.nameFor(key, gf?.name ?? "derived"));
    }
    const ref = this.host.reference(key, this.sf.fileName);
    if (!ref) {
      const copy = derivedKey("primal", [], key);
      return f.createIdentifier(this.nameFor(copy, this.host.generated(copy)?.name ?? "primal"));
    }
    if (ref.file === this.sf.fileName) return f.createIdentifier(ref.name);
    return f.createPropertyAccessExpression(this.moduleNamespace(ref.file), ref.name);
  }

  private external(ref: ExternalRef, origin: Origin | undefined): ts.Expression {
    if (ref.file === this.sf.fileName) return this.f.createIdentifier(ref.name);
    if (!ref.exported && !this.host.isExportedName(ref.file, ref.name))
      throw new IrRefusal(
        TSG.capturedLocal,
        origin,
        `generated code in ${baseName(this.sf.fileName)} must read \`${ref.name}\`, which ${baseName(ref.file)} does not export`,
        `export \`${ref.name}\` from ${baseName(ref.file)}`,
      );
    return this.f.createPropertyAccessExpression(this.moduleNamespace(ref.file), ref.name);
  }

  /** A namespace import of another module of the program (added once). */
  private moduleNamespace(file: string): ts.Identifier {
    let ns = this.imports.get(file);
    if (!ns) {
      const stem = baseName(file)
        .replace(/\.[cm]?tsx?$/, "")
        .replace(/[^A-Za-z0-9_$]/g, "_");
      ns = this.f.createIdentifier(this.moduleName(`${stem}_module`));
      this.imports.set(file, ns);
    }
    return ns;
  }

  private sourceMapSource(file: string): ts.SourceMapSource | undefined {
    let s = this.sourceMapSources.get(file);
    if (!s) {
      const other = this.host.program.getSourceFile(file);
      if (!other) return undefined;
      s = ts.createSourceMapSource(file, other.text);
      this.sourceMapSources.set(file, s);
    }
    return s;
  }

  /** The module with call sites replaced, imports added on top and generated code at the end. */
  rewrite(): ts.SourceFile {
    const f = this.f;
    const visit = (n: ts.Node): ts.Node => {
      if (ts.isCallExpression(n)) {
        const r = this.replacements.get(n);
        if (r) return r;
      }
      return ts.visitEachChild(n, visit, this.context);
    };
    const body = this.sf.statements.map((s) => ts.visitNode(s, visit) as ts.Statement);
    const importDecls: ts.Statement[] = [];
    if (this.runtimeNs)
      importDecls.push(
        f.createImportDeclaration(
          undefined,
          f.createImportClause(false, undefined, f.createNamespaceImport(this.runtimeNs)),
          f.createStringLiteral(internalSpecifier(this.sf, this.host.checker)),
        ),
      );
    if (this.tensorNs)
      importDecls.push(
        f.createImportDeclaration(
          undefined,
          f.createImportClause(false, undefined, f.createNamespaceImport(this.tensorNs)),
          f.createStringLiteral(tensorSpecifier(this.sf, this.host.checker, this.runtimeModule)),
        ),
      );
    for (const [file, ns] of this.imports)
      importDecls.push(
        f.createImportDeclaration(
          undefined,
          f.createImportClause(false, undefined, f.createNamespaceImport(ns)),
          f.createStringLiteral(this.specifierFor(file)),
        ),
      );
    const generated = [...this.declarations.values()];
    if (generated.length) {
      const first = generated[0]!;
      const banner: ts.SynthesizedComment = {
        kind: ts.SyntaxKind.SingleLineCommentTrivia,
        text: " ---- derivative code generated by tsgrad ----",
        hasTrailingNewLine: true,
        pos: -1,
        end: -1,
      };
      ts.setSyntheticLeadingComments(first, [banner, ...(ts.getSyntheticLeadingComments(first) ?? [])]);
    }
    // imports after the file's own imports keep "use strict" and pragmas first
    const firstNonImport = body.findIndex((s) => !ts.isImportDeclaration(s));
    const at = firstNonImport < 0 ? body.length : firstNonImport;
    const statements = [...body.slice(0, at), ...importDecls, ...body.slice(at), ...generated];
    return f.updateSourceFile(this.sf, statements);
  }

  /** How this module imports another of the program: the specifier its own imports use, or a relative path. */
  private specifierFor(file: string): string {
    for (const stmt of this.sf.statements) {
      if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
      const resolved = ts.resolveModuleName(stmt.moduleSpecifier.text, this.sf.fileName, this.host.program.getCompilerOptions(), ts.sys);
      if (resolved.resolvedModule?.resolvedFileName === file) return stmt.moduleSpecifier.text;
    }
    return relativeSpecifier(this.sf.fileName, file);
  }
}

/** The specifier this file imports tensor operations from, or the runtime's `/tensor`. */
function tensorSpecifier(sf: ts.SourceFile, checker: ts.TypeChecker, runtime: string): string {
  for (const stmt of sf.statements) {
    if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
    const b = stmt.importClause?.namedBindings;
    const names = b && ts.isNamedImports(b) ? b.elements.map((el) => el.name) : b && ts.isNamespaceImport(b) ? [] : [];
    for (const n of names) {
      const sym = checker.getSymbolAtLocation(n);
      if (sym && (tensorOpOf(resolveAlias(checker, sym)) || typeTagOf(resolveAlias(checker, sym)) === "tensor"))
        return stmt.moduleSpecifier.text;
    }
    if (b && ts.isNamespaceImport(b) && /tensor/.test(stmt.moduleSpecifier.text)) return stmt.moduleSpecifier.text;
  }
  return `${runtime}/tensor`;
}

function relativeSpecifier(from: string, to: string): string {
  const fromParts = from.split("/").slice(0, -1);
  const toParts = to.split("/");
  let i = 0;
  while (i < fromParts.length && i < toParts.length - 1 && fromParts[i] === toParts[i]) i++;
  const up = fromParts.length - i;
  const rest = toParts.slice(i).join("/").replace(/\.ts$/, ".js");
  return (up === 0 ? "./" : "../".repeat(up)) + rest;
}

/**
 * What a refused marker call becomes: an expression that throws the refusal itself (where the
 * marker is, and the diagnostic: file:line:col, TSG code, message and hint), evaluated where the
 * marker call was.
 */
function refusalThrow(f: ts.NodeFactory, marker: MarkerCall, d: ts.Diagnostic): ts.Expression {
  const where = (file: ts.SourceFile | undefined, pos: number | undefined) => {
    if (!file || pos === undefined) return "";
    const { line, character } = file.getLineAndCharacterOfPosition(pos);
    return `${displayPath(file.fileName)}:${line + 1}:${character + 1}`;
  };
  const call = marker.call;
  const markerText = `${call.expression.getText()}(${call.arguments.map((a) => a.getText()).join(", ")})`;
  const message =
    `tsgrad refused ${markerText.length > 60 ? `${call.expression.getText()}(...)` : markerText} at ${where(call.getSourceFile(), call.getStart())} when compiling: ` +
    `${where(d.file, d.start)}${d.file ? " - " : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  const thrower = f.createArrowFunction(
    undefined,
    undefined,
    [],
    undefined,
    f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
    f.createBlock([
      f.createThrowStatement(f.createNewExpression(f.createIdentifier("Error"), undefined, [f.createStringLiteral(message)])),
    ]),
  );
  return f.createCallExpression(f.createParenthesizedExpression(thrower), undefined, []);
}

/**
 * A derivative of a closure, given what it captures: `(...args) => loss_grad(xs, ys, ...args)`.
 * The captured variables are read when the derivative is called, as the closure reads them.
 */
function closeOver(f: ts.NodeFactory, fn: ts.Identifier, captured: readonly ts.Identifier[]): ts.Expression {
  if (captured.length === 0) return fn;
  let name = "args";
  while (captured.some((c) => c.text === name)) name += "_";
  const args = f.createIdentifier(name);
  return f.createArrowFunction(
    undefined,
    undefined,
    [f.createParameterDeclaration(undefined, f.createToken(ts.SyntaxKind.DotDotDotToken), args)],
    undefined,
    f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
    f.createCallExpression(fn, undefined, [...captured, f.createSpreadElement(args)]),
  );
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
