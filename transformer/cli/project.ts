/**
 * The program a command works on: the files given (and what they import), or a tsconfig.json's
 * (`-p`), or, with neither, the tsconfig.json of the working directory. The CLI brings tsgrad's
 * own compiler, whatever TypeScript the project has.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { useCompiler } from "../compiler.js";
import { importsMarkers } from "../discover/imports.js";
import { DEFAULT_COMPILER_OPTIONS } from "../host/compile.js";

export interface ProjectSpec {
  readonly files: readonly string[];
  /** A tsconfig.json, or a folder holding one. */
  readonly project?: string;
}

export interface LoadedProject {
  readonly program: ts.Program;
  /** The folder paths are shown and laid out relative to: the tsconfig's, or the working directory. */
  readonly baseDir: string;
  /** Problems reading the configuration (not the code). */
  readonly configErrors: readonly ts.Diagnostic[];
}

export class UsageError extends Error {}

export function loadProject(spec: ProjectSpec): LoadedProject {
  useCompiler(ts);
  if (spec.files.length && spec.project) throw new UsageError("give either files or -p <tsconfig.json>, not both");
  if (spec.files.length) {
    for (const f of spec.files) {
      if (!fs.existsSync(f)) throw new UsageError(`${f} does not exist`);
      if (!fs.statSync(f).isFile()) throw new UsageError(`${f} is not a file`);
    }
    const options = nearestConfigOptions(path.resolve(path.dirname(spec.files[0]!))) ?? DEFAULT_COMPILER_OPTIONS;
    const program = ts.createProgram(
      spec.files.map((f) => path.resolve(f)),
      { ...options, noEmit: false },
    );
    return { program, baseDir: process.cwd(), configErrors: [] };
  }
  let configPath = path.resolve(spec.project ?? ".");
  if (fs.existsSync(configPath) && fs.statSync(configPath).isDirectory()) configPath = path.join(configPath, "tsconfig.json");
  if (!fs.existsSync(configPath))
    throw new UsageError(
      spec.project
        ? `${spec.project}: no tsconfig.json there`
        : "no files given and no tsconfig.json in the working directory (give files or -p <tsconfig.json>)",
    );
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) return { program: ts.createProgram([], {}), baseDir: path.dirname(configPath), configErrors: [read.error] };
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences });
  return { program, baseDir: path.dirname(configPath), configErrors: parsed.errors.filter((e) => e.code !== 18003) };
}

/** The compiler options of the tsconfig.json nearest above a folder, if there is one. */
function nearestConfigOptions(dir: string): ts.CompilerOptions | undefined {
  const configPath = ts.findConfigFile(dir, ts.sys.fileExists, "tsconfig.json");
  if (!configPath) return undefined;
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) return undefined;
  return ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath).options;
}

/** The program's own source files: not declarations, not libraries. */
export function ownSourceFiles(program: ts.Program): ts.SourceFile[] {
  return program
    .getSourceFiles()
    .filter((sf) => !sf.isDeclarationFile && !/[\\/]node_modules[\\/]/.test(sf.fileName) && !program.isSourceFileDefaultLibrary(sf));
}

/** Whether a file of the program imports a marker (and so has calls to rewrite). */
export function usesMarkers(program: ts.Program, sf: ts.SourceFile): boolean {
  return importsMarkers(sf, program.getTypeChecker());
}
