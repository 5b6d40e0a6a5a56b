/**
 * The Vite host across edits: a derivative generated in one module may be of a function declared
 * in another, so when that other file changes, the module is transformed again from a Program
 * that sees the change (not a stale one), and Vite is told of the dependency.
 */
import fs from "node:fs";
import path from "node:path";
import { createServer } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import tsgrad from "tsgrad/vite";
import { GENERATED_DIR } from "./support/compile.js";

const dir = path.join(GENERATED_DIR, "vite-host");

describe("the Vite plugin", () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("regenerates a derivative when a helper in another file changes", async () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "ESNext", moduleResolution: "Bundler", target: "ES2022" }, include: ["*.ts"] }));
    const helper = path.join(dir, "helper.ts");
    fs.writeFileSync(helper, "export function helper(x: number): number { return x * x * x; }\n");
    fs.writeFileSync(
      path.join(dir, "lib.ts"),
      'import { grad } from "tsgrad";\nimport { helper } from "./helper";\nexport const f = (x: number) => helper(x) * 2;\nexport const df = grad(f);\n',
    );
    const server = await createServer({ root: dir, configFile: false, plugins: [tsgrad({ tsconfig: path.join(dir, "tsconfig.json") })], server: { middlewareMode: true, hmr: false }, logLevel: "silent" });
    try {
      const before = (await server.ssrLoadModule("/lib.ts")) as { df: (x: number) => number };
      expect(before.df(0.5)).toBeCloseTo(6 * 0.25, 12);
      fs.writeFileSync(helper, "export function helper(x: number): number { return x * x; }\n");
      server.moduleGraph.invalidateAll();
      const after = (await server.ssrLoadModule("/lib.ts")) as { f: (x: number) => number; df: (x: number) => number };
      expect(after.f(0.5)).toBeCloseTo(0.5, 12);
      expect(after.df(0.5)).toBeCloseTo(2, 12);
      const lib = server.moduleGraph.getModuleById(path.join(dir, "lib.ts"));
      expect([...(lib?.importedModules ?? [])].map((m) => m.file)).toContain(helper);
    } finally {
      await server.close();
    }
  });
});
