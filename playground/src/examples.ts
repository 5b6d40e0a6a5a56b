/**
 * Functions to load, each with a window, a point and a gradient-descent step that show it well.
 * Each module exports the function and the derivatives the page plots with, as marker calls:
 * what the editor holds is exactly what tsgrad compiles and the page runs.
 */
import type { Point } from "./calculus.js";
import type { Window } from "./plot.js";

export interface Example {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly window: Window;
  readonly point: Point;
  readonly step: number;
}

const IMPORTS = `import { grad, hessian, hvp, jvp, valueAndGrad } from "tsgrad";`;

/** The five marker exports for a function of one array (hessian needs one). */
const MARKERS = `
// Each marker call is replaced by code tsgrad generates (on the right); the page plots f with them.
export const gradient = grad(f);
export const valueAndGradient = valueAndGrad(f);
export const directional = jvp(f);
export const hessianTimes = hvp(f);
export const hessianMatrix = hessian(f);
`;

export const EXAMPLES: readonly Example[] = [
  {
    id: "bowl",
    title: "Quadratic bowl",
    window: { x: [-1.5, 1.5], y: [-0.8, 0.8] },
    point: [1, 0.1],
    step: 0.1,
    source: `${IMPORTS}

/** The quadratic bowl (x₁² + 10 x₂²) / 2: elliptic level sets, its minimum at the origin. */
export function f(x: number[]): number {
  return (x[0] * x[0] + 10 * x[1] * x[1]) / 2;
}
${MARKERS}`,
  },
  {
    id: "rosenbrock",
    title: "Rosenbrock",
    window: { x: [-2, 2], y: [-1, 3] },
    point: [-1.2, 1],
    step: 0.0015,
    source: `${IMPORTS}

/** Rosenbrock's banana: a curved valley, its minimum 0 at (1, 1). */
export function f(x: number[]): number {
  const a = 1 - x[0];
  const b = x[1] - x[0] * x[0];
  return a * a + 100 * b * b;
}
${MARKERS}`,
  },
  {
    id: "saddle",
    title: "Saddle",
    window: { x: [-2, 2], y: [-1.5, 1.5] },
    point: [1.2, 0.3],
    step: 0.2,
    source: `${IMPORTS}

/** A saddle: up along x₁, down along x₂. Newton's method goes to the saddle point; descent leaves it. */
export function f(x: number[]): number {
  return (x[0] * x[0] - x[1] * x[1]) / 2 + 0.1 * x[0] * x[1];
}
${MARKERS}`,
  },
  {
    id: "himmelblau",
    title: "Himmelblau (two numbers)",
    window: { x: [-5, 5], y: [-5, 5] },
    point: [-0.5, 0.5],
    step: 0.01,
    source: `${IMPORTS}

/** Himmelblau's function: four minima (value 0), one maximum and four saddles between them. */
export function f(x: number, y: number): number {
  const a = x * x + y - 11;
  const b = x + y * y - 7;
  return a * a + b * b;
}

// Each marker call is replaced by code tsgrad generates (on the right); the page plots f with them.
export const gradient = grad(f);
export const valueAndGradient = valueAndGrad(f);
export const directional = jvp(f);
export const hessianTimes = hvp(f);
// hessian(f) needs one array parameter, f(x: number[]): here the page builds the Hessian from hvp.
`,
  },
  {
    id: "newton-loop",
    title: "A loop: Newton solve inside",
    window: { x: [-2.5, 2.5], y: [-2, 2] },
    point: [1.8, 1.2],
    step: 0.3,
    source: `${IMPORTS}

/**
 * y solves y³ + y = x₁ + 2 x₂ (one real root for every x), found by Newton's method in a loop
 * that stops when its step falls below 1e-13: how often it runs depends on x, and tsgrad
 * differentiates through the iterations that ran.
 */
export function f(x: number[]): number {
  const s = x[0] + 2 * x[1];
  let y = 0;
  for (let k = 0; k < 60; k++) {
    const step = (y * y * y + y - s) / (3 * y * y + 1);
    y = y - step;
    if (Math.abs(step) < 1e-13) break;
  }
  const d = x[0] - x[1];
  return y * y + (d * d) / 4;
}
${MARKERS}`,
  },
  {
    id: "helper",
    title: "A helper call: two wells",
    window: { x: [-3, 3], y: [-2.2, 2.2] },
    point: [0.1, 1.6],
    step: 0.5,
    source: `${IMPORTS}

/** A Gaussian bump of height h centred at (cx, cy). */
function bump(x: number[], cx: number, cy: number, h: number): number {
  const dx = x[0] - cx;
  const dy = x[1] - cy;
  return h * Math.exp(-(dx * dx + dy * dy));
}

/** Two wells in a wide bowl: two minima and a saddle between them, through calls of bump. */
export function f(x: number[]): number {
  return 0.05 * (x[0] * x[0] + x[1] * x[1]) - bump(x, -1, 0, 1) - bump(x, 1.2, 0.6, 0.8);
}
${MARKERS}`,
  },
];

export function exampleById(id: string): Example | undefined {
  return EXAMPLES.find((e) => e.id === id);
}
