/**
 * `xs[i] ?? d` (a read that may find nothing: the element when the index is an integer within the
 * array, else `d`), `rows[i]?.[j] ?? d`, defaults in array destructuring (`const [a = 1] = xs`), logical assignment (`||=`, `&&=`, `??=`) on numbers and
 * booleans, and object spread (`{ ...p, b: 2 }`, the last property or spread giving a field wins).
 * References: the plain functions run by JavaScript (values bit for bit, out-of-range and
 * fractional indices included), central finite differences, and forward against reverse mode.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { verifyDerivatives } from "./support/verify.js";

/** Neighbours with a default at both ends, and an index that may be anything. */
function padded(x: number[], i: number): number {
  let s = 0;
  for (let k = -1; k <= x.length; k++) s += (x[k] ?? 0.5) * (x[k + 1] ?? x[0]! * 2);
  const rows = [
    [1, 2],
    [3, 4, 5],
  ];
  return s * (x[i] ?? 2) + (rows[i]?.[2] ?? 7) * x[0]! + Math.sin(x[i - 1] ?? s);
}

/** `||=` takes the right side when the value is 0, -0 or NaN; `&&=` when it is not; `??=` never. */
function logical(x: number, y: number, k: number): number {
  let a = x * (k - 1);
  a ||= y * 2;
  let z = x * (k - 2);
  z &&= 2 * y * z;
  let w = y;
  w ??= x * 3;
  let positive = x > 0;
  positive ||= y > 0;
  return a * z + w * (positive ? x : y);
}

interface Layer {
  w: number;
  b: number;
  v: number[];
}

function affine(l: Layer, t: number): number {
  return l.w * t + l.b + l.v[0]! * l.v[1]!;
}

/** Fields overriding spreads, and spreads overriding spreads and fields before them. */
function spread(p: Layer, s: number): number {
  const shifted = { ...p, b: p.b + s };
  const defaults = { b: 5, w: 1 };
  const first = { ...defaults, ...p, v: [s, s * s] };
  const safe = p?.w ?? 0;
  return affine(shifted, s) * affine(first, 2) + shifted.b * first.w + safe;
}

/** Defaults in array destructuring: taken when the array is shorter. */
function unpacked(x: number[], y: number): number {
  const [a = y * 2, b = Math.sin(y), c = a * b] = x;
  return a * b + c * y;
}

const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 900 + 0.0003);
const index = fc.constantFrom(-2, -1, 0, 1, 2, 3, 4, 5, 0.5, 2.5, -0, Number.NaN);

describe("`xs[i] ?? d`: the element when it is there", () => {
  it("values as JavaScript computes them, gradient against finite differences, forward against reverse", () => {
    const dx = grad(padded, { wrt: [0] });
    const vg = valueAndGrad(padded, { wrt: [0] });
    const tangent = jvp(padded, { wrt: [0] });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 2, maxLength: 4 }), index, (x, i) => {
        verifyDerivatives(padded, { grad: (xs: number[]) => dx(xs, i) }, [x, i], { params: [0] });
        expect(Object.is(vg(x, i).value, padded(x, i))).toBe(true);
        const u = x.map((_, k) => Math.cos(k + 1));
        const reverse = dx(x, i).reduce((s, g, k) => s + g * u[k]!, 0);
        expect(Math.abs(tangent(x, i, u).tangent - reverse)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(reverse)));
      }),
      { numRuns: 60 },
    );
  });

  it("an index outside the array gives the default's derivative, inside the element's", () => {
    const dx = grad(padded, { wrt: [0] });
    const inside = dx([0.3, -0.4, 0.2], 1);
    const outside = dx([0.3, -0.4, 0.2], 7);
    expect(inside).not.toEqual(outside);
    // i = 7: x[i] ?? 2 and rows[i]?.[2] ?? 7 take their defaults, x[i - 1] ?? s takes s
    const s = (xs: number[]) => padded(xs, 7);
    expect(outside[2]).toBeCloseTo((s([0.3, -0.4, 0.2 + 1e-6]) - s([0.3, -0.4, 0.2 - 1e-6])) / 2e-6, 5);
  });
});

describe("defaults in array destructuring", () => {
  it("each default is taken when the array is too short: finite differences, value, forward against reverse", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 4 }), entry, (x, y) => {
        verifyDerivatives(unpacked, { grad: grad(unpacked), jvp: jvp(unpacked), valueAndGrad: valueAndGrad(unpacked) }, [x, y]);
      }),
      { numRuns: 60 },
    );
  });

  it("with an empty array the value is JavaScript's", () => {
    const y = 0.4;
    const a = 2 * y;
    const b = Math.sin(y);
    const vg = valueAndGrad(unpacked)([], y);
    expect(vg.value).toBe(a * b + a * b * y);
    // d/dy of 2y sin y (1 + y)
    const d = 2 * Math.sin(y) * (1 + y) + 2 * y * Math.cos(y) * (1 + y) + 2 * y * Math.sin(y);
    expect(Math.abs(vg.grad[1] - d)).toBeLessThan(1e-12);
  });
});

describe("logical assignment", () => {
  it("takes each side as JavaScript does, with derivatives of the side taken", () => {
    fc.assert(
      fc.property(entry, entry, fc.constantFrom(0, 1, 2, 3), (x, y, k) => {
        const d = grad(logical, { wrt: ["x", "y"] });
        const f = (a: number, b: number) => logical(a, b, k);
        verifyDerivatives(
          f,
          {
            grad: (a: number, b: number) => d(a, b, k),
            valueAndGrad: (a: number, b: number) => {
              const r = valueAndGrad(logical, { wrt: ["x", "y"] })(a, b, k);
              return { value: r.value, grad: r.grad };
            },
            jvp: (a: number, b: number, da: number, db: number) => jvp(logical, { wrt: ["x", "y"] })(a, b, k, da, db),
          },
          [x, y],
        );
      }),
      { numRuns: 60 },
    );
  });

  it("k = 1 makes `a` zero, so `||=` gives it 2y: d/dy of a * z is 2z", () => {
    const [, dy] = grad(logical, { wrt: ["x", "y"] })(0.5, 0.25, 1);
    // a = 2y, z = -x, w = y, positive: a z + w x = -2xy + xy = -xy
    expect(dy).toBe(-0.5);
  });
});

describe("object spread", () => {
  it("gradient against finite differences, value, forward against reverse", () => {
    fc.assert(
      fc.property(entry, entry, fc.array(entry, { minLength: 2, maxLength: 3 }), entry, (w, b, v, s) => {
        verifyDerivatives(spread, { grad: grad(spread), jvp: jvp(spread), valueAndGrad: valueAndGrad(spread) }, [{ w, b, v }, s]);
      }),
      { numRuns: 40 },
    );
  });
});

describe("refused, with what to write instead", () => {
  const refusal = (body: string) => compileSource(`import { grad } from "tsgrad";\n${body}\nexport const df = grad(f);`).messages;

  it("logical assignment to an element", () => {
    expect(refusal(`function f(x: number[]): number { const y = x.slice(); y[0] ||= 1; return y[0]! * x[1]!; }`)).toEqual([
      expect.stringMatching(/^TSG1009 2:56 .*`\|\|=` is supported on a variable, not on an element or a field.*hint: write the test out/s),
    ]);
  });

  it("`??` after reading a row", () => {
    expect(refusal(`function f(x: number[], m: number[][]): number { const r = m[0] ?? x; return r[0]! * x[0]!; }`)).toEqual([
      expect.stringMatching(
        /^TSG1010 2:60 .*`\?\?` after an element read is supported on numbers, not on number\[\].*hint: check the index against the array's length/s,
      ),
    ]);
  });
});
