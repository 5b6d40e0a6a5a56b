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
import { importsMarkers } from "./discover/imports.js";
import { transformModule } from "./pipeline/module.js";
import { tableFor } from "./pipeline/table.js";
import type { Stage, StageIR } from "./pipeline/derive.js";

export interface TransformerOptions {
  /** Receives tsgrad's diagnostics (refusals with TSG codes). */
  readonly report?: (diagnostic: typescript.Diagnostic) => void;
  /** Receives the generated functions of each file (used by `tsgrad emit`). */
  readonly onGenerated?: (fileName: string, functions: { name: string; key: string; node: typescript.FunctionDeclaration }[]) => void;
  /** Receives the IR of each derived function (by key) after each stage (used by `tsgrad emit --stages`). */
  readonly onStage?: (fileName: string, key: string, stage: Stage, ir: StageIR) => void;
  /**
   * The `typescript` module that made the Program (default: tsgrad's own dependency). Pass your
   * own when it may be another copy or version than tsgrad's.
   */
  readonly ts?: typeof typescript;
}

export function tsgradTransformer(
  program: typescript.Program | undefined,
  options: TransformerOptions = {},
): typescript.TransformerFactory<typescript.SourceFile> {
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
    const onStage = options.onStage;
    const result = transformModule(
      sf,
      table,
      context,
      onStage ? { observe: (key, stage, ir) => onStage(sf.fileName, key, stage, ir) } : {},
    );
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
 * ts-patch's plugin entry, with the compiler ts-patch runs (the project's own TypeScript), never a
 * second copy:
 * - `{ "transform": "tsgrad/transformer" }`: a source transformer; refusals are emit diagnostics;
 * - `{ "transform": "tsgrad/transformer", "transformProgram": true }`: a program transformer;
 *   refusals are semantic diagnostics, so `tspc --noEmit` reports them too, and emit runs the
 *   transformer. Use one entry or the other, not both (each would report every refusal).
 */
export default function tsPatchPlugin(
  program: typescript.Program,
  configOrHost: unknown,
  extrasOrConfig?: TsPatchExtras | { transformProgram?: boolean },
  programExtras?: TsPatchExtras,
): typescript.TransformerFactory<typescript.SourceFile> | typescript.Program {
  if ((extrasOrConfig as { transformProgram?: boolean } | undefined)?.transformProgram === true)
    return checkedProgram(program, programExtras);
  const extras = extrasOrConfig as TsPatchExtras | undefined;
  const compiler = checkCompiler(extras?.ts ?? ownCompiler(), "the TypeScript that ts-patch runs");
  return tsgradTransformer(program, { ts: compiler, report: (d) => extras?.addDiagnostic?.(d) });
}

/**
 * The Program with tsgrad's refusals among its semantic diagnostics (what `tsc --noEmit` reports)
 * and its emit running the transformer. Everything else is the Program's own (its prototype).
 */
function checkedProgram(program: typescript.Program, extras: TsPatchExtras | undefined): typescript.Program {
  const ts = checkCompiler(extras?.ts ?? ownCompiler(), "the TypeScript that ts-patch runs");
  let refusals: typescript.Diagnostic[] | undefined;
  const allRefusals = (): typescript.Diagnostic[] => {
    if (refusals) return refusals;
    const found: typescript.Diagnostic[] = [];
    const transformer = tsgradTransformer(program, { ts, report: (d) => found.push(d) });
    for (const sf of program.getSourceFiles()) {
      if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf) || !importsMarkers(sf, program.getTypeChecker())) continue;
      ts.transform(sf, [transformer], program.getCompilerOptions()).dispose();
    }
    return (refusals = found);
  };
  const checked = Object.create(program) as typescript.Program;
  checked.getSemanticDiagnostics = (sf, token) => [
    ...program.getSemanticDiagnostics(sf, token),
    ...allRefusals().filter((d) => !sf || d.file === sf),
  ];
  checked.emit = (target, writeFile, token, onlyDts, custom) =>
    program.emit(target, writeFile, token, onlyDts, {
      ...custom,
      // refusals are already semantic diagnostics; the emitted code of a refused call throws it
      before: [tsgradTransformer(program, { ts }), ...(custom?.before ?? [])],
    });
  return checked;
}
