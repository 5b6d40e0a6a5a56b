/**
 * The worked examples of examples/ checked in-process: each derivative tsgrad computes is compared
 * with a closed form worked out by hand or with central finite differences, never with numbers
 * taken from the program under test. Property tests (fast-check) cover random points and
 * directions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, jvp, valueAndGrad } from "tsgrad";
import { root } from "../examples/newton-root.js";
import { rosen } from "../examples/rosenbrock.js";
import { expectClose, numericDirectional, numericGradient } from "./support/numeric.js";

// ---- the functions of the worked examples (as a user writes them) -----------------------------

function bowl(x: number, y: number): number {
  return x * x + y * y;
}

function quadratic(p: [number, number]): number {
  return (p[0] * p[0] + 10 * p[1] * p[1]) / 2;
}

/** Something less symmetric than the bowl, for the directional-derivative properties. */
function wavy(x: number, y: number): number {
  return Math.sin(x) * y + Math.exp(0.3 * x) - Math.cos(x * y) + 0.5 * y * y;
}

function mse(w: number, b: number, xs: number[], ys: number[]): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    const residual = w * xs[i]! + b - ys[i]!;
    sum += residual * residual;
  }
  return sum / xs.length;
}

const bowlGrad = grad(bowl);
const bowlJvp = jvp(bowl);
const wavyGrad = grad(wavy);
const wavyJvp = jvp(wavy);
const quadraticGrad = grad(quadratic);
const quadraticValueAndGrad = valueAndGrad(quadratic);
const mseValueAndGrad = valueAndGrad(mse, { wrt: [0, 1] });
const rootGrad = grad(root);
const rootJvp = jvp(root);
const rosenGrad = grad(rosen);

const coordinate = fc.double({ min: -100, max: 100, noNaN: true });
const angle = fc.double({ min: 0, max: 2 * Math.PI, noNaN: true, maxExcluded: true });

// ---- 1. the gradient of x^2 + y^2 ---------------------------------------------------------------

describe("grad of x^2 + y^2", () => {
  it("is twice the point at a few points, and zero at the origin", () => {
    expectClose(bowlGrad(1, 2), [2, 4], 1e-15);
    expectClose(bowlGrad(-3, 0.5), [-6, 1], 1e-15);
    expect(bowlGrad(0, 0)).toEqual([0, 0]);
  });

  it("is 2 (x, y) at random points (property)", () => {
    fc.assert(
      fc.property(coordinate, coordinate, (x, y) => {
        expectClose(bowlGrad(x, y), [2 * x, 2 * y], 1e-14);
      }),
    );
  });

  it("agrees with finite differences at random points (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), (x, y) => {
        const [gx, gy] = bowlGrad(x, y);
        expectClose(gx, numericGradient(bowl, [x, y], 0), 1e-6);
        expectClose(gy, numericGradient(bowl, [x, y], 1), 1e-6);
      }),
    );
  });
});

// ---- 2. directional derivatives -----------------------------------------------------------------

describe("directional derivative (jvp)", () => {
  const cases = [
    { name: "x^2 + y^2", f: bowl, g: bowlGrad, d: bowlJvp },
    { name: "a non-symmetric smooth function", f: wavy, g: wavyGrad, d: wavyJvp },
  ];
  const point = fc.double({ min: -3, max: 3, noNaN: true });

  for (const c of cases) {
    it(`${c.name}: equals grad . u for random unit u, and never exceeds |grad| (property)`, () => {
      fc.assert(
        fc.property(point, point, angle, (x, y, a) => {
          const u = [Math.cos(a), Math.sin(a)] as const;
          const [gx, gy] = c.g(x, y);
          const r = c.d(x, y, u[0], u[1]);
          expect(r.value).toBe(c.f(x, y));
          const dotted = gx * u[0] + gy * u[1];
          expectClose(r.tangent, dotted, 1e-12, "jvp vs grad . u");
          expectClose(r.tangent, numericDirectional(c.f, [x, y], [u[0], u[1]]), 1e-6, "jvp vs finite differences");
          // Cauchy-Schwarz: |grad . u| <= |grad| |u| = |grad|
          expect(Math.abs(r.tangent)).toBeLessThanOrEqual(Math.hypot(gx, gy) * (1 + 1e-12) + 1e-15);
        }),
      );
    });

    it(`${c.name}: along the gradient itself the rate is |grad| (property)`, () => {
      fc.assert(
        fc.property(point, point, (x, y) => {
          const [gx, gy] = c.g(x, y);
          const norm = Math.hypot(gx, gy);
          fc.pre(norm > 1e-6);
          expectClose(c.d(x, y, gx / norm, gy / norm).tangent, norm, 1e-12);
        }),
      );
    });
  }

  it("x^2 + y^2 at (1, 2): among 360 directions on the circle the steepest is the gradient's", () => {
    // grad = (2, 4), |grad| = sqrt(20), direction atan2(2, 1) ~ 63.43 degrees.
    let best = -Infinity;
    let bestAngle = 0;
    for (let k = 0; k < 360; k++) {
      const a = (2 * Math.PI * k) / 360;
      const rate = bowlJvp(1, 2, Math.cos(a), Math.sin(a)).tangent;
      expectClose(rate, 2 * Math.cos(a) + 4 * Math.sin(a), 1e-12);
      if (rate > best) {
        best = rate;
        bestAngle = a;
      }
    }
    expect(Math.abs(bestAngle - Math.atan2(2, 1))).toBeLessThanOrEqual((0.5 * Math.PI) / 180);
    expect(best).toBeLessThanOrEqual(Math.sqrt(20));
    // cos(0.5 degrees) bounds how far below |grad| the best sampled direction can be.
    expect(best).toBeGreaterThanOrEqual(Math.sqrt(20) * Math.cos((0.5 * Math.PI) / 180));
  });
});

// ---- 3. gradient descent and Newton on (x1^2 + 10 x2^2) / 2 ------------------------------------

describe("one step on f(x1, x2) = (x1^2 + 10 x2^2) / 2 from (1, 1)", () => {
  it("the gradient there is (1, 10) and f = 5.5", () => {
    const { value, grad: g } = quadraticValueAndGrad([1, 1]);
    expect(value).toBe(5.5);
    expectClose(g, [1, 10], 1e-15);
  });

  it("one gradient-descent step of size 0.1 lands on (0.9, 0)", () => {
    const x: [number, number] = [1, 1];
    const g = quadraticGrad(x);
    expectClose([x[0] - 0.1 * g[0], x[1] - 0.1 * g[1]], [0.9, 0], 1e-15);
  });

  it("one Newton step with the Hessian diag(1, 10) lands on (0, 0)", () => {
    const x: [number, number] = [1, 1];
    const g = quadraticGrad(x);
    expectClose([x[0] - g[0] / 1, x[1] - g[1] / 10], [0, 0], 1e-15);
  });

  it("the hand-written Hessian diag(1, 10) is the finite-difference Jacobian of the gradient", () => {
    const h = 1e-5;
    const column = (j: 0 | 1) => {
      const up: [number, number] = [0.3, -0.7];
      const down: [number, number] = [0.3, -0.7];
      up[j] += h;
      down[j] -= h;
      const gu = quadraticGrad(up);
      const gd = quadraticGrad(down);
      return [(gu[0] - gd[0]) / (2 * h), (gu[1] - gd[1]) / (2 * h)];
    };
    expectClose([...column(0), ...column(1)], [1, 0, 0, 10], 1e-8);
  });

  it("gradient descent decreases f at random points for every step size below 2 / 10 (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 1e-3, max: 0.19, noNaN: true }), (a, b, rate) => {
        fc.pre(Math.hypot(a, b) > 1e-3);
        const { value, grad: g } = quadraticValueAndGrad([a, b]);
        // the gradient in closed form is (x1, 10 x2)
        expectClose(g, [a, 10 * b], 1e-14);
        const next: [number, number] = [a - rate * g[0], b - rate * g[1]];
        expect(quadratic(next)).toBeLessThan(value);
      }),
    );
  });

  it("a step of size above 2 / 10 increases f along x2 (the bound is sharp)", () => {
    const { value, grad: g } = quadraticValueAndGrad([0, 1]);
    expect(quadratic([0 - 0.25 * g[0], 1 - 0.25 * g[1]])).toBeGreaterThan(value);
  });
});

// ---- linear regression --------------------------------------------------------------------------

describe("mean squared error of a line", () => {
  const xs = [1, 2, 3];
  const ys = [4, 5, 7];

  it("on (1, 4), (2, 5), (3, 7) at w = 2, b = 1: L = 1/3 and dL/dw = dL/db = -2/3", () => {
    const { value, grad: g } = mseValueAndGrad(2, 1, xs, ys);
    expectClose(value, 1 / 3, 1e-15);
    expectClose(g, [-2 / 3, -2 / 3], 1e-15);
  });

  it("the gradient matches finite differences at random lines on random data (property)", () => {
    const small = fc.double({ min: -5, max: 5, noNaN: true });
    fc.assert(
      fc.property(small, small, fc.array(fc.tuple(small, small), { minLength: 1, maxLength: 8 }), (w, b, pts) => {
        const px = pts.map((p) => p[0]);
        const py = pts.map((p) => p[1]);
        const { value, grad: g } = mseValueAndGrad(w, b, px, py);
        expectClose(value, mse(w, b, px, py), 1e-15);
        expectClose(g[0], numericGradient(mse, [w, b, px, py], 0), 1e-6);
        expectClose(g[1], numericGradient(mse, [w, b, px, py], 1), 1e-6);
      }),
    );
  });

  it("gradient descent reaches the least-squares line of the normal equations", () => {
    // Normal equations: w = Sxy / Sxx, b = mean(y) - w mean(x).
    const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
    const my = ys.reduce((s, v) => s + v, 0) / ys.length;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
    }
    const wStar = sxy / sxx;
    const bStar = my - wStar * mx;
    let w = 2;
    let b = 1;
    let previous = Infinity;
    for (let step = 0; step < 5000; step++) {
      const { value, grad: g } = mseValueAndGrad(w, b, xs, ys);
      // non-increasing, up to rounding once the minimum is reached
      expect(value).toBeLessThanOrEqual(previous * (1 + 1e-12));
      previous = value;
      w -= 0.1 * g[0];
      b -= 0.1 * g[1];
    }
    expectClose([w, b], [wStar, bStar], 1e-9);
    expectClose([w, b], [1.5, 7 / 3], 1e-9);
  });
});

// ---- differentiating through Newton's method ----------------------------------------------------

describe("derivative of a Newton solver's root with respect to its parameters", () => {
  const positive = fc.double({ min: 0.1, max: 10, noNaN: true });
  const rhs = fc.double({ min: -20, max: 20, noNaN: true });

  it("through the loop = implicit function theorem = finite differences (property)", () => {
    fc.assert(
      fc.property(positive, rhs, (p, q) => {
        const x = root(p, q);
        expect(Math.abs(x ** 3 + p * x - q)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(q)));
        const [dxdp, dxdq] = rootGrad(p, q);
        const slope = 3 * x * x + p;
        expectClose([dxdp, dxdq], [-x / slope, 1 / slope], 1e-10, "grad vs implicit function theorem");
        expectClose(dxdp, numericGradient(root, [p, q], 0), 1e-5, "dx/dp vs finite differences");
        expectClose(dxdq, numericGradient(root, [p, q], 1), 1e-5, "dx/dq vs finite differences");
      }),
    );
  });

  it("forward mode through the loop agrees: jvp(root)(p, q, dp, dq) = dx/dp dp + dx/dq dq", () => {
    const [p, q] = [2, 5];
    const x = root(p, q);
    const slope = 3 * x * x + p;
    const r = rootJvp(p, q, 0.3, -1.2);
    expect(r.value).toBe(x);
    expectClose(r.tangent, (-x / slope) * 0.3 + (1 / slope) * -1.2, 1e-12);
  });
});

// ---- the Rosenbrock function, imported from the example -----------------------------------------

describe("grad of the Rosenbrock function exported by examples/rosenbrock.ts", () => {
  /** The gradient worked out by hand. */
  function rosenGradByHand(x: number[]): number[] {
    const g = new Array<number>(x.length).fill(0);
    for (let i = 0; i + 1 < x.length; i++) {
      const a = x[i + 1]! - x[i]! * x[i]!;
      g[i]! += -400 * x[i]! * a - 2 * (1 - x[i]!);
      g[i + 1]! += 200 * a;
    }
    return g;
  }

  it("is zero at (1, ..., 1)", () => {
    expect(rosenGrad([1, 1, 1, 1, 1])).toEqual([0, 0, 0, 0, 0]);
  });

  it("matches the closed form at random points (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2, maxLength: 12 }), (x) => {
        expectClose(rosenGrad(x), rosenGradByHand(x), 1e-12);
      }),
    );
  });
});
