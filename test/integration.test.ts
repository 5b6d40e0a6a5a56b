/**
 * Every way into the transformer, end to end: ts-patch's tspc, plain tsc after `ts-patch install`
 * (on a copy of TypeScript), ts-morph's emitToMemory, program.emit with the factory, the CLI
 * (emit and run), the Vite plugin (this file itself), and the markers' behaviour without the
 * transformer. Also: deduplicated, hoisted generated code without eval, and source maps that lead
 * from generated code back to the differentiated function.
 *
 * Fixture projects live in test/fixtures/projects/ and are copied under test/.generated/ (inside
 * the repository, so the emitted `import ... from "tsgrad"` resolves to this package by its
 * self-reference). ts-patch resolves a plugin's `transform` with require.resolve from the
 * tsconfig's folder, where a package's self-reference does not apply (it resolves from
 * ts-patch's own module), so each copy gets node_modules/tsgrad linking to the package, as an
 * installed dependency would be.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "prettier";
import { Project } from "ts-morph";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { grad } from "tsgrad";
import { tsgradTransformer } from "tsgrad/transformer";
import tsgradVite from "tsgrad/vite";
import { GENERATED_DIR, importSource } from "./support/compile.js";
import { decodeMappings } from "./support/sourcemap.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixtures = path.join(root, "test/fixtures/projects");
const work = path.join(GENERATED_DIR, "integration");
const tspc = path.join(root, "node_modules/.bin/tspc");
const tsPatch = path.join(root, "node_modules/.bin/ts-patch");
const cliBin = path.join(root, "bin/tsgrad.js");

/** What gradients/main.ts prints, computed here: f(x, y) = x^2 y + sin(y) x, cube(x) = x^3. */
const X = 3;
const Y = 2;
const expectedF = [2 * X * Y + Math.sin(Y), X * X + X * Math.cos(Y)];
const expectedValue = X * X * Y + Math.sin(Y) * X;

interface Printed {
  first: [number, number];
  second: [number, number];
  renamed: number;
  namespaced: number;
  both: { value: number; grad: [number, number] };
  own: number;
}

function checkPrinted(stdout: string): void {
  const p = JSON.parse(stdout) as Printed;
  for (const g of [p.first, p.second, p.both.grad]) {
    expect(g).toHaveLength(2);
    expect(g[0]).toBeCloseTo(expectedF[0]!, 12);
    expect(g[1]).toBeCloseTo(expectedF[1]!, 12);
  }
  expect(p.both.value).toBeCloseTo(expectedValue, 12);
  expect(p.renamed).toBe(12);
  expect(p.namespaced).toBe(12);
  // the user's own `grad` ran: 100 * square(2)
  expect(p.own).toBe(400);
}

/** A fresh copy of a fixture project under test/.generated/integration/<as>. */
function copyProject(fixture: string, as: string): string {
  const dir = path.join(work, as);
  rmSync(dir, { recursive: true, force: true });
  cpSync(path.join(fixtures, fixture), dir, { recursive: true });
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  symlinkSync(root, path.join(dir, "node_modules/tsgrad"), "dir");
  return dir;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Line and column (1-based) of the first occurrence of `text` in a file. */
function positionOf(file: string, text: string): { line: number; col: number } {
  const lines = readFileSync(file, "utf8").split("\n");
  const line = lines.findIndex((l) => l.includes(text));
  if (line < 0) throw new Error(`${text} not in ${file}`);
  return { line: line + 1, col: lines[line]!.indexOf(text) + 1 };
}

const refusedTry = positionOf(path.join(fixtures, "refused/main.ts"), "try {");

describe("ts-patch: tspc with the plugin in tsconfig", () => {
  let dir = "";
  let build: Run;
  let mainJs = "";
  beforeAll(() => {
    dir = copyProject("gradients", "tspc");
    build = node([tspc, "-p", "."], dir);
    mainJs = existsSync(path.join(dir, "out/main.js")) ? readFileSync(path.join(dir, "out/main.js"), "utf8") : "";
  });

  it("the plugin entry loads with require(), as ts-patch loads it (require of an ES module)", () => {
    const dir = path.join(work, "require-esm");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "load.cjs");
    writeFileSync(
      file,
      `const m = require(${JSON.stringify(path.join(root, "dist/transformer/index.js"))});\n` +
        `console.log(typeof m.default, typeof m.tsgradTransformer);\n`,
    );
    const r = node([file], dir);
    expect(r.stdout).toBe("function function\n");
    expect(r.status).toBe(0);
  });

  it("compiles without diagnostics; the emitted JavaScript runs and gives the right gradients", () => {
    expect(build.stdout + build.stderr).toBe("");
    expect(build.status).toBe(0);
    const r = node(["out/main.js"], dir);
    expect(r.stderr).toBe("");
    checkPrinted(r.stdout);
  });

  it("two grad(f) calls in one module share one generated function, hoisted to module level", () => {
    expect(mainJs.match(/function f_grad\(/g)).toHaveLength(1);
    expect(mainJs).toContain("const first = f_grad;");
    expect(mainJs).toContain("const second = f_grad;");
    // the generated functions are top-level declarations after the module's own code
    expect(mainJs).toMatch(/^function f_grad\(x, y\) \{$/m);
    expect(mainJs.indexOf("function f_grad(")).toBeGreaterThan(mainJs.indexOf("console.log("));
  });

  it("a renamed import and a namespace import of grad are transformed (to one function)", () => {
    expect(mainJs).toContain("const renamed = cube_grad;");
    expect(mainJs).toContain("const namespaced = cube_grad;");
    expect(mainJs.match(/function cube_grad\(/g)).toHaveLength(1);
    expect(mainJs).toContain("const both = f_valueAndGrad;");
  });

  it("a user's own function called grad is left alone", () => {
    const own = readFileSync(path.join(dir, "out/own.js"), "utf8");
    expect(own).toContain("export const ownGrad = grad(square);");
    expect(own).not.toMatch(/square_grad|generated by tsgrad/);
  });

  it("generated code uses neither eval nor new Function", () => {
    for (const file of ["out/main.js", "out/own.js"]) {
      const js = readFileSync(path.join(dir, file), "utf8");
      expect(js).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(/);
    }
    // neither does the runtime the generated code imports
    for (const file of ["index.js", "markers.js", "stack.js", "rules.js"]) {
      const p = path.join(root, "dist/runtime", file);
      if (existsSync(p)) expect(readFileSync(p, "utf8"), file).not.toMatch(/\beval\s*\(|new\s+Function\b/);
    }
  });

  it("the source map leads from lines of the generated function back into f", () => {
    const source = readFileSync(path.join(dir, "main.ts"), "utf8").split("\n");
    const fStart = source.findIndex((l) => l.startsWith("export function f("));
    const fEnd = source.findIndex((l, i) => i > fStart && l === "}");
    expect(fStart).toBeGreaterThanOrEqual(0);
    expect(fEnd).toBeGreaterThan(fStart);

    const js = mainJs.split("\n");
    // (the comment's text is built, so that no literal in this file looks like one)
    expect(js.at(-1) === "" ? js.at(-2) : js.at(-1)).toBe(`//${"#"} sourceMappingURL=main.js.map`);
    const map = JSON.parse(readFileSync(path.join(dir, "out/main.js.map"), "utf8")) as { version: number; sources: string[]; mappings: string };
    expect(map.version).toBe(3);
    const mainIndex = map.sources.findIndex((s) => s.endsWith("main.ts"));
    expect(mainIndex).toBeGreaterThanOrEqual(0);

    const lines = decodeMappings(map.mappings);
    /** Source lines (0-based, in main.ts) that the generated lines strictly inside `name` map to. */
    const mappedFrom = (name: string): number[] => {
      const start = js.findIndex((l) => l.startsWith(`function ${name}(`));
      const end = js.findIndex((l, i) => i > start && l === "}");
      expect(start, name).toBeGreaterThan(0);
      expect(end, name).toBeGreaterThan(start);
      return lines
        .slice(start + 1, end)
        .flat()
        .filter((s) => s.source === mainIndex)
        .map((s) => s.sourceLine!);
    };
    const inF = (line: number) => line >= fStart && line <= fEnd;
    // f_grad's code maps into f (its declaration spans lines fStart..fEnd), and only into f
    const fromGrad = mappedFrom("f_grad");
    expect(fromGrad.length).toBeGreaterThan(0);
    expect(fromGrad.filter((l) => !inF(l))).toEqual([]);
    // and some generated statement of f's derivatives maps to a statement of f's body
    const fromBoth = [...fromGrad, ...mappedFrom("f_valueAndGrad")];
    expect(fromBoth.some((l) => l > fStart && l < fEnd)).toBe(true);
    // cube_grad maps into cube, not into f
    const cubeStart = source.findIndex((l) => l.startsWith("export function cube("));
    const fromCube = mappedFrom("cube_grad");
    expect(fromCube.length).toBeGreaterThan(0);
    expect(fromCube.every((l) => l >= cubeStart && l <= cubeStart + 2)).toBe(true);
    // and the module's own code still maps to itself: `const first = ...` to its source line
    const firstJs = js.findIndex((l) => l.startsWith("const first = "));
    const firstTs = source.findIndex((l) => l.startsWith("const first = "));
    expect(lines[firstJs]!.some((s) => s.sourceLine === firstTs)).toBe(true);
  });

  it("a refused construct fails the build with the TSG code at file(line,col)", () => {
    const refused = copyProject("refused", "tspc-refused");
    const r = node([tspc, "-p", "."], refused);
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toContain(`main.ts(${refusedTry.line},${refusedTry.col}): error TS91004: TSG1004: `);
    expect(out).toMatch(/\n {2}hint: \S/);
    expect(out).not.toContain("internal error");
  });
});

describe("ts-patch install, then plain tsc", () => {
  /** Digest of the repository's TypeScript compiler files, which must never be patched. */
  const digest = () => {
    const h = createHash("sha256");
    for (const f of ["tsc.js", "typescript.js", "_tsc.js"]) {
      const p = path.join(root, "node_modules/typescript/lib", f);
      if (existsSync(p)) h.update(readFileSync(p));
    }
    return h.digest("hex");
  };

  it("patches a copy of the typescript package; its tsc runs the plugin", () => {
    const before = digest();
    const dir = copyProject("gradients", "tsc-installed");
    const typescript = path.join(dir, "node_modules/typescript");
    cpSync(path.join(root, "node_modules/typescript"), typescript, { recursive: true });
    // ts-patch's cache (and its locks) in the project copy, not in the repository's node_modules
    const env = { TSP_CACHE_DIR: path.join(dir, ".tsp-cache") };
    const install = node([tsPatch, "install", "--dir", typescript], dir, env);
    expect(install.status, install.stdout + install.stderr).toBe(0);
    const check = node([tsPatch, "check", "--dir", typescript], dir, env);
    expect(check.stdout).toMatch(/tsc\.js is patched with ts-patch/);

    const build = node([path.join(typescript, "bin/tsc"), "-p", "."], dir);
    expect(build.stdout + build.stderr).toBe("");
    expect(build.status).toBe(0);
    expect(readFileSync(path.join(dir, "out/main.js"), "utf8")).toMatch(/^function f_grad\(/m);
    const r = node(["out/main.js"], dir);
    expect(r.stderr).toBe("");
    checkPrinted(r.stdout);

    // the repository's own TypeScript is untouched
    expect(digest()).toBe(before);
    const repo = node([tsPatch, "check", "--dir", path.join(root, "node_modules/typescript")], root, env);
    expect(repo.stdout).toMatch(/tsc\.js is not patched/);
    expect(repo.stdout).toMatch(/typescript\.js is not patched/);
    expect(repo.stdout).not.toMatch(/is patched with/);
  });
});

describe("programmatic hosts", () => {
  let dir = "";
  let parsed: ts.ParsedCommandLine;
  beforeAll(() => {
    dir = copyProject("gradients", "program-hosts");
    parsed = ts.getParsedCommandLineOfConfigFile(path.join(dir, "tsconfig.json"), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    })!;
  });

  it("program.emit(..., { before: [tsgradTransformer(program)] }) writes code that runs", () => {
    const outDir = path.join(dir, "out-emit");
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, outDir, sourceMap: false });
    const reported: ts.Diagnostic[] = [];
    const result = program.emit(undefined, undefined, undefined, false, { before: [tsgradTransformer(program, { report: (d) => reported.push(d) })] });
    expect(result.emitSkipped).toBe(false);
    expect(reported).toEqual([]);
    const js = readFileSync(path.join(outDir, "main.js"), "utf8");
    expect(js.match(/function f_grad\(/g)).toHaveLength(1);
    const r = node([path.join(outDir, "main.js")], dir);
    expect(r.stderr).toBe("");
    checkPrinted(r.stdout);
  });

  it("program.emit reports refusals through `report`, with the TSG code and position", () => {
    const refused = copyProject("refused", "program-refused");
    const program = ts.createProgram([path.join(refused, "main.ts")], { ...parsed.options, outDir: path.join(refused, "out") });
    const reported: ts.Diagnostic[] = [];
    let js = "";
    program.emit(undefined, (name, text) => {
      if (name.endsWith("main.js")) js = text;
    }, undefined, false, { before: [tsgradTransformer(program, { report: (d) => reported.push(d) })] });
    expect(reported).toHaveLength(1);
    const d = reported[0]!;
    expect(d.code).toBe(91004);
    const pos = d.file!.getLineAndCharacterOfPosition(d.start!);
    expect([pos.line + 1, pos.character + 1]).toEqual([refusedTry.line, refusedTry.col]);
    expect(ts.flattenDiagnosticMessageText(d.messageText, "\n")).toMatch(/^TSG1004: [^]*\n {2}hint: /);
    // the refused call compiles to code that throws the refusal: where the marker and the refused code are, its code and message
    expect(js).not.toContain("grad(f)(3)");
    expect(js).toContain(`main.ts:${refusedTry.line}:${refusedTry.col} - TSG1004: try/catch cannot be differentiated`);
    expect(js).toMatch(/console\.log\(\(\(\) => \{ throw new Error\("tsgrad refused grad\(f\) at [^"]*main\.ts:\d+:\d+ when compiling: /);
  });

  it("ts-morph's emitToMemory with customTransformers.before", async () => {
    const outDir = path.join(dir, "out-morph");
    const project = new Project({ tsConfigFilePath: path.join(dir, "tsconfig.json"), compilerOptions: { outDir, sourceMap: false } });
    const program = project.getProgram().compilerObject as unknown as ts.Program;
    const reported: ts.Diagnostic[] = [];
    // ts-morph bundles its own copy of TypeScript's declarations; checking our factory against that copy
    // structurally can exceed the checker's depth limit depending on the order types were created in (TS2321)
    const transformer = tsgradTransformer(program, { report: (d) => reported.push(d) }) as never;
    const result = project.emitToMemory({ customTransformers: { before: [transformer] } });
    expect(result.getEmitSkipped()).toBe(false);
    expect(reported).toEqual([]);
    const main = result.getFiles().find((f) => f.filePath.endsWith("/main.js"));
    expect(main?.text).toMatch(/^function f_grad\(x, y\) \{$/m);
    expect(main?.text).toContain("const first = f_grad;");
    await result.saveFiles();
    const r = node([path.join(outDir, "main.js")], dir);
    expect(r.stderr).toBe("");
    checkPrinted(r.stdout);
  });

  it("without a Program the factory throws, naming the hosts that have one", () => {
    expect(() => tsgradTransformer(undefined)).toThrow(Error);
    let message = "";
    try {
      tsgradTransformer(undefined);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/ts\.Program/);
    expect(message).toMatch(/ts-patch/);
    expect(message).toContain("tsgrad/vite");
    expect(message).toMatch(/CLI/);
  });

});

describe("Vite plugin", () => {
  it("this test file's own marker call is compiled (vitest.config.ts uses the plugin)", () => {
    const cube = (x: number): number => x * x * x;
    expect(grad(cube)(2)).toBe(12);
  });

  /** Runs the plugin's transform hook on a file of a one-file project, as Vite would. */
  function viteTransform(name: string, code: string): { code: string; map: string | null } | null {
    const dir = path.join(work, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, skipLibCheck: true, types: [] }, files: ["main.ts"] }));
    const file = path.join(dir, "main.ts");
    writeFileSync(file, code);
    const plugin = tsgradVite({ tsconfig: path.join(dir, "tsconfig.json") });
    // Vite's hook may be a function or { filter, handler }
    const hook = plugin.transform as unknown as { handler?: Function } | Function;
    const transform = (typeof hook === "function" ? hook : hook.handler!) as (this: unknown, code: string, id: string) => { code: string; map: string | null } | null;
    return transform.call(
      {
        error(message: string): never {
          throw new Error(message);
        },
        addWatchFile() {},
      },
      code,
      file,
    );
  }

  it("transform() returns the transformed module and a source map", () => {
    const out = viteTransform("vite-good", `import { grad } from "tsgrad";\nfunction f(x: number): number { return Math.exp(2 * x); }\nexport const g = grad(f);\n`);
    expect(out?.code).toMatch(/^export const g = f_grad;$/m);
    expect(out?.code).toMatch(/^function f_grad\(x\) \{$/m);
    expect(out?.code).not.toContain(`//${"#"} sourceMappingURL`);
    const map = JSON.parse(out!.map!) as { version: number; sources: string[] };
    expect(map.version).toBe(3);
    expect(map.sources).toEqual(["main.ts"]);
  });

  it("transform() fails with the TSG diagnostic on a refusal", () => {
    expect(() =>
      viteTransform("vite-refused", `import { grad } from "tsgrad";\nfunction f(x: number): number { return eval("x") * x; }\nexport const g = grad(f);\n`),
    ).toThrow(/main\.ts:2:40 - error TS91006: TSG1006: /);
  });

  // Bug: the plugin drops the source-map comment TypeScript appends (`//#` then
  // ` sourceMappingURL=main.js.map`) with a regular expression with the m flag, so `$` matches any
  // line end and the first such text anywhere in the output is removed: a string literal that
  // contains it is cut off and the module no longer parses (a test file holding such a literal
  // fails to load under Vitest). Needed in transformer/host/vite.ts: strip only the trailing
  // comment line, e.g. `text.replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, "\n")`.
  it("transform() keeps a string literal that contains the source-map comment's text", () => {
    const literal = `//${"#"} sourceMappingURL=example.map`;
    const out = viteTransform("vite-literal", `import { grad } from "tsgrad";\nexport const note = "${literal}";\nfunction f(x: number): number { return x * x; }\nexport const g = grad(f);\n`);
    expect(out?.code).toContain(`export const note = "${literal}";`);
    expect(out?.code).toMatch(/^export const g = f_grad;$/m);
  });
});

describe("CLI", () => {
  const cli = (args: string[]) => node([cliBin, ...args], root);
  const gradientsMain = path.join(fixtures, "gradients/main.ts");
  const refusedMain = path.join(fixtures, "refused/main.ts");

  it("emit prints the generated functions, formatted, and exits 0", async () => {
    const r = cli(["emit", gradientsMain]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^function f_grad\(x: number, y: number\): \[number, number\] \{$/m);
    expect(r.stdout).toMatch(/^function cube_grad\(x: number\): number \{$/m);
    expect(r.stdout).toMatch(/^function f_valueAndGrad\(/m);
    // one function per distinct derivative, and only the generated code
    expect(r.stdout.match(/^function f_grad\(/gm)).toHaveLength(1);
    expect(r.stdout).not.toContain("console.log");
    // formatted: prettier leaves it as it is
    expect(await format(r.stdout, { parser: "typescript", printWidth: 100 })).toBe(r.stdout);
  });

  it("emit --fn keeps only the code derived from that function", () => {
    const r = cli(["emit", gradientsMain, "--fn", "cube"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^function cube_grad\(/m);
    expect(r.stdout).not.toMatch(/f_grad|f_valueAndGrad/);
    const none = cli(["emit", gradientsMain, "--fn", "noSuchFunction"]);
    expect(none.stdout).toBe("");
    expect(none.stderr).toContain("no derivative code generated");
  });

  it("emit exits non-zero and prints the TSG diagnostic on a refused file", () => {
    const r = cli(["emit", refusedMain]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`main.ts:${refusedTry.line}:${refusedTry.col} - error TS91004: TSG1004: `);
    expect(r.stderr).toMatch(/\n {2}hint: \S/);
    expect(r.stdout).toBe("");
  });

  it("run executes a file that imports sibling .ts modules with and without the extension, passing argv", () => {
    const r = cli(["run", path.join(fixtures, "cli-run/main.ts"), "2", "x="]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // d/dx x^3 = 12 and d/dx x^2 = 4 at 2; argv is [node, file, "2", "x="]
    expect(r.stdout).toBe("x=12 4 4\n");
    const again = cli(["run", path.join(fixtures, "cli-run/main.ts"), "3"]);
    expect(again.stdout).toBe("27 6 3\n");
  });

  it("run exits non-zero on a refusal, printing the TSG code, without running the file", () => {
    const r = cli(["run", refusedMain]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`main.ts:${refusedTry.line}:${refusedTry.col} - error TS91004: TSG1004: `);
    expect(r.stdout).toBe("");
  });
});

describe("markers without the transformer", () => {
  it("throw an Error saying how to add the transformer (plain Node, runtime imported directly)", () => {
    const dir = path.join(work, "untransformed");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const runtime = path.join(root, "dist/runtime/index.js");
    const calls: Record<string, string> = {
      grad: "m.grad((x) => x * x)",
      valueAndGrad: "m.valueAndGrad((x) => x * x)",
      jvp: "m.jvp((x) => x * x)",
      vjp: "m.vjp((x) => x * x)",
      checkGrad: "m.checkGrad((x) => x * x, 1)",
    };
    const file = path.join(dir, "plain.mjs");
    writeFileSync(
      file,
      `import * as m from ${JSON.stringify(runtime)};\n` +
        `const out = {};\n` +
        Object.entries(calls)
          .map(([name, call]) => `try { ${call}; out.${name} = null; } catch (e) { out.${name} = e instanceof Error ? e.message : String(e); }\n`)
          .join("") +
        `console.log(JSON.stringify(out));\n`,
    );
    const r = node([file], dir);
    expect(r.stderr).toBe("");
    const messages = JSON.parse(r.stdout) as Record<string, string | null>;
    for (const name of Object.keys(calls)) {
      const message = messages[name];
      expect(message, name).toBeTypeOf("string");
      expect(message).toContain(`${name}() was called at run time, so no tsgrad transformer compiled this file`);
      expect(message).toContain('"transform": "tsgrad/transformer"');
      expect(message).toContain("tsgrad/vite");
      expect(message).toContain("node --import tsgrad/register");
      expect(message).toContain("TypeScript 7");
    }
  });

  it("a marker called through a variable the transformer cannot see throws the same Error", async () => {
    const m = await importSource<{ call: () => number }>(
      `import { grad } from "tsgrad";\nfunction f(x: number): number { return x * x; }\nconst markers = [grad];\nexport const call = () => markers[0]!(f)(3);\n`,
    );
    expect(() => m.call()).toThrow(/grad\(\) was called at run time, so no tsgrad transformer compiled this file[^]*tsgrad\/transformer/);
  });
});
