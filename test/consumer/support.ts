/**
 * Consumer tests: tsgrad as a user gets it. The package is packed (`npm pack`, as published) and
 * installed into fresh projects in the system's temporary folder, outside this repository, so
 * nothing resolves from its node_modules. Dependencies are exact versions, installed from npm's
 * cache where it has them (`--prefer-offline`).
 *
 * Every route builds and runs the same program (app/src) and is checked against closed forms
 * computed here, not against tsgrad.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
const APP = fileURLToPath(new URL("./app", import.meta.url));

/** Exact versions the consumer projects install. */
export const VERSIONS = {
  tsPatch: "3.3.0",
  typescript5Lowest: "5.2.2",
  typescript59: "5.9.3",
  typescript6: "6.0.3",
  typescript7: "7.0.2",
  vite: "8.3.8",
  rollup: "4.69.3",
  rollupNodeResolve: "16.0.3",
  rollupEsbuild: "6.2.1",
  webpack: "5.113.0",
  webpackCli: "7.3.1",
  esbuildLoader: "4.5.0",
  esbuild: "0.28.2",
  rspack: "2.3.4",
  playwright: "1.65.2",
} as const;

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command in a project; `PATH` leads to the project's own node_modules/.bin. */
export function sh(cwd: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
  const start = performance.now();
  const r = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", npm_config_update_notifier: "false", PATH: `${path.join(cwd, "node_modules/.bin")}${path.delimiter}${process.env.PATH}`, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - start };
}

/** Fails with the command's output when it did not exit 0. */
export function ok(r: Run, what: string): Run {
  expect(r.status, `${what} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

/** A fresh temporary folder for this test file's projects (removed by `cleanUp`). */
export function workspace(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `tsgrad-consumer-${name}-`));
}

export function cleanUp(dir: string): void {
  if (!process.env.TSGRAD_KEEP_CONSUMER) rmSync(dir, { recursive: true, force: true });
}

/** `npm pack` of this repository's package as it stands (dist/ built by `npm run build`). */
export function packTarball(into: string): string {
  const r = ok(sh(REPO, "npm", ["pack", "--ignore-scripts", "--pack-destination", into]), "npm pack");
  const name = r.stdout.trim().split("\n").at(-1)!;
  return path.join(into, name);
}

/** A project with the program's sources, a package.json, and the given exact dependencies installed. */
export function project(dir: string, devDependencies: Record<string, string>, tarball: string): { dir: string; install: Run } {
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(APP, "src"), path.join(dir, "src"), { recursive: true });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: path.basename(dir), private: true, type: "module" }, null, 2));
  const specs = [...Object.entries(devDependencies).map(([n, v]) => `${n}@${v}`), tarball];
  const install = ok(sh(dir, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--save-exact", "--loglevel=error", ...specs]), "npm install");
  return { dir, install };
}

export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}

/** What the program prints, from closed forms: d/dw and d/db of the mean squared error, (x² sin x)', ∇ Σ t². */
export function expectResults(text: string): void {
  const out = JSON.parse(text) as { dw: number; db: number; energy: number; dEnergy: number; dSquares: number[] };
  const xs = [1, 2, 3];
  const ys = [2, 4, 7];
  const [w, b] = [1.5, 0.5];
  const residuals = xs.map((x, i) => w * x + b - ys[i]!);
  expect(out.dw).toBeCloseTo((2 / 3) * residuals.reduce((s, r, i) => s + r * xs[i]!, 0), 12);
  expect(out.db).toBeCloseTo((2 / 3) * residuals.reduce((s, r) => s + r, 0), 12);
  const x = 0.7;
  expect(out.energy).toBeCloseTo(x * x * Math.sin(x), 14);
  expect(out.dEnergy).toBeCloseTo(2 * x * Math.sin(x) + x * x * Math.cos(x), 12);
  expect(out.dSquares).toEqual([2, 4, 6]);
}

/** The line and column (1-based) of the first occurrence of `text` in one of the program's files. */
export function positionIn(file: string, text: string, source: string): string {
  const lines = source.split("\n");
  const line = lines.findIndex((l) => l.includes(text));
  if (line < 0) throw new Error(`${text} not in ${file}`);
  return `${file}:${line + 1}:${lines[line]!.indexOf(text) + 1}`;
}

/** A file of the program, as written. */
export function appSource(file: string): string {
  return readFileSync(path.join(APP, file), "utf8");
}
