/**
 * Node module hooks for `tsgrad/register` (loaded on Node's loader thread by register.ts).
 *
 * - resolve: a relative import of a TypeScript file may name it as TypeScript projects do:
 *   `./helper.js` for helper.ts, `./helper` without an extension, `./dir` for dir/index.ts, or
 *   `./helper.ts` itself.
 * - load: a .ts/.tsx/.mts file runs as an ES module. A file that imports a marker is emitted
 *   through the project's Program with the transformer (host/project.ts); any other is only
 *   stripped of its types (ts.transpileModule). Each carries an inline source map. Type errors are
 *   not checked (as with tsx: `tsc --noEmit` or `tsgrad check` do that); a refusal stops the
 *   program at load with the diagnostics, file:line:col.
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { formatDiagnosticsPlain } from "../diagnostics.js";
import { isTypeScriptFile, TsgradProject } from "./project.js";

type Next<R> = (specifier: string, context?: unknown) => Promise<R>;
interface ResolveContext {
  parentURL?: string;
  conditions?: readonly string[];
}
interface Resolved {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}

const project = new TsgradProject();

/** Candidates for a relative specifier that names a TypeScript file the TypeScript way. */
function candidates(specifier: string): string[] {
  const out: string[] = [];
  const js = /\.(m|c)?jsx?$/.exec(specifier);
  if (js) {
    const stem = specifier.slice(0, -js[0].length);
    const map: Record<string, string[]> = { ".js": [".ts", ".tsx"], ".jsx": [".tsx"], ".mjs": [".mts"], ".cjs": [".cts"] };
    for (const ext of map[js[0]] ?? []) out.push(stem + ext);
  } else if (!/\.(m|c)?tsx?$/.test(specifier)) {
    for (const ext of [".ts", ".tsx", ".mts", "/index.ts", "/index.tsx"]) out.push(specifier + ext);
  }
  return out;
}

export async function resolve(specifier: string, context: ResolveContext, next: Next<Resolved>): Promise<Resolved> {
  try {
    return await next(specifier, context);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const relative =
      specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier.startsWith("file:");
    if (!relative || !context.parentURL || (code !== "ERR_MODULE_NOT_FOUND" && code !== "ERR_UNSUPPORTED_DIR_IMPORT")) throw e;
    for (const candidate of candidates(specifier)) {
      try {
        return await next(candidate, context);
      } catch {
        // the next candidate
      }
    }
    throw e;
  }
}

export async function load(
  url: string,
  context: unknown,
  next: Next<{ source?: string | ArrayBuffer | Uint8Array | null; format?: string | null; shortCircuit?: boolean }>,
): Promise<{ source?: string | ArrayBuffer | Uint8Array | null; format?: string | null; shortCircuit?: boolean }> {
  if (!url.startsWith("file:")) return next(url, context);
  const file = fileURLToPath(url);
  if (!isTypeScriptFile(file)) return next(url, context);
  const code = ts.sys.readFile(file);
  if (code === undefined) return next(url, context);
  return { format: "module", source: compile(file, code), shortCircuit: true };
}

/** JavaScript for a TypeScript file, with an inline source map naming the file itself. */
function compile(file: string, code: string): string {
  const transformed = project.transform(file, code);
  if (transformed) {
    if (transformed.diagnostics.length)
      throw new Error(`tsgrad could not differentiate code in ${file}:\n${formatDiagnosticsPlain(transformed.diagnostics)}`);
    return withInlineMap(transformed.code, transformed.map, file);
  }
  const out = ts.transpileModule(code, {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      jsx: ts.JsxEmit.ReactJSX,
      sourceMap: true,
      inlineSources: true,
      verbatimModuleSyntax: false,
      isolatedModules: true,
    },
  });
  return withInlineMap(out.outputText.replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, "\n"), out.sourceMapText ?? null, file);
}

function withInlineMap(code: string, map: string | null, file: string): string {
  if (!map) return code;
  const parsed = JSON.parse(map) as { sources: string[]; sourceRoot?: string };
  // sources are relative to the file (no outDir): make them URLs, as Node prints them
  parsed.sources = parsed.sources.map((s) => pathToFileURL(path.resolve(path.dirname(file), parsed.sourceRoot ?? "", s)).href);
  parsed.sourceRoot = "";
  const encoded = Buffer.from(JSON.stringify(parsed)).toString("base64");
  return `${code.replace(/\s*$/, "\n")}//# sourceMappingURL=data:application/json;base64,${encoded}\n`;
}
