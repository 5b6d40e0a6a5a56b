/** `tsgrad emit <file> [--fn name]`: print the derivative code generated for a file, formatted. */
import path from "node:path";
import ts from "typescript";
import { format } from "prettier";
import { formatDiagnosticsFor } from "../diagnostics.js";
import { compileFiles, type GeneratedFunctionText } from "../host/compile.js";

export interface EmitOptions {
  /** Only functions generated from the source function of this name. */
  readonly fn?: string;
}

/** The generated functions of a file as formatted TypeScript text. */
export async function generatedCode(file: string, options: EmitOptions = {}): Promise<{ code: string; diagnostics: ts.Diagnostic[]; count: number }> {
  const entry = path.resolve(file);
  const result = compileFiles([entry]);
  const printer = ts.createPrinter({ removeComments: false });
  const chosen = result.generated.filter((g) => g.file === entry && (!options.fn || sourceName(g) === options.fn));
  const text = chosen.map((g) => printer.printNode(ts.EmitHint.Unspecified, g.node, g.sourceFile)).join("\n\n");
  // the file path tells prettier this is not TSX (otherwise it guesses, with a regular
  // expression whose cost is quadratic in the length of code without quotes)
  const code = text ? await format(text, { parser: "typescript", filepath: "generated.ts", printWidth: 100 }) : "";
  return { code, diagnostics: [...result.errors, ...result.diagnostics], count: chosen.length };
}

/** The source function a generated function derives from, from its key's innermost part. */
function sourceName(g: GeneratedFunctionText): string {
  const m = /^(.*)_(grad|valueAndGrad|jvp|adjoint|pullback|vjp|primal)\d*$/.exec(g.name);
  return m ? m[1]! : g.name;
}

export async function emitCommand(file: string, options: EmitOptions): Promise<number> {
  const { code, diagnostics, count } = await generatedCode(file, options);
  if (diagnostics.length) process.stderr.write(formatDiagnosticsFor(process.stderr, diagnostics));
  if (count === 0 && !diagnostics.length)
    process.stderr.write(`tsgrad: no derivative code generated for ${file}${options.fn ? ` from a function named ${options.fn}` : ""} (no grad/jvp/vjp/valueAndGrad call found)\n`);
  process.stdout.write(code);
  return diagnostics.length ? 1 : 0;
}
