/**
 * Type errors of a file of type assertions (test/types/*.types.ts), checked with the TypeScript
 * compiler under strict options: such a file asserts type equalities, and uses @ts-expect-error
 * where a misuse must be rejected, so it must produce none.
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The diagnostics of `file` (a URL next to the test), as `line N: message`. */
export function typeErrorsOf(file: URL): string[] {
  const program = ts.createProgram([fileURLToPath(file)], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}
