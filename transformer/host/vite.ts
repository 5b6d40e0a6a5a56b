/**
 * The Vite (and Vitest) plugin: `plugins: [tsgrad()]`. It runs before Vite's own TypeScript
 * handling (`enforce: "pre"`) and emits each file that imports tsgrad through one shared
 * ts.Program, so the transformer has a TypeChecker (transpileModule has none). The Program is
 * built once per run and rebuilt, reusing what it can, when a file it has seen changes.
 */
import path from "node:path";
import ts from "typescript";
import { formatDiagnosticsPlain } from "../diagnostics.js";
import { tsgradTransformer } from "../index.js";

export interface TsgradViteOptions {
  /** tsconfig.json to read compiler options and files from (default: found from the root). */
  readonly tsconfig?: string;
  /** Which files to transform (default: .ts/.tsx/.mts outside node_modules that mention tsgrad). */
  readonly include?: (id: string, code: string) => boolean;
}

interface VitePluginLike {
  name: string;
  enforce: "pre";
  configResolved?(config: { root: string }): void;
  transform(this: { error(msg: string): never; addWatchFile(id: string): void }, code: string, id: string): { code: string; map: string | null } | null;
}

const TS_FILE = /\.(m|c)?tsx?$/;

export default function tsgrad(options: TsgradViteOptions = {}): VitePluginLike {
  let root = process.cwd();
  let program: ts.Program | undefined;
  let compilerOptions: ts.CompilerOptions | undefined;
  let rootNames: string[] = [];

  const loadConfig = () => {
    const configPath = options.tsconfig ?? ts.findConfigFile(root, ts.sys.fileExists, "tsconfig.json");
    let parsed: ts.ParsedCommandLine | undefined;
    if (configPath) {
      const read = ts.readConfigFile(configPath, ts.sys.readFile);
      parsed = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, path.dirname(configPath));
    }
    compilerOptions = {
      ...(parsed?.options ?? {}),
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      noEmit: false,
      emitDeclarationOnly: false,
      declaration: false,
      declarationMap: false,
      sourceMap: true,
      inlineSourceMap: false,
      inlineSources: true,
      outDir: undefined,
      composite: false,
      incremental: false,
      noEmitOnError: false,
    };
    rootNames = parsed?.fileNames ?? [];
  };

  /** The program's own source files (not libraries or declarations), with their texts. */
  const ownFiles = (p: ts.Program): ts.SourceFile[] => p.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes("/node_modules/"));

  /**
   * The shared Program, (re)built when `id` is missing from it or differs from `code`, or when
   * another of its files changed on disk: a derivative generated here may be of a function
   * declared there.
   */
  const programFor = (id: string, code: string): ts.Program => {
    if (!compilerOptions) loadConfig();
    const sf = program?.getSourceFile(id);
    const stale = (f: ts.SourceFile) => f.fileName !== id && ts.sys.readFile(f.fileName) !== f.text;
    if (program && sf && sf.text === code && !ownFiles(program).some(stale)) return program;
    if (!rootNames.includes(id)) rootNames = [...rootNames, id];
    program = ts.createProgram({ rootNames, options: compilerOptions!, oldProgram: program });
    return program;
  };

  return {
    name: "tsgrad",
    enforce: "pre",
    configResolved(config) {
      root = config.root;
    },
    transform(code, rawId) {
      const id = rawId.split("?")[0]!;
      if (!TS_FILE.test(id) || id.includes("/node_modules/") || id.endsWith(".d.ts")) return null;
      const wanted = options.include ? options.include(id, code) : /\btsgrad\b/.test(code);
      if (!wanted) return null;
      const p = programFor(path.resolve(id), code);
      const sf = p.getSourceFile(path.resolve(id));
      if (!sf) return null;
      const diagnostics: ts.Diagnostic[] = [];
      let js: string | undefined;
      let map: string | null = null;
      p.emit(
        sf,
        (name, text) => {
          if (name.endsWith(".map")) map = text;
          // only the trailing comment TypeScript appends (a string in the code may contain the text)
          else if (/\.(m|c)?jsx?$/.test(name)) js = text.replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, "\n");
        },
        undefined,
        false,
        { before: [tsgradTransformer(p, { ts, report: (d) => diagnostics.push(d) })] },
      );
      // the generated code depends on the functions it differentiates, wherever they are declared:
      // a change to any of the program's files must transform this one again
      for (const f of ownFiles(p)) if (path.resolve(f.fileName) !== path.resolve(id)) this.addWatchFile(f.fileName);
      if (diagnostics.length) this.error(`tsgrad could not differentiate code in ${id}:\n${formatDiagnosticsPlain(diagnostics, root)}`);
      if (js === undefined) return null;
      return { code: js, map };
    },
  };
}
