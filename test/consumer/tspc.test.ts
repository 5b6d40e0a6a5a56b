/**
 * The ts-patch route as a user takes it, with the compiler the user's build runs: a fresh project
 * with `typescript` (the lowest 5.x tsgrad supports, 5.9 and 6.0), `ts-patch` and the packed
 * tsgrad, the plugin in tsconfig.json, `tspc`. The transformer works with that compiler, not a
 * copy of its own (with two copies every `number` parameter would be refused). The same project
 * also runs the language-service plugin in its own tsserver.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { position, TsServer } from "../support/tsserver.js";
import { appSource, cleanUp, expectResults, ok, packTarball, positionIn, project, sh, VERSIONS, workspace, writeJson, type Run } from "./support.js";

const work = workspace("tspc");
let tarball = "";
beforeAll(() => {
  tarball = packTarball(work);
});
afterAll(() => cleanUp(work));

const refusedSource = appSource("src/refused.ts");

/**
 * tsserver accepts a plugin name with a subpath (`tsgrad/language-service`) from TypeScript 5.5 on;
 * before that it loads bare package names only.
 */
const LANGUAGE_SERVICE_FROM = "5.5";

describe.each([VERSIONS.typescript5Lowest, VERSIONS.typescript59, VERSIONS.typescript6])("tspc with TypeScript %s", (typescript) => {
  const editorPlugin = Number(typescript.split(".").slice(0, 2).join(".")) >= Number(LANGUAGE_SERVICE_FROM);
  let dir = "";
  let install: Run;
  let build: Run;
  beforeAll(() => {
    ({ dir, install } = project(path.join(work, `ts-${typescript}`), { typescript, "ts-patch": VERSIONS.tsPatch }, tarball));
    const compilerOptions = {
      strict: true,
      module: "NodeNext",
      moduleResolution: "NodeNext",
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      types: [],
      rootDir: "src",
      outDir: "out",
      plugins: [{ transform: "tsgrad/transformer" }],
    };
    writeJson(path.join(dir, "tsconfig.json"), { compilerOptions, files: ["src/cli.ts", "src/throws.ts"] });
    writeJson(path.join(dir, "tsconfig.refused.json"), {
      compilerOptions: { ...compilerOptions, outDir: "out-refused", plugins: [{ transform: "tsgrad/transformer" }, { name: "tsgrad/language-service" }] },
      files: ["src/refused.ts"],
    });
    writeJson(path.join(dir, "tsconfig.program.json"), {
      compilerOptions: { ...compilerOptions, outDir: "out-program", plugins: [{ transform: "tsgrad/transformer", transformProgram: true }] },
      files: ["src/cli.ts", "src/refused.ts"],
    });
    build = sh(dir, "npx", ["tspc", "-p", "."]);
    console.log(`[consumer] TypeScript ${typescript}: npm install ${(install.ms / 1000).toFixed(1)} s, tspc ${(build.ms / 1000).toFixed(1)} s`);
  });

  it("npm install puts no second typescript under tsgrad: the project's own is the one", () => {
    const own = JSON.parse(readFileSync(path.join(dir, "node_modules/typescript/package.json"), "utf8")) as { version: string };
    expect(own.version).toBe(typescript);
    expect(() => readFileSync(path.join(dir, "node_modules/tsgrad/node_modules/typescript/package.json"))).toThrow();
  });

  it("tspc builds with no diagnostics, and the program prints the right derivatives", () => {
    ok(build, "tspc");
    expect(build.stdout + build.stderr).toBe("");
    expectResults(ok(sh(dir, "node", ["out/cli.js"]), "node out/cli.js").stdout);
  });

  it("a refusal fails tspc with the TSG code at the offending code, and the emitted call throws it", () => {
    const r = sh(dir, "npx", ["tspc", "-p", "tsconfig.refused.json"]);
    expect(r.status).not.toBe(0);
    const at = positionIn("src/refused.ts", "try {", refusedSource);
    const [, line, col] = at.split(":");
    expect(r.stdout).toContain(`src/refused.ts(${line},${col}): error TS91004: TSG1004: try/catch cannot be differentiated`);
    const run = sh(dir, "node", ["out-refused/refused.js"]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`tsgrad refused derivative(guarded) at ${positionIn("src/refused.ts", "derivative(guarded)", refusedSource)} when compiling: ${at} - TSG1004: try/catch cannot be differentiated`);
  });

  it("as a program transformer, refusals are semantic diagnostics: tspc --noEmit reports them, and emit reports each once", () => {
    const at = positionIn("src/refused.ts", "try {", refusedSource).split(":");
    const expected = `src/refused.ts(${at[1]},${at[2]}): error TS91004: TSG1004: `;
    const check = sh(dir, "npx", ["tspc", "--noEmit", "-p", "tsconfig.program.json"]);
    expect(check.status).not.toBe(0);
    expect(check.stdout.split(expected)).toHaveLength(2);
    const emit = sh(dir, "npx", ["tspc", "-p", "tsconfig.program.json"]);
    expect(emit.status).not.toBe(0);
    expect(emit.stdout.split(expected)).toHaveLength(2);
    expectResults(ok(sh(dir, "node", ["out-program/cli.js"]), "node out-program/cli.js").stdout);
  });

  it.skipIf(!editorPlugin)(`the language-service plugin shows the refusal in this TypeScript's tsserver (TypeScript >= ${LANGUAGE_SERVICE_FROM})`, async () => {
    // the project's tsconfig.refused.json names the plugin; tsserver finds it beside itself
    writeJson(path.join(dir, "tsconfig.json"), {
      ...(JSON.parse(readFileSync(path.join(dir, "tsconfig.refused.json"), "utf8")) as object),
    });
    const server = new TsServer(path.join(dir, "node_modules/typescript/lib/tsserver.js"), dir);
    try {
      const file = path.join(dir, "src/refused.ts");
      await server.open(file, refusedSource);
      const diags = await server.semanticDiagnostics(file);
      const refusal = diags.find((d) => d.code === 91004);
      expect(refusal, JSON.stringify(diags) + server.stderr).toBeDefined();
      expect(refusal!.start).toEqual(position(refusedSource, refusedSource.indexOf("try {")));
    } finally {
      server.close();
    }
  });
});
