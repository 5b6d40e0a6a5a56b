/**
 * Compiles TypeScript source text with the transformer, in memory, for tests that need code
 * written at test time (diagnostics, random programs). The source lives at a virtual path in
 * test/.generated/, so `import ... from "tsgrad"` resolves to this package. Running the result
 * writes the emitted JavaScript next to it and imports it: no eval, no new Function.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { compileFiles } from "tsgrad/compile";

export const GENERATED_DIR = fileURLToPath(new URL("../.generated", import.meta.url));

export interface Compiled {
  readonly diagnostics: readonly ts.Diagnostic[];
  /** Diagnostics as "TSG1002 3:7 message" lines, for assertions. */
  readonly messages: readonly string[];
  readonly js: string | undefined;
  readonly file: string;
  /** Extra files compiled with it, by name. */
  readonly outputs: ReadonlyMap<string, string>;
}

/**
 * Compiles `source` (and optional sibling modules, by file name) as test/.generated/<name>.ts.
 */
export function compileSource(source: string, siblings: Record<string, string> = {}, name?: string): Compiled {
  const hash = createHash("sha1").update(source).update(JSON.stringify(siblings)).digest("hex").slice(0, 12);
  const dir = path.join(GENERATED_DIR, name ?? `case_${hash}`);
  const file = path.join(dir, "main.ts");
  const files = new Map<string, string>([[file, source]]);
  for (const [n, text] of Object.entries(siblings)) files.set(path.join(dir, n), text);
  // module resolution looks for the directory before it asks for a sibling's file
  if (Object.keys(siblings).length > 0) mkdirSync(dir, { recursive: true });
  const result = compileFiles([file], { files });
  const diagnostics = [...result.errors, ...result.diagnostics];
  const messages = diagnostics.map((d) => {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const code = /^TSG\d+/.exec(text)?.[0] ?? `TS${d.code}`;
    return `${code} ${pos ? `${pos.line + 1}:${pos.character + 1}` : "?"} ${text}`;
  });
  const outputs = new Map<string, string>();
  for (const [src, js] of result.outputs) outputs.set(path.relative(dir, src), js);
  return { diagnostics, messages, js: result.outputs.get(file), file, outputs };
}

/** Compiles and imports `source`; throws with the diagnostics if the transformer refused it. */
export async function importSource<T = Record<string, unknown>>(source: string, siblings: Record<string, string> = {}): Promise<T> {
  const c = compileSource(source, siblings);
  if (c.diagnostics.length || c.js === undefined) throw new Error(`compilation failed:\n${c.messages.join("\n")}`);
  const dir = path.dirname(c.file);
  mkdirSync(dir, { recursive: true });
  for (const [rel, js] of c.outputs) {
    const out = path.join(dir, rel.replace(/\.ts$/, ".mjs"));
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, rewriteRelativeImports(js));
  }
  return (await import(/* @vite-ignore */ pathToFileURL(path.join(dir, "main.mjs")).href)) as T;
}

/** Relative imports of sibling .ts modules point at their emitted .mjs files. */
function rewriteRelativeImports(js: string): string {
  return js.replace(
    /(from\s+["'])(\.{1,2}\/[^"']+?)(\.ts|\.js)?(["'])/g,
    (_m, a: string, p: string, _ext, b: string) => `${a}${p}.mjs${b}`,
  );
}
