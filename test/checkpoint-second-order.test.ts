/**
 * Second derivatives through a loop checkpointed unasked (a constant trip count >= 100,000,
 * passes/reverse/checkpoint.ts): hvp, hessian, jvp of grad, and grad of a function calling grad
 * differentiate a copy of the gradient with the plain sweep (pipeline/derive.ts, tangentSource),
 * while the gradient itself stays checkpointed. References: the closed form of the loop, and
 * central finite differences of the (checkpointed) gradient.
 */
import { describe, expect, it } from "vitest";
import { compileSource, importSource } from "./support/compile.js";
import { expectClose, matVec } from "./support/numeric.js";

const N = 100_000;

/**
 * `compound(x) = x[1] (1 + x[0] / N)^N`, N steps of one multiplication each: its derivatives in
 * closed form below. `outer` reaches the loop through a call, so its second derivatives go
 * through the tangent of `compound`'s pullback.
 */
const source = `import { grad, hessian, hvp, jvp } from "tsgrad";
function compound(x: number[]): number {
  let y = x[1];
  const rate = 1 + x[0] / ${N};
  for (let k = 0; k < ${N}; k++) y = y * rate;
  return y;
}
function outer(x: number[]): number {
  return Math.sin(compound(x)) + x[0] * x[1];
}
export const g = grad(compound);
export const h = hvp(compound);
export const H = hessian(compound);
export const jg = jvp(grad(compound));
const dCompound = grad(compound);
function slope(x: number[]): number {
  const d = dCompound(x);
  return d[0] * d[1];
}
export const gSlope = grad(slope);
export const gOuter = grad(outer);
export const hOuter = hvp(outer);
`;

interface Module {
  g(x: number[]): number[];
  h(x: number[], v: number[]): number[];
  H(x: number[]): number[][];
  jg(x: number[], v: number[]): { value: number[]; tangent: number[] };
  gSlope(x: number[]): number[];
  gOuter(x: number[]): number[];
  hOuter(x: number[], v: number[]): number[];
}

/** compound's value, gradient and Hessian in closed form (a = 1 + x0 / N). */
function closedForm(x: readonly number[]): { f: number; g: number[]; H: number[][] } {
  const a = 1 + x[0]! / N;
  const f = x[1]! * a ** N;
  const g = [x[1]! * a ** (N - 1), a ** N];
  const H = [
    [(x[1]! * (N - 1) * a ** (N - 2)) / N, a ** (N - 1)],
    [a ** (N - 1), 0],
  ];
  return { f, g, H };
}

/** Central differences of a gradient along v. */
function differenceOfGradient(grad: (x: number[]) => number[], x: readonly number[], v: readonly number[], h = 1e-5): number[] {
  const plus = grad(x.map((xi, i) => xi + h * v[i]!));
  const minus = grad(x.map((xi, i) => xi - h * v[i]!));
  return plus.map((p, i) => (p - minus[i]!) / (2 * h));
}

const X = [0.3, 1.7];
const V = [0.8, -1.1];

describe("second derivatives through a loop checkpointed unasked", () => {
  it("compiles: the gradient is checkpointed, the second-order functions are not refused", () => {
    const c = compileSource(source);
    expect(c.messages).toEqual([]);
    expect(c.js).toContain("checkpointReverse");
  });

  it("hvp, hessian and jvp(grad) equal the closed form and differences of the gradient", async () => {
    const m = await importSource<Module>(source);
    const exact = closedForm(X);
    expectClose(m.g(X), exact.g, 1e-9, "grad");
    const Hv = matVec(exact.H, V);
    expectClose(m.h(X, V), Hv, 1e-9, "hvp, closed form");
    expectClose(m.h(X, V), differenceOfGradient(m.g, X, V), 1e-6, "hvp, differences");
    expectClose(m.H(X), exact.H, 1e-9, "hessian");
    const r = m.jg(X, V);
    expectClose(r.value, exact.g, 1e-9, "jvp(grad) value");
    expectClose(r.tangent, Hv, 1e-9, "jvp(grad) tangent");
  });

  it("grad of a function calling grad equals the closed form", async () => {
    const m = await importSource<Module>(source);
    const { g, H } = closedForm(X);
    // slope = g0 g1: its gradient is H g1 + g0 (H row 1)
    const expected = [0, 1].map((j) => H[0]![j]! * g[1]! + g[0]! * H[1]![j]!);
    expectClose(m.gSlope(X), expected, 1e-9, "grad of g0 g1");
  });

  it("through a call: hvp of a function calling the loop's function", async () => {
    const m = await importSource<Module>(source);
    const { f, g, H } = closedForm(X);
    // outer = sin(f) + x0 x1: Hessian cos(f) H - sin(f) g g^T + [[0, 1], [1, 0]]
    const Houter = [0, 1].map((i) => [0, 1].map((j) => Math.cos(f) * H[i]![j]! - Math.sin(f) * g[i]! * g[j]! + (i !== j ? 1 : 0)));
    expectClose(m.hOuter(X, V), matVec(Houter, V), 1e-8, "hvp of outer, closed form");
    expectClose(m.hOuter(X, V), differenceOfGradient(m.gOuter, X, V), 1e-6, "hvp of outer, differences");
  });

  it("a loop annotated for checkpointing stays refused for second order, with its message", () => {
    const c = compileSource(`import { hvp } from "tsgrad";
function f(x: number): number {
  let y = x;
  // @tsgrad checkpoint 20
  for (let k = 0; k < ${N}; k++) y = y * (1 + 1e-6 * y);
  return y;
}
export const h = hvp(f);
`);
    expect(c.messages.join("\n")).toMatch(/TSG1021 .*cannot be differentiated again/);
  });
});
