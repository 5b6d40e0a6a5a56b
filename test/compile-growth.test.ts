/**
 * Compile time that grows with the size of the code, not faster. Timing is noisy on a shared
 * machine, so this counts work instead: the statements and expression nodes the IR traversals
 * visit while generating the derivatives of programs of 200 to 1,600 statements (the shapes of
 * bench/compile/programs.ts). Each doubling of the code may at most double the work, with some
 * slack for n log n parts; a quadratic analysis quadruples it and fails here.
 */
import { describe, expect, it } from "vitest";
import { traversalWork } from "tsgrad/compile";
import { generateProgram, PROGRAM_SHAPES } from "../bench/compile/programs.js";
import { compileSource, importSource } from "./support/compile.js";

const SIZES = [200, 400, 800, 1600];
/** The largest ratio allowed between the work at 2n and at n statements. */
const PER_DOUBLING = 2.3;

function workFor(source: string): number {
  const before = traversalWork.visits;
  const c = compileSource(source);
  expect(c.messages, "the generated program compiles").toEqual([]);
  return traversalWork.visits - before;
}

describe("compile-time work grows linearly with the size of the code", () => {
  for (const shape of PROGRAM_SHAPES)
    it(`${shape}: each doubling of the code at most doubles the work (n log n slack)`, () => {
      const work = SIZES.map((n) => workFor(generateProgram(shape, n).source));
      const ratios = work.slice(1).map((w, i) => w / work[i]!);
      for (const r of ratios) expect(r, `work per size ${SIZES.join(", ")}: ${work.join(", ")}`).toBeLessThan(PER_DOUBLING);
      // and it did grow: the counter sees the analyses at all
      expect(work[work.length - 1]!).toBeGreaterThan(work[0]! * 4);
    }, 300_000);
});

describe("the depth of the call graph does not grow the compiler's stack", () => {
  // 2,133 helpers, each calling the next: analyses that recurse along calls overflow the stack
  // (an internal error at the marker) long before this depth
  it("a chain of 2,133 helpers compiles and differentiates", async () => {
    const source = `${generateProgram("calls", 6400).source}\nexport { h0 };`;
    expect(compileSource(source).messages).toEqual([]);
    type F = (p: number[], t: number) => number;
    const { h0, dmodel } = await importSource<{ h0: F; dmodel: (p: number[], t: number) => number[] }>(source);
    const p = [0.3, -0.7, 1.1];
    const g = dmodel(p, 0.5);
    for (let i = 0; i < 3; i++) {
      const h = 1e-6;
      const at = (d: number) => h0(p.map((v, j) => (j === i ? v + d : v)), 0.5);
      const fd = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(g[i]! - fd), `d/dp${i}: ${g[i]} vs ${fd}`).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
    }
  }, 300_000);
});

