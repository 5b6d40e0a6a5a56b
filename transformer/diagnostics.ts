/**
 * tsgrad's diagnostics: every refusal has a stable code (TSG + number), a position, the offending
 * source text and one line on what to do. They travel as TypeScript diagnostics, so tsc, editors
 * and Vite report them like type errors.
 */
import path from "node:path";
import { ts } from "./compiler.js";
import { INTERNAL_ERROR_CODE, TS_CODE_BASE, type TsgCode } from "./refusal.js";

export { TSG, InternalError, IrRefusal, refuse, type TsgCode } from "./refusal.js";

/** A refusal raised while reading a function; caught per marker call and reported. */
export class TsgError extends Error {
  constructor(
    readonly code: TsgCode,
    readonly node: ts.Node | undefined,
    readonly problem: string,
    readonly hint: string,
  ) {
    super(`TSG${code}: ${problem}`);
  }
}

export function fail(code: TsgCode, node: ts.Node | undefined, problem: string, hint: string): never {
  throw new TsgError(code, node, problem, hint);
}

/** The offending source text, on one line and short enough to read in a terminal. */
export function snippet(node: ts.Node): string {
  let text: string;
  try {
    text = node.getText();
  } catch {
    return "";
  }
  text = text.replace(/\s+/g, " ").trim();
  return text.length > 70 ? text.slice(0, 67) + "..." : text;
}

export function toDiagnostic(err: TsgError, fallbackFile?: ts.SourceFile): ts.Diagnostic {
  const node = err.node;
  const file = node?.getSourceFile() ?? fallbackFile;
  const text = node ? snippet(node) : "";
  const message = `TSG${err.code}: ${err.problem}${text ? ` (in \`${text}\`)` : ""}\n  hint: ${err.hint}`;
  return {
    category: ts.DiagnosticCategory.Error,
    code: TS_CODE_BASE + err.code,
    file,
    start: node && file ? node.getStart(file) : undefined,
    length: node && file ? node.getEnd() - node.getStart(file) : undefined,
    messageText: message,
    source: "tsgrad",
  };
}

/**
 * An exception inside tsgrad that is not a refusal (an `InternalError`, or any other: a defect of
 * tsgrad, not of the user's code) becomes a diagnostic at the marker, never a crash. It has no TSG
 * code of its own, so that the codes keep meaning "tsgrad refuses this construct"; with
 * `TSGRAD_DEBUG` set in the environment it carries the stack.
 */
export function internalErrorDiagnostic(e: unknown, node: ts.Node): ts.Diagnostic {
  const message = e instanceof Error ? e.message : String(e);
  const stack = process.env.TSGRAD_DEBUG && e instanceof Error && e.stack ? `\n${e.stack}` : "";
  const file = node.getSourceFile();
  const text = snippet(node);
  return {
    category: ts.DiagnosticCategory.Error,
    code: INTERNAL_ERROR_CODE,
    file,
    start: node.getStart(file),
    length: node.getEnd() - node.getStart(file),
    messageText:
      `internal error in tsgrad, please report: ${message.split("\n")[0]}${text ? ` (at \`${text}\`)` : ""}\n` +
      `  hint: report it with the differentiated function's source (set TSGRAD_DEBUG=1 for the stack); meanwhile rewrite the construct named above${stack}`,
    source: "tsgrad",
  };
}

/** Formats diagnostics the way tsc does: file:line:col - error TSG....: message. */
export function formatDiagnostics(diags: readonly ts.Diagnostic[], cwd = process.cwd()): string {
  return ts.formatDiagnosticsWithColorAndContext(diags, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => cwd,
    getNewLine: () => "\n",
  });
}

/** Without colour: `file:line:col - error TS91004: TSG1004: ...`, one per line (logs, pipes, CI). */
export function formatDiagnosticsPlain(diags: readonly ts.Diagnostic[], cwd = process.cwd()): string {
  return diags
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      const category = ts.DiagnosticCategory[d.category].toLowerCase();
      if (!d.file || d.start === undefined) return `${category} TS${d.code}: ${message}\n`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      const file = path.relative(cwd, d.file.fileName) || d.file.fileName;
      return `${file}:${line + 1}:${character + 1} - ${category} TS${d.code}: ${message}\n`;
    })
    .join("");
}

/** Coloured with context on a terminal, plain otherwise. */
export function formatDiagnosticsFor(stream: { isTTY?: boolean }, diags: readonly ts.Diagnostic[], cwd = process.cwd()): string {
  return stream.isTTY ? formatDiagnostics(diags, cwd) : formatDiagnosticsPlain(diags, cwd);
}

/** A path as people read it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : file;
}
