/**
 * `tsgrad generate <files | -p tsconfig.json> --out <dir> [--check]`: derivatives ahead of time,
 * as TypeScript, with no plugin in the build.
 *
 * For every source file of the program it writes a TypeScript file at the same path relative to
 * the project (the tsconfig's folder, or the working directory for files) under <dir>:
 * - a file that imports a marker gets its marker calls replaced by references to the generated
 *   derivatives, which are appended, formatted and typed, with the imports they need; the rest of
 *   the file stays as written, under a header naming its source;
 * - any other file is copied as written.
 * A build that compiles <dir> instead of the sources needs no plugin: this is the route for
 * TypeScript 7, whose compiler runs none. `--check` writes nothing and fails when <dir> is stale.
 */
import fs from "node:fs";
import path from "node:path";
import { format } from "prettier";
import ts from "typescript";
import { findMarkerCalls } from "../discover/markers.js";
import { displayPath, formatDiagnosticsFor } from "../diagnostics.js";
import { shortFile } from "../emit/function.js";
import { tsgradTransformer } from "../index.js";
import { replacedCalls } from "../host/rewritten.js";
import { loadProject, ownSourceFiles, UsageError, usesMarkers, type ProjectSpec } from "./project.js";

export interface GenerateOptions extends ProjectSpec {
  readonly out: string;
  readonly check?: boolean;
}

export interface GeneratedFile {
  /** Where it goes, absolute. */
  readonly path: string;
  readonly text: string;
  /** Whether it holds generated derivatives (otherwise a copy). */
  readonly derived: boolean;
}

export async function generateProject(options: GenerateOptions): Promise<{ files: GeneratedFile[]; diagnostics: ts.Diagnostic[] }> {
  const { program, baseDir, configErrors } = loadProject(options);
  const outDir = path.resolve(options.out);
  const diagnostics: ts.Diagnostic[] = [...configErrors];
  const files: GeneratedFile[] = [];
  const printer = ts.createPrinter({ removeComments: false, newLine: ts.NewLineKind.LineFeed });
  for (const sf of ownSourceFiles(program)) {
    const source = path.resolve(sf.fileName);
    if (inside(outDir, source)) continue; // an earlier run's output that the tsconfig includes
    const rel = path.relative(baseDir, source);
    if (rel.startsWith("..") || path.isAbsolute(rel))
      throw new UsageError(
        `${displayPath(source)} is outside ${displayPath(baseDir) || "."}; generate from a tsconfig.json or folder that holds every source file`,
      );
    const target = path.join(outDir, rel);
    const syntax = program.getSyntacticDiagnostics(sf);
    if (syntax.length) {
      diagnostics.push(...syntax);
      continue;
    }
    if (!usesMarkers(program, sf)) {
      files.push({ path: target, text: sf.text, derived: false });
      continue;
    }
    const refusals: ts.Diagnostic[] = [];
    const generated: ts.FunctionDeclaration[] = [];
    const transformer = tsgradTransformer(program, {
      ts,
      report: (d) => refusals.push(d),
      onGenerated: (_file, fns) => generated.push(...fns.map((g) => g.node)),
    });
    const result = ts.transform(sf, [transformer], program.getCompilerOptions());
    diagnostics.push(...refusals);
    if (!refusals.length)
      files.push({
        path: target,
        text: await derivedText(program, sf, result.transformed[0]!, generated, printer, baseDir),
        derived: true,
      });
    result.dispose();
  }
  return { files, diagnostics };
}

/** The source's text with its marker calls replaced, the imports generated code needs, and the generated functions. */
async function derivedText(
  program: ts.Program,
  sf: ts.SourceFile,
  transformed: ts.SourceFile,
  generated: ts.FunctionDeclaration[],
  printer: ts.Printer,
  baseDir: string,
): Promise<string> {
  const calls = new Set<ts.Node>(findMarkerCalls(sf, program.getTypeChecker()).map((m) => m.call));
  const added = transformed.statements.filter(
    (s) => !generated.includes(s as ts.FunctionDeclaration) && ts.isImportDeclaration(s) && s.pos < 0,
  );
  const replaced = replacedCalls(sf, transformed, calls, new Set<ts.Node>([...generated, ...added]));
  const edits = [...replaced].map(([call, replacement]) => ({
    start: call.getStart(sf),
    end: call.getEnd(),
    text: printer.printNode(ts.EmitHint.Expression, replacement, sf),
  }));
  // imports go after the file's own imports
  const lastImport = [...sf.statements].reverse().find((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s));
  const importsAt = lastImport ? lastImport.getEnd() : headerEnd(sf.text);
  const importText = added.map((s) => printer.printNode(ts.EmitHint.Unspecified, s, sf)).join("\n");
  if (importText) edits.push({ start: importsAt, end: importsAt, text: (lastImport ? "\n" : "") + importText + (lastImport ? "" : "\n") });
  let text = sf.text;
  for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  const checked = program.getCompilerOptions().noUncheckedIndexedAccess ? ts.transform(generated, [assertElements]).transformed : generated;
  const functions = checked.map((g) => printer.printNode(ts.EmitHint.Unspecified, g, sf)).join("\n\n");
  const derived = await format(withDisplayPaths(functions, program), { parser: "typescript", filepath: "generated.ts", printWidth: 100 });
  const source = path.relative(baseDir, sf.fileName).split(path.sep).join("/");
  const header = `// Generated by tsgrad from ${source}: do not edit. Change the source and run \`tsgrad generate\` again.\n`;
  const shebang = /^#![^\n]*\n/.exec(text)?.[0] ?? "";
  return `${shebang}${header}${text.slice(shebang.length).replace(/\s*$/, "\n")}\n${derived}`;
}

/**
 * Under noUncheckedIndexedAccess an element read is `number | undefined`: generated code reads
 * only elements that exist (its loops run over the arrays' lengths), so each read says so (`x[i]!`),
 * as the user's own code does. A plain `=` store needs nothing.
 */
const assertElements: ts.TransformerFactory<ts.FunctionDeclaration> = (context) => (root) => {
  const visit = (n: ts.Node): ts.Node => {
    const visited = ts.visitEachChild(n, visit, context);
    if (!ts.isElementAccessExpression(visited)) return visited;
    const parent = n.parent as ts.Node | undefined;
    const isPlainStore =
      parent && ts.isBinaryExpression(parent) && parent.left === n && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
    return isPlainStore ? visited : context.factory.createNonNullExpression(visited);
  };
  return ts.visitEachChild(root, visit, context);
};

/** Where the first statement may go: after a shebang and leading comments. */
function headerEnd(text: string): number {
  const shebang = /^#![^\n]*\n/.exec(text)?.[0].length ?? 0;
  return shebang;
}

/** Doc comments of generated code name source files as the user does: relative to the working directory. */
export function withDisplayPaths(text: string, program: ts.Program): string {
  let out = text;
  for (const sf of ownSourceFiles(program)) {
    const short = shortFile(sf.fileName);
    const shown = displayPath(sf.fileName);
    if (short !== shown) out = out.split(`(${short}:`).join(`(${shown}:`);
  }
  return out;
}

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return !!rel && !rel.startsWith("..") && !path.isAbsolute(rel);
}

export async function generateCommand(options: GenerateOptions): Promise<number> {
  const { files, diagnostics } = await generateProject(options);
  if (diagnostics.length) {
    process.stderr.write(formatDiagnosticsFor(process.stderr, diagnostics));
    process.stderr.write(`tsgrad generate: nothing written (${diagnostics.length} problem${diagnostics.length === 1 ? "" : "s"} above)\n`);
    return 1;
  }
  if (options.check) {
    const stale = files.filter((f) => !fs.existsSync(f.path) || fs.readFileSync(f.path, "utf8") !== f.text);
    if (stale.length) {
      process.stderr.write(
        `tsgrad generate --check: ${stale.length} of ${files.length} files in ${displayPath(path.resolve(options.out))} are stale or missing:\n`,
      );
      for (const f of stale) process.stderr.write(`  ${displayPath(f.path)}\n`);
      process.stderr.write("run `tsgrad generate` again (without --check) to update them\n");
      return 1;
    }
    process.stdout.write(`tsgrad generate --check: ${files.length} files up to date\n`);
    return 0;
  }
  for (const f of files) {
    fs.mkdirSync(path.dirname(f.path), { recursive: true });
    if (!fs.existsSync(f.path) || fs.readFileSync(f.path, "utf8") !== f.text) fs.writeFileSync(f.path, f.text);
  }
  const derived = files.filter((f) => f.derived).length;
  process.stdout.write(
    `tsgrad generate: ${files.length} files in ${displayPath(path.resolve(options.out))} (${derived} with generated derivatives, ${files.length - derived} copied)\n`,
  );
  return 0;
}
