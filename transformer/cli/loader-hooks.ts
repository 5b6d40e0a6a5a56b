/**
 * Node module hooks for `tsgrad run`: .ts files of the program are served from the in-memory,
 * transformed compilation; relative imports of .ts files resolve with or without an extension
 * (as tsx does). Everything else resolves as Node would (`tsgrad` included).
 */
import { fileURLToPath, pathToFileURL } from "node:url";

interface Data {
  /** Compiled JavaScript by absolute .ts path. */
  files: Record<string, string>;
}

let files: Record<string, string> = {};

export function initialize(data: Data): void {
  files = data.files;
}

type Next<R> = (specifier: string, context: unknown) => Promise<R>;

const CANDIDATES = ["", ".ts", ".tsx", ".mts", "/index.ts"];

export async function resolve(
  specifier: string,
  context: { parentURL?: string },
  next: Next<{ url: string }>,
): Promise<{ url: string; shortCircuit?: boolean; format?: string }> {
  if ((specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("file:")) && context.parentURL) {
    const base = specifier.startsWith("file:") ? fileURLToPath(specifier) : fileURLToPath(new URL(specifier, context.parentURL));
    const stems = [base, base.replace(/\.(m?js|jsx)$/, "")];
    for (const stem of stems)
      for (const ext of CANDIDATES) {
        const candidate = stem + ext;
        if (candidate in files) return { url: pathToFileURL(candidate).href, shortCircuit: true, format: "module" };
      }
  }
  return next(specifier, context);
}

export async function load(
  url: string,
  context: unknown,
  next: Next<{ source?: unknown; format?: string }>,
): Promise<{ source?: unknown; format?: string; shortCircuit?: boolean }> {
  if (url.startsWith("file:")) {
    const file = fileURLToPath(url);
    const code = files[file];
    if (code !== undefined) return { format: "module", source: code, shortCircuit: true };
  }
  return next(url, context);
}
