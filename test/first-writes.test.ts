/**
 * First writes into fresh arrays (transformer/analyse/first-writes.ts): a loop filling an array
 * just made (`new Array(n).fill(c)`, `new Float64Array(n)`, what `slice` and `map` make) writes
 * each element once, over the allocation's fill, so the reverse sweep restores the fill instead
 * of saving it. References: closed forms and central finite differences; the restores that are
 * read (a statement before the fill loop reads the array) and the writes that are not first
 * writes (twice per iteration, in an inner loop) are checked, and so is the generated code.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, hvp } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";

/** Reads the fill (2) before the loop overwrites it: the reverse of `before` needs d[1] = 2 back. */
function prefilled(x: number[]): number {
  let s = 0;
  for (let k = 0; k < 2; k++) {
    const d = new Array<number>(x.length).fill(2);
    const before = d[1]! * x[0]! * x[0]!;
    for (let j = 0; j < x.length; j++) d[j] = Math.sin(x[j]! * (k + 1));
    s += before + d[0]! * d[1]!;
  }
  return s;
}

/** Not first writes: the second store of an iteration, and stores in an inner loop, overwrite values of the loop. */
function rewritten(x: number[]): number {
  const d = new Float64Array(x.length);
  const e = new Float64Array(x.length);
  const before = 1 + d[0]! * x[1]!;
  for (let j = 0; j < x.length; j++) {
    d[j] = Math.sin(x[j]!);
    d[j] = d[j]! * x[j]!;
    for (let t = 0; t < 2; t++) e[j] = e[j]! * x[j]! + Math.cos(x[j]! * t);
  }
  let s = before;
  for (let j = 0; j < x.length; j++) s += d[j]! * e[j]!;
  return s;
}

const vector = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2, maxLength: 5 });

describe("a fresh array filled in a counted loop: its old elements are the fill", () => {
  it("restored where a statement before the loop reads them: the closed form", () => {
    fc.assert(
      fc.property(vector, (x) => {
        // f = sum over k of 2 x0² + sin((k + 1) x0) sin((k + 1) x1)
        const want = x.map(() => 0);
        for (const k of [1, 2]) {
          want[0]! += 4 * x[0]! + k * Math.cos(k * x[0]!) * Math.sin(k * x[1]!);
          want[1]! += k * Math.sin(k * x[0]!) * Math.cos(k * x[1]!);
        }
        expectClose(grad(prefilled)(x), want, 1e-12);
        // second order: d²/dx0² = sum of 4 - k² sin(k x0) sin(k x1)
        const h00 = [1, 2].reduce((a, k) => a + 4 - k * k * Math.sin(k * x[0]!) * Math.sin(k * x[1]!), 0);
        expect(hvp(prefilled)(x, [1, ...x.slice(1).map(() => 0)])[0]).toBeCloseTo(h00, 10);
      }),
      { numRuns: 40 },
    );
  });

  it("writes that are not the first (twice an iteration, in an inner loop) keep their saves: finite differences", () => {
    fc.assert(
      fc.property(vector, (x) => {
        expectClose(grad(rewritten)(x), numericGradient(rewritten, [x], 0), 1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it("the generated code saves no element of the arrays `slice` and `map` make in a loop", () => {
    const c = compileSource(
      [
        `import { grad } from "tsgrad";`,
        `export function f(x: number[]): number {`,
        `  let s = 0;`,
        `  for (let k = 0; k < 3; k++) {`,
        `    const w = x.slice(1, 3);`,
        `    const m = x.map((v, i) => v * w[i % 2]! * k);`,
        `    s += Math.sin(m[0]! * w[1]!) + m[2]! * m[1]!;`,
        `  }`,
        `  return s;`,
        `}`,
        `export const g = grad(f);`,
      ].join("\n"),
    );
    expect(c.messages).toEqual([]);
    expect(c.js).not.toMatch(/stack\.push\((w|m)\[/);
  });
});
