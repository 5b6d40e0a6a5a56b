/**
 * The reverse pass's analyses do work linear in the size of the function. Their work is counted
 * (statements visited, by analysis: transformer/ir/work.ts), not timed, so a busy machine
 * cannot fool the test: on generated programs of 10 to 80 units of code, each doubling of the
 * code may at most double the work (with 10% to spare). A scan that walks the rest of a block for
 * each of its statements (what just-in-time values once did) quadruples it.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "./support/compile.js";
import { resetWorkCounts, workCounts } from "tsgrad/compile";

function program(body: string[], helpers = ""): string {
  return [
    `import { grad } from "tsgrad";`,
    helpers,
    `export function f(x: number[], c: number, d: number): number {`,
    `  let s = 0;`,
    ...body,
    `  return s;`,
    `}`,
    `export const df = grad(f);`,
  ].join("\n");
}

const units = (n: number, unit: (i: number) => string) => Array.from({ length: n }, (_, i) => unit(i));
const term = (i: number) => `Math.sin(x[${i % 7}]! * c) + x[${(i * 3 + 1) % 7}]! * d`;

/** Programs of n units of code: straight-line, with loops and branches, nested loops, helper calls. */
const shapes: Record<string, (n: number) => string> = {
  "straight-line code": (n) => program(units(n, (i) => `  const a${i} = ${term(i)}; s += a${i} * a${i};`)),
  "loops and branches": (n) =>
    program(
      units(n, (i) => {
        if (i % 4 === 0)
          return (
            `  for (let k = 0; k < 3; k++) { const a${i} = Math.sin(x[(k + ${i % 7}) % 7]! * c) + x[k]! * d; ` +
            `if (a${i} > 0) { s += a${i} * a${i}; } else { s -= a${i} * d; } }`
          );
        if (i % 4 === 1)
          return `  const a${i} = ${term(i)}; if (a${i} > s) { s += a${i} * a${i}; } else { s = s * a${i}; }`;
        return `  const a${i} = ${term(i)}; s += a${i} * a${i};`;
      }),
    ),
  "nested loops writing an array": (n) =>
    program([
      `  const h = new Array(x.length).fill(0);`,
      `  for (let t = 0; t < 4; t++) {`,
      ...units(
        n,
        (i) =>
          `    for (let j = 0; j < h.length; j++) { h[j] = Math.sin(h[j]! * c + x[(j + ${i}) % 7]!); ` +
          `if (h[j]! > 0.5) { s += h[j]! * d; } }`,
      ),
      `  }`,
    ]),
  "helper calls": (n) =>
    program(
      units(n, (i) => `  s = step(s, x[${i % 7}]! * c) + d;`),
      `function step(a: number, b: number): number {\n  return Math.tanh(a * b) + a;\n}`,
    ),
};

/** The reverse pass's work, by analysis, compiling `source`. */
function reverseWork(source: string): Record<string, number> {
  resetWorkCounts();
  const compiled = compileSource(source);
  expect(compiled.messages).toEqual([]);
  return Object.fromEntries(Object.entries(workCounts()).filter(([k]) => k.startsWith("reverse.")));
}

const total = (work: Record<string, number>) =>
  Object.entries(work).reduce((sum, [k, n]) => (k === "reverse.rounds" ? sum : sum + n), 0);

describe("the reverse pass's work grows linearly with the size of the function", () => {
  const sizes = [10, 20, 40, 80];
  // compiling takes seconds on a busy machine (most of it in the simplifier): a generous timeout,
  // since what is asserted is counts
  for (const [shape, make] of Object.entries(shapes))
    it(shape, { timeout: 300_000 }, () => {
      const works = sizes.map((n) => reverseWork(make(n)));
      const totals = works.map(total);
      sizes.forEach((n, i) => expect(totals[i]).toBeGreaterThan(n)); // the counts do count
      for (let i = 1; i < sizes.length; i++) {
        expect(totals[i]! / totals[i - 1]!).toBeLessThan(2.2);
        // every analysis alone, too (one quadratic part could hide behind the linear rest)
        for (const [analysis, n] of Object.entries(works[i]!))
          expect(n / (works[i - 1]![analysis] ?? 0), `${analysis} at ${sizes[i]}`).toBeLessThan(2.2);
      }
      // the generation is repeated a constant number of times, whatever the size
      expect(new Set(works.map((w) => w["reverse.rounds"])).size).toBe(1);
    });
});
