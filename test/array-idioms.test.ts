/**
 * Everyday array idioms: `Float64Array.from(xs)`, `Array.from(xs)`, `[...xs]` (copies the caller
 * may then write), and spreads mixed with elements (`[...v, x, ...u]`). References: the plain
 * function for values, central finite differences and forward mode for derivatives, and a closed
 * form for the Hessian.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { verifyDerivatives } from "./support/verify.js";

function copies(x: number[], k: number): number {
  const u = Float64Array.from(x);
  const v = Array.from(x);
  u[0] = u[0]! * k;
  const w = [...v, x[1]! * 3, ...u];
  const c = [...x];
  c[1] = c[1]! + Math.sin(k);
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * w[i]! * (i + 1);
  return s + c[1]! * c[0]! * k;
}

const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 700 + 0.0003);

describe("array copies and spreads in literals", () => {
  it("value, gradient and forward mode on random inputs", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 2, maxLength: 5 }), entry, (x, k) => {
        verifyDerivatives(copies, { grad: grad(copies), jvp: jvp(copies), valueAndGrad: valueAndGrad(copies) }, [x, k]);
      }),
      { numRuns: 40 },
    );
  });

  it("the Hessian of the quadratic it builds, in closed form", () => {
    // for x of length 2 and k = 2: w = [x0, x1, 3 x1, 2 x0, x1], s = 17 x0^2 + 34 x1^2, plus 2 x0 (x1 + sin 2)
    expect(hessian(copies, { wrt: ["x"] })([0.3, -0.7], 2)).toEqual([
      [34, 2],
      [2, 68],
    ]);
  });

  it("Array.from with a mapping function that is not written in the call is refused with what to write instead", () => {
    const { messages } = compileSource(`import { grad } from "tsgrad";\nconst twice = (t: number) => t * 2;\nfunction f(x: number[]): number { const y = Array.from(x, twice); return y[0]!; }\nexport const df = grad(f);`);
    expect(messages).toEqual([expect.stringMatching(/^TSG1009 3:45 .*supported with a callback written in the call/)]);
  });
});
