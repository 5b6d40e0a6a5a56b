import { describe, expect, it } from "vitest";
import { compileSource, importSource } from "./support/compile.js";

describe("compile harness", () => {
  it("compiles and runs source text", async () => {
    const m = await importSource<{ g: (x: number) => number }>(`
      import { grad } from "tsgrad";
      export const g = grad((x: number) => x * x * x);
    `);
    expect(m.g(2)).toBe(12);
  });
  it("reports refusals", () => {
    const c = compileSource(`
      import { grad } from "tsgrad";
      function f(x: number): number { try { return x; } catch { return 0; } }
      export const g = grad(f);
    `);
    expect(c.messages.some((m) => m.startsWith("TSG1004 3:39"))).toBe(true);
  });
});
