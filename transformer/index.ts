/**
 * tsgrad's TypeScript transformer. One factory serves every host: ts-patch (`tspc`, or `tsc`
 * after `ts-patch install`), `program.emit(..., { before })`, the bundler plugins, the Node
 * loader, the language-service plugin and the CLI.
 *
 *   discover (marker calls) -> lower (IR) -> analyse -> passes -> emit (ts.factory)
 *
 * It needs a Program: markers are resolved through the TypeChecker, and so are the functions they
 * differentiate and everything those call. It works with the `typescript` module that made the
 * Program (see compiler.ts).
 */
import type typescript from "typescript";
import { checkCompiler, ownCompiler, useCompiler } from "./compiler.js";
import { transformModule } from "./emit/module.js";
import { tableFor } from "./table.js";

export interface TransformerOptions {
  /** Receives tsgrad's diagnostics (refusals with TSG codes). */
  readonly report?: (diagnostic: typescript.Diagnostic) => void;
  /** Receives the generated functions of each file (used by `tsgrad emit`). */
  readonly onGenerated?: (fileName: string, functions: { name: string; key: string; node: typescript.FunctionDeclaration }[]) => void;
  /**
   * The `typescript` module that made the Program (default: tsgrad's own dependency). Pass your
   * own when it may be another copy or version than tsgrad's.
   */
  readonly ts?: typeof typescript;
}

export function tsgradTransformer(program: typescript.Program | undefined, options: TransformerOptions = {}): typescript.TransformerFactory<typescript.SourceFile> {
  const compiler = options.ts ? checkCompiler(options.ts, "the typescript module given to tsgradTransformer") : ownCompiler();
  if (!program)
    throw new Error(
      "tsgrad's transformer needs a ts.Program (it resolves markers and functions with the TypeChecker); " +
        "ts.transpileModule has none. Use ts-patch (tspc), a bundler plugin (tsgrad/vite, tsgrad/esbuild, ...), " +
        "`node --import tsgrad/register`, or the tsgrad CLI.",
    );
  useCompiler(compiler);
  const table = tableFor(program);
  return (context) => (sf) => {
    // several hosts may share a process (a test runner, a dev server): each file runs with its own
    useCompiler(compiler);
    if (sf.isDeclarationFile) return sf;
    // a file that does not parse gets the compiler's syntax errors, not refusals of what it recovered
    if (program.getSyntacticDiagnostics(sf).length) return sf;
    const result = transformModule(sf, table, context);
    for (const d of result.diagnostics) options.report?.(d);
    if (result.generated.length) options.onGenerated?.(sf.fileName, result.generated);
    return result.sourceFile;
  };
}

/** What ts-patch passes a plugin besides the Program (ts-patch 3: `extras.ts`, `addDiagnostic`). */
export interface TsPatchExtras {
  readonly ts?: typeof typescript;
  readonly addDiagnostic?: (diagnostic: typescript.Diagnostic) => void;
}

/**
 * ts-patch's plugin entry: `{ "transform": "tsgrad/transformer" }` in compilerOptions.plugins. It
 * runs with the compiler ts-patch runs (the project's own TypeScript), never a second copy.
 */
export default function tsPatchPlugin(program: typescript.Program, _config: unknown, extras?: TsPatchExtras): typescript.TransformerFactory<typescript.SourceFile> {
  const compiler = checkCompiler(extras?.ts ?? ownCompiler(), "the TypeScript that ts-patch runs");
  return tsgradTransformer(program, { ts: compiler, report: (d) => extras?.addDiagnostic?.(d) });
}
