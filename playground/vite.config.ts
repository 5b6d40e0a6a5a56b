/**
 * The playground's build: a static site (relative asset paths, so any file server or sub-folder
 * hosts it) with the transformer, TypeScript and prettier in a module Web Worker.
 *
 * Three virtual modules carry what the browser cannot read from disk:
 * - `virtual:typescript-libs`: the lib .d.ts files the worker's Programs use (ES2022's closure);
 * - `virtual:tsgrad-declarations`: tsgrad's runtime declarations, emitted from runtime/ at build
 *   time, laid out as an installed package (`/node_modules/tsgrad/...`);
 * - `virtual:tsgrad-runtime-urls`: where the runtime modules are, for the user's module's imports.
 *   The build emits `runtime/index.ts`, `runtime/tensor/index.ts` and `runtime/internal/index.ts` (the
 *   helpers generated code imports) as chunks of their own with
 *   their exports kept; the dev server serves them from source.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { defineConfig, type Plugin } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const runtimeEntries = {
  tsgrad: path.join(repo, "runtime/index.ts"),
  "tsgrad/tensor": path.join(repo, "runtime/tensor/index.ts"),
  // what generated code imports its helpers from
  "tsgrad/internal": path.join(repo, "runtime/internal/index.ts"),
} as const;

/**
 * The page's Content-Security-Policy (a meta tag in the built page; the dev server injects inline
 * styles and so goes without). No 'unsafe-eval': nothing runs text as code. The user's module is
 * a `blob:` module made by the page's own script, hence `blob:` in script-src.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' blob:",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

export default defineConfig({
  root: here,
  base: "./",
  resolve: {
    alias: [
      // The transformer is written for Node; in the worker, paths are POSIX and there is no
      // `require` (it is always handed its compiler, so the fallback copy is never loaded).
      { find: /^node:path$/, replacement: path.join(here, "src/worker/shims/path.ts") },
      { find: /^node:module$/, replacement: path.join(here, "src/worker/shims/module.ts") },
    ],
  },
  // the worker is bundled on its own: it gets the plugins of the modules it imports
  worker: { format: "es", plugins: () => [typescriptLibs(), tsgradDeclarations()], rolldownOptions: { checks: { pluginTimings: false } } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 8000,
    reportCompressedSize: false,
    // the declarations' emit takes seconds by design; no report of slow plugins each build
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: { fs: { allow: [repo] } },
  plugins: [typescriptLibs(), tsgradDeclarations(), runtimeModules(), contentSecurityPolicy()],
});

function virtualModule(name: string, load: () => string, extra: Partial<Plugin> = {}): Plugin {
  const id = `virtual:${name}`;
  const resolved = `\0${id}`;
  return {
    name: `playground:${name}`,
    resolveId: (source) => (source === id ? resolved : undefined),
    load: (loaded) => (loaded === resolved ? load() : undefined),
    ...extra,
  };
}

/** The lib files of ES2022 and everything they reference, as `{ "/lib.es5.d.ts": text, ... }`. */
function typescriptLibs(): Plugin {
  return virtualModule("typescript-libs", () => {
    const libDir = path.dirname(createRequire(import.meta.url).resolve("typescript/lib/lib.d.ts"));
    const files: Record<string, string> = {};
    const visit = (name: string): void => {
      const file = `lib.${name}.d.ts`;
      if (files[`/${file}`] !== undefined) return;
      const text = readFileSync(path.join(libDir, file), "utf8");
      files[`/${file}`] = text;
      for (const m of text.matchAll(/^\/\/\/\s*<reference\s+lib="([^"]+)"/gm)) visit(m[1]!);
    };
    visit("es2022");
    return `export default ${JSON.stringify(files)};`;
  });
}

/**
 * tsgrad's declarations, emitted from the runtime's source (so they always match it), under
 * `/node_modules/tsgrad/` with a package.json whose exports are the published package's.
 */
function tsgradDeclarations(): Plugin {
  return virtualModule("tsgrad-declarations", () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2023.d.ts"],
      types: [],
      strict: true,
      skipLibCheck: true,
      declaration: true,
      emitDeclarationOnly: true,
      rootDir: repo,
      outDir: path.join(repo, "dist"),
    };
    const program = ts.createProgram(Object.values(runtimeEntries), options);
    const files: Record<string, string> = {};
    program.emit(undefined, (name, text) => {
      const relative = path.relative(repo, name).split(path.sep).join("/");
      if (relative.startsWith("dist/runtime/")) files[`/node_modules/tsgrad/${relative}`] = text;
    });
    if (!files["/node_modules/tsgrad/dist/runtime/index.d.ts"]) throw new Error("playground: tsgrad's declarations did not emit");
    const pkg = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    files["/node_modules/tsgrad/package.json"] = JSON.stringify({
      name: "tsgrad",
      type: "module",
      types: "./dist/runtime/index.d.ts",
      exports: { ".": pkg.exports["."], "./tensor": pkg.exports["./tensor"], "./internal": pkg.exports["./internal"] },
    });
    return `export default ${JSON.stringify(files)};`;
  });
}

/** The runtime modules' URLs: chunks of their own in the build, the source files in dev. */
function runtimeModules(): Plugin {
  const references = new Map<string, string>();
  let serving = false;
  return virtualModule(
    "tsgrad-runtime-urls",
    () => {
      const entries = Object.entries(runtimeEntries).map(([specifier, file]) => {
        const url = serving
          ? `new URL(${JSON.stringify(`/@fs${file}`)}, import.meta.url).href`
          : `new URL(import.meta.ROLLUP_FILE_URL_${references.get(specifier)}, import.meta.url).href`;
        return `${JSON.stringify(specifier)}: ${url}`;
      });
      return `export default { ${entries.join(", ")} };`;
    },
    {
      configResolved(config) {
        serving = config.command === "serve";
      },
      buildStart() {
        if (serving) return;
        for (const [specifier, file] of Object.entries(runtimeEntries))
          references.set(specifier, this.emitFile({ type: "chunk", id: file, name: specifier.replace("/", "-"), preserveSignature: "strict" }));
      },
    },
  );
}

function contentSecurityPolicy(): Plugin {
  return {
    name: "playground:csp",
    apply: "build",
    transformIndexHtml: () => [{ tag: "meta", attrs: { "http-equiv": "Content-Security-Policy", content: CONTENT_SECURITY_POLICY }, injectTo: "head-prepend" }],
  };
}
