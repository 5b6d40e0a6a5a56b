/**
 * hasAux for hvp, hessian and jacobian (JAX has it on jacfwd, jacrev and hessian): the function
 * returns `[output, aux]`; the result is `{ hvp, aux }`, `{ hessian, aux }` or `{ jacobian, aux }`,
 * the derivative of the output alone and the aux a plain call returns.
 *
 * References, independent of tsgrad: the Hessian by second central differences of the plain
 * function's loss, the Jacobian by central differences of its output, the Hessian-vector product
 * against that Hessian times the direction; the aux against a plain call. Refusals by code and
 * position.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hessian, hvp, jacobian } from "tsgrad";
import { exp, mul, sum, tensor, type Tensor } from "tsgrad/tensor";
import { compileSource } from "./support/compile.js";
import { expectClose } from "./support/numeric.js";

/** A loss with a record aux: an array the function writes after the loss reads it, and a count. */
function energy(x: number[]): [number, { terms: number[]; calls: number }] {
  const terms = new Array<number>(x.length).fill(0);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    terms[i] = Math.sin(x[i]!) * x[(i + 1) % x.length]!;
    s += terms[i]! * terms[i]! + Math.exp(0.3 * x[i]!);
  }
  for (let i = 0; i < x.length; i++) terms[i] = -terms[i]!;
  return [s, { terms, calls: x.length }];
}
const energyLoss = (x: number[]): number => energy(x)[0];

/** Two parameters, the second data (wrt: [0]), and a string aux chosen by a branch. */
function scaled(x: number[], k: number): [number, string] {
  const s = x[0]! * x[0]! * x[1]! + k * Math.cos(x[1]!);
  if (s > 0) return [s * k, "positive"];
  return [-s, "negative"];
}

/** An array output with an aux: the output's Jacobian, the aux as a plain call returns it. */
function polar(q: number[]): [number[], { radius: number; label: string }] {
  const r = Math.hypot(q[0]!, q[1]!);
  const out = [r * Math.cos(q[2]!), r * Math.sin(q[2]!), q[0]! * q[1]! * q[2]!];
  return [out, { radius: r, label: "polar" }];
}

/** A tensor output with a tensor aux. */
function softplusOut(t: Tensor): [Tensor, Tensor] {
  const e = exp(t);
  return [mul(e, t), sum(e)];
}

/** Second central differences of a scalar function of an array: the Hessian, independent of tsgrad. */
function fdHessian(f: (x: number[]) => number, x: number[], h = 1e-4): number[][] {
  const at = (i: number, di: number, j: number, dj: number) => {
    const y = [...x];
    y[i] = y[i]! + di;
    y[j] = y[j]! + dj;
    return f(y);
  };
  return x.map((_, i) => x.map((_, j) => (at(i, h, j, h) - at(i, h, j, -h) - at(i, -h, j, h) + at(i, -h, j, -h)) / (4 * h * h)));
}

/** Central differences of an array output: rows are outputs, columns inputs. */
function fdJacobian(f: (x: number[]) => number[], x: number[], h = 1e-6): number[][] {
  const columns = x.map((_, j) => {
    const up = [...x];
    const down = [...x];
    up[j] = up[j]! + h;
    down[j] = down[j]! - h;
    const a = f(up);
    const b = f(down);
    return a.map((v, i) => (v - b[i]!) / (2 * h));
  });
  return columns[0]!.map((_, i) => columns.map((c) => c[i]!));
}

const entry = fc.integer({ min: -1500, max: 1500 }).map((i) => i / 1000 + 0.0003);

describe("hessian and hvp with hasAux", () => {
  it("hessian: the loss's Hessian against second differences, the aux a plain call's", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 2, maxLength: 4 }), (x) => {
        const { hessian: H, aux } = hessian(energy, { hasAux: true })(x);
        expectClose(H, fdHessian(energyLoss, x), 1e-5, "hessian");
        expect(aux).toEqual(energy(x)[1]);
      }),
      { numRuns: 20 },
    );
  });

  it("hvp: the Hessian times the direction, the aux a plain call's", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 3, maxLength: 3 }), fc.array(entry, { minLength: 3, maxLength: 3 }), (x, v) => {
        const { hvp: product, aux } = hvp(energy, { hasAux: true })(x, v);
        const H = fdHessian(energyLoss, x);
        expectClose(product, H.map((row) => row.reduce((s, h, j) => s + h * v[j]!, 0)), 1e-5, "hvp");
        expect(aux).toEqual(energy(x)[1]);
      }),
      { numRuns: 20 },
    );
  });

  it("with wrt: the selected parameter's Hessian and products, each branch's aux", () => {
    for (const [x, k] of [
      [[0.5, 1.2], 2],
      [[-0.3, 2.5], 1.5],
    ] as [number[], number][]) {
      const H = fdHessian((y) => scaled(y, k)[0], x);
      const r = hessian(scaled, { wrt: [0], hasAux: true })(x, k);
      expectClose(r.hessian, H, 1e-5, "hessian");
      expect(r.aux).toBe(scaled(x, k)[1]);
      const p = hvp(scaled, { wrt: [0], hasAux: true })(x, k, [1, -2]);
      expectClose(p.hvp, H.map((row) => row[0]! - 2 * row[1]!), 1e-5, "hvp");
      expect(p.aux).toBe(scaled(x, k)[1]);
    }
    expect(new Set([scaled([0.5, 1.2], 2)[1], scaled([-0.3, 2.5], 1.5)[1]])).toEqual(new Set(["positive", "negative"]));
  });

  it("options held in a const", () => {
    const options = { hasAux: true } as const;
    const x = [0.2, -0.7, 1.1];
    expectClose(hessian(energy, options)(x).hessian, fdHessian(energyLoss, x), 1e-5, "hessian");
  });
});

describe("jacobian with hasAux", () => {
  it("forward, reverse and chosen at run time: the output's Jacobian against central differences, the aux a plain call's", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 3, maxLength: 3 }), (q) => {
        const expected = fdJacobian((y) => polar(y)[0], q);
        for (const r of [
          jacobian(polar, { hasAux: true })(q),
          jacobian(polar, { hasAux: true, mode: "forward" })(q),
          jacobian(polar, { hasAux: true, mode: "reverse" })(q),
        ]) {
          expectClose(r.jacobian, expected, 1e-6, "jacobian");
          expect(r.aux).toEqual(polar(q)[1]);
        }
      }),
      { numRuns: 20 },
    );
  });

  it("a tensor output: the diagonal Jacobian (1 + t) eᵗ, the tensor aux", () => {
    const t = tensor([0.5, -1, 2]);
    const { jacobian: J, aux } = jacobian(softplusOut, { hasAux: true })(t);
    expect(J.shape).toEqual([3, 3]);
    const expected = [0.5, -1, 2].map((x, i) => [0, 1, 2].map((j) => (i === j ? (1 + x) * Math.exp(x) : 0)));
    expectClose([...J.data], expected.flat(), 1e-12, "jacobian");
    expectClose(aux.data[0], Math.exp(0.5) + Math.exp(-1) + Math.exp(2), 1e-12, "aux");
  });
});

describe("hasAux of hvp, hessian and jacobian: refusals", () => {
  it("hessian of a pair whose first element is not a number: TSG1016", () => {
    const { messages } = compileSource(
      `import { hessian } from "tsgrad";\nfunction f(x: number[]): [number[], number] { return [x, 1]; }\n// @ts-expect-error not a loss\nexport const h = hessian(f, { hasAux: true });\n`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1016 4:26 .*hessian needs a function that returns a pair \[loss, aux\] whose first element is a number/)]);
  });

  it("jacobian with hasAux of a function that returns no pair: TSG1016 saying what to return", () => {
    const { messages } = compileSource(
      `import { jacobian } from "tsgrad";\nfunction f(x: number[]): number[] { return [x[0]! * 2]; }\n// @ts-expect-error not a pair\nexport const j = jacobian(f, { hasAux: true });\n`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1016 4:27 .*jacobian needs a function that returns a pair \[output, aux\], and this one.s result is typed as an array \(number\[\]\).*hint: return \[output, aux\]/s)]);
  });

  it("inside a differentiated function: TSG1017", () => {
    const { messages } = compileSource(
      `import { grad, hvp } from "tsgrad";\nfunction f(x: number): [number, number] { return [x * x * x, x]; }\nfunction outer(x: number): number { return hvp(f, { hasAux: true })(x, 1).hvp * x; }\nexport const g = grad(outer);\n`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1017 3:44 .*hasAux: true.*inside a differentiated function/)]);
  });
});
