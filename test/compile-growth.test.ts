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
import { compileSource } from "./support/compile.js";

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
