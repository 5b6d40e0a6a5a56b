/**
 * Emit for a whole module: derives what the file's marker calls ask for, emits the generated
 * functions once each (hoisted to the end of the module, deduplicated by key), replaces each
 * marker call with a reference to its function, and adds the imports the generated code needs.
 * A refused marker call is left in place and reported; the rest of the file still compiles.
 */
import path from "node:path";
import { ts } from "../compiler.js";
import { internalErrorDiagnostic, IrRefusal, toDiagnostic, TsgError, TSG } from "../diagnostics.js";
import { findMarkerCalls, runtimeSpecifier, tensorOpOf, typeTagOf, type MarkerCall } from "../discover/markers.js";
import { resolveAlias } from "../syntax/declarations.js";
import { resolveRequest, type Request } from "../discover/requests.js";
import type { ExternalRef, Origin } from "../ir/types.js";
import { derivedKey, parseDerivedKey, Pipeline } from "../pipeline.js";
import type { ProgramTable } from "../table.js";
import { emitFunction, type ModuleScope } from "./function.js";
import { moduleScopeNames, Namer } from "./names.js";

export interface ModuleResult {
  readonly sourceFile: ts.SourceFile;
  readonly diagnostics: ts.Diagnostic[];
  /** Generated functions by name, for `tsgrad emit`. */
  readonly generated: { name: string; key: string; node: ts.FunctionDeclaration }[];
}

export function transformModule(sf: ts.SourceFile, table: ProgramTable, context: ts.TransformationContext): ModuleResult {
  const diagnostics: ts.Diagnostic[] = [];
  const markers = findMarkerCalls(sf, table.checker);
  if (markers.length === 0) return { sourceFile: sf, diagnostics, generated: [] };
  return new ModuleEmitter(sf, table, context, diagnostics).run(markers);
}

class ModuleEmitter {
  private readonly f: ts.NodeFactory;
  private readonly namer: Namer;
  private readonly pipeline: Pipeline;
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
    private readonly table: ProgramTable,
    private readonly context: ts.TransformationContext,
    private readonly diagnostics: ts.Diagnostic[],
  ) {
    this.f = context.factory;
    this.namer = new Namer(moduleScopeNames(sf));
    this.pipeline = new Pipeline(table, (key) => table.reference(key, sf.fileName) !== null);
    this.runtimeModule = runtimeSpecifier(sf, table.checker);
  }

  run(markers: MarkerCall[]): ModuleResult {
    for (const m of markers) this.handle(m);
    const generated = [...this.declarations.entries()].map(([key, node]) => ({ key, name: this.functionNames.get(key)!, node }));
    return { sourceFile: this.rewrite(), diagnostics: this.diagnostics, generated };
  }

  private handle(marker: MarkerCall): void {
    const before = this.pipeline.size;
    try {
      this.pipeline.transaction(() => {
        const request = resolveRequest(
          { checker: this.table.checker, functionKey: (decl) => this.table.functionKey(decl), sourceOf: (k) => this.pipeline.sourceOf(k), derive: (kind, mask, k) => this.pipeline.derive(kind, mask, k) },
          marker,
        );
        const key = this.pipeline.derive(request.derived, request.mask, request.key);
        // emit what this request added (a refusal in emit rolls it all back)
        const added = this.pipeline.keysSince(before);
        const emitted: [string, ts.FunctionDeclaration][] = [];
        for (const k of added) {
          const gf = this.pipeline.get(k)!;
          emitted.push([k, emitFunction(gf, this.nameFor(k, gf.name), this.scope())]);
        }
        for (const [k, node] of emitted) this.declarations.set(k, node);
        this.replacements.set(marker.call, this.callSite(request, key));
      });
    } catch (e) {
      const refusal = this.report(e, marker.call);
      // a host that emits anyway (tsc without noEmitOnError) gets code that throws the refusal
      if (refusal) this.replacements.set(marker.call, refusalThrow(this.f, marker, refusal));
    }
  }

  private report(e: unknown, at: ts.Node): ts.Diagnostic | undefined {
    const before = this.diagnostics.length;
    this.reportOnce(e, at);
    // the same refusal reached through several markers is reported once
    const d = this.diagnostics[before];
    if (d && this.diagnostics.slice(0, before).some((x) => x.start === d.start && x.code === d.code && x.file === d.file)) this.diagnostics.pop();
    return d;
  }

  private reportOnce(e: unknown, at: ts.Node): void {
    if (e instanceof TsgError) this.diagnostics.push(toDiagnostic(e));
    else if (e instanceof IrRefusal) {
      const node = e.origin ? nodeAt(this.table.program.getSourceFile(e.origin.file), e.origin.pos) : undefined;
      this.diagnostics.push(toDiagnostic(new TsgError(e.code, node ?? at, e.problem, e.hint)));
    } else this.diagnostics.push(internalErrorDiagnostic(e, at));
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
  private callSite(request: Request, key: string): ts.Expression {
    const f = this.f;
    const fn = f.createIdentifier(this.functionNames.get(key)!);
    if (request.marker.kind !== "checkGrad") return fn;
    const call = request.marker.call;
    const params = request.mask.flatMap((m, i) => (m ? [i] : []));
    const compiled = f.createObjectLiteralExpression([
      f.createPropertyAssignment("__tsgradCheck", f.createNumericLiteral(1)),
      f.createPropertyAssignment("f", call.arguments[0]!),
      f.createPropertyAssignment("grad", fn),
      f.createPropertyAssignment("params", f.createArrayLiteralExpression(params.map((p) => f.createNumericLiteral(p)))),
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
      const gf = this.pipeline.get(key);
      return f.createIdentifier(this.nameFor(key, gf?.name ?? "derived"));
    }
    const ref = this.table.reference(key, this.sf.fileName);
    if (!ref) {
      const copy = derivedKey("primal", [], key);
      return f.createIdentifier(this.nameFor(copy, this.pipeline.get(copy)?.name ?? "primal"));
    }
    if (ref.file === this.sf.fileName) return f.createIdentifier(ref.name);
    return f.createPropertyAccessExpression(this.moduleNamespace(ref.file), ref.name);
  }

  private external(ref: ExternalRef, origin: Origin | undefined): ts.Expression {
    if (ref.file === this.sf.fileName) return this.f.createIdentifier(ref.name);
    if (!ref.exported && !this.table.isExportedName(ref.file, ref.name))
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
      const stem = baseName(file).replace(/\.[cm]?tsx?$/, "").replace(/[^A-Za-z0-9_$]/g, "_");
      ns = this.f.createIdentifier(this.moduleName(`${stem}_module`));
      this.imports.set(file, ns);
    }
    return ns;
  }

  private sourceMapSource(file: string): ts.SourceMapSource | undefined {
    let s = this.sourceMapSources.get(file);
    if (!s) {
      const other = this.table.program.getSourceFile(file);
      if (!other) return undefined;
      s = ts.createSourceMapSource(file, other.text);
      this.sourceMapSources.set(file, s);
    }
    return s;
  }

  /** The module with call sites replaced, imports added on top and generated code at the end. */
  private rewrite(): ts.SourceFile {
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
        f.createImportDeclaration(undefined, f.createImportClause(false, undefined, f.createNamespaceImport(this.runtimeNs)), f.createStringLiteral(this.runtimeModule)),
      );
    if (this.tensorNs)
      importDecls.push(
        f.createImportDeclaration(undefined, f.createImportClause(false, undefined, f.createNamespaceImport(this.tensorNs)), f.createStringLiteral(tensorSpecifier(this.sf, this.table.checker, this.runtimeModule))),
      );
    for (const [file, ns] of this.imports)
      importDecls.push(
        f.createImportDeclaration(undefined, f.createImportClause(false, undefined, f.createNamespaceImport(ns)), f.createStringLiteral(this.specifierFor(file))),
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
      const resolved = ts.resolveModuleName(stmt.moduleSpecifier.text, this.sf.fileName, this.table.program.getCompilerOptions(), ts.sys);
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
      if (sym && (tensorOpOf(resolveAlias(checker, sym)) || typeTagOf(resolveAlias(checker, sym)) === "tensor")) return stmt.moduleSpecifier.text;
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
    f.createBlock([f.createThrowStatement(f.createNewExpression(f.createIdentifier("Error"), undefined, [f.createStringLiteral(message)]))]),
  );
  return f.createCallExpression(f.createParenthesizedExpression(thrower), undefined, []);
}

/** A path as the user reads it: relative to the working directory when inside it. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : file;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** The innermost statement-level node at a position (to point a refusal raised in a pass). */
function nodeAt(sf: ts.SourceFile | undefined, pos: number): ts.Node | undefined {
  if (!sf) return undefined;
  let best: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (n.getStart(sf) <= pos && pos < n.getEnd()) {
      if (n.getStart(sf) === pos) best ??= n;
      ts.forEachChild(n, visit);
    }
  };
  visit(sf);
  return best;
}
