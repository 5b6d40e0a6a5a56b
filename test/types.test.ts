/**
 * The types the editor shows for the markers: test/types/markers.types.ts is type-checked here
 * with the TypeScript compiler and must produce no errors (it asserts type equalities, and uses
 * @ts-expect-error where a misuse must be rejected).
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

describe("marker types", () => {
  it("type-check as documented", () => {
    const file = fileURLToPath(new URL("./types/markers.types.ts", import.meta.url));
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(diagnostics).toEqual([]);
  });
});
