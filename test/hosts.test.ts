/**
 * Every way into the transformer: ts-patch's tspc, tsc after `ts-patch install` (on a copy of
 * TypeScript, never the repository's own), ts-morph, program.emit, and the CLI. Fixture projects
 * are written under test/.generated/ (inside the repository, so that the output's
 * `import "tsgrad"` resolves through a node_modules/tsgrad link to this package).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Project } from "ts-morph";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { tsgradTransformer } from "tsgrad/transformer";
import { GENERATED_DIR } from "./support/compile.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const tspc = path.join(root, "node_modules/ts-patch/bin/tspc.js");
const tsPatch = path.join(root, "node_modules/ts-patch/bin/ts-patch.js");

const GOOD = `import { grad } from "tsgrad";
function f(x: number, y: number): number {
  return x * x * y + Math.sin(y);
}
console.log(JSON.stringify(grad(f)(3, 2)));
`;
const REFUSED = `import { grad } from "tsgrad";
function f(x: number): number {
  try { return x * x; } catch { return 0; }
}
console.log(grad(f)(3));
`;

/** A project folder with a tsconfig using the tsgrad plugin and a node_modules/tsgrad link. */
function project(name: string, main: string, extra: (dir: string) => void = () => {}): string {
  const dir = path.join(GENERATED_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  symlinkSync(root, path.join(dir, "node_modules/tsgrad"), "dir");
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        strict: true,
        skipLibCheck: true,
        outDir: "out",
        sourceMap: true,
        plugins: [{ transform: "tsgrad/transformer" }],
      },
      files: ["main.ts"],
    }),
  );
  writeFileSync(path.join(dir, "main.ts"), main);
  extra(dir);
  return dir;
}

function run(cmd: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const expected = [2 * 3 * 2, 3 * 3 + Math.cos(2)];

describe("ts-patch", () => {
  it("tspc compiles with the plugin; the output runs and gives the gradient", () => {
    const dir = project("tspc-good", GOOD);
    const r = run(process.execPath, [tspc, "-p", "."], dir);
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
    const js = readFileSync(path.join(dir, "out/main.js"), "utf8");
    expect(js).toContain("function f_grad(");
    const printed = JSON.parse(execFileSync(process.execPath, ["out/main.js"], { cwd: dir, encoding: "utf8" })) as number[];
    expect(printed[0]).toBeCloseTo(expected[0]!, 12);
    expect(printed[1]).toBeCloseTo(expected[1]!, 12);
  });

  it("tspc reports refusals as errors with file(line,col) and the TSG code, and fails", () => {
    const dir = project("tspc-refused", REFUSED);
    const r = run(process.execPath, [tspc, "-p", "."], dir);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/main\.ts\(3,3\): error TS91004: TSG1004: try\/catch cannot be differentiated/);
    expect(r.out).toContain("hint:");
  });

  it("`ts-patch install` then plain tsc (on a copy of typescript)", () => {
    const dir = project("tsc-installed", GOOD, (d) => cpSync(path.join(root, "node_modules/typescript"), path.join(d, "node_modules/typescript"), { recursive: true }));
    const install = run(process.execPath, [tsPatch, "install", "--dir", path.join(dir, "node_modules/typescript")], dir);
    expect(install.out).toContain("ts-patch installed");
    const r = run(process.execPath, [path.join(dir, "node_modules/typescript/bin/tsc"), "-p", "."], dir);
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
    const printed = JSON.parse(execFileSync(process.execPath, ["out/main.js"], { cwd: dir, encoding: "utf8" })) as number[];
    expect(printed[0]).toBeCloseTo(expected[0]!, 12);
    // the repository's own TypeScript was not patched
    const check = run(process.execPath, [tsPatch, "check"], root);
    expect(check.out).toContain("typescript.js is not patched");
  });
});

describe("program hosts", () => {
  let dir = "";
  beforeAll(() => {
    dir = project("program-hosts", GOOD);
  });

  it("program.emit with the factory in `before`", () => {
    const program = ts.createProgram([path.join(dir, "main.ts")], { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022 });
    const reported: ts.Diagnostic[] = [];
    let js = "";
    program.emit(undefined, (name, text) => {
      if (name.endsWith("main.js")) js = text;
    }, undefined, false, { before: [tsgradTransformer(program, { report: (d) => reported.push(d) })] });
    expect(reported).toEqual([]);
    expect(js).toContain("console.log(JSON.stringify(f_grad(3, 2)))");
  });

  it("ts-morph's emitToMemory with the factory", async () => {
    const project = new Project({ tsConfigFilePath: path.join(dir, "tsconfig.json") });
    const program = project.getProgram().compilerObject;
    const result = project.emitToMemory({ customTransformers: { before: [tsgradTransformer(program as unknown as ts.Program)] } });
    const main = result.getFiles().find((f) => f.filePath.endsWith("main.js"));
    expect(main?.text).toContain("function f_grad(");
  });

  it("refuses to run without a Program, naming the hosts that have one", () => {
    expect(() => tsgradTransformer(undefined)).toThrow(/ts-patch.*Vite plugin.*CLI/);
  });
});

describe("CLI", () => {
  const cli = (args: string[], cwd = root) => spawnSync(process.execPath, [path.join(root, "bin/tsgrad.js"), ...args], { cwd, encoding: "utf8" });

  it("emit prints the formatted generated code", () => {
    const dir = project("cli-emit", GOOD);
    const r = cli(["emit", path.join(dir, "main.ts")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\/\*\* Gradient of `f` \(.*main\.ts:2\)\. Generated by tsgrad\. \*\/\nfunction f_grad\(x: number, y: number\): \[number, number\] \{/);
  });

  it("emit --fn keeps only code derived from that function", () => {
    const r = cli(["emit", "examples/newton-root.ts", "--fn", "nothingByThatName"]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("no derivative code generated");
  });

  it("emit and run fail with TSG diagnostics on refused code", () => {
    const dir = project("cli-refused", REFUSED);
    for (const cmd of ["emit", "run"]) {
      const r = cli([cmd, path.join(dir, "main.ts")]);
      expect(r.status, cmd).toBe(1);
      expect(r.stderr, cmd).toMatch(/main\.ts:3:3 - error TS91004: TSG1004/);
    }
  });

  it("run follows relative imports written with and without an extension, and passes arguments", () => {
    const dir = path.join(GENERATED_DIR, "cli-imports");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, "lib"), { recursive: true });
    writeFileSync(path.join(dir, "lib/square.ts"), "export function square(x: number): number { return x * x; }\n");
    writeFileSync(path.join(dir, "lib/cube.ts"), 'import { square } from "./square";\nexport function cube(x: number): number { return square(x) * x; }\n');
    writeFileSync(
      path.join(dir, "main.ts"),
      [
        'import { grad } from "tsgrad";',
        'import { cube } from "./lib/cube.ts";',
        'import { square } from "./lib/square";',
        "const x = Number(process.argv[2]);",
        "console.log(grad(cube)(x), grad(square)(x));",
      ].join("\n"),
    );
    const r = cli(["run", path.join(dir, "main.ts"), "2"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("12 4");
  });
});

describe("markers", () => {
  it("throw a helpful error when the transformer did not run", () => {
    const dir = path.join(GENERATED_DIR, "untransformed");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "plain.mjs");
    writeFileSync(file, `import { grad } from ${JSON.stringify(path.join(root, "dist/runtime/index.js"))};\ngrad((x) => x * x)(1);\n`);
    const r = spawnSync(process.execPath, [file], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("grad() ran without being compiled");
    expect(r.stderr).toContain('"transform": "tsgrad/transformer"');
    expect(r.stderr).toContain("tsgrad/vite");
    expect(r.stderr).toContain("npx tsgrad run");
  });

  it("renamed and namespace imports are found; a user's own `grad` is left alone; calls are deduplicated", () => {
    const dir = project(
      "marker-resolution",
      `import { grad as derivative } from "tsgrad";
import * as tg from "tsgrad";
function grad(f: (x: number) => number): (x: number) => number { return (x) => 100 * f(x); }
function f(x: number): number { return x * x * x; }
const a = derivative(f);
const b = tg.grad(f);
const c = grad(f);
console.log(JSON.stringify([a(2), b(2), c(2)]));
`,
    );
    const r = run(process.execPath, [tspc, "-p", "."], dir);
    expect(r.out).toBe("");
    const js = readFileSync(path.join(dir, "out/main.js"), "utf8");
    expect(js.match(/function f_grad\(/g)).toHaveLength(1);
    expect(js).not.toMatch(/\beval\(|new Function/);
    const printed = JSON.parse(execFileSync(process.execPath, ["out/main.js"], { cwd: dir, encoding: "utf8" })) as number[];
    expect(printed).toEqual([12, 12, 800]);
  });
});

describe("source maps", () => {
  it("map lines of the generated function back to the source function", () => {
    const dir = project("source-maps", GOOD);
    run(process.execPath, [tspc, "-p", "."], dir);
    const js = readFileSync(path.join(dir, "out/main.js"), "utf8").split("\n");
    const map = JSON.parse(readFileSync(path.join(dir, "out/main.js.map"), "utf8")) as { mappings: string; sources: string[] };
    const lines = decodeMappings(map.mappings);
    const start = js.findIndex((l) => l.startsWith("function f_grad("));
    expect(start).toBeGreaterThan(0);
    // some generated line inside f_grad maps to a source line inside f (lines 2-4, 0-based 1-3)
    const mapped = lines.slice(start, js.length).flat().filter((seg) => seg.sourceLine >= 1 && seg.sourceLine <= 3);
    expect(mapped.length).toBeGreaterThan(0);
    expect(map.sources[0]).toMatch(/main\.ts$/);
  });
});

/** Decodes source-map VLQ mappings: per generated line, the segments' source lines (0-based). */
function decodeMappings(mappings: string): { sourceLine: number }[][] {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let sourceLine = 0;
  return mappings.split(";").map((line) =>
    line
      .split(",")
      .filter((seg) => seg.length > 0)
      .map((seg) => {
        const values: number[] = [];
        let value = 0;
        let shift = 0;
        for (const ch of seg) {
          const digit = chars.indexOf(ch);
          value += (digit & 31) << shift;
          if (digit & 32) shift += 5;
          else {
            values.push(value & 1 ? -(value >> 1) : value >> 1);
            value = 0;
            shift = 0;
          }
        }
        if (values.length >= 3) sourceLine += values[2]!;
        return { sourceLine };
      }),
  );
}


