/**
 * Compiles many generated programs at once: one ts.Program over all their files (the
 * TypeChecker and the library files are shared, so a batch of 50 costs little more than one),
 * one emit per file with the transformer, and each program's outcome on its own: compiled, refused
 * (a TSG diagnostic), or crashed (the transformer threw). A crash ends that Program (its tables
 * may be half-written), so the files not yet emitted are compiled again in a fresh one.
 *
 * Each program lives in its own folder (`main.ts`, and `lib.ts` for its sibling module); emitted
 * JavaScript is written next to it as .mjs and imported from there, so `tsgrad` resolves to this
 * package. No eval, no new Function.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { DEFAULT_COMPILER_OPTIONS } from "tsgrad/compile";
import { tsgradTransformer } from "tsgrad/transformer";

export interface ProgramFiles {
  /** Folder name of the program (unique within the work folder). */
  readonly id: string;
  readonly main: string;
  readonly lib?: string;
}

export type CompileOutcome =
  | { readonly id: string; readonly status: "ok"; readonly entry: string }
  | { readonly id: string; readonly status: "refused" | "crashed" | "invalid"; readonly message: string };

/** Library and package declaration files, parsed once per process. */
const sourceFileCache = new Map<string, ts.SourceFile>();

function makeHost(options: ts.CompilerOptions, memory: ReadonlyMap<string, string>): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => memory.get(path.resolve(f)) ?? readFile(f);
  host.fileExists = (f) => memory.has(path.resolve(f)) || fileExists(f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = memory.get(path.resolve(f));
    if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
    const cached = sourceFileCache.get(f);
    if (cached) return cached;
    const sf = getSourceFile(f, lang, onError, create);
    if (sf && f.endsWith(".d.ts")) sourceFileCache.set(f, sf);
    return sf;
  };
  return host;
}

function message(d: ts.Diagnostic): string {
  const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
  const where = d.file ? `${path.basename(d.file.fileName)}:${pos ? `${pos.line + 1}:${pos.character + 1}` : "?"}` : "?";
  return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
}

/** Rewrites relative imports of sibling .ts modules to their emitted .mjs files. */
function rewriteRelativeImports(js: string): string {
  return js.replace(/(from\s+["'])(\.{1,2}\/[^"']+?)(\.ts|\.js)?(["'])/g, (_m, a: string, p: string, _ext, b: string) => `${a}${p}.mjs${b}`);
}

/**
 * Compiles every program in `workDir/<id>/` and writes the emitted modules there.
 * `typecheck` also reports TypeScript's own type errors as "invalid" (a generator bug);
 * `keepSources` writes the .ts sources next to the emitted modules (for reading them).
 */
export function compileBatch(workDir: string, programs: readonly ProgramFiles[], options: { typecheck?: boolean; keepSources?: boolean } = {}): CompileOutcome[] {
  const outcomes = new Map<string, CompileOutcome>();
  let pending = programs.slice();
  while (pending.length) {
    const crashedAt = compileOnce(workDir, pending, outcomes, options.typecheck ?? false, options.keepSources ?? false);
    pending = pending.filter((p) => !outcomes.has(p.id));
    if (crashedAt === undefined && pending.length) throw new Error(`compileBatch: no outcome for ${pending.map((p) => p.id).join(", ")}`);
  }
  return programs.map((p) => outcomes.get(p.id)!);
}

/** One Program over `programs`; returns the id that crashed it, if one did. */
function compileOnce(workDir: string, programs: readonly ProgramFiles[], outcomes: Map<string, CompileOutcome>, typecheck: boolean, keepSources: boolean): string | undefined {
  const memory = new Map<string, string>();
  const idOf = new Map<string, string>();
  const entries: string[] = [];
  for (const p of programs) {
    // the folders exist (module resolution asks); the sources go next to what is emitted only on
    // request (not under test/, where the editor's and Vite's Program would take them in)
    const dir = path.resolve(workDir, p.id);
    mkdirSync(dir, { recursive: true });
    if (keepSources) {
      writeFileSync(path.join(dir, "main.ts"), p.main);
      if (p.lib !== undefined) writeFileSync(path.join(dir, "lib.ts"), p.lib);
    }
    memory.set(path.join(dir, "main.ts"), p.main);
    idOf.set(path.join(dir, "main.ts"), p.id);
    entries.push(path.join(dir, "main.ts"));
    if (p.lib !== undefined) {
      memory.set(path.join(dir, "lib.ts"), p.lib);
      idOf.set(path.join(dir, "lib.ts"), p.id);
    }
  }
  const options = { ...DEFAULT_COMPILER_OPTIONS, inlineSourceMap: false, inlineSources: false };
  const program = ts.createProgram(entries, options, makeHost(options, memory));
  const problems = new Map<string, string[]>();
  const note = (id: string, text: string) => problems.set(id, [...(problems.get(id) ?? []), text]);
  for (const d of program.getSyntacticDiagnostics()) if (d.file) note(idOf.get(path.resolve(d.file.fileName)) ?? "?", message(d));
  if (typecheck)
    for (const [file, id] of idOf) {
      const sf = program.getSourceFile(file);
      if (sf) for (const d of program.getSemanticDiagnostics(sf)) note(id, message(d));
    }
  for (const [id, texts] of problems) outcomes.set(id, { id, status: "invalid", message: texts.join("\n") });

  const refusals = new Map<string, string[]>();
  const js = new Map<string, string>();
  const transformer = tsgradTransformer(program, {
    report: (d) => {
      const id = d.file ? idOf.get(path.resolve(d.file.fileName)) : undefined;
      if (id) refusals.set(id, [...(refusals.get(id) ?? []), message(d)]);
    },
  });
  // lib.ts first: a program's main module imports it
  const files = [...idOf.keys()].sort((a, b) => Number(b.endsWith("lib.ts")) - Number(a.endsWith("lib.ts")));
  for (const file of files) {
    const id = idOf.get(file)!;
    if (outcomes.has(id)) continue;
    const sf = program.getSourceFile(file)!;
    try {
      program.emit(sf, (name, text) => {
        if (name.endsWith(".js")) js.set(file, text);
      }, undefined, false, { before: [transformer] });
    } catch (e) {
      outcomes.set(id, { id, status: "crashed", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      return id;
    }
  }
  for (const p of programs) {
    if (outcomes.has(p.id)) continue;
    const refused = refusals.get(p.id);
    if (refused) {
      outcomes.set(p.id, { id: p.id, status: "refused", message: refused.join("\n") });
      continue;
    }
    const dir = path.resolve(workDir, p.id);
    for (const name of p.lib !== undefined ? ["main", "lib"] : ["main"]) {
      const text = js.get(path.join(dir, `${name}.ts`));
      if (text === undefined) throw new Error(`compileBatch: nothing emitted for ${p.id}/${name}.ts`);
      writeFileSync(path.join(dir, `${name}.mjs`), rewriteRelativeImports(text));
    }
    outcomes.set(p.id, { id: p.id, status: "ok", entry: pathToFileURL(path.join(dir, "main.mjs")).href });
  }
  return undefined;
}

/** Imports a compiled program's `cases`. */
export async function importCases<T>(entry: string): Promise<T> {
  const m = (await import(/* @vite-ignore */ entry)) as { cases: T };
  return m.cases;
}
