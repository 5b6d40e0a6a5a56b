/**
 * In-memory compilation with the transformer: builds a Program for some entry files (their
 * imports follow), emits JavaScript to memory, and collects tsgrad's diagnostics and generated
 * functions. The CLI and the tests use it; tsc and Vite have their own hosts.
 */
import path from "node:path";
import ts from "typescript";
import { tsgradTransformer, type TransformerOptions } from "../index.js";

/** Counts of the compiler's work over the IR (for the tests of compile-time growth). */
export { resetWorkCounts, traversalWork, workCounts } from "../ir/work.js";

export interface CompileOptions {
  /** Overrides of compiler options (defaults: ESNext modules, bundler resolution). */
  readonly compilerOptions?: ts.CompilerOptions;
  /** In-memory files (absolute path -> text) that shadow or add to the file system. */
  readonly files?: ReadonlyMap<string, string>;
  /** Receives the IR of each derived function after each stage (`tsgrad emit --stages`). */
  readonly onStage?: TransformerOptions["onStage"];
}

export interface GeneratedFunctionText {
  readonly file: string;
  readonly name: string;
  readonly key: string;
  readonly node: ts.FunctionDeclaration;
  readonly sourceFile: ts.SourceFile;
}

export interface CompileResult {
  /** Emitted JavaScript by source path (absolute). */
  readonly outputs: Map<string, string>;
  /** tsgrad's diagnostics (refusals). */
  readonly diagnostics: ts.Diagnostic[];
  /** Syntax errors and unresolved imports: the program cannot run. */
  readonly errors: ts.Diagnostic[];
  readonly generated: GeneratedFunctionText[];
  readonly program: ts.Program;
}

export const DEFAULT_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  strict: true,
  skipLibCheck: true,
  esModuleInterop: true,
  inlineSourceMap: true,
  inlineSources: true,
  noEmit: false,
  declaration: false,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
  types: [],
};

export function compileFiles(entries: readonly string[], options: CompileOptions = {}): CompileResult {
  const compilerOptions = { ...DEFAULT_COMPILER_OPTIONS, ...options.compilerOptions };
  const host = ts.createCompilerHost(compilerOptions, true);
  const memory = options.files;
  if (memory) {
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (f) => memory.get(path.resolve(f)) ?? readFile(f);
    host.fileExists = (f) => memory.has(path.resolve(f)) || fileExists(f);
    host.getSourceFile = (f, lang, onError, create) => {
      const text = memory.get(path.resolve(f));
      if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
      return getSourceFile(f, lang, onError, create);
    };
  }
  const program = ts.createProgram(
    entries.map((e) => path.resolve(e)),
    compilerOptions,
    host,
  );
  const outputs = new Map<string, string>();
  const diagnostics: ts.Diagnostic[] = [];
  const generated: GeneratedFunctionText[] = [];
  const transformer = tsgradTransformer(program, {
    ts,
    report: (d) => diagnostics.push(d),
    ...(options.onStage ? { onStage: options.onStage } : {}),
    onGenerated: (file, fns) => {
      const sf = program.getSourceFile(file)!;
      for (const g of fns) generated.push({ file, ...g, sourceFile: sf });
    },
  });
  const errors = [...program.getSyntacticDiagnostics()];
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || sf.fileName.includes("/node_modules/")) continue;
    program.emit(
      sf,
      (name, text) => {
        if (name.endsWith(".js") || name.endsWith(".mjs")) outputs.set(path.resolve(sf.fileName), text);
      },
      undefined,
      false,
      { before: [transformer] },
    );
  }
  return { outputs, diagnostics, errors, generated, program };
}
