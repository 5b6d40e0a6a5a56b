/**
 * A project's TypeScript program, kept for the hosts that see one file at a time (the bundler
 * plugins, the Node loader): it reads tsconfig.json, builds one shared ts.Program so that the
 * transformer has a TypeChecker (transpileModule has none), decides which files to transform by
 * what they import, and emits those files with the transformer.
 *
 * These hosts bring tsgrad's own compiler (its `typescript` dependency, always a JavaScript-API
 * compiler), whatever TypeScript the project itself has, 7 included.
 */
import path from "node:path";
import ts from "typescript";
import { useCompiler } from "../compiler.js";
import { hasImports, importsMarkers } from "../discover/imports.js";
import { tsgradTransformer } from "../index.js";

export interface TsgradPluginOptions {
  /** tsconfig.json to read compiler options and files from (default: the nearest one above the project root). */
  readonly tsconfig?: string;
  /**
   * Which files may be transformed, before tsgrad looks at what they import (default: .ts, .tsx,
   * .mts and .cts files outside node_modules).
   */
  readonly include?: (id: string, code: string) => boolean;
}

export interface TransformedFile {
  /** JavaScript, with the marker calls replaced by generated derivatives. */
  readonly code: string;
  /** Its source map (JSON), relative to the file. */
  readonly map: string | null;
  /** tsgrad's refusals in the file's marker calls; when there are any, the host reports them. */
  readonly diagnostics: readonly ts.Diagnostic[];
  /** The program's other source files: derivatives may be of functions declared there. */
  readonly dependencies: readonly string[];
}

const TS_FILE = /\.(m|c)?tsx?$/;

export function isTypeScriptFile(id: string): boolean {
  return TS_FILE.test(id) && !id.endsWith(".d.ts") && !/\.d\.[cm]ts$/.test(id);
}

/** The options every host forces: the bundler or Node runs the output, with source maps. */
const EMIT_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
  jsx: ts.JsxEmit.Preserve,
  noEmit: false,
  emitDeclarationOnly: false,
  declaration: false,
  declarationMap: false,
  sourceMap: true,
  inlineSourceMap: false,
  inlineSources: true,
  outDir: undefined,
  outFile: undefined,
  rootDir: undefined,
  composite: false,
  incremental: false,
  tsBuildInfoFile: undefined,
  noEmitOnError: false,
};

export class TsgradProject {
  private program: ts.Program | undefined;
  private compilerOptions: ts.CompilerOptions | undefined;
  private rootNames: string[] = [];
  /** Where tsconfig.json is looked for when no path is given; a host may set it before the first file. */
  root = process.cwd();

  constructor(private readonly options: TsgradPluginOptions = {}) {
    useCompiler(ts);
  }

  /** Whether a module id is a TypeScript file this project may transform at all (no Program needed). */
  accepts(id: string, code: string): boolean {
    if (!isTypeScriptFile(id) || id.includes("/node_modules/") || id.includes("\\node_modules\\")) return false;
    if (this.options.include && !this.options.include(id, code)) return false;
    return hasImports(ts, code);
  }

  /**
   * The file transformed, or null when it imports no marker (the bundler compiles it as usual).
   * `code` is the file's current text (a bundler's may differ from the disk's).
   */
  transform(id: string, code: string): TransformedFile | null {
    const file = path.resolve(id);
    if (!this.accepts(file, code)) return null;
    let program = this.programFor(file, code, false);
    let sf = program.getSourceFile(file);
    if (!sf || !importsMarkers(sf, program.getTypeChecker())) return null;
    // a derivative generated here may be of a function declared in another file that changed
    program = this.programFor(file, code, true);
    sf = program.getSourceFile(file)!;
    const diagnostics: ts.Diagnostic[] = [];
    let js: string | undefined;
    let map: string | null = null;
    const syntax = program.getSyntacticDiagnostics(sf);
    program.emit(
      sf,
      (name, text) => {
        if (name.endsWith(".map")) map = text;
        // only the trailing comment TypeScript appends (a string in the code may contain the text)
        else if (/\.(m|c)?jsx?$/.test(name)) js = text.replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, "\n");
      },
      undefined,
      false,
      { before: [tsgradTransformer(program, { ts, report: (d) => diagnostics.push(d) })] },
    );
    const dependencies = this.ownFiles(program)
      .map((f) => path.resolve(f.fileName))
      .filter((f) => f !== file);
    return { code: js ?? code, map, diagnostics: [...syntax, ...diagnostics], dependencies };
  }

  /** Compiler options from tsconfig.json, with what the hosts need forced. */
  private loadConfig(): ts.CompilerOptions {
    const configPath = this.options.tsconfig
      ? path.resolve(this.root, this.options.tsconfig)
      : ts.findConfigFile(this.root, ts.sys.fileExists, "tsconfig.json");
    let parsed: ts.ParsedCommandLine | undefined;
    if (configPath) {
      const read = ts.readConfigFile(configPath, ts.sys.readFile);
      if (read.error)
        throw new Error(`tsgrad: cannot read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, "\n")}`);
      parsed = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, path.dirname(configPath), undefined, configPath);
    }
    this.rootNames = parsed?.fileNames.map((f) => path.resolve(f)) ?? [];
    return { strict: true, skipLibCheck: true, ...(parsed?.options ?? {}), ...EMIT_OPTIONS };
  }

  /** The program's own source files (not libraries or declarations). */
  private ownFiles(p: ts.Program): ts.SourceFile[] {
    return p.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes("/node_modules/"));
  }

  /**
   * The shared Program, (re)built when `file` is missing from it or differs from `code`, and, with
   * `checkOthers`, when another of its files changed on disk.
   */
  private programFor(file: string, code: string, checkOthers: boolean): ts.Program {
    this.compilerOptions ??= this.loadConfig();
    const sf = this.program?.getSourceFile(file);
    const stale = (f: ts.SourceFile) => path.resolve(f.fileName) !== file && ts.sys.readFile(f.fileName) !== f.text;
    if (this.program && sf && sf.text === code && !(checkOthers && this.ownFiles(this.program).some(stale))) return this.program;
    if (!this.rootNames.includes(file)) this.rootNames = [...this.rootNames, file];
    const host = ts.createCompilerHost(this.compilerOptions);
    // the bundler's text of this file wins over the disk's; unchanged files (and the libraries'
    // declarations) are not parsed again
    const getSourceFile = host.getSourceFile.bind(host);
    const old = this.program;
    host.getSourceFile = (name, lang, onError, create) => {
      if (path.resolve(name) === file) return ts.createSourceFile(name, code, lang, true);
      const previous = old?.getSourceFile(name);
      if (previous && ts.sys.readFile(name) === previous.text) return previous;
      return getSourceFile(name, lang, onError, create);
    };
    this.program = ts.createProgram({ rootNames: this.rootNames, options: this.compilerOptions, host, oldProgram: this.program });
    return this.program;
  }
}
