/**
 * The driver of one module: finds the file's marker calls (discover), resolves each to a request,
 * derives what it needs (lower, analyse, passes, simplify: `derive.ts`) inside a transaction, so
 * that a refusal rolls back only that marker's functions, and hands what was derived to the
 * module emitter (emit/module.ts), which names it, prints it into the file and replaces the call.
 * A refused marker call is reported; the rest of the file still compiles.
 */
import { ts } from "../compiler.js";
import { internalErrorDiagnostic, IrRefusal, toDiagnostic, TsgError, TSG } from "../diagnostics.js";
import { findMarkerCalls, type MarkerCall } from "../discover/markers.js";
import { resolveRequest, type Request } from "../discover/requests.js";
import { parseDerivedKey } from "../ir/keys.js";
import { capturedVariables } from "../lower/captures.js";
import { ModuleEmitter } from "../emit/module.js";
import { Pipeline, type StageObserver } from "./derive.js";
import type { ProgramTable } from "./table.js";

export interface ModuleResult {
  readonly sourceFile: ts.SourceFile;
  readonly diagnostics: ts.Diagnostic[];
  /** Generated functions by name, for `tsgrad emit`. */
  readonly generated: { name: string; key: string; node: ts.FunctionDeclaration }[];
}

export interface ModuleOptions {
  /** Told the IR of each derived function after each stage (`tsgrad emit --stages`). */
  readonly observe?: StageObserver;
}

export function transformModule(
  sf: ts.SourceFile,
  table: ProgramTable,
  context: ts.TransformationContext,
  options: ModuleOptions = {},
): ModuleResult {
  const diagnostics: ts.Diagnostic[] = [];
  const markers = findMarkerCalls(sf, table.checker);
  if (markers.length === 0) return { sourceFile: sf, diagnostics, generated: [] };
  const pipeline = new Pipeline(table, (key) => table.reference(key, sf.fileName) !== null, options.observe);
  const emitter = new ModuleEmitter(sf, context, {
    program: table.program,
    checker: table.checker,
    reference: (key, fromFile) => table.reference(key, fromFile),
    isExportedName: (file, name) => table.isExportedName(file, name),
    generated: (key) => pipeline.get(key),
  });
  for (const marker of markers) handle(marker, { table, pipeline, emitter, diagnostics });
  return { sourceFile: emitter.rewrite(), diagnostics, generated: emitter.generated() };
}

interface ModuleState {
  readonly table: ProgramTable;
  readonly pipeline: Pipeline;
  readonly emitter: ModuleEmitter;
  readonly diagnostics: ts.Diagnostic[];
}

function handle(marker: MarkerCall, { table, pipeline, emitter, diagnostics }: ModuleState): void {
  const before = pipeline.size;
  try {
    pipeline.transaction(() => {
      const request = resolveRequest(
        {
          checker: table.checker,
          functionKey: (decl) => table.functionKey(decl),
          ruleBindingKey: (decl) => table.ruleBindingKey(decl),
          sourceOf: (k) => pipeline.sourceOf(k),
          derive: (kind, mask, k) => pipeline.derive(kind, mask, k),
        },
        marker,
      );
      const key = pipeline.derive(request.derived, request.mask, request.key);
      // emit what this request added (a refusal in emit rolls it all back)
      emitter.emitFunctions(pipeline.keysSince(before).map((k) => pipeline.get(k)!));
      emitter.replaceCall(request, key, capturedAtSite(request, table));
    });
  } catch (e) {
    const refusal = report(e, marker.call, table, diagnostics);
    // a host that emits anyway (tsc without noEmitOnError) gets code that throws the refusal
    if (refusal) emitter.replaceRefused(marker, refusal);
  }
}

/** Reports a refusal (or an internal error) once; returns its diagnostic. */
function report(e: unknown, at: ts.Node, table: ProgramTable, diagnostics: ts.Diagnostic[]): ts.Diagnostic | undefined {
  const before = diagnostics.length;
  if (e instanceof TsgError) diagnostics.push(toDiagnostic(e));
  else if (e instanceof IrRefusal) {
    const node = e.origin ? nodeAt(table.program.getSourceFile(e.origin.file), e.origin.pos) : undefined;
    diagnostics.push(toDiagnostic(new TsgError(e.code, node ?? at, e.problem, e.hint)));
  } else diagnostics.push(internalErrorDiagnostic(e, at));
  // the same refusal reached through several markers is reported once
  const d = diagnostics[before];
  if (d && diagnostics.slice(0, before).some((x) => x.start === d.start && x.code === d.code && x.file === d.file)) diagnostics.pop();
  return d;
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

/**
 * What the differentiated function captures (lower/captures.ts), to be read at the marker's call
 * site: each name must mean there what it means in the function.
 */
function capturedAtSite(request: Request, table: ProgramTable): string[] {
  let source = request.key;
  for (let d = parseDerivedKey(source); d; d = parseDerivedKey(source)) source = d.base;
  const decl = table.declaration(source);
  const captured = decl ? capturedVariables(table.checker, decl) : [];
  if (captured.length === 0) return [];
  const site = request.marker.call;
  const visible = new Set(table.checker.getSymbolsInScope(site, ts.SymbolFlags.Value));
  for (const c of captured)
    if (!visible.has(c.symbol))
      throw new TsgError(
        TSG.capturedLocal,
        site,
        `the function differentiated reads \`${c.name}\` of an enclosing function, and \`${c.name}\` means something else here (or is not in scope)`,
        `call ${request.marker.kind}(...) where \`${c.name}\` is the variable the function reads`,
      );
  return captured.map((c) => c.name);
}
