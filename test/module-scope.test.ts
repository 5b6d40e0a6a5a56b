/**
 * Data at module scope, as scripts are written: module-level tuples and objects read by field
 * (here and from another file), and closures over variables of top-level blocks and loops
 * (`for (const batch of batches) { const f = (w) => loss(w, batch); grad(f)(w) }`). Both are
 * data: no derivative flows into them. References: central finite differences of the plain
 * functions and closed forms.
 */
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jvp } from "tsgrad";
import { importSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

const PAIR = [0.3, 1.7] as const;
const CONFIG = { weights: [1, -2, 0.5], rate: 0.25, shape: { center: 0.4 } };
const TABLE: readonly [number, number, number] = [2, 3, 5];

/** Reads module-level tuples and objects through a helper chain, in a loop. */
function weighted(x: number[]): number {
  return inner(x) * PAIR[1] + CONFIG.rate * x[0]! * x[0]!;
}
function inner(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += CONFIG.weights[i]! * Math.sin(x[i]! - CONFIG.shape.center) * TABLE[i % 3]!;
  return s * PAIR[0];
}

describe("module-level tuples and objects are data read by field", () => {
  it("through helpers: grad, jvp and finite differences", () => {
    verifyDerivatives(weighted, { grad: grad(weighted), jvp: jvp(weighted) }, [[0.2, -0.9, 1.4]]);
  });

  it("second order: the Hessian is the closed form", () => {
    const x = [0.2, -0.9, 1.4];
    const H = hessian(weighted)(x);
    // d2/dxi2 of PAIR[1] * PAIR[0] * w_i * t_i * sin(x_i - c) is its negative; x0 adds 2 * rate
    const want = x.map((xi, i) =>
      x.map((_, j) =>
        i !== j
          ? 0
          : -PAIR[1] * PAIR[0] * CONFIG.weights[i]! * TABLE[i % 3]! * Math.sin(xi - CONFIG.shape.center) + (i === 0 ? 2 * CONFIG.rate : 0),
      ),
    );
    expectClose(H, want, 1e-12);
    expectClose(
      hvp(weighted)(x, [1, 0, -1]),
      want.map((r) => r[0]! - r[2]!),
      1e-12,
    );
  });

  it("from another file, under hvp (no tangent is made for a module constant)", async () => {
    const m = await importSource<{ h: (x: number[], v: number[]) => number[] }>(
      `import { hvp } from "tsgrad";\nimport { SETTINGS } from "./settings.js";\n` +
        `function f(x: number[]): number { return SETTINGS.scale[0] * x[0]! * x[0]! * x[1]! + SETTINGS.offset * x[1]!; }\n` +
        `export const h = hvp(f);\n`,
      { "settings.ts": `export const SETTINGS = { scale: [3, 1] as [number, number], offset: 2 };\n` },
    );
    // f = 3 x0^2 x1 + 2 x1: H = [[6 x1, 6 x0], [6 x0, 0]]
    expect(m.h([0.5, 2], [1, -1])).toEqual([6 * 2 - 6 * 0.5, 6 * 0.5]);
  });
});

// ---- closures over variables of top-level blocks and loops -------------------------------------

function batchLoss(w: number, b: number, xs: readonly number[], ys: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const r = w * xs[i]! + b - ys[i]!;
    s += r * r;
  }
  return s / xs.length;
}

// script code at module level: a loop over batches, a closure over the current one
const batches = [
  { xs: [0, 1, 2], ys: [1, 3, 5] },
  { xs: [3, 4], ys: [7, 9] },
];
const fitted: number[] = [];
{
  let w = 0;
  let b = 0;
  for (let epoch = 0; epoch < 200; epoch++)
    for (const batch of batches) {
      const f = (w: number, b: number) => batchLoss(w, b, batch.xs, batch.ys);
      const [dw, db] = grad(f)(w, b);
      w -= 0.05 * dw;
      b -= 0.05 * db;
    }
  fitted.push(w, b);
}

// a block's constant captured by an arrow handed to hessian
let blockHessian: number[][] = [];
{
  const center = [1, -2];
  const bowl = (p: number[]) => (p[0]! - center[0]!) ** 2 * (p[1]! - center[1]!) ** 2 + p[0]! * p[1]!;
  blockHessian = hessian(bowl)([0.5, 0.5]);
}

describe("closures over top-level blocks and loops", () => {
  it("a training loop written at module level fits the line y = 2x + 1", () => {
    expectClose(fitted, [2, 1], 1e-3);
  });

  it("each step's gradient is the closed form of the captured batch", () => {
    const { xs, ys } = batches[1]!;
    const [dw, db] = grad((w: number, b: number) => batchLoss(w, b, xs, ys))(0.5, 0.25);
    expectClose([dw, db], [numericGradient(batchLoss, [0.5, 0.25, xs, ys], 0), numericGradient(batchLoss, [0.5, 0.25, xs, ys], 1)], 1e-6);
  });

  it("a block's constant in an arrow handed to hessian: the closed form", () => {
    // f = (p0 - 1)^2 (p1 + 2)^2 + p0 p1 at (0.5, 0.5)
    const [a, c] = [0.5 - 1, 0.5 + 2];
    expect(blockHessian).toEqual([
      [2 * c * c, 4 * a * c + 1],
      [4 * a * c + 1, 2 * a * a],
    ]);
  });
});
