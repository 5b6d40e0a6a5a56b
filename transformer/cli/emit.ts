/**
 * `tsgrad emit <file> [--fn name] [--stages]`: print the derivative code generated for a file,
 * formatted; with --stages, each generated function's IR after each stage of the pipeline first.
 */
import path from "node:path";
import ts from "typescript";
import { format } from "prettier";
import { displayPath, formatDiagnosticsFor } from "../diagnostics.js";
import { compileFiles, type GeneratedFunctionText } from "../host/compile.js";
import { withDisplayPaths } from "./generate.js";
import { StageLog } from "./stages.js";

export interface EmitOptions {
  /** Only functions generated from the source function of this name. */
  readonly fn?: string;
  /** Each function's IR after each stage, before its code. */
  readonly stages?: boolean;
}

/** The generated functions of a file as formatted TypeScript text. */
export async function generatedCode(
  file: string,
  options: EmitOptions = {},
): Promise<{ code: string; diagnostics: ts.Diagnostic[]; count: number }> {
  const entry = path.resolve(file);
  const stages = options.stages ? new StageLog() : undefined;
  const result = compileFiles([entry], stages ? { onStage: stages.observe } : {});
  const printer = ts.createPrinter({ removeComments: false });
  const chosen = result.generated.filter((g) => g.file === entry && (!options.fn || sourceName(g) === options.fn));
  const print = async (functions: readonly GeneratedFunctionText[]): Promise<string> => {
    const text = functions.map((g) => printer.printNode(ts.EmitHint.Unspecified, g.node, g.sourceFile)).join("\n\n");
    // the file path tells prettier this is not TSX (otherwise it guesses, with a regular
    // expression whose cost is quadratic in the length of code without quotes)
    return text
      ? await format(withDisplayPaths(text, result.program), { parser: "typescript", filepath: "generated.ts", printWidth: 100 })
      : "";
  };
  let code: string;
  if (stages) {
    const parts: string[] = [];
    for (const g of chosen)
      parts.push(
        `// ==== ${g.name}: ${keyForPeople(g.key)} ====\n${stages.print(g.file, g.key)}\n// ---- stage: emitted ----\n${await print([g])}`,
      );
    code = parts.join("\n");
  } else code = await print(chosen);
  return { code, diagnostics: [...result.errors, ...result.diagnostics], count: chosen.length };
}

/** A function key with the files in it shown as people read paths (`grad[1](src/f.ts#120)`). */
function keyForPeople(key: string): string {
  return key.replace(/[^()[\]#,]+(?=#\d)/g, (file) => displayPath(file));
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
    process.stderr.write(
      options.fn
        ? `tsgrad: no derivative code generated for ${file} from a function named ${options.fn}\n`
        : `tsgrad: no derivative code generated for ${file} (no grad/jvp/vjp/valueAndGrad call found)\n`,
    );
  process.stdout.write(code);
  // --fn that names nothing is a mistake (a typo, a renamed function), not an empty answer
  return diagnostics.length || (options.fn && count === 0) ? 1 : 0;
}
