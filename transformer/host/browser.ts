/**
 * In-memory compilation with no file system and no Node module: the host of the playground's Web
 * Worker, usable anywhere a `typescript` module is at hand (it never loads one itself).
 *
 * Every file lives in a map from absolute path to text: the lib `.d.ts` files, tsgrad's own
 * declarations under `/node_modules/tsgrad/`, and the module being compiled. Each compile is a new
 * `ts.Program` over that map (the entry's text changes on every keystroke); the other files are
 * parsed once and their SourceFiles reused by every Program after the first, so only the entry is
 * parsed again.
 */
import type typescript from "typescript";
import { useCompiler } from "../compiler.js";
import { tsgradTransformer } from "../index.js";

type TS = typeof typescript;

export interface InMemoryHostOptions {
  /** The compiler (the host never imports one). */
  readonly ts: TS;
  /** Files other than the entry, by absolute path: lib files, declarations, package.json files. */
  readonly files: ReadonlyMap<string, string>;
  readonly compilerOptions: typescript.CompilerOptions;
  /** Files of `files` every Program includes besides the entry (ambient declarations). */
  readonly roots?: readonly string[];
}

export interface InMemoryCompileOptions {
  /** Also type-check the entry (semantic diagnostics), not only parse it. Default true. */
  readonly typeCheck?: boolean;
  /** Transformers run on the emitted file after tsgrad's (for example to rewrite import specifiers). */
  readonly after?: readonly typescript.TransformerFactory<typescript.SourceFile>[];
  /** Transformers run on the entry after tsgrad's, before the TypeScript syntax is removed. */
  readonly before?: readonly typescript.TransformerFactory<typescript.SourceFile>[];
}

export interface GeneratedFunction {
  /** The name it has in the emitted module (`f_grad`). */
  readonly name: string;
  /** What it derives, in tsgrad's key notation (`grad[0](/main.ts#12)`). */
  readonly key: string;
  /** Its TypeScript text as printed by the compiler (unformatted, with its doc comment). */
  readonly text: string;
}

export interface InMemoryCompileResult {
  /** The emitted JavaScript of the entry, or "" when it did not emit. */
  readonly js: string;
  /** tsgrad's refusals (TSG codes), each with its position in the entry. */
  readonly refusals: typescript.Diagnostic[];
  /** The compiler's own errors in the entry: syntax, and types when `typeCheck` is on. */
  readonly errors: typescript.Diagnostic[];
  readonly generated: GeneratedFunction[];
  /** The Program of this compile (for analyses of the entry's syntax and types). */
  readonly program: typescript.Program;
  readonly sourceFile: typescript.SourceFile;
  /** Milliseconds spent making the Program, checking the entry, and emitting it (tsgrad runs in the emit). */
  readonly timings: { readonly program: number; readonly check: number; readonly emit: number };
}

export interface InMemoryHost {
  compile(entry: string, text: string, options?: InMemoryCompileOptions): InMemoryCompileResult;
}

export function createInMemoryHost({ ts, files, compilerOptions, roots = [] }: InMemoryHostOptions): InMemoryHost {
  // the transformer's modules read the compiler through this live binding (see compiler.ts); bound
  // here, at once, so nothing of the transformer ever reaches for a copy of its own (a browser has none)
  useCompiler(ts);
  const parsed = new Map<string, typescript.SourceFile>();
  const directories = new Set<string>();
  for (const file of files.keys()) for (let d = parentOf(file); d !== "/"; d = parentOf(d)) directories.add(d);
  let previous: typescript.Program | undefined;

  return {
    compile(entry, text, options = {}) {
      const entrySource = ts.createSourceFile(entry, text, compilerOptions.target ?? ts.ScriptTarget.ES2022, true);
      const host: typescript.CompilerHost = {
        getSourceFile: (fileName, languageVersion) => {
          if (fileName === entry) return entrySource;
          let sf = parsed.get(fileName);
          const content = files.get(fileName);
          if (!sf && content !== undefined) parsed.set(fileName, (sf = ts.createSourceFile(fileName, content, languageVersion, true)));
          return sf;
        },
        getDefaultLibFileName: (options) => "/" + ts.getDefaultLibFileName(options),
        getDefaultLibLocation: () => "/",
        writeFile: () => {},
        getCurrentDirectory: () => "/",
        getCanonicalFileName: (f) => f,
        useCaseSensitiveFileNames: () => true,
        getNewLine: () => "\n",
        fileExists: (f) => f === entry || files.has(f),
        readFile: (f) => (f === entry ? text : files.get(f)),
        directoryExists: (d) => d === "/" || directories.has(d.replace(/\/$/, "")),
        getDirectories: () => [],
        realpath: (f) => f,
      };
      const start = performance.now();
      const program = ts.createProgram({ rootNames: [entry, ...roots], options: compilerOptions, host, oldProgram: previous });
      previous = program;
      const sourceFile = program.getSourceFile(entry)!;
      const made = performance.now();
      const syntax = program.getSyntacticDiagnostics(sourceFile);
      const errors = [...syntax, ...(options.typeCheck !== false && !syntax.length ? program.getSemanticDiagnostics(sourceFile) : [])];
      const checked = performance.now();
      const refusals: typescript.Diagnostic[] = [];
      const generated: GeneratedFunction[] = [];
      const printer = ts.createPrinter({ removeComments: false });
      const transformer = tsgradTransformer(program, {
        ts,
        report: (d) => refusals.push(d),
        onGenerated: (file, functions) => {
          if (file !== entry) return;
          for (const g of functions)
            generated.push({ name: g.name, key: g.key, text: printer.printNode(ts.EmitHint.Unspecified, g.node, sourceFile) });
        },
      });
      let js = "";
      program.emit(
        sourceFile,
        (name, output) => {
          if (/\.m?js$/.test(name)) js = output;
        },
        undefined,
        false,
        { before: [transformer, ...(options.before ?? [])], after: [...(options.after ?? [])] },
      );
      const timings = { program: made - start, check: checked - made, emit: performance.now() - checked };
      return { js, refusals, errors, generated, program, sourceFile, timings };
    },
  };
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}
