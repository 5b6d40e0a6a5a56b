/**
 * What the transformer costs at build time, over the project's examples/:
 *
 * - in memory: a fresh ts.Program emitted without the transformer, and another emitted with it
 *   (each emit type-checks what it needs); the difference per generated function is the
 *   transformer's cost per differentiated function;
 * - on the command line: `tsc` against `tspc` (ts-patch) with the tsgrad plugin, a fresh process
 *   each, on the same files and options.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { DEFAULT_COMPILER_OPTIONS } from "tsgrad/compile";
import { tsgradTransformer } from "tsgrad/transformer";

export interface CompileCost {
  readonly files: number;
  readonly generated: number;
  readonly repeats: number;
  readonly programMs: number;
  readonly emitPlainMs: number;
  readonly emitTransformedMs: number;
  readonly perFunctionMs: number;
  readonly tsc?: { readonly plainMs: number; readonly pluginMs: number; readonly repeats: number };
}

const root = fileURLToPath(new URL("../../", import.meta.url));
const examples = path.join(root, "examples");

const medianOf = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function exampleFiles(): string[] {
  return readdirSync(examples)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(examples, f));
}

/** Emits every source file of a fresh program to memory; returns times and the generated count. */
function emitOnce(files: readonly string[], transform: boolean): { programMs: number; emitMs: number; generated: number } {
  const t0 = performance.now();
  const program = ts.createProgram([...files], DEFAULT_COMPILER_OPTIONS);
  const t1 = performance.now();
  let generated = 0;
  const before = transform
    ? [tsgradTransformer(program, { onGenerated: (_file, fns) => (generated += fns.length) })]
    : [];
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || sf.fileName.includes("/node_modules/")) continue;
    program.emit(sf, () => {}, undefined, false, { before });
  }
  return { programMs: t1 - t0, emitMs: performance.now() - t1, generated };
}

function inMemory(files: readonly string[], repeats: number): Omit<CompileCost, "tsc"> {
  const plain: number[] = [];
  const transformed: number[] = [];
  const programs: number[] = [];
  let generated = 0;
  for (let r = 0; r < repeats; r++) {
    const a = emitOnce(files, false);
    const b = emitOnce(files, true);
    plain.push(a.emitMs);
    transformed.push(b.emitMs);
    programs.push(a.programMs, b.programMs);
    generated = b.generated;
  }
  const emitPlainMs = medianOf(plain);
  const emitTransformedMs = medianOf(transformed);
  return {
    files: files.length,
    generated,
    repeats,
    programMs: medianOf(programs),
    emitPlainMs,
    emitTransformedMs,
    perFunctionMs: generated ? (emitTransformedMs - emitPlainMs) / generated : 0,
  };
}

/** tsc and tspc (with the plugin) over the examples, their configurations and output in a temporary folder. */
function commandLine(files: readonly string[], repeats: number): CompileCost["tsc"] {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "tsgrad-bench-compile-"));
  const config = (plugin: boolean) => ({
    extends: path.join(root, "tsconfig.json"),
    compilerOptions: {
      noEmit: false,
      rewriteRelativeImportExtensions: true,
      outDir: path.join(scratch, plugin ? "out-plugin" : "out-plain"),
      rootDir: root,
      ...(plugin ? { plugins: [{ transform: path.join(root, "dist/transformer/index.js") }] } : {}),
    },
    include: [],
    files,
  });
  writeFileSync(path.join(scratch, "tsconfig.plain.json"), JSON.stringify(config(false), null, 2));
  writeFileSync(path.join(scratch, "tsconfig.plugin.json"), JSON.stringify(config(true), null, 2));
  const time = (bin: string, configFile: string): number => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(root, bin), "-p", path.join(scratch, configFile)], { encoding: "utf8" });
    const ms = performance.now() - t0;
    if (r.status !== 0 && /TSG\d|error TS9/.test(r.stdout)) throw new Error(`${bin} failed:\n${r.stdout}${r.stderr}`);
    return ms;
  };
  const plain: number[] = [];
  const plugin: number[] = [];
  try {
    for (let r = 0; r < repeats; r++) {
      plain.push(time("node_modules/typescript/bin/tsc", "tsconfig.plain.json"));
      plugin.push(time("node_modules/ts-patch/bin/tspc.js", "tsconfig.plugin.json"));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { plainMs: medianOf(plain), pluginMs: medianOf(plugin), repeats };
}

/** In quick mode (`files: "one"`), one example only: the machinery runs, the numbers mean little. */
export function compileCost(options: { readonly repeats: number; readonly commandLine: boolean; readonly files: "all" | "one" }): CompileCost {
  const all = exampleFiles();
  const files = options.files === "all" ? all : all.filter((f) => f.endsWith("rosenbrock.ts"));
  const cost = inMemory(files, options.repeats);
  return options.commandLine ? { ...cost, tsc: commandLine(files, options.repeats) } : cost;
}
