/**
 * GradBench's particle and saddle evals need nested derivatives: a grad or jvp call inside a
 * function that is itself differentiated. bench/gradbench/evals/particle.ts and saddle.ts are
 * written that way. While the transformer refuses them, the tool's registry holds a stub that
 * answers `define` with the reason; once it compiles them, the registry imports them, and the
 * suites below that check their answers run (they are skipped while the stubs stand).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileFiles } from "tsgrad/compile";
import { argmax, argmin } from "../bench/gradbench/evals/descent.ts";
import { EVALS } from "../bench/gradbench/evals/index.ts";
import { createTool, type EvalModule } from "../bench/gradbench/protocol.ts";
import { expectClose, numericGradient } from "./support/numeric.ts";

const evals = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bench/gradbench/evals");

/** The TSG codes the transformer gives a file, with the line of each. */
function refusals(file: string): string[] {
  const result = compileFiles([path.join(evals, file)]);
  return result.diagnostics.map((d) => `TSG${d.code - 90000} line ${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}`);
}

/** Whether the registry runs the module (rather than a stub answering why it cannot). */
function enabled(name: string): boolean {
  return EVALS.find((e) => e.name === name)!.unsupported === undefined;
}

describe("particle and saddle are enabled exactly when the transformer compiles them", () => {
  for (const name of ["particle", "saddle"])
    it(name, () => {
      const found = refusals(`${name}.ts`);
      if (found.length === 0) expect(enabled(name), `${name}.ts compiles now: import it in bench/gradbench/evals/index.ts in place of its stub`).toBe(true);
      else {
        expect(enabled(name), `${name}.ts is refused (${found.join(", ")}) but the registry imports it`).toBe(false);
        // The refusals the stub's message names: the inner marker call, destructuring its
        // gradient, reading .tangent, a local tuple.
        expect(found.every((r) => /^TSG10(02|09|10) /.test(r)), found.join(", ")).toBe(true);
      }
    });
});

describe("the prescribed gradient descent (evals/descent.ts, no AD)", () => {
  // GradBench's saddle answer is where this descent stops on |q|² from (1, 1): with the exact
  // gradient, every tool following the prescription lands on the same bits.
  const expected = 8.246324826140356e-6;

  it("stops where GradBench's saddle answer says, minimising |q|² with its exact gradient", () => {
    expect(argmin((q) => q[0]! ** 2 + q[1]! ** 2, (q) => [2 * q[0]!, 2 * q[1]!], [1, 1])).toEqual([expected, expected]);
  });

  it("maximises by minimising the negation: the saddle's final argmax of -|q|²", () => {
    expect(argmax((q) => -(q[0]! ** 2 + q[1]! ** 2), (q) => [-2 * q[0]!, -2 * q[1]!], [1, 1])).toEqual([expected, expected]);
  });

  it("returns the start when the gradient there is already small", () => {
    expect(argmin((x) => x[0]! ** 2, (x) => [2 * x[0]!], [1e-7])).toEqual([1e-7]);
  });
});

async function answer(module: EvalModule, fn: string, input: Record<string, unknown>): Promise<unknown> {
  const tool = createTool([module]);
  expect(tool.handle({ id: 0, kind: "define", module: module.name })).toEqual({ id: 0, success: true });
  const r = tool.handle({ id: 1, kind: "evaluate", module: module.name, function: fn, input: { ...input, min_runs: 1, min_seconds: 0 } });
  if (!r.success) expect.fail(String(r.error));
  return r.output;
}

describe.skipIf(!enabled("particle"))("particle", () => {
  it("every combination of modes ends at GradBench's w", async () => {
    const { particle } = await import("../bench/gradbench/evals/particle.ts");
    for (const fn of ["rr", "rf", "fr", "ff"]) expectClose(await answer(particle, fn, { w: 0 }), 0.2071918746486116, 1e-8, fn);
  });

  it("the derivative of the miss distance agrees with finite differences, in every combination", async () => {
    const { missDerivative, missReverse } = await import("../bench/gradbench/evals/particle.ts");
    for (const w of [-0.3, 0, 0.15, 0.4]) {
      const fd = numericGradient((v: number) => missReverse(v), [w], 0, 1e-7);
      for (const [modes, d] of Object.entries(missDerivative)) expectClose(d(w), fd, 1e-5, `${modes} at w=${w}`);
    }
  });
});

describe.skipIf(!enabled("saddle"))("saddle", () => {
  it("every combination of modes ends at GradBench's saddle point", async () => {
    const { saddle } = await import("../bench/gradbench/evals/saddle.ts");
    for (const fn of ["rr", "rf", "fr", "ff"]) expectClose(await answer(saddle, fn, { start: [1, 1] }), new Array(4).fill(8.246324826140356e-6), 1e-9, fn);
  });

  it("the outer gradient agrees with finite differences of the inner maximum, in every combination", async () => {
    const { outerGradient, innerMaxReverse } = await import("../bench/gradbench/evals/saddle.ts");
    const start = [1, 1];
    for (const p of [[0.5, -0.25], [1, 1], [-2, 0.3]]) {
      const fd = numericGradient((v: number[]) => innerMaxReverse(v[0]!, v[1]!, 1, 1), [p], 0, 1e-7);
      for (const [modes, g] of Object.entries(outerGradient)) expectClose(g(p, start), fd, 1e-5, `${modes} at ${p}`);
    }
  });
});
