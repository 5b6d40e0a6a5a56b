/**
 * Tensors made from differentiated arrays: `tensor(xs)` of a number[], a Float64Array, nested
 * number[][] rows, an array literal of differentiated values, a number, and flat data with a
 * shape. Forward mode's tangent is `tensor(xs_dot)`; reverse mode adds the tensor's adjoint back
 * into the array's adjoint element by element, in the row-major order tensor() reads the data in.
 * References: central finite differences, forward against reverse (the dot-product test), a
 * closed form, and finite differences of the gradient for the Hessian-vector product. What a
 * tensor made from data still cannot carry (a differentiated seed of `rand`) is refused.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, hvp, jvp, valueAndGrad } from "tsgrad";
import { exp, item, matmul, mul, reshape, sum, tanh, tensor } from "tsgrad/tensor";
import { compileSource } from "./support/compile.js";
import { expectClose } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

/** A flat number[]: sum(tanh(t) * t * w) with a constant weight per element. */
function flat(xs: number[]): number {
  const t = tensor(xs);
  const w = tensor(xs.map((_, i) => i + 1));
  return item(sum(mul(mul(tanh(t), t), w)));
}

/** A Float64Array read with a shape: the flat values as a 2 x 2 matrix times a vector. */
function typed(xs: Float64Array, v: number[]): number {
  const m = tensor(xs, [2, 2]);
  const u = tensor(v, [2, 1]);
  const y = matmul(m, u);
  return item(sum(mul(y, y)));
}

/** Nested rows: the rows of a matrix parameter, and a matrix of differentiated entries. */
function nested(a: number[][], x: number): number {
  const m = tensor(a);
  const r = tensor([
    [Math.cos(x), -Math.sin(x)],
    [Math.sin(x), Math.cos(x)],
  ]);
  return item(sum(exp(mul(matmul(m, r), 0.5))));
}

/** A literal of differentiated numbers, a number, and an array built in a loop. */
function built(x: number, y: number): number {
  const u = tensor([x, x * y, y * y]);
  const s = tensor(x * y);
  const zs: number[] = [];
  for (let k = 0; k < 3; k++) zs.push(Math.sin(x + k * y));
  const z = reshape(tensor(zs), [3]);
  return item(sum(mul(mul(u, z), s)));
}

const entry = fc.integer({ min: -1500, max: 1500 }).map((i) => i / 1000 + 0.0003);

describe("tensor(xs) of a differentiated array", () => {
  it("a number[]: gradient against the closed form (tanh t + t (1 - tanh² t)) w", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (xs) => {
        const expected = xs.map((x, i) => (Math.tanh(x) + x * (1 - Math.tanh(x) ** 2)) * (i + 1));
        expectClose(grad(flat)(xs), expected, 1e-12, "gradient");
      }),
      { numRuns: 30 },
    );
  });

  it("a number[] of any length: finite differences, value bit for bit, forward against reverse", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (xs) => {
        verifyDerivatives(flat, { grad: grad(flat), jvp: jvp(flat), valueAndGrad: valueAndGrad(flat) }, [xs]);
      }),
      { numRuns: 25 },
    );
  });

  it("a Float64Array with a shape: finite differences, forward against reverse", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 4, maxLength: 4 }), fc.array(entry, { minLength: 2, maxLength: 2 }), (xs, v) => {
        verifyDerivatives(typed, { grad: grad(typed), jvp: jvp(typed), valueAndGrad: valueAndGrad(typed) }, [Float64Array.from(xs), v]);
      }),
      { numRuns: 25 },
    );
  });

  it("nested rows (a parameter, and a matrix of differentiated entries): finite differences, forward against reverse", () => {
    fc.assert(
      fc.property(fc.array(fc.array(entry, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 3 }), entry, (a, x) => {
        verifyDerivatives(nested, { grad: grad(nested), jvp: jvp(nested), valueAndGrad: valueAndGrad(nested) }, [a, x]);
      }),
      { numRuns: 25 },
    );
  });

  it("a literal of differentiated values, a number, an array built in a loop: finite differences, forward against reverse", () => {
    fc.assert(
      fc.property(entry, entry, (x, y) => {
        verifyDerivatives(built, { grad: grad(built), jvp: jvp(built), valueAndGrad: valueAndGrad(built) }, [x, y]);
      }),
      { numRuns: 25 },
    );
  });

  it("the gradient of a Float64Array is a Float64Array, of nested rows nested rows", () => {
    const [gx] = grad(typed)(Float64Array.from([1, 2, 3, 4]), [0.5, -1]);
    expect(gx).toBeInstanceOf(Float64Array);
    const [ga] = grad(nested)([[1, 2], [3, 4]], 0.3);
    expect(ga.map((row) => row.length)).toEqual([2, 2]);
  });

  it("second order: hvp (forward over reverse) against finite differences of the gradient", () => {
    const h = 1e-5;
    const cases: [number[], number[]][] = [
      [[0.5, -1, 2], [1, 0, 0]],
      [[0.3, 0.7, -0.2, 1.1], [0.5, -1, 2, 0.25]],
    ];
    for (const [xs, v] of cases) {
      const plus = grad(flat)(xs.map((x, i) => x + h * v[i]!));
      const minus = grad(flat)(xs.map((x, i) => x - h * v[i]!));
      const fd = plus.map((p, i) => (p - minus[i]!) / (2 * h));
      expectClose(hvp(flat)(xs, v), fd, 1e-6, "hvp");
    }
    const x = 0.4;
    const y = -0.7;
    const fdx = (grad(built)(x + h, y)[0] - grad(built)(x - h, y)[0]) / (2 * h);
    expectClose(hvp(built, { wrt: [0] })(x, y, 1), fdx, 1e-6, "hvp of a literal");
  });

  it("reverse mode adds into the array's adjoint in the order tensor() reads nested rows", () => {
    // d/da sum(a ⊙ c) = c, read row by row: a wrong order or row stride gives another matrix
    const weighted = (a: number[][]): number => item(sum(mul(tensor(a), tensor([[1, 2, 3], [4, 5, 6]]))));
    expect(grad(weighted)([[0, 0, 0], [0, 0, 0]])).toEqual([[1, 2, 3], [4, 5, 6]]);
  });
});

describe("tensors made from data that cannot carry a derivative stay refused", () => {
  it("a differentiated seed of rand", () => {
    const { messages } = compileSource(
      `import { grad } from "tsgrad";\nimport { rand, sum, item } from "tsgrad/tensor";\nfunction f(x: number): number { const t = rand([2], x); return item(sum(t)) * x; }\nexport const df = grad(f);`,
    );
    expect(messages).toEqual([
      expect.stringMatching(/^TSG1009 3:33 .*rand\(\.\.\.\) makes a tensor from data, but `x` carries a derivative.*hint: build it with scalar\(x\)/s),
    ]);
  });

  it("the emitted gradient reads the tensor's adjoint into the array's adjoint in one loop", () => {
    const { js, messages } = compileSource(
      `import { grad } from "tsgrad";\nimport { tensor, sum, item, tanh } from "tsgrad/tensor";\nfunction f(xs: number[]): number { return item(sum(tanh(tensor(xs)))); }\nexport const df = grad(f);`,
    );
    expect(messages).toEqual([]);
    expect(js).toMatch(/const values_bar = T\.flatValues\(/);
    expect(js).toMatch(/xs_bar\[k\] \+= values_bar\[k\]/);
  });
});
