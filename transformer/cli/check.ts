/**
 * `tsgrad check [files | -p tsconfig.json]`: every refusal in a project, without emitting, for CI
 * and pre-commit hooks. Each file that imports a marker is run through the transformer; syntax
 * errors are reported as the compiler reports them (and such a file is not analysed further).
 * Exits 1 when anything is reported.
 */
import ts from "typescript";
import { formatDiagnosticsFor } from "../diagnostics.js";
import { tsgradTransformer } from "../index.js";
import { loadProject, ownSourceFiles, usesMarkers, type ProjectSpec } from "./project.js";

export interface CheckResult {
  readonly diagnostics: ts.Diagnostic[];
  /** Files of the program, and those of them that import a marker. */
  readonly files: number;
  readonly withMarkers: number;
}

export function checkProject(spec: ProjectSpec): CheckResult {
  const { program, configErrors } = loadProject(spec);
  const diagnostics: ts.Diagnostic[] = [...configErrors];
  const files = ownSourceFiles(program);
  let withMarkers = 0;
  const transformer = tsgradTransformer(program, { ts, report: (d) => diagnostics.push(d) });
  for (const sf of files) {
    const syntax = program.getSyntacticDiagnostics(sf);
    if (syntax.length) {
      diagnostics.push(...syntax);
      continue;
    }
    if (!usesMarkers(program, sf)) continue;
    withMarkers++;
    ts.transform(sf, [transformer], program.getCompilerOptions()).dispose();
  }
  return { diagnostics, files: files.length, withMarkers };
}

export function checkCommand(spec: ProjectSpec): number {
  const { diagnostics, files, withMarkers } = checkProject(spec);
  if (diagnostics.length) {
    process.stderr.write(formatDiagnosticsFor(process.stderr, diagnostics));
    const refusals = diagnostics.filter((d) => d.source === "tsgrad").length;
    process.stderr.write(
      `tsgrad check: ${refusals} refusal${refusals === 1 ? "" : "s"}${diagnostics.length > refusals ? ` and ${diagnostics.length - refusals} other error${diagnostics.length - refusals === 1 ? "" : "s"}` : ""}\n`,
    );
    return 1;
  }
  process.stdout.write(`tsgrad check: no refusals (${files} file${files === 1 ? "" : "s"}, ${withMarkers} with markers)\n`);
  return 0;
}
