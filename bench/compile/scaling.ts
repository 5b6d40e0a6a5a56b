/**
 * How the transformer's own time grows with the size of the code: generated programs of each
 * shape (bench/compile/programs.ts) from about 100 to 10,000 statements, compiled in memory. The
 * file is type-checked before it is emitted, so what is timed is the transformer alone (the
 * checker's work on the file is not charged to it). The exponent k of time ~ n^k is fitted by
 * least squares on log-log axes over the larger sizes, where fixed costs no longer dominate.
 *
 * Also: the Vite plugin's rebuild after an edit, in a project of 200 files that differentiate
 * functions (some across files): the time to transform the edited module again.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { DEFAULT_COMPILER_OPTIONS } from "tsgrad/compile";
import { tsgradTransformer } from "tsgrad/transformer";
import { generateProgram, PROGRAM_SHAPES, type ProgramShape } from "./programs.js";

export interface ScalingPoint {
  readonly statements: number;
  readonly markers: number;
  readonly generated: number;
  readonly transformMs: number;
}

export interface ScalingSeries {
  readonly shape: ProgramShape;
  readonly points: readonly ScalingPoint[];
  /** Fitted exponent of transformMs ~ statements^k over points of 1,000 statements or more. */
  readonly exponent: number;
}

export interface ViteRebuild {
  readonly files: number;
  /** The first transform of every module (the plugin builds its Program). */
  readonly coldMs: number;
  /** Transforming the edited module again, median over edits. */
  readonly rebuildMs: number;
  readonly edits: number;
}

export interface CompileScaling {
  readonly series: readonly ScalingSeries[];
  readonly vite?: ViteRebuild;
}

export const FULL_SIZES = [100, 200, 400, 800, 1600, 3200, 6400, 10000];
export const QUICK_SIZES = [100, 200];

/**
 * Compiles one generated module in memory; returns the transformer's own time, as CPU time of
 * this process (user and system): on a machine shared with other work, wall-clock time grows with
 * the load, CPU time much less.
 */
export function timeTransform(source: string): { transformMs: number; generated: number } {
  const file = path.resolve("compile-scaling", "model.ts");
  const host = ts.createCompilerHost(DEFAULT_COMPILER_OPTIONS, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => (path.resolve(f) === file ? ts.createSourceFile(f, source, lang, true) : getSourceFile(f, lang, onError, create));
  host.fileExists = (f) => path.resolve(f) === file || fileExists(f);
  host.readFile = (f) => (path.resolve(f) === file ? source : readFile(f));
  const program = ts.createProgram([file], DEFAULT_COMPILER_OPTIONS, host);
  const sf = program.getSourceFile(file)!;
  program.getSemanticDiagnostics(sf); // type-check first: the transformer's time is its own
  let generated = 0;
  const factory = tsgradTransformer(program, { onGenerated: (_f, fns) => (generated += fns.length) });
  let transformMs = 0;
  const timed: ts.TransformerFactory<ts.SourceFile> = (context) => {
    const transform = factory(context);
    return (node) => {
      const t0 = process.cpuUsage();
      const out = transform(node);
      const used = process.cpuUsage(t0);
      transformMs += (used.user + used.system) / 1000;
      return out;
    };
  };
  program.emit(sf, () => {}, undefined, false, { before: [timed] });
  return { transformMs, generated };
}

/** Least-squares slope of log(y) against log(x). */
export function fittedExponent(points: readonly { x: number; y: number }[]): number {
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => Math.log(p.y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? NaN : num / den;
}

export function scalingSeries(shape: ProgramShape, sizes: readonly number[], onPoint?: (p: ScalingPoint) => void): ScalingSeries {
  const points: ScalingPoint[] = [];
  for (const n of sizes) {
    const program = generateProgram(shape, n);
    const { transformMs, generated } = timeTransform(program.source);
    const point = { statements: program.statements, markers: program.markers, generated, transformMs };
    points.push(point);
    onPoint?.(point);
  }
  const large = points.filter((p) => p.statements >= 1000);
  const fit = (large.length >= 2 ? large : points).map((p) => ({ x: p.statements, y: p.transformMs }));
  return { shape, points, exponent: fittedExponent(fit) };
}

/** A project of `files` modules, each differentiating its own function; every fifth calls a helper of the previous module. */
function writeProject(dir: string, files: number): void {
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, module: "ESNext", moduleResolution: "Bundler", target: "ES2022", skipLibCheck: true }, include: ["*.ts"] }),
  );
  for (let k = 0; k < files; k++) fs.writeFileSync(path.join(dir, `m${k}.ts`), projectModule(k, 0));
}

function projectModule(k: number, edit: number): string {
  const crossFile = k > 0 && k % 5 === 0;
  return [
    `import { grad, hvp } from "tsgrad";`,
    crossFile ? `import { helper${k - 1} } from "./m${k - 1}";` : "",
    `export function helper${k}(x: number[]): number {`,
    `  let s = ${edit};`,
    `  for (let i = 0; i < x.length; i++) s += Math.sin(x[i]! * ${k + 1}) * x[i]!;`,
    `  return s;`,
    `}`,
    `export function loss${k}(x: number[]): number {`,
    `  return helper${k}(x) * helper${k}(x)${crossFile ? ` + helper${k - 1}(x)` : ""};`,
    `}`,
    `export const dloss${k} = grad(loss${k});`,
    `export const hv${k} = hvp(loss${k});`,
  ].join("\n");
}

export async function viteRebuild(files: number, edits: number): Promise<ViteRebuild> {
  fs.mkdirSync(fileURLToPath(new URL("../.scratch/", import.meta.url)), { recursive: true });
  const { createServer } = await import("vite");
  const { default: tsgrad } = await import("tsgrad/vite");
  // inside this package, so that the project's `import ... from "tsgrad"` resolves to it
  const dir = fs.mkdtempSync(path.join(fileURLToPath(new URL("../.scratch/", import.meta.url)), "vite-rebuild-"));
  writeProject(dir, files);
  const server = await createServer({
    root: dir,
    configFile: false,
    plugins: [tsgrad({ tsconfig: path.join(dir, "tsconfig.json") })],
    server: { middlewareMode: true, hmr: false, watch: null },
    logLevel: "silent",
  });
  try {
    const t0 = performance.now();
    for (let k = 0; k < files; k++) await server.transformRequest(`/m${k}.ts`);
    const coldMs = performance.now() - t0;
    const times: number[] = [];
    for (let e = 1; e <= edits; e++) {
      const k = Math.floor(files / 2) + e;
      const file = path.join(dir, `m${k}.ts`);
      fs.writeFileSync(file, projectModule(k, e));
      server.moduleGraph.invalidateModule(server.moduleGraph.getModuleById(file)!);
      const t = performance.now();
      await server.transformRequest(`/m${k}.ts`);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { files, coldMs, rebuildMs: times[times.length >> 1]!, edits };
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function compileScaling(options: { readonly quick: boolean; readonly onNote?: (s: string) => void }): Promise<CompileScaling> {
  const sizes = options.quick ? QUICK_SIZES : FULL_SIZES;
  const series = PROGRAM_SHAPES.map((shape) =>
    scalingSeries(shape, sizes, (p) => options.onNote?.(`compile scaling: ${shape} ${p.statements} statements, ${p.transformMs.toFixed(0)} ms`)),
  );
  const vite = await viteRebuild(options.quick ? 10 : 200, options.quick ? 1 : 5);
  return { series, vite };
}
