/**
 * Numeric guards and constants as data: `Number.isFinite`, `isNaN`, `Number.isInteger`,
 * `Number.EPSILON`, `parseFloat` of a literal, `typeof x === "number"`. The reference is
 * JavaScript itself: the plain function (not transformed) evaluated on the same inputs, special
 * values included, and central finite differences for the derivative.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";

/** Each guard's verdict in its own bit, plus a smooth term that carries the derivative. */
function guarded(x: number, y: number): number {
  let code = 0;
  if (Number.isFinite(x)) code += 1;
  if (isNaN(x)) code += 2;
  if (Number.isNaN(x)) code += 4;
  if (Number.isInteger(x)) code += 8;
  if (Number.isSafeInteger(x)) code += 16;
  if (isFinite(x)) code += 32;
  if (typeof x === "number" && typeof y !== "boolean") code += 64;
  const eps = Number.EPSILON + parseFloat("1e-12") + parseInt("3", 10) * Number.MIN_VALUE;
  const scale = Math.abs(y) < Number.MAX_VALUE ? y : 0;
  return code + scale * Math.sqrt(y * y + eps);
}

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 2, -3, 2.5, 1e300, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE];

describe("numeric guards and constants", () => {
  it("each guard answers as JavaScript does, special values included", () => {
    for (const x of SPECIAL) expect(valueAndGrad(guarded, { wrt: ["y"] })(x, 0.5).value, `x = ${x}`).toBe(guarded(x, 0.5));
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(valueAndGrad(guarded, { wrt: ["y"] })(x, 0.5).value).toBe(guarded(x, 0.5));
      }),
      { numRuns: 200 },
    );
  });

  it("the derivative through the guarded code against finite differences", () => {
    fc.assert(
      fc.property(fc.integer({ min: -3000, max: 3000 }).map((i) => i / 1000 + 0.0007), (y) => {
        expectClose(grad(guarded, { wrt: ["y"] })(1.5, y), numericGradient(guarded as never, [1.5, y], 1), 1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it("parseFloat of a value known only at run time is refused with what to write instead", () => {
    const { messages } = compileSource(`import { grad } from "tsgrad";\nfunction f(x: number, s: string): number { return x * parseFloat(s); }\nexport const df = grad(f, { wrt: ["x"] });`);
    expect(messages).toEqual([expect.stringMatching(/^TSG1010 2:55 .*parseFloat of a value known only at run time/)]);
  });
});

function checked(x: number, p: number[]): number {
  if (x <= 0) throw new RangeError(`x must be positive, got ${x} (p has ${p.length}: ${p})`);
  const y = Math.log(x) * p[0]!;
  // read by the message alone: the derivative code must keep it for the message
  const scale = 2 * x + 1;
  if (!Number.isFinite(y)) throw new Error(`y = ${y} at scale ${scale}`);
  return y * y;
}

/** The message the plain function throws (JavaScript's own template). */
function thrownBy(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  return "nothing thrown";
}

describe("template-literal messages in throw", () => {
  it("every derivative throws the message the function throws, with the values read as data", () => {
    for (const [x, p] of [
      [-1, [3, 4]],
      [0, [2.5]],
      [2, [Infinity]],
    ] as const) {
      const expected = thrownBy(() => checked(x, [...p]));
      expect(expected).not.toBe("nothing thrown");
      expect(thrownBy(() => grad(checked)(x, [...p]))).toBe(expected);
      expect(thrownBy(() => valueAndGrad(checked)(x, [...p]))).toBe(expected);
      expect(thrownBy(() => jvp(checked)(x, [...p], 1, p.map(() => 0)))).toBe(expected);
    }
  });

  it("where nothing is thrown, the derivative against finite differences", () => {
    const [gx] = grad(checked)(2, [3]);
    expectClose(gx, numericGradient(checked as never, [2, [3]], 0), 1e-6);
  });
});
