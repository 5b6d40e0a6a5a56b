/**
 * tsgrad's TypeScript transformer. One factory serves every host: ts-patch (`tspc`, or `tsc`
 * after `ts-patch install`), `program.emit(..., { before })`, the Vite plugin and the CLI.
 *
 *   discover (marker calls) -> lower (IR) -> analyse -> passes -> emit (ts.factory)
 *
 * It needs a Program: markers are resolved through the TypeChecker, and so are the functions they
 * differentiate and everything those call.
 */
import ts from "typescript";
import { transformModule } from "./emit/module.js";
import { tableFor } from "./table.js";

export interface TransformerOptions {
  /** Receives tsgrad's diagnostics (refusals with TSG codes). */
  readonly report?: (diagnostic: ts.Diagnostic) => void;
  /** Receives the generated functions of each file (used by `tsgrad emit`). */
  readonly onGenerated?: (fileName: string, functions: { name: string; key: string; node: ts.FunctionDeclaration }[]) => void;
}

export function tsgradTransformer(program: ts.Program | undefined, options: TransformerOptions = {}): ts.TransformerFactory<ts.SourceFile> {
  if (!program)
    throw new Error(
      "tsgrad's transformer needs a ts.Program (it resolves markers and functions with the TypeChecker); " +
        "ts.transpileModule has none. Use ts-patch (tspc), the Vite plugin tsgrad/vite, or the tsgrad CLI.",
    );
  const table = tableFor(program);
  return (context) => (sf) => {
    if (sf.isDeclarationFile) return sf;
    const result = transformModule(sf, table, context);
    for (const d of result.diagnostics) options.report?.(d);
    if (result.generated.length) options.onGenerated?.(sf.fileName, result.generated);
    return result.sourceFile;
  };
}

/** ts-patch's plugin entry: `{ "transform": "tsgrad/transformer" }` in compilerOptions.plugins. */
export default function tsPatchPlugin(
  program: ts.Program,
  _config: unknown,
  extras?: { addDiagnostic?: (d: ts.Diagnostic) => void },
): ts.TransformerFactory<ts.SourceFile> {
  return tsgradTransformer(program, { report: (d) => extras?.addDiagnostic?.(d) });
}
