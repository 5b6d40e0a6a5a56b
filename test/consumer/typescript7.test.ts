/**
 * Every route that brings its own compiler, in a project whose own TypeScript is 7 (the native
 * compiler, which has no transformer API): the bundler plugins (Vite, Rollup, webpack, esbuild,
 * Rspack), the Node loader, `tsgrad generate` followed by plain tsc 7, `tsgrad check`, and a
 * Vite-built page in headless Chromium (Debian's `chromium`, driven by playwright-core). tsgrad's
 * own `typescript` dependency, a JavaScript-API compiler, is installed under it.
 *
 * Each command here is the one the README's integration section gives.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appSource, cleanUp, expectResults, ok, packTarball, positionIn, project, sh, VERSIONS, workspace, type Run } from "./support.js";

/** What this test uses of playwright-core (the project's own, not this repository's). */
interface Chromium {
  launch(options: { executablePath: string; args: string[] }): Promise<{ newPage(): Promise<Page>; close(): Promise<void> }>;
}
interface Page {
  on(event: "console", listener: (message: { type(): string; text(): string }) => void): void;
  on(event: "pageerror", listener: (error: Error) => void): void;
  goto(url: string): Promise<unknown>;
  waitForFunction(fn: () => boolean, arg: undefined, options: { timeout: number }): Promise<unknown>;
  textContent(selector: string): Promise<string | null>;
}

/** Debian's chromium package; a missing browser fails the test (it is installed by .ci/run). */
const CHROMIUM = process.env.TSGRAD_CHROMIUM ?? "/usr/bin/chromium";

const work = workspace("ts7");
let dir = "";
let install: Run;
const timings: string[] = [];
const timed = (what: string, r: Run): Run => {
  timings.push(`${what} ${(r.ms / 1000).toFixed(1)} s`);
  return r;
};

beforeAll(() => {
  const tarball = packTarball(work);
  ({ dir, install } = project(
    path.join(work, "app"),
    {
      typescript: VERSIONS.typescript7,
      vite: VERSIONS.vite,
      rollup: VERSIONS.rollup,
      "@rollup/plugin-node-resolve": VERSIONS.rollupNodeResolve,
      "rollup-plugin-esbuild": VERSIONS.rollupEsbuild,
      webpack: VERSIONS.webpack,
      "webpack-cli": VERSIONS.webpackCli,
      "esbuild-loader": VERSIONS.esbuildLoader,
      esbuild: VERSIONS.esbuild,
      "@rspack/core": VERSIONS.rspack,
      "playwright-core": VERSIONS.playwright,
    },
    tarball,
  ));
  timed("npm install", install);
  const app = path.join(path.dirname(new URL(import.meta.url).pathname), "app");
  cpSync(path.join(app, "configs"), dir, { recursive: true });
  cpSync(path.join(app, "index.html"), path.join(dir, "index.html"));
});
afterAll(() => {
  console.log(`[consumer] TypeScript 7 project: ${timings.join(", ")}`);
  cleanUp(work);
});

describe("a project whose TypeScript is 7", () => {
  it("has TypeScript 7 at its top level, and tsgrad its own JavaScript-API compiler underneath", () => {
    const version = (file: string) => (JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { version: string }).version;
    expect(version("node_modules/typescript/package.json")).toBe(VERSIONS.typescript7);
    expect(version("node_modules/tsgrad/node_modules/typescript/package.json")).toMatch(/^[56]\./);
  });

  it("Vite: npx vite build, and an SSR build that Node runs", () => {
    ok(timed("vite build", sh(dir, "npx", ["vite", "build"])), "vite build");
    ok(sh(dir, "npx", ["vite", "build", "--ssr", "src/cli.ts", "--outDir", "dist-vite-ssr"]), "vite build --ssr");
    expectResults(ok(sh(dir, "node", ["dist-vite-ssr/cli.js"]), "node dist-vite-ssr/cli.js").stdout);
  });

  it("Rollup: npx rollup -c", () => {
    ok(timed("rollup", sh(dir, "npx", ["rollup", "-c"])), "rollup -c");
    expectResults(ok(sh(dir, "node", ["dist-rollup/cli.js"]), "node dist-rollup/cli.js").stdout);
  });

  it("webpack: npx webpack", () => {
    ok(timed("webpack", sh(dir, "npx", ["webpack"])), "webpack");
    expectResults(ok(sh(dir, "node", ["dist-webpack/cli.cjs"]), "node dist-webpack/cli.cjs").stdout);
  });

  it("esbuild: node esbuild.mjs (the plugin through esbuild's JavaScript API)", () => {
    ok(timed("esbuild", sh(dir, "node", ["esbuild.mjs"])), "esbuild");
    expectResults(ok(sh(dir, "node", ["dist-esbuild/cli.js"]), "node dist-esbuild/cli.js").stdout);
  });

  it("Rspack: node rspack.mjs (the plugin through Rspack's JavaScript API)", () => {
    ok(timed("rspack", sh(dir, "node", ["rspack.mjs"])), "rspack");
    expectResults(ok(sh(dir, "node", ["dist-rspack/cli.cjs"]), "node dist-rspack/cli.cjs").stdout);
  });

  it("a bundler build fails on a refusal, naming the TSG code and the offending code's file:line:col", () => {
    writeFileSync(path.join(dir, "esbuild-refused.mjs"), readFileSync(path.join(dir, "esbuild.mjs"), "utf8").replace('"src/cli.ts"', '"src/refused.ts"').replace("dist-esbuild/cli.js", "dist-esbuild/refused.js"));
    const r = sh(dir, "node", ["esbuild-refused.mjs"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${positionIn("src/refused.ts", "try {", appSource("src/refused.ts"))} - error TS91004: TSG1004: try/catch cannot be differentiated`);
  });

  it("Node: node --import tsgrad/register src/cli.ts, with stack traces in the user's own lines", () => {
    expectResults(ok(timed("node --import tsgrad/register", sh(dir, "node", ["--import", "tsgrad/register", "src/cli.ts"])), "node --import tsgrad/register").stdout);
    const r = sh(dir, "node", ["--import", "tsgrad/register", "src/throws.ts"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("Error: steep: x must be at most 1");
    // the throw is on line 4 of throws.ts; its derivative's frame points there
    expect(r.stderr).toContain(`${path.join(dir, "src/throws.ts")}:${positionIn("src/throws.ts", "throw new Error", appSource("src/throws.ts")).split(":")[1]}:`);
  });

  it("tsgrad generate, then plain tsc 7 on the generated files: no plugin at all", () => {
    const gen = ok(timed("tsgrad generate", sh(dir, "npx", ["tsgrad", "generate", "-p", ".", "--out", "generated"])), "tsgrad generate");
    expect(gen.stdout).toMatch(/6 files in generated \(2 with generated derivatives, 4 copied\)/);
    const results = readFileSync(path.join(dir, "generated/src/results.ts"), "utf8");
    expect(results).toMatch(/^\/\/ Generated by tsgrad from src\/results\.ts/);
    // the user's own lines stay as written; the marker calls became the generated functions
    expect(results).toContain("function fit(w: number, b: number): number {\n  return mse(w, b, xs, ys);\n}");
    expect(results).not.toMatch(/derivative\(fit\)/);
    expect(readFileSync(path.join(dir, "generated/src/model.ts"), "utf8")).toBe(appSource("src/model.ts"));
    ok(timed("tsc 7", sh(dir, "npx", ["tsc", "-p", "tsconfig.generated.json"])), "tsc -p tsconfig.generated.json");
    expectResults(ok(sh(dir, "node", ["out-generated/cli.js"]), "node out-generated/cli.js").stdout);
  });

  it("tsgrad generate --check passes when up to date and fails when a source changed", () => {
    if (!existsSync(path.join(dir, "generated"))) ok(sh(dir, "npx", ["tsgrad", "generate", "-p", ".", "--out", "generated"]), "tsgrad generate");
    ok(sh(dir, "npx", ["tsgrad", "generate", "-p", ".", "--out", "generated", "--check"]), "tsgrad generate --check");
    const model = path.join(dir, "src/model.ts");
    writeFileSync(model, readFileSync(model, "utf8").replace("return x * x;", "return x ** 2;"));
    const stale = sh(dir, "npx", ["tsgrad", "generate", "-p", ".", "--out", "generated", "--check"]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("generated/src/model.ts");
    writeFileSync(model, appSource("src/model.ts"));
  });

  it("tsgrad check reports a refusal with tsgrad's own compiler", () => {
    const r = sh(dir, "npx", ["tsgrad", "check", "-p", "tsconfig.refused.json"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${positionIn("src/refused.ts", "try {", appSource("src/refused.ts"))} - error TS91004: TSG1004: `);
  });

  it("plain tsc 7 with no route runs nothing of tsgrad's: the marker says so at run time and names the routes", () => {
    ok(sh(dir, "npx", ["tsc", "-p", "tsconfig.plain.json"]), "tsc -p tsconfig.plain.json");
    const r = sh(dir, "node", ["out-plain/cli.js"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("TypeScript 7's tsc (the native compiler) runs no transformer plugins");
    expect(r.stderr).toContain("node --import tsgrad/register");
    expect(r.stderr).toContain("tsgrad/vite");
  });
});

describe("a Vite-built page in headless Chromium", () => {
  let server: Server;
  let url = "";
  beforeAll(async () => {
    if (!existsSync(path.join(dir, "dist-vite/index.html"))) ok(sh(dir, "npx", ["vite", "build"]), "vite build");
    const root = path.join(dir, "dist-vite");
    const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json" };
    server = createServer((req, res) => {
      const file = path.join(root, decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname).replace(/\/$/, "/index.html"));
      if (req.url === "/favicon.ico") {
        res.writeHead(204).end();
        return;
      }
      if (!file.startsWith(root) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
  });
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("runs the generated derivatives under a strict Content-Security-Policy (no eval)", async () => {
    expect(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium)`).toBe(true);
    const start = performance.now();
    const { chromium } = (await import(pathToFileURL(path.join(dir, "node_modules/playwright-core/index.mjs")).href)) as { chromium: Chromium };
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => (m.type() === "error" ? problems.push(m.text()) : undefined));
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(url);
      await page.waitForFunction(() => (document.getElementById("out")?.textContent ?? "") !== "", undefined, { timeout: 30_000 });
      expectResults((await page.textContent("#out"))!);
      expect(problems, problems.join("\n")).toEqual([]);
    } finally {
      await browser.close();
    }
    timings.push(`chromium ${((performance.now() - start) / 1000).toFixed(1)} s`);
  });
});
