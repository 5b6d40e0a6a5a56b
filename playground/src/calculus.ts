/**
 * The calculus the page shows, on top of the generated derivatives: the second-derivative test
 * from the Hessian's eigenvalues, and the iterates of gradient descent and Newton's method. Every
 * derivative here comes from the functions passed in (tsgrad's generated code); nothing is
 * differenced.
 */

export type Point = readonly [number, number];
/** A symmetric 2×2 matrix, by rows. */
export type Matrix = readonly [readonly [number, number], readonly [number, number]];

export interface Derivatives {
  value(p: Point): number;
  gradient(p: Point): Point;
  hessian?(p: Point): Matrix;
  /** The derivative along a direction u (jvp's tangent). */
  directional?(p: Point, u: Point): number;
}

/** Eigenvalues of a symmetric 2×2 matrix, smaller first (closed form, no iteration). */
export function eigenvalues([[a, b], [, d]]: Matrix): [number, number] {
  const mean = (a + d) / 2;
  const radius = Math.hypot((a - d) / 2, b);
  return [mean - radius, mean + radius];
}

export type Verdict = "minimum" | "maximum" | "saddle" | "inconclusive";

/**
 * The second-derivative test: at a critical point, both eigenvalues positive is a minimum, both
 * negative a maximum, of opposite signs a saddle; an eigenvalue that is zero (relative to the
 * larger one) decides nothing.
 */
export function secondDerivativeTest(h: Matrix): Verdict {
  const [low, high] = eigenvalues(h);
  const scale = Math.max(Math.abs(low), Math.abs(high));
  const tolerance = 1e-9 * scale;
  if (scale === 0 || Math.abs(low) <= tolerance || Math.abs(high) <= tolerance) return "inconclusive";
  if (low > 0) return "minimum";
  if (high < 0) return "maximum";
  return "saddle";
}

/** Whether a gradient is zero as far as floating point can tell, relative to the point's scale. */
export function isCritical(g: Point, p: Point, value: number): boolean {
  const size = Math.hypot(g[0], g[1]);
  return size <= 1e-8 * Math.max(1, Math.abs(value)) / Math.max(1, Math.hypot(p[0], p[1]));
}

export interface Iterate {
  readonly k: number;
  readonly x: Point;
  readonly value: number;
  readonly gradient: Point;
}

export interface Path {
  readonly iterates: Iterate[];
  /** Why it stopped before the iteration limit, if it did. */
  readonly stopped?: string;
}

function iterate(d: Derivatives, k: number, x: Point): Iterate {
  return { k, x, value: d.value(x), gradient: d.gradient(x) };
}

const diverged = (x: Point) => !Number.isFinite(x[0]) || !Number.isFinite(x[1]) || Math.hypot(x[0], x[1]) > 1e12;

/** x_{k+1} = x_k − step ∇f(x_k). */
export function gradientDescent(d: Derivatives, start: Point, step: number, steps: number): Path {
  const iterates = [iterate(d, 0, start)];
  for (let k = 1; k <= steps; k++) {
    const { x, gradient: g } = iterates[k - 1]!;
    if (g[0] === 0 && g[1] === 0) return { iterates, stopped: "the gradient is zero" };
    const next: Point = [x[0] - step * g[0], x[1] - step * g[1]];
    if (diverged(next)) return { iterates, stopped: "diverged (the step is too large here)" };
    iterates.push(iterate(d, k, next));
  }
  return { iterates };
}

/** x_{k+1} = x_k − H(x_k)⁻¹ ∇f(x_k), stopping when the step is below rounding or H is singular. */
export function newton(d: Derivatives, start: Point, steps: number): Path {
  if (!d.hessian) return { iterates: [iterate(d, 0, start)], stopped: "no Hessian" };
  const iterates = [iterate(d, 0, start)];
  for (let k = 1; k <= steps; k++) {
    const { x, gradient: g } = iterates[k - 1]!;
    if (g[0] === 0 && g[1] === 0) return { iterates, stopped: "the gradient is zero" };
    const [[a, b], [c, e]] = d.hessian(x);
    const det = a * e - b * c;
    if (!Number.isFinite(det) || Math.abs(det) <= 1e-14 * Math.max(a * a + b * b + c * c + e * e, 1e-300))
      return { iterates, stopped: "the Hessian is singular here" };
    const step: Point = [(e * g[0] - b * g[1]) / det, (a * g[1] - c * g[0]) / det];
    const next: Point = [x[0] - step[0], x[1] - step[1]];
    if (diverged(next)) return { iterates, stopped: "diverged" };
    iterates.push(iterate(d, k, next));
    if (Math.hypot(step[0], step[1]) <= 1e-15 * Math.max(1, Math.hypot(next[0], next[1]))) return { iterates, stopped: "converged (the step is below rounding)" };
  }
  return { iterates };
}
