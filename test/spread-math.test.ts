/**
 * A spread argument to Math.max, Math.min and Math.hypot: the fold it stands for. References:
 * the plain function (JavaScript's own Math with the spread) for values, central finite
 * differences and forward mode for derivatives.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, jvp, valueAndGrad } from "tsgrad";
import { numericGradient, expectClose } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

function spreads(x: number[], a: number): number {
  const top = Math.max(...x);
  const low = Math.min(a, ...x, 3);
  return top * Math.hypot(...x, a) + low * x[0]! + Math.max(...x.slice(), a);
}

function maxMin(x: number[], a: number): number {
  return Math.max(...x) * Math.min(a, ...x, 3) + Math.max(...x.slice(), a);
}

function emptyFold(x: number[]): number {
  const none: number[] = [];
  return x[0]! * Math.max(...none) + Math.min(...none) + Math.hypot(...none);
}

/** Entries on a grid, offset so that ties (where max and min have no derivative) are rare. */
const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 500 + 0.00031);
const distinct = (xs: number[]) => new Set(xs.map((v) => Math.round(v * 1000))).size === xs.length;

describe("spread into Math.max, Math.min and Math.hypot", () => {
  it("the value is JavaScript's, the derivative matches finite differences and forward mode", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 2, maxLength: 6 }), entry, (x, a) => {
        fc.pre(distinct([...x, a, 3]));
        // max and min folded are exact; hypot folded is the norm to within a rounding
        expectClose(valueAndGrad(spreads)(x, a).value, spreads(x, a), 1e-14);
        expect(valueAndGrad(maxMin)(x, a).value).toBe(maxMin(x, a));
        verifyDerivatives(maxMin, { grad: grad(maxMin), jvp: jvp(maxMin), valueAndGrad: valueAndGrad(maxMin) }, [x, a]);
        // with hypot: against finite differences, and forward against reverse along a direction
        const [gx, ga] = grad(spreads)(x, a);
        expectClose(gx, numericGradient(spreads as never, [x, a], 0), 1e-6, "x");
        expectClose(ga, numericGradient(spreads as never, [x, a], 1), 1e-6, "a");
        const u = x.map((_, i) => Math.cos(i + 1));
        const along = jvp(spreads)(x, a, u, 0.5).tangent;
        expectClose(along, gx.reduce((s, g, i) => s + g * u[i]!, 0) + 0.5 * ga, 1e-10, "jvp against the gradient");
      }),
      { numRuns: 40 },
    );
  });

  it("second order through the fold against finite differences of the gradient", () => {
    const x = [0.7, -1.3, 0.4];
    const H = hessian(spreads, { wrt: [0] })(x, 0.2);
    x.forEach((_, j) => {
      const column = numericGradient(((q: number[]) => (grad(spreads)(q, 0.2) as [number[], number])[0][j]!) as never, [x], 0, 1e-5) as number[];
      expectClose(H.map((row) => row[j]!), column, 1e-6, `column ${j}`);
    });
  });

  it("spreading an empty array gives the operation's identity, as JavaScript does", () => {
    expect(valueAndGrad(emptyFold)([2]).value).toBe(emptyFold([2]));
    expect(grad(emptyFold)([2])).toEqual([-Infinity]);
  });
});
