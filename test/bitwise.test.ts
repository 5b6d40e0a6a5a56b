/**
 * Bitwise operators (`& | ^ << >> >>> ~` and their compound assignments). Their results are
 * integers of the operands' 32-bit integer parts, constant between integer steps: a zero
 * derivative wherever one exists. References: the plain function (JavaScript's own operators)
 * for values, central finite differences and the other mode for derivatives, closed forms for
 * second order.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, hvp, jvp, valueAndGrad } from "tsgrad";
import { expectClose, numericHessian } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";
import { compileSource } from "./support/compile.js";

/** Every operator on differentiated values, with constants that fold, in one expression tree. */
function allOperators(a: number, b: number): number {
  const mixed = (a & b) + (a | 3) - (b ^ a) + (a << 2) - (b >> 1) + (a >>> 28) + ~b + (7 & 12) * (1 << 3);
  return mixed * 1e-3 + a * b;
}

/** Bit tricks on loop counters choosing which entries meet: data, not derivatives. */
function hashedPairs(x: number[], salt: number): number {
  let s = 0;
  let h = salt | 0;
  for (let i = 0; i < x.length; i++) {
    h ^= i << 3;
    h = (h * 31) | 0;
    const j = (h >>> 0) % x.length;
    const k = i >> 1;
    let mask = i;
    mask &= 5;
    mask |= 2;
    mask <<= 1;
    mask >>= 1;
    mask >>>= 0;
    s += x[i]! * x[j]! * (k + 1) + (mask & 3) * Math.sin(x[i]!) + (~i & 1) * x[i]! * x[i]!;
  }
  return s;
}

/** A differentiated value truncated by `| 0`: a step, as Math.trunc is, times a smooth factor. */
function truncatedTimes(x: number): number {
  return (x | 0) * x * x;
}

/** Numbers in [-40, 40] at least 0.01 from an integer, where every bitwise term is locally constant. */
const offInteger = fc.integer({ min: -40, max: 39 }).chain((i) => fc.double({ min: i + 0.01, max: i + 0.99, noNaN: true }));

describe("bitwise operators", () => {
  it("compute what JavaScript computes, in the derivative's value too (ToInt32 wraps, NaN and infinities give 0)", () => {
    const operand = fc.oneof(
      fc.double({ min: -50, max: 50, noNaN: true }),
      fc.double({ noDefaultInfinity: false }),
      fc.constantFrom(2 ** 31, 2 ** 32 + 5.5, -(2 ** 31) - 1, 4294967295.7, NaN, Infinity, -Infinity, -0),
    );
    const vg = valueAndGrad(allOperators);
    const tangent = jvp(allOperators);
    fc.assert(
      fc.property(operand, operand, (a, b) => {
        expect(vg(a, b).value).toBe(allOperators(a, b));
        expect(tangent(a, b, 1, 1).value).toBe(allOperators(a, b));
      }),
      { numRuns: 400 },
    );
  });

  it("have a zero derivative: away from integer steps the gradient is the smooth part's, in both modes", () => {
    const g = grad(allOperators);
    fc.assert(
      fc.property(offInteger, offInteger, (a, b) => {
        // d/da (a * b) = b and d/db = a: every bitwise term is locally constant
        expect(g(a, b)).toEqual([b, a]);
      }),
      { numRuns: 200 },
    );
    verifyDerivatives(allOperators, { grad: g, jvp: jvp(allOperators), valueAndGrad: valueAndGrad(allOperators) }, [2.3, -5.6]);
  });

  it("choose indices and weights in loops: finite differences and forward mode agree with the gradient", () => {
    const d = { grad: grad(hashedPairs), jvp: jvp(hashedPairs), valueAndGrad: valueAndGrad(hashedPairs) };
    for (const [x, salt] of [
      [[0.3, -1.2, 2.5, 0.7, -0.4, 1.1, 0.9], 17.5],
      [[1.5, 0.25, -2], -3.25],
      [[0.8, 1.7], 1000.5],
    ] as const)
      verifyDerivatives(hashedPairs, d, [[...x], salt]);
  });

  it("second order: (x | 0) x^2 has the Hessian 2 trunc(x), by hessian, hvp and finite differences", () => {
    for (const x of [2.7, -3.4, 0.6]) {
      const h = 2 * Math.trunc(x);
      expect(hessian((v: number[]) => truncatedTimes(v[0]!))([x])).toEqual([[h]]);
      expect(hvp((v: number[]) => truncatedTimes(v[0]!))([x], [1])).toEqual([h]);
      expectClose(
        numericHessian((v) => truncatedTimes(v[0]!), [x]),
        [[h]],
        1e-4,
      );
    }
  });

  it("on an array, an operator is refused at its place, with a message that names it", () => {
    const refused = compileSource(
      `import { grad } from "tsgrad";\n// @ts-ignore\nfunction f(x: number[]): number { return ~x * x[0]!; }\nexport const g = grad(f);\n`,
    );
    expect(refused.messages.join("\n")).toMatch(/^TSG\d+ 3:\d+ .*`~` on number\[\] is not supported/m);
  });
});
