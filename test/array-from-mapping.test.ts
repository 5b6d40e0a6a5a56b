/**
 * `Array.from(xs, (x, i) => e)`, `Float64Array.from(xs, f)` and `Array.from({ length: n }, (_, i)
 * => e)`: the loops they stand for, into a new array the function owns (as `.map`, `.filter` and
 * spread literals make: the variable they initialise may write them). References: the plain
 * function for values (bit for bit), central finite differences, and forward against reverse.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { verifyDerivatives } from "./support/verify.js";

function mapped(x: number[], s: number): number {
  const a = Array.from(x, (v, i) => v * s + i);
  const b = Float64Array.from(a, (v) => Math.sin(v));
  const c = Array.from({ length: x.length + 1 }, (_, i) => (i < x.length ? x[i]! : s) * 2);
  c[0] = c[0]! * b[0]!;
  let t = 0;
  for (let i = 0; i < b.length; i++) t += b[i]! * c[i]!;
  return t + c[x.length]! * a[0]!;
}

/** Arrays made by map, filter and a spread literal belong to the variable they initialise: it may write them. */
function written(x: number[], s: number): number {
  const y = x.map((v) => v * s);
  y[0] = y[0]! * y[y.length - 1]!;
  const w = [...x, s];
  w[w.length - 1] = w[0]! * Math.cos(w[w.length - 1]!);
  const kept = y.filter((v) => v > 0);
  kept.push(s);
  kept[0] = kept[0]! * 2;
  return y.reduce((a, v) => a + v * v, 0) + w[w.length - 1]! + kept[0]!;
}

const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 700 + 0.0003);

describe("Array.from and Float64Array.from with a mapping callback", () => {
  it("value, gradient and forward mode on random inputs", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), entry, (x, s) => {
        verifyDerivatives(mapped, { grad: grad(mapped), jvp: jvp(mapped), valueAndGrad: valueAndGrad(mapped) }, [x, s]);
      }),
      { numRuns: 40 },
    );
  });

  it("arrays made by map, filter and spreads may be written by the variable they initialise", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), entry, (x, s) => {
        verifyDerivatives(written, { grad: grad(written), jvp: jvp(written), valueAndGrad: valueAndGrad(written) }, [x, s]);
      }),
      { numRuns: 40 },
    );
  });

  it("the index-only form's callback may not read its item, which JavaScript gives as undefined", () => {
    const { messages } = compileSource(
      `import { grad } from "tsgrad";\nfunction f(x: number): number { const a = Array.from({ length: 3 }, (v: number, i) => v * x + i); return a[0]!; }\nexport const df = grad(f);`,
    );
    expect(messages).toEqual([
      expect.stringMatching(
        /^TSG1009 2:70 .*gives its callback undefined as the item, which this callback reads.*hint: read only the index/s,
      ),
    ]);
  });
});
