/** `tsgrad run <file>`: compile with the transformer in memory, then execute the file. */
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { formatDiagnosticsFor } from "../diagnostics.js";
import { compileFiles } from "../host/compile.js";

export interface RunOptions {
  /** Report type errors (with the nearest tsconfig.json's options) and do not run when there are any. */
  readonly typeCheck?: boolean;
}

export async function runFile(file: string, args: readonly string[], options: RunOptions = {}): Promise<number> {
  const entry = path.resolve(file);
  const result = compileFiles([entry], options.typeCheck ? { compilerOptions: typeCheckOptions(entry) } : {});
  const problems = [...result.errors, ...result.diagnostics];
  if (options.typeCheck && !result.errors.length)
    problems.push(
      ...result.program.getGlobalDiagnostics(),
      ...result.program
        .getSourceFiles()
        .filter((sf) => !sf.isDeclarationFile && !/[\\/]node_modules[\\/]/.test(sf.fileName))
        .flatMap((sf) => result.program.getSemanticDiagnostics(sf)),
    );
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
  // stack traces in the user's own files and lines (the compiled code carries inline source maps)
  process.setSourceMapsEnabled(true);
  process.argv = [process.argv[0]!, entry, ...args];
  await import(pathToFileURL(entry).href);
  return 0;
}

/** The nearest tsconfig.json's checking options (its emit options stay tsgrad's), or the defaults with every @types package. */
function typeCheckOptions(entry: string): ts.CompilerOptions {
  const configPath = ts.findConfigFile(path.dirname(entry), ts.sys.fileExists, "tsconfig.json");
  const parsed = configPath
    ? ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config ?? {}, ts.sys, path.dirname(configPath)).options
    : {};
  const checking: ts.CompilerOptions = { ...parsed };
  for (const emitOnly of [
    "outDir",
    "outFile",
    "rootDir",
    "declaration",
    "declarationMap",
    "sourceMap",
    "noEmit",
    "emitDeclarationOnly",
    "composite",
    "incremental",
    "tsBuildInfoFile",
    "module",
    "moduleResolution",
  ])
    delete checking[emitOnly];
  return { types: undefined, ...checking, allowImportingTsExtensions: true, noEmit: false };
}
