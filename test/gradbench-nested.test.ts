/**
 * GradBench's particle and saddle evals need nested derivatives: a grad or jvp call inside a
 * function that is itself differentiated, in all four combinations of modes.
 * bench/gradbench/evals/particle.ts and saddle.ts are written that way; their answers are checked
 * against GradBench's and against finite differences, and the descent solver they prescribe
 * (no AD) against GradBench's saddle answer.
 */
import { describe, expect, it } from "vitest";
import { argmax, argmin } from "../bench/gradbench/evals/descent.ts";
import { createTool, type EvalModule } from "../bench/gradbench/protocol.ts";
import { expectClose, numericGradient } from "./support/numeric.ts";

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

describe("particle", () => {
  it("every combination of modes ends at GradBench's w", async () => {
    const { particle } = await import("../bench/gradbench/evals/particle.ts");
    for (const fn of ["rr", "rf", "fr", "ff"]) expectClose(await answer(particle, fn, { w: 0 }), 0.2071918746486116, 1e-8, fn);
  });

  it("the derivative of the miss distance agrees with finite differences, in every combination", async () => {
    const { missDerivative, miss } = await import("../bench/gradbench/evals/particle.ts");
    for (const w of [-0.3, 0, 0.15, 0.4]) {
      const fd = numericGradient((v: number) => miss(v, false), [w], 0, 1e-7);
      for (const modes of ["rr", "rf", "fr", "ff"] as const) expectClose(missDerivative(w, modes), fd, 1e-5, `${modes} at w=${w}`);
    }
  });
});

describe("saddle", () => {
  it("every combination of modes ends at GradBench's saddle point", async () => {
    const { saddle } = await import("../bench/gradbench/evals/saddle.ts");
    for (const fn of ["rr", "rf", "fr", "ff"]) expectClose(await answer(saddle, fn, { start: [1, 1] }), new Array(4).fill(8.246324826140356e-6), 1e-9, fn);
  });

  it("the outer gradient agrees with finite differences of the inner maximum, in every combination", async () => {
    const { outerGradient, innerMax } = await import("../bench/gradbench/evals/saddle.ts");
    const start = [1, 1];
    for (const p of [[0.5, -0.25], [1, 1], [-2, 0.3]]) {
      const fd = numericGradient((v: number[]) => innerMax(v[0]!, v[1]!, 1, 1, false), [p], 0, 1e-7);
      for (const modes of ["rr", "rf", "fr", "ff"] as const) expectClose(outerGradient(p, start, modes), fd, 1e-5, `${modes} at ${p}`);
    }
  });
});
