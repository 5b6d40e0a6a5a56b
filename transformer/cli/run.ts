/** `tsgrad run <file>`: compile with the transformer in memory, then execute the file. */
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { formatDiagnosticsFor } from "../diagnostics.js";
import { compileFiles } from "../host/compile.js";

export async function runFile(file: string, args: readonly string[]): Promise<number> {
  const entry = path.resolve(file);
  const result = compileFiles([entry]);
  const problems = [...result.errors, ...result.diagnostics];
  if (problems.length) {
    process.stderr.write(formatDiagnosticsFor(process.stderr, problems));
    return 1;
  }
  if (!result.outputs.has(entry)) {
    process.stderr.write(`tsgrad: ${file} was not compiled (is it a TypeScript file?)\n`);
    return 1;
  }
  register(new URL("./loader-hooks.js", import.meta.url), {
    parentURL: import.meta.url,
    data: { files: Object.fromEntries(result.outputs) },
  });
  process.argv = [process.argv[0]!, entry, ...args];
  await import(pathToFileURL(entry).href);
  return 0;
}
