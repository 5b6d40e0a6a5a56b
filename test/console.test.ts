/**
 * Console calls inside differentiated code (`console.log("loss", s)`, templates, info/warn/
 * error/debug): the derivative prints what the function prints, where its forward sweep runs the
 * statement, and its numbers are unaffected. References: the plain function's own output
 * (captured), central finite differences, and forward mode against reverse mode.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { grad, hessian, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient, numericHessian } from "./support/numeric.js";

function softplusSum(x: number[]): number {
  let s = 0;
  console.info("start", x.length);
  for (let k = 0; k < x.length; k++) {
    const z = Math.log1p(Math.exp(x[k]! * (k + 1)));
    // printed alone: the derivative keeps what only the message reads
    const scaled = 2 * z;
    if (k === 1) console.warn(`k = ${k}, scaled = ${scaled}`);
    s += z * x[0]!;
  }
  console.debug("done", s);
  return s;
}

/** A recursion that prints at each level. */
function levels(x: number, depth: number): number {
  console.log("level", depth);
  if (depth === 0) return Math.sin(x);
  return x * levels(x * 0.5, depth - 1);
}
function levelsOf(x: number[]): number {
  return levels(x[0]!, 3) + x[1]! * levels(x[1]!, 2);
}

/** Every console call made while `f` runs, as [method, ...args]. */
function printedBy(f: () => unknown): unknown[][] {
  const lines: unknown[][] = [];
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push([m, ...args])),
  );
  try {
    f();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return lines;
}

const points = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2, maxLength: 4 });

afterEach(() => vi.restoreAllMocks());

describe("console calls in a differentiated function", () => {
  it("grad, valueAndGrad and jvp print what the function prints, once, and their numbers match finite differences", () => {
    fc.assert(
      fc.property(points, (x) => {
        const expected = printedBy(() => softplusSum(x));
        expect(expected.length).toBeGreaterThanOrEqual(3);
        let g: number[] = [];
        expect(printedBy(() => (g = grad(softplusSum)(x)))).toEqual(expected);
        expectClose(g, numericGradient(softplusSum, [x], 0), 1e-6, "grad vs finite differences");
        expect(printedBy(() => valueAndGrad(softplusSum)(x))).toEqual(expected);
        const u = x.map((_, i) => (i % 2 === 0 ? 1 : -0.5));
        let tangent = 0;
        expect(printedBy(() => (tangent = jvp(softplusSum)(x, u).tangent))).toEqual(expected);
        expect(tangent).toBeCloseTo(
          g.reduce((s, gi, i) => s + gi * u[i]!, 0),
          10,
        );
      }),
      { numRuns: 20 },
    );
  });

  it("the Hessian is unaffected by them (one evaluation per column, each printing as the function does)", () => {
    const x = [0.4, -0.3, 0.9];
    const expected = printedBy(() => softplusSum(x));
    let h: number[][] = [];
    const printed = printedBy(() => (h = hessian(softplusSum)(x)));
    expect(printed).toEqual(x.flatMap(() => expected));
    expectClose(h, numericHessian(softplusSum, x), 1e-5, "Hessian vs finite differences");
  });

  it("a helper's console call does not print again in the reverse sweep", () => {
    const c = compileSource(
      `import { grad } from "tsgrad";\n` +
        `function inner(v: number, k: number): number { console.log("inner", k); return Math.sin(v * v); }\n` +
        `export function f(x: number[]): number { let s = 0; for (let k = 0; k < x.length; k++) s += inner(x[k]!, k) * x[0]!; return s; }\n` +
        `export const g = grad(f);\n`,
    );
    expect(c.messages).toEqual([]);
    const pullback = /function inner_adjoint\w*\([^]*?\n}\n/.exec(c.js!)?.[0];
    expect(pullback).toBeDefined();
    expect(pullback).not.toContain("console");
  });

  it("a recursive function prints what it prints, once (its forward half runs in its place, the reverse half prints nothing)", () => {
    const x = [0.7, -0.4];
    const expected = printedBy(() => levelsOf(x));
    expect(expected.length).toBe(7);
    let g: number[] = [];
    expect(printedBy(() => (g = grad(levelsOf)(x)))).toEqual(expected);
    let reference: number[] = [];
    printedBy(() => (reference = numericGradient(levelsOf, [x], 0) as number[]));
    expectClose(g, reference, 1e-6, "grad vs finite differences");
  });

  it("what cannot be printed is refused with what to write", () => {
    const refusal = (body: string) =>
      compileSource(
        `import { grad } from "tsgrad";\nexport function f(x: number, p: { a: number }): number { ${body} }\nexport const g = grad(f, { wrt: [0] });\n`,
      ).messages;
    expect(refusal("console.table([x]); return x;")[0]).toMatch(/^TSG1009 2:58 .*`console.table` is not supported/);
    expect(refusal("const xs = [x]; console.log(...xs); return x;")[0]).toMatch(/^TSG1009 2:86 .*spread argument/);
    expect(refusal("console.log(p); return x * p.a;")[0]).toMatch(/^TSG1009 2:70 .*can only be read field by field/);
    const call = compileSource(
      `import { grad } from "tsgrad";\nfunction pair(x: number): [number, number] { return [x, 2 * x]; }\n` +
        `export function f(x: number): number { console.log(pair(x)); return x * x; }\nexport const g = grad(f);\n`,
    ).messages;
    expect(call[0]).toMatch(/^TSG1010 3:52 .*a tuple or object in a message is not supported/);
  });
});
