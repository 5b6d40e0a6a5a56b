/**
 * Optional fields of objects (`interface Opts { scale?: number; bias: number; flip?: boolean }`):
 * read as optional parameters are (`o.scale ?? 2`, `o.scale !== undefined`, narrowing, `if
 * (o.flip)`), through helpers, with literals that leave them out. Optional objects
 * (`noise?: { sigma: number }`) are read with `?.`, tested, narrowed and passed on. An object with
 * an optional field is data: no gradient (its type says so too). References: closed forms and
 * central finite differences of the plain functions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jvp } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient, numericHessian } from "./support/numeric.js";

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

interface Noise {
  sigma: number;
  floor?: number;
}
interface Model {
  bias: number;
  noise?: Noise;
}
/** Every way to read an optional object: `?.` with `??`, truthiness, narrowing, `!== undefined`, `typeof`. */
function noisy(x: number, m: Model): number {
  let y = x * x + m.bias;
  y += (m.noise?.sigma ?? 0.5) * Math.sin(x);
  if (m.noise) y += m.noise.sigma * x * (m.noise.floor ?? 1);
  if (typeof m.noise === "object") y += 0.25 * x;
  if (m.noise !== undefined && m.noise.sigma > 1) y *= 2;
  return y;
}
/** The model passed on whole, its optional object passed into a new literal, and literals without it or with a differentiated field. */
function passedOn(x: number, m: Model): number {
  return noisy(x, m);
}
function noisyTotal(x: number[], m: Model): number {
  let t = 0;
  for (const v of x)
    t += passedOn(v, m) + noisy(v, { bias: 1 }) + noisy(v, { bias: 0, noise: { sigma: v } }) + noisy(v * v, { bias: 2, noise: m.noise });
  return t;
}

/** d/dx of noisy, in closed form. */
function noisySlope(x: number, m: Model): number {
  const n = m.noise;
  let slope = 2 * x + (n?.sigma ?? 0.5) * Math.cos(x);
  if (n) slope += n.sigma * (n.floor ?? 1) + 0.25;
  return n && n.sigma > 1 ? 2 * slope : slope;
}

const models: fc.Arbitrary<Model> = fc.record(
  {
    bias: fc.double({ min: -2, max: 2, noNaN: true }),
    noise: fc.record(
      { sigma: fc.double({ min: 0, max: 2, noNaN: true }), floor: fc.double({ min: -2, max: 2, noNaN: true }) },
      { requiredKeys: ["sigma"] },
    ),
  },
  { requiredKeys: ["bias"] },
);

describe("optional objects read with `?.`", () => {
  it("given or left out: grad is the closed form, and through helpers and literals finite differences", () => {
    fc.assert(
      fc.property(points, models, (x, m) => {
        const one = x[0]!;
        expect(grad(noisy, { wrt: [0] })(one, m)).toBeCloseTo(noisySlope(one, m), 10);
        expectClose(grad(noisyTotal)(x, m), numericGradient(noisyTotal, [x, m], 0), 1e-5, "grad vs finite differences");
      }),
      { numRuns: 60 },
    );
  });

  it("forward mode, hvp and the Hessian agree with reverse mode and finite differences", () => {
    fc.assert(
      fc.property(points, models, (x, m) => {
        const g = grad(noisyTotal)(x, m);
        const u = x.map((_, i) => (i % 2 === 0 ? 1 : -0.5));
        const dot = g.reduce((s, gi, i) => s + gi * u[i]!, 0);
        expect(jvp(noisyTotal)(x, m, u).tangent).toBeCloseTo(dot, 9);
        const f = (y: number[]) => noisyTotal(y, m);
        const h = hessian(noisyTotal)(x, m);
        expectClose(h, numericHessian(f, x), 1e-4, "Hessian vs finite differences");
        expectClose(
          hvp(noisyTotal)(x, m, u),
          h.map((row) => row.reduce((s, hij, j) => s + hij * u[j]!, 0)),
          1e-10,
          "hvp vs Hessian",
        );
      }),
      { numRuns: 30 },
    );
  });

  it("the generated code reads the field with `?.`, and passes the object on as it is", () => {
    const c = compileSource(
      `import { grad } from "tsgrad";\ninterface Noise { sigma: number }\ninterface Model { bias: number; noise?: Noise }\n` +
        `function h(x: number, m: Model): number { return (m.noise?.sigma ?? 1) * x * x + m.bias; }\n` +
        `export function f(x: number, m: Model): number { return h(x, m) + (m.noise ? 1 : 0); }\nexport const g = grad(f, { wrt: [0] });\n`,
    );
    expect(c.messages).toEqual([]);
    expect(c.js).toContain("m.noise?.sigma");
    expect(c.js).toMatch(/h_adjoint\(x, m,/);
  });

  it("what cannot be read of an optional object is refused with what to write", () => {
    const refusal = (body: string) =>
      compileSource(
        `import { grad } from "tsgrad";\ninterface Noise { sigma: number }\ninterface Model { bias: number; noise?: Noise }\n` +
          `export function f(x: number, m: Model): number { ${body} }\nexport const g = grad(f, { wrt: [0] });\n`,
      ).messages;
    const defaulted = refusal("const n = m.noise ?? { sigma: 1 }; return n.sigma * x;");
    expect(defaulted).toHaveLength(1);
    expect(defaulted[0]).toMatch(/^TSG1010 4:.*an optional object has no default value/);
    expect(defaulted[0]).toContain("m.noise?.k ?? 1");
    const compared = refusal("return m.noise === m.noise ? x : 0;");
    expect(compared[0]).toMatch(/^TSG1010 4:.*can be compared only with undefined or null/);
  });

  it("an optional parameter of an object type is refused, pointing at the field form", () => {
    const c = compileSource(
      `import { grad } from "tsgrad";\ninterface Noise { sigma: number }\n` +
        `export function f(x: number, n?: Noise): number { return (n?.sigma ?? 1) * x; }\nexport const g = grad(f, { wrt: [0] });\n`,
    );
    expect(c.messages).toHaveLength(1);
    expect(c.messages[0]).toMatch(/^TSG1010 3:.*an optional parameter of type `Noise \| undefined` cannot be differentiated/);
    expect(c.messages[0]).toContain("?.");
  });
});
