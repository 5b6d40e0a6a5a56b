/**
 * The command line's contract beyond emit and run's basics (integration.test.ts): --version,
 * mistakes that must not look like success, source maps and type errors in `run`, no refusals
 * invented after a syntax error, paths relative to the working directory, and `check` and
 * `generate` on a small project (the consumer tests run them on the packed package).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { GENERATED_DIR } from "./support/compile.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cliBin = path.join(root, "bin/tsgrad.js");
const dir = path.join(GENERATED_DIR, "cli");

function cli(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [cliBin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(file: string, text: string): string {
  const full = path.join(dir, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

const CUBE = `import { grad } from "tsgrad";\n\nexport function cube(x: number): number {\n  return x * x * x;\n}\n\nexport const dcube = grad(cube);\n`;

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  write("cube.ts", CUBE);
});

describe("tsgrad CLI", () => {
  it("--version prints the package's version", () => {
    const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-v"]) {
      const r = cli([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it("emit --fn naming no function exits 1 and says so", () => {
    const r = cli(["emit", path.join(dir, "cube.ts"), "--fn", "nosuch"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("from a function named nosuch");
    expect(r.stdout).toBe("");
  });

  it("emit names source files relative to the working directory in the generated code's comments", () => {
    const r = cli(["emit", path.join(dir, "cube.ts")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`(test/.generated/cli/cube.ts:3)`);
  });

  it("a syntax error is reported as such, with no refusal invented from what the parser recovered", () => {
    const file = write("broken.ts", `import { grad } from "tsgrad";\nfunction f(x: number): number {\n  return x * ;\n}\nexport const df = grad(f);\n`);
    for (const args of [["emit", file], ["run", file], ["check", file]]) {
      const r = cli(args);
      expect(r.status, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(/broken\.ts:3:\d+ - error TS1109: Expression expected/);
      expect(r.stderr, args.join(" ")).not.toMatch(/TSG\d+/);
    }
  });

  it("run shows stack traces in the source file's own lines (source maps on by default)", () => {
    const file = write("throws.ts", `import { grad } from "tsgrad";\n\nfunction f(x: number): number {\n  if (x > 1) throw new Error("too large");\n  return x * x;\n}\n\nconsole.log(grad(f)(2));\n`);
    const r = cli(["run", file]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("Error: too large");
    expect(r.stderr).toContain(`${file}:4:`);
  });

  it("run --type-check reports type errors and does not run; without it the script runs", () => {
    const file = write("typed.ts", `const n: number = "three";\nconsole.log("ran", n);\n`);
    const checked = cli(["run", "--type-check", file]);
    expect(checked.status).toBe(1);
    expect(checked.stderr).toMatch(/typed\.ts:1:7 - error TS2322: Type 'string' is not assignable to type 'number'/);
    expect(checked.stdout).toBe("");
    const unchecked = cli(["run", file]);
    expect(unchecked.status).toBe(0);
    expect(unchecked.stdout).toBe("ran three\n");
  });

  it("run passes options after the file to the script", () => {
    const file = write("args.ts", `console.log(JSON.stringify(process.argv.slice(2)));\n`);
    const r = cli(["run", file, "--type-check", "-x", "1"]);
    expect(r.stdout).toBe('["--type-check","-x","1"]\n');
  });

  it("check: no refusals exits 0; a refusal exits 1 with file:line:col and the TSG code", () => {
    const good = cli(["check", path.join(dir, "cube.ts")]);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/no refusals/);
    const refused = write("refused.ts", `import { grad } from "tsgrad";\nfunction f(x: number): number {\n  return eval("x") * x;\n}\nexport const df = grad(f);\n`);
    const r = cli(["check", refused]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("test/.generated/cli/refused.ts:3:10 - error TS91006: TSG1006: ");
    expect(r.stderr).toContain("tsgrad check: 1 refusal");
  });

  it("check and generate refuse a usage mistake with exit 2 and no stack trace", () => {
    const r = cli(["check", path.join(dir, "nosuch.ts")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tsgrad: .*nosuch\.ts does not exist\n$/);
    const g = cli(["generate", "-p", path.join(dir, "nowhere"), "--out", path.join(dir, "out")]);
    expect(g.status).toBe(2);
    expect(g.stderr).toMatch(/^tsgrad: .*no tsconfig\.json there\n$/);
  });

  it("generate writes the source with its marker call replaced and the derivative appended; --check compares", () => {
    const project = path.join(dir, "project");
    mkdirSync(path.join(project, "src"), { recursive: true });
    writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "ESNext", moduleResolution: "Bundler", target: "ES2022", types: [] }, include: ["src"] }));
    writeFileSync(path.join(project, "src/cube.ts"), CUBE);
    writeFileSync(path.join(project, "src/plain.ts"), "export const answer = 42;\n");
    const out = path.join(project, "generated");
    const r = cli(["generate", "-p", project, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(path.join(out, "src/plain.ts"), "utf8")).toBe("export const answer = 42;\n");
    const cube = readFileSync(path.join(out, "src/cube.ts"), "utf8");
    expect(cube.startsWith("// Generated by tsgrad from src/cube.ts: do not edit.")).toBe(true);
    expect(cube).toContain("export function cube(x: number): number {\n  return x * x * x;\n}\n\nexport const dcube = cube_grad;\n");
    expect(cube).toMatch(/^function cube_grad\(x: number\): number \{$/m);
    expect(cli(["generate", "-p", project, "--out", out, "--check"]).status).toBe(0);
    writeFileSync(path.join(project, "src/plain.ts"), "export const answer = 43;\n");
    const stale = cli(["generate", "-p", project, "--out", out, "--check"]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("generated/src/plain.ts");
  });
});
