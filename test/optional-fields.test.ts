/**
 * Optional fields of objects (`interface Opts { scale?: number; bias: number; flip?: boolean }`):
 * read as optional parameters are (`o.scale ?? 2`, `o.scale !== undefined`, narrowing, `if
 * (o.flip)`), through helpers, with literals that leave them out. An object with an optional
 * field is data: no gradient (its type says so too). References: closed forms and central finite
 * differences of the plain functions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, hvp, jvp } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";

interface Opts {
  scale?: number;
  bias: number;
  flip?: boolean;
}
function term(x: number, o: Opts): number {
  const s = o.scale ?? 2;
  let y = s * x * x + o.bias;
  if (o.flip) y = -y;
  if (o.scale !== undefined && o.scale > 1) y += o.scale * x;
  return y;
}
function total(x: number[], o: Opts): number {
  let t = 0;
  for (const v of x) t += term(v, o);
  return t;
}
/** Literals handed to a helper, one leaving the optional field out and one giving it a differentiated value. */
function literals(x: number[]): number {
  let t = 0;
  for (const v of x) t += term(v, { bias: 1 }) + term(v, { bias: 0, scale: v });
  return t;
}

/** d/dx of term, in closed form. */
function termSlope(x: number, o: Opts): number {
  const s = o.scale ?? 2;
  const slope = (o.flip ? -1 : 1) * 2 * s * x;
  return slope + (o.scale !== undefined && o.scale > 1 ? o.scale : 0);
}

const options = fc.record(
  {
    scale: fc.double({ min: -3, max: 3, noNaN: true }),
    bias: fc.double({ min: -2, max: 2, noNaN: true }),
    flip: fc.boolean(),
  },
  { requiredKeys: ["bias"] },
);
const points = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 4 });

describe("optional fields of an object read as optional parameters", () => {
  it("given or left out: grad is the closed form, jvp its dot product, hvp its second derivative", () => {
    fc.assert(
      fc.property(points, options, (x, o) => {
        const g = grad(total)(x, o);
        expectClose(
          g,
          x.map((v) => termSlope(v, o)),
          1e-12,
        );
        const u = x.map((_, i) => (i % 2 === 0 ? 1 : -0.5));
        expect(jvp(total)(x, o, u).tangent).toBeCloseTo(
          g.reduce((s, gi, i) => s + gi * u[i]!, 0),
          10,
        );
        const curvature = (o.flip ? -1 : 1) * 2 * (o.scale ?? 2);
        expectClose(
          hvp(total)(x, o, u),
          u.map((ui) => curvature * ui),
          1e-12,
        );
      }),
      { numRuns: 60 },
    );
  });

  it("literals that leave an optional field out, handed to a helper: finite differences", () => {
    fc.assert(
      fc.property(points, (x) => {
        // term(v, { bias: 1 }) = 2 v² + 1, term(v, { bias: 0, scale: v }) = v³ (+ v² when v > 1)
        expectClose(
          grad(literals)(x),
          x.map((v) => 4 * v + 3 * v * v + (v > 1 ? 2 * v : 0)),
          1e-12,
        );
        expectClose(grad(literals)(x), numericGradient(literals, [x], 0), 1e-5);
      }),
      { numRuns: 40 },
    );
  });

  it("the object is data: the gradient is the array's alone, and the generated signature keeps the field optional", () => {
    const only: number[] = grad(total)([0.5], { bias: 1 });
    expect(only).toHaveLength(1);
    const c = compileSource(
      `import { grad } from "tsgrad";\ninterface Opts { scale?: number; bias: number }\n` +
        `export function f(x: number, o: Opts): number { return (o.scale ?? 2) * x * x + o.bias; }\nexport const g = grad(f);\n`,
    );
    expect(c.messages).toEqual([]);
    expect(c.js).toMatch(/scale \?\? 2|scale_given \? o_scale|o\.scale !== undefined/);
  });

  it("a read where the field may still be undefined is refused with what to write", () => {
    const c = compileSource(
      `import { grad } from "tsgrad";\ninterface Opts { scale?: number; bias: number }\n` +
        `export function f(x: number, o: Opts): number { return (o.scale as number) * x + o.bias; }\nexport const g = grad(f);\n`,
    );
    expect(c.messages).toHaveLength(1);
    expect(c.messages[0]).toMatch(/^TSG1010 3:57 .*`o.scale` is an optional field and may be undefined here/);
    expect(c.messages[0]).toContain("o.scale ?? 1");
  });
});
