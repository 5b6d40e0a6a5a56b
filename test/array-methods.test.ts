/**
 * The functional array style: map, reduce, forEach and filter with arrow callbacks, differentiated
 * like the loops they are, and the queries some, every, includes and indexOf as data.
 * References: the plain function for values (JavaScript's own array methods), central finite
 * differences and forward mode for derivatives, a closed form for the Hessian.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { verifyDerivatives } from "./support/verify.js";

function functional(w: number[], xs: number[]): number {
  const preds = xs.map((x, i) => w[0]! * x + w[1]! * Math.cos(i));
  const squares = preds.map((p) => p * p);
  const total = squares.reduce((acc, t, i) => acc + t / (i + 1), 0);
  let extra = 0;
  preds.forEach((p, i) => {
    if (i % 2 === 0) extra += Math.sin(p);
  });
  const large = preds.filter((p) => p > 0.5);
  let sum = 0;
  for (const b of large) sum += b * b;
  const anyNegative = preds.some((p) => p < 0);
  const allPositive = xs.every((x) => x > 0);
  const hasTwo = xs.includes(2);
  const where = xs.indexOf(3);
  return total + extra + sum * (anyNegative ? 2 : 1) + (allPositive ? w[0]! : 0) + (hasTwo ? w[1]! : 0) + where * w[1]!;
}

/** sum over i of (w . x_i)^2, as map and reduce: Hessian 2 sum x_i x_i^T. */
function quadratic(w: number[], rows: number[][]): number {
  return rows.map((r) => r.reduce((acc, v, j) => acc + v * w[j]!, 0)).reduce((acc, p) => acc + p * p, 0);
}

const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 600 + 0.00029);
const data = fc.array(fc.oneof(entry, fc.constantFrom(2, 3, -1)), { minLength: 1, maxLength: 6 });

describe("map, reduce, forEach, filter, and the queries", () => {
  it("value, gradient and forward mode against the plain function, finite differences and each other", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 2, maxLength: 2 }), data, (w, xs) => {
        // away from the filter's threshold, where finite differences would straddle it
        fc.pre(xs.every((x, i) => Math.abs(w[0]! * x + w[1]! * Math.cos(i) - 0.5) > 1e-3));
        verifyDerivatives(
          functional,
          {
            grad: grad(functional, { wrt: ["w"] }),
            jvp: jvp(functional, { wrt: ["w"] }),
            valueAndGrad: valueAndGrad(functional, { wrt: ["w"] }),
          },
          [w, xs],
          { params: [0] },
        );
      }),
      { numRuns: 40 },
    );
  });

  it("the Hessian of map over rows of a reduce, in closed form", () => {
    const rows = [
      [1, 2],
      [3, -1],
      [0.5, 4],
    ];
    const H = hessian(quadratic, { wrt: ["w"] })([0.3, -0.2], rows);
    const expected = [0, 1].map((a) => [0, 1].map((b) => 2 * rows.reduce((s, r) => s + r[a]! * r[b]!, 0)));
    expect(H).toEqual(expected);
  });

  it("what cannot be inlined is refused with what to write instead", () => {
    const refused = (body: string) =>
      compileSource(
        `import { grad } from "tsgrad";\nconst double = (t: number) => 2 * t;\nfunction f(xs: number[]): number { ${body} }\nexport const df = grad(f);`,
      ).messages;
    // a callback passed by name is inlined (everyday-idioms.test.ts); one with a `this` argument is not
    expect(refused("return xs.map(double, undefined)[0]!;")).toEqual([
      expect.stringMatching(/^TSG1009 3:43 .*callback written in the call/),
    ]);
    expect(refused("return xs.map((x) => { if (x > 0) return x; return -x; })[0]!;")).toEqual([
      expect.stringMatching(/^TSG1009 3:\d+ .*returns before its last statement/),
    ]);
  });
});
