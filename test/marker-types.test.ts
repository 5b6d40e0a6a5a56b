/**
 * The types of hasAux, stopGradient and `wrt` positions (test/types/aux-and-options.types.ts,
 * type-checked here with the TypeScript compiler: it asserts type equalities and, with
 * @ts-expect-error, the misuses that must not compile), and stopGradient of every
 * differentiable kind through the transformer, against finite differences.
 */
import { describe, expect, it } from "vitest";
import { typeErrorsOf } from "./support/typecheck.js";
import { grad, jvp, stopGradient } from "tsgrad";
import { item, mul, sum, tensor, type Tensor } from "tsgrad/tensor";
import { expectClose, numericGradient } from "./support/numeric.js";
import { compileSource } from "./support/compile.js";

describe("marker types", () => {
  it("hasAux, stopGradient and wrt positions type-check as documented", () => {
    const diagnostics = typeErrorsOf(new URL("./types/aux-and-options.types.ts", import.meta.url));
    expect(diagnostics).toEqual([]);
  });

  it("a wrt position out of range that reaches the transformer anyway is refused: TSG1013 at the position", () => {
    const { messages } = compileSource(
      `import { grad } from "tsgrad";\nfunction f(w: number, b: number): number { return w * b; }\nexport const g = grad(f, { wrt: [5] });\n`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1013 3:34 .*5 is not a parameter position of this function \(it has 2\)/)]);
  });
});

/** stopGradient of each kind: the stopped copy is a constant, the other occurrence carries the derivative. */
function stopArray(x: number[]): number {
  const y = stopGradient(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += y[i]! * x[i]! * x[i]!;
  return s;
}
function stopF64(x: Float64Array): number {
  const y = stopGradient(x);
  return y[0]! * Math.sin(x[0]!) + y[1]! * x[1]!;
}
function stopTensor(t: Tensor): number {
  return item(sum(mul(stopGradient(t), mul(t, t))));
}
function stopRecord(p: { a: number; b: number[] }, q: [number, number]): number {
  const s = stopGradient(p);
  const r = stopGradient(q);
  return s.a * p.a * p.a + s.b[0]! * p.b[0]! + r[0] * q[1] + Math.exp(r[1]) * q[0];
}

describe("stopGradient of every differentiable kind", () => {
  it("an array: closed form y_i * x_i^2 with y held, against forward mode", () => {
    const x = [0.5, -1.25, 2];
    expectClose(
      grad(stopArray)(x),
      x.map((v) => 2 * v * v),
      1e-12,
    );
    const u = [1, -2, 0.5];
    expectClose(
      jvp(stopArray)(x, u).tangent,
      x.reduce((acc, v, i) => acc + 2 * v * v * u[i]!, 0),
      1e-12,
    );
  });

  it("a Float64Array", () => {
    const x = Float64Array.of(0.7, -0.4);
    expectClose([...grad(stopF64)(x)], [0.7 * Math.cos(0.7), -0.4], 1e-12);
  });

  it("a tensor", () => {
    const t = tensor([0.5, -2, 1.5]);
    expectClose(
      [...grad(stopTensor)(t).data],
      [...t.data].map((v) => 2 * v * v),
      1e-12,
    );
  });

  it("an object and a tuple, part by part: against the closed form and finite differences' of the same expression with the stopped values as constants", () => {
    const p = { a: 0.8, b: [1.5, -0.5] };
    const q: [number, number] = [0.3, -1.1];
    const [gp, gq] = grad(stopRecord)(p, q);
    // with s = p and r = q held: d/da = s.a * 2a, d/db0 = s.b0, d/dq0 = exp(r1), d/dq1 = r0
    expectClose(gp, { a: 0.8 * 2 * 0.8, b: [1.5, 0] }, 1e-12);
    expectClose(gq, [Math.exp(-1.1), 0.3], 1e-12);
    const held = (a: number, b0: number, q0: number, q1: number) => 0.8 * a * a + 1.5 * b0 + 0.3 * q1 + Math.exp(-1.1) * q0;
    const fd = [0, 1, 2, 3].map((i) => numericGradient(held, [0.8, 1.5, 0.3, -1.1], i) as number);
    expectClose([gp.a, gp.b[0], gq[0], gq[1]], fd, 1e-7);
  });
});
