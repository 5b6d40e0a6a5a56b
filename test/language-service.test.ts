/**
 * The language-service plugin in a real tsserver, as an editor runs it: `{ "name":
 * "tsgrad/language-service" }` in the project's tsconfig.json, the project's own tsgrad resolved
 * from its node_modules. Refusals appear at the offending code as the text changes, beside
 * TypeScript's own diagnostics, and go away when the code is fixed.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENERATED_DIR } from "./support/compile.js";
import { position, TsServer } from "./support/tsserver.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = path.join(GENERATED_DIR, "language-service");
const main = path.join(dir, "main.ts");
const tsserverJs = createRequire(import.meta.url).resolve("typescript/lib/tsserver.js");

const GOOD = `import { grad } from "tsgrad";
import { smooth } from "./helpers";

function f(x: number): number {
  return smooth(x) * x;
}

export const df = grad(f);
`;

/** A try/catch in f, refused by TSG1004, and a type error TypeScript itself reports. */
const REFUSED = `import { grad } from "tsgrad";
import { smooth } from "./helpers";

function f(x: number): number {
  try {
    return smooth(x) * x;
  } catch {
    return 0;
  }
}

export const df = grad(f);
export const wrong: string = 1;
`;

/** f is fine, but a helper it calls (in another file) reads eval: TSG1006, shown at the marker. */
const HELPER_REFUSED = `import { grad } from "tsgrad";
import { viaEval } from "./helpers";

function f(x: number): number {
  return viaEval(x) * x;
}

export const df = grad(f);
`;

/** A misspelled `wrt` name: TypeScript's types cannot see parameter names, the plugin can. */
const MISSPELLED_WRT = `import { grad } from "tsgrad";

function f(w: number, bias: number): number {
  return w * bias;
}

export const df = grad(f, { wrt: ["bais"] });
`;

const HELPERS = `export function smooth(x: number): number {
  return Math.tanh(x);
}

export function viaEval(x: number): number {
  return eval("x") * 2;
}
`;

describe("the language-service plugin in tsserver", () => {
  let server: TsServer;
  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, "node_modules"), { recursive: true });
    symlinkSync(root, path.join(dir, "node_modules/tsgrad"), "dir");
    writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", types: [], plugins: [{ name: "tsgrad/language-service" }] },
        include: ["*.ts"],
      }),
    );
    writeFileSync(main, GOOD);
    writeFileSync(path.join(dir, "helpers.ts"), HELPERS);
    server = new TsServer(tsserverJs, dir, path.join(dir, "tsserver.log"));
    await server.open(main, GOOD);
  });
  afterAll(() => server?.close());

  it("loads from the project's tsconfig.json", async () => {
    await server.semanticDiagnostics(main);
    expect(readFileSync(path.join(dir, "tsserver.log"), "utf8")).toContain("tsgrad: language-service plugin loaded");
  });

  it("shows nothing on code it can differentiate", async () => {
    expect(await server.semanticDiagnostics(main)).toEqual([]);
  });

  it("shows a refusal at the offending code as it is typed, beside TypeScript's own errors, and clears it when fixed", async () => {
    await server.edit(main, GOOD, REFUSED);
    const diags = await server.semanticDiagnostics(main);
    const refusal = diags.find((d) => d.code === 91004);
    expect(refusal, JSON.stringify(diags)).toBeDefined();
    expect(refusal!.text).toMatch(/^TSG1004: try\/catch cannot be differentiated[^]*hint: /);
    expect(refusal!.start).toEqual(position(REFUSED, REFUSED.indexOf("try {")));
    // TypeScript's own diagnostics are still there
    expect(diags.some((d) => d.code === 2322)).toBe(true);
    await server.edit(main, REFUSED, GOOD);
    expect(await server.semanticDiagnostics(main)).toEqual([]);
  });

  it("shows a refusal in a helper another file declares at the marker call, naming where it is", async () => {
    await server.edit(main, GOOD, HELPER_REFUSED);
    const diags = await server.semanticDiagnostics(main);
    expect(diags.map((d) => d.code)).toEqual([91006]);
    const d = diags[0]!;
    expect(d.start).toEqual(position(HELPER_REFUSED, HELPER_REFUSED.indexOf("grad(f)")));
    const evalAt = position(HELPERS, HELPERS.indexOf("eval("));
    expect(d.text).toContain(`TSG1006`);
    expect(d.text).toContain(`(in helpers.ts:${evalAt.line}:${evalAt.offset})`);
    expect(d.relatedInformation?.[0]?.span?.file).toBe(path.join(dir, "helpers.ts"));
    expect(d.relatedInformation?.[0]?.span?.start).toEqual(evalAt);
    await server.edit(main, HELPER_REFUSED, GOOD);
  });

  it("shows a misspelled wrt name at the name, with the parameters there are", async () => {
    await server.edit(main, GOOD, MISSPELLED_WRT);
    const diags = await server.semanticDiagnostics(main);
    expect(diags.map((d) => d.code)).toEqual([91013]);
    expect(diags[0]!.text).toMatch(/^TSG1013: `bais` is not a parameter of this function \(it has w, bias\)/);
    expect(diags[0]!.start).toEqual(position(MISSPELLED_WRT, MISSPELLED_WRT.indexOf('"bais"')));
    await server.edit(main, MISSPELLED_WRT, GOOD);
    expect(await server.semanticDiagnostics(main)).toEqual([]);
  });
});
