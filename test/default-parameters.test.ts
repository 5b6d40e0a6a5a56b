/**
 * Default parameter values: calls inside differentiated code that leave the argument out pass the
 * default, and a derivative called without it uses it as the function does. References: central
 * finite differences of the plain functions and closed forms.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

function huber(r: number, delta = 1): number {
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

function robustLoss(p: number[], scale: number): number {
  return huber(p[0]! * scale) + huber(p[1]!, 0.5) + huber(p[2]! - p[0]!, -(-2));
}

/** Points off a grid, so that random draws rarely sit on a kink. */
const coordinate = fc.integer({ min: -3999, max: 3999 }).map((i) => i / 1000 + 0.00037);

describe("default parameters", () => {
  it("a helper called with and without its default argument: gradient, forward mode and value", () => {
    fc.assert(
      fc.property(fc.array(coordinate, { minLength: 3, maxLength: 3 }), fc.integer({ min: 2, max: 20 }).map((i) => i / 10 + 0.0013), (p, scale) => {
        // away from the kinks of |r| and of the switch at |r| = delta, where differences straddle them
        const r = [p[0]! * scale, p[1]!, p[2]! - p[0]!];
        fc.pre(r.every((x, i) => Math.abs(x) > 1e-4 && Math.abs(Math.abs(x) - [1, 0.5, 2][i]!) > 1e-4));
        verifyDerivatives(robustLoss, { grad: grad(robustLoss), jvp: jvp(robustLoss), valueAndGrad: valueAndGrad(robustLoss) }, [p, scale]);
      }),
      { numRuns: 40 },
    );
  });

  it("a derivative called without the defaulted argument uses the default", () => {
    // delta (a - delta / 2): d/dr = delta sign(r), d/ddelta = a - delta
    expect(grad(huber, { wrt: ["r", "delta"] })(3)).toEqual([1, 2]);
    expect(grad(huber, { wrt: [0, 1] })(3, 2)).toEqual([2, 1]);
    // by default the defaulted parameter is data, as the gradient's type says (a bare number)
    const dr: number = grad(huber)(3, 2);
    expect(dr).toBe(2);
    expectClose(grad(huber, { wrt: ["r"] })(0.5), numericGradient(huber as never, [0.5], 0), 1e-8);
  });

  it("a default that is not a constant is refused with what to write instead", () => {
    const { messages } = compileSource(
      `import { grad } from "tsgrad";\nfunction f(x: number, k = x * 2): number { return k * x; }\nexport const df = grad(f);`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1\d+ 2:27 .*default parameter value must be a number or boolean constant/)]);
  });
});

function withNullish(x: number, p: { a: number; v: number[] }): number {
  return (x ?? 0) * (p.a ?? 1) + (p?.a ?? 2) * p.v[0]!;
}

describe("?? and ?. on values that are never missing", () => {
  it("are the value itself, as in JavaScript: gradient against finite differences", () => {
    const [gx, gp] = grad(withNullish)(0.7, { a: 1.3, v: [2] });
    expectClose(gx, numericGradient(withNullish as never, [0.7, { a: 1.3, v: [2] }], 0), 1e-8);
    expectClose(gp, numericGradient(withNullish as never, [0.7, { a: 1.3, v: [2] }], 1), 1e-8);
  });

  it("?? on a value that may be undefined is refused", () => {
    const { messages } = compileSource(`import { grad } from "tsgrad";\nfunction f(x: number): number { return (x as number | undefined) ?? 0; }\nexport const df = grad(f);`);
    expect(messages).toEqual([expect.stringMatching(/^TSG1010 2:40 .*`\?\?` on a value that may be null or undefined/)]);
  });
});

function destructured(p: { a: number; b: number }, x: number): number {
  const { a = 2, b: c = 5 } = p;
  const [u = 1, v] = [x * a, c];
  return u * v + a * Math.sin(x);
}

describe("default values in destructuring", () => {
  it("of fields that are never missing are dead, as in JavaScript: gradient against finite differences", () => {
    const p = { a: 1.7, b: -0.4 };
    const [gp, gx] = grad(destructured)(p, 0.9);
    expectClose(gp, numericGradient(destructured as never, [p, 0.9], 0), 1e-8);
    expectClose(gx, numericGradient(destructured as never, [p, 0.9], 1), 1e-8);
  });

  it("of an array element, which may be missing, is the element when the array has it (test/nullish-logical-spread.test.ts)", () => {
    const { messages } = compileSource(`import { grad } from "tsgrad";\nfunction f(xs: number[]): number { const [a = 1] = xs; return a * a; }\nexport const df = grad(f);`);
    expect(messages).toEqual([]);
  });
});
