/**
 * Nested array literals as local data (`const A = [[2, 1], [1, 3]]`, read as `A[i][j]`, walked
 * with `for ... of` and array methods), matrices of differentiated values (`[[c, -s], [s, c]]`),
 * and tensors made from constant literals (`tensor([[1, 2], [3, 4]])`).
 * References: closed forms (the gradient of a quadratic form is (A + Aᵀ) x, its Hessian
 * A + Aᵀ), central finite differences, and forward against reverse mode. Entries that may carry
 * a derivative nested deeper than a matrix are refused with what to write (tensors made from
 * differentiated arrays: tensor-from-arrays.test.ts).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, jacobian, jvp, valueAndGrad } from "tsgrad";
import { item, matmul, mul, sum, tensor, type Tensor } from "tsgrad/tensor";
import { compileSource } from "./support/compile.js";
import { expectClose } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

const SCALE = 3;

/** xᵀ A x for a constant A written in the function, plus terms reading rows whole. */
function quadratic(x: number[]): number {
  const A = [
    [2, 1, -0.5],
    [1, SCALE, 0],
    [-0.5, SCALE * 2, 4],
  ];
  let s = 0;
  for (let i = 0; i < A.length; i++) for (let j = 0; j < A[i]!.length; j++) s += x[i]! * A[i]![j]! * x[j]!;
  let k = 0;
  for (const row of A) {
    s += Math.sin(row[k]! * x[k]!);
    k++;
  }
  return s;
}

/** The rows walked with array methods: y = A x by map and reduce, then the quadratic form by forEach. */
function byMethods(x: number[]): number {
  const M = [
    [2, 1],
    [1, 3],
  ];
  const y = M.map((row) => row.reduce((s, a, j) => s + a * x[j]!, 0));
  let q = 0;
  M.forEach((row, i) => {
    row.forEach((a, j) => {
      q += a * x[i]! * Math.cos(x[j]!);
    });
  });
  return y.reduce((s, v) => s + v * v, 0) + q;
}

/** A rotation by a differentiated angle, written as the matrix it is. */
function rotated(t: number, x: number[]): number {
  const c = Math.cos(t);
  const s = Math.sin(t);
  const R = [
    [c, -s],
    [s, c * x[1]!],
  ];
  let out = 0;
  for (let i = 0; i < R.length; i++) {
    let y = 0;
    for (let j = 0; j < 2; j++) y += R[i]![j]! * x[j]!;
    out += y * y * (i + 1);
  }
  for (const row of R) out += row[0]! * row[1]!;
  return out + R[1]![0]! * 3;
}

/** Two-link arm: a rotation matrix per joint, built in a loop; the end point's coordinates. */
function arm(q: number[]): number[] {
  let px = 0;
  let py = 0;
  let angle = 0;
  for (let k = 0; k < q.length; k++) {
    angle += q[k]!;
    const R = [
      [Math.cos(angle), -Math.sin(angle)],
      [Math.sin(angle), Math.cos(angle)],
    ];
    px += R[0]![0]! * (k + 1);
    py += R[1]![0]! * (k + 1);
  }
  return [px, py];
}

const A = [
  [2, 1, -0.5],
  [1, 3, 0],
  [-0.5, 6, 4],
];

/** The bilinear form of a constant tensor: wᵀ T w with T = [[1, 2], [3, 4]]. */
function tensorForm(w: Tensor): number {
  const t = tensor([
    [1, 2],
    [3, 4],
  ]);
  return item(sum(mul(matmul(t, w), w)));
}

const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 900 + 0.0003);

describe("nested array literals of constants", () => {
  it("gradient against the closed form (A + Aᵀ) x plus the sine terms", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 3, maxLength: 3 }), (x) => {
        const expected = x.map(
          (_, i) => A[i]!.reduce((s, a, j) => s + (a + A[j]![i]!) * x[j]!, 0) + A[i]![i]! * Math.cos(A[i]![i]! * x[i]!),
        );
        expectClose(grad(quadratic)(x), expected, 1e-12, "gradient");
      }),
      { numRuns: 30 },
    );
  });

  it("finite differences, value bit for bit, and forward against reverse", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 3, maxLength: 3 }), (x) => {
        verifyDerivatives(quadratic, { grad: grad(quadratic), jvp: jvp(quadratic), valueAndGrad: valueAndGrad(quadratic) }, [x]);
      }),
      { numRuns: 30 },
    );
  });

  it("rows walked with map, reduce and forEach: finite differences, value, forward against reverse", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 2, maxLength: 2 }), (x) => {
        verifyDerivatives(byMethods, { grad: grad(byMethods), jvp: jvp(byMethods), valueAndGrad: valueAndGrad(byMethods) }, [x]);
      }),
      { numRuns: 30 },
    );
  });

  it("the Hessian at a point where the sines vanish is A + Aᵀ", () => {
    // sin'' (a x) = -a² sin(a x) is zero at x = 0
    const h = hessian(quadratic)([0, 0, 0]);
    expect(h).toEqual(A.map((row, i) => row.map((a, j) => a + A[j]![i]!)));
  });

  it("a tensor made from a nested literal: gradient (T + Tᵀ) w", () => {
    const w = tensor([[0.5], [-1.25]]);
    const g = grad(tensorForm)(w);
    expect(g.shape).toEqual([2, 1]);
    expect(Array.from(g.data)).toEqual([2 * 0.5 + 5 * -1.25, 5 * 0.5 + 8 * -1.25]);
  });

  it("the generated code keeps the literal as written", () => {
    const { js, messages } = compileSource(
      `import { grad } from "tsgrad";\nfunction f(x: number[]): number { const m = [[2, 1], [1, 3]]; return x[0]! * m[0]![1]! + x[1]! * m[1]![1]!; }\nexport const df = grad(f);`,
    );
    expect(messages).toEqual([]);
    expect(js).toMatch(/const m = \[\s*\[2, 1\],\s*\[1, 3\],?\s*\];/);
  });
});

describe("nested array literals holding derivatives (matrices)", () => {
  it("a rotation matrix of a differentiated angle: finite differences, value, forward against reverse", () => {
    fc.assert(
      fc.property(entry, fc.array(entry, { minLength: 2, maxLength: 2 }), (t, x) => {
        verifyDerivatives(rotated, { grad: grad(rotated), jvp: jvp(rotated), valueAndGrad: valueAndGrad(rotated) }, [t, x]);
      }),
      { numRuns: 40 },
    );
  });

  it("built in a loop: the Jacobian of a two-link arm, in both modes, against its closed form", () => {
    const q = [0.4, -0.9];
    const a1 = q[0]!;
    const a2 = q[0]! + q[1]!;
    const expected = [
      [-Math.sin(a1) - 2 * Math.sin(a2), -2 * Math.sin(a2)],
      [Math.cos(a1) + 2 * Math.cos(a2), 2 * Math.cos(a2)],
    ];
    expectClose(jacobian(arm, { mode: "forward" })(q), expected, 1e-12, "forward");
    expectClose(jacobian(arm, { mode: "reverse" })(q), expected, 1e-12, "reverse");
  });

  it("its second derivative in the angle (forward over reverse) against finite differences of the gradient", () => {
    const x = [0.7, -0.4];
    const d2 = hessian(rotated, { wrt: [0] });
    for (const t of [0.3, -1.2, 2]) {
      const h = 1e-5;
      const fd = (grad(rotated, { wrt: [0] })(t + h, x) - grad(rotated, { wrt: [0] })(t - h, x)) / (2 * h);
      expect(Math.abs(d2(t, x) - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });
});

describe("nested literals refused, with what to write instead", () => {
  const refusal = (body: string) =>
    compileSource(`import { grad } from "tsgrad";\nimport { tensor, sum, item } from "tsgrad/tensor";\n${body}\nexport const df = grad(f);`)
      .messages;

  it("a deeper nesting of values that may carry a derivative", () => {
    expect(refusal(`function f(x: number[]): number { const m = [[[x[0]!, 1]], [[1, 2]]]; return m[0]![0]![0]!; }`)).toEqual([
      expect.stringMatching(
        /^TSG1010 3:46 .*supported as a matrix \(rows of numbers\), not deeper.*\(in `\[\[x\[0\]!, 1\]\]`\)\n\s*hint: keep the values in a flat array/s,
      ),
    ]);
  });

  it("a row held by a variable", () => {
    expect(refusal(`function f(x: number[]): number { const r = [1, 2]; const m = [r, [3, 4]]; return m[0]![0]! * x[0]!; }`)).toEqual([
      expect.stringMatching(
        /^TSG1009 3:64 .*rows of a nested array literal must be written in it.*\(in `r`\)\n\s*hint: write the rows as literals/s,
      ),
    ]);
  });

});
