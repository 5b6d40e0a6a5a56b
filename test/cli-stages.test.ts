/**
 * `tsgrad emit --stages`: each generated function's IR after each stage, in pipeline order, then
 * its code; the code is what plain `tsgrad emit` prints, and the last stage holds the same
 * derivative variables as that code.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { GENERATED_DIR } from "./support/compile.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = path.join(GENERATED_DIR, "cli-stages");
const file = path.join(dir, "scale.ts");

const SOURCE = `import { jvp, valueAndGrad } from "tsgrad";

export function scale(x: number[], c: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! > 10) break;
    const y = Math.sin(c * x[i]!);
    s += y * y;
  }
  return s;
}

export function unrelated(a: number): number {
  return a * a;
}

export const g = valueAndGrad(scale);
export const t = jvp(scale);
export const u = valueAndGrad(unrelated);
`;

function emit(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/tsgrad.js"), "emit", file, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

/** The output's sections by function: `// ==== name: key ====`, then `// ---- stage: name ----` parts. */
function sections(out: string): Map<string, { stage: string; text: string }[]> {
  const byFunction = new Map<string, { stage: string; text: string }[]>();
  for (const part of out.split(/^\/\/ ==== /m).slice(1)) {
    const name = part.slice(0, part.indexOf(":"));
    const stages = part
      .split(/^\/\/ ---- stage: /m)
      .slice(1)
      .map((s) => ({ stage: s.slice(0, s.indexOf(" ----")), text: s.slice(s.indexOf("\n") + 1) }));
    byFunction.set(name, stages);
  }
  return byFunction;
}

/** Derivative variables (`x_bar`, `c_dot`, ...) a text names, without the IR's `#id`. */
function derivativeNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\b([A-Za-z]\w*_(?:bar|dot))(?:#\d+)?\b/g)].map((m) => m[1]!))].sort();
}

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, SOURCE);
});

describe("tsgrad emit --stages", () => {
  let out: string;
  let plain: string;
  beforeAll(() => {
    out = emit("--fn", "scale", "--stages");
    plain = emit("--fn", "scale");
  });

  it("prints, for each function of --fn only, every stage in pipeline order and then its code", () => {
    const byFunction = sections(out);
    expect([...byFunction.keys()].sort()).toEqual(["scale_jvp", "scale_valueAndGrad"]);
    expect(byFunction.get("scale_valueAndGrad")!.map((s) => s.stage)).toEqual(["lowered", "structured", "anf", "reverse", "assembled", "simplified", "emitted"]);
    expect(byFunction.get("scale_jvp")!.map((s) => s.stage)).toEqual(["lowered", "anf", "forward", "assembled", "simplified", "emitted"]);
  });

  it("shows what each stage did: the break structured away, one operation per statement, the sweeps", () => {
    const grad = new Map(sections(out).get("scale_valueAndGrad")!.map((s) => [s.stage, s.text]));
    expect(grad.get("lowered")).toMatch(/\bbreak\b/);
    expect(grad.get("structured")).not.toMatch(/\bbreak\b/);
    // A-normal form: Math.sin's argument is computed into a temporary of its own
    expect(grad.get("lowered")).toMatch(/sin\(\(c#\d+ \* x#\d+\[i#\d+\]\)\)/);
    expect(grad.get("anf")).not.toMatch(/sin\(\(c#\d+ \*/);
    expect(grad.get("reverse")).toContain("// forward sweep");
    expect(grad.get("reverse")).toContain("// reverse sweep");
    expect(grad.get("assembled")).toMatch(/^return \{value: value#\d+, grad: /m);
  });

  it("ends with the code plain emit prints, whose derivative variables are the last stage's", () => {
    for (const [name, stages] of sections(out)) {
      const code = stages.find((s) => s.stage === "emitted")!.text;
      expect(plain, name).toContain(code.trim());
      const simplified = stages.find((s) => s.stage === "simplified")!.text;
      expect(derivativeNames(simplified).length, name).toBeGreaterThan(0);
      expect(derivativeNames(code), name).toEqual(derivativeNames(simplified));
    }
  });
});
