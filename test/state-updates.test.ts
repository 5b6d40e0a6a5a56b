/**
 * Loop-carried state given whole new values, the way integrators and optimisers are written:
 * a `let` tuple or object reassigned (`s = rk4(s, dt)`), and an array that owns its values given
 * the array a `.map` or `Array.from` makes (`w = w.map((v, j) => v - lr * g[j])`). References:
 * central finite differences of the plain function, the other mode, and closed forms.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hvp, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

type State = [number, number];

function oscillator(s: State, k: number, c: number): State {
  return [s[1], -k * Math.sin(s[0]) - c * s[1]];
}

/** One Runge-Kutta step of a tuple state. */
function rk4(s: State, dt: number, k: number, c: number): State {
  const a = oscillator(s, k, c);
  const b = oscillator([s[0] + 0.5 * dt * a[0], s[1] + 0.5 * dt * a[1]], k, c);
  const q = oscillator([s[0] + 0.5 * dt * b[0], s[1] + 0.5 * dt * b[1]], k, c);
  const d = oscillator([s[0] + dt * q[0], s[1] + dt * q[1]], k, c);
  return [s[0] + (dt / 6) * (a[0] + 2 * b[0] + 2 * q[0] + d[0]), s[1] + (dt / 6) * (a[1] + 2 * b[1] + 2 * q[1] + d[1])];
}

/** Squared misfit of the angle after `steps` steps, from a state the loop carries as a tuple. */
function trajectoryLoss(k: number, c: number, angle0: number, steps: number): number {
  let s: State = [angle0, 0];
  let loss = 0;
  for (let i = 0; i < steps; i++) {
    s = rk4(s, 0.05, k, c);
    if (i % 5 === 4) loss += (s[0] - 0.3) * (s[0] - 0.3);
  }
  return loss + s[1] * s[1];
}

/** A swap each step: after n steps the pair is (a, b) or (b, a), so d/da is 3 or 1 (closed form). */
function swapped(a: number, b: number, n: number): number {
  let p: [number, number] = [a, b];
  for (let i = 0; i < n; i++) p = [p[1], p[0]];
  return 3 * p[0] + p[1];
}

/** An object state with a boolean leaf, reassigned in a branch, read by a local helper. */
function bouncing(h0: number, v0: number): number {
  let st = { h: h0, v: v0, up: v0 > 0 };
  const energy = () => 0.5 * st.v * st.v + 9.81 * st.h;
  let e = 0;
  for (let i = 0; i < 40; i++) {
    const next = { h: st.h + 0.01 * st.v, v: st.v - 0.0981, up: st.v - 0.0981 > 0 };
    if (next.h < 0) st = { h: -next.h, v: -0.9 * next.v, up: true };
    else st = next;
    e += st.up ? energy() : 0.5 * energy();
  }
  return e;
}

/** Gradient descent written with `map`: `w` owns its array and is given the mapped one. */
function descended(w0: number[], lr: number): number {
  let w = w0.slice();
  for (let k = 0; k < 4; k++) {
    const g = grad(quadratic)(w);
    w = w.map((v, j) => v - lr * g[j]!);
  }
  return quadratic(w);
}

function quadratic(w: number[]): number {
  let s = 0;
  for (let j = 0; j < w.length; j++) s += (j + 1) * (w[j]! - j) * (w[j]! - j) + w[j]! * w[(j + 1) % w.length]!;
  return s;
}

/** The same with Array.from, and a Float64Array. */
function relaxed(u0: Float64Array): number {
  let u = Float64Array.from(u0);
  for (let k = 0; k < 3; k++) u = Float64Array.from(u, (v, i) => 0.5 * v + 0.25 * (u[(i + 1) % u.length]! + Math.sin(v)));
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i]! * u[i]!;
  return s;
}

describe("a let tuple or object given new values", () => {
  it("a Runge-Kutta integrator carrying a tuple: finite differences and forward mode", () => {
    const d = {
      grad: grad(trajectoryLoss, { wrt: [0, 1, 2] }),
      jvp: jvp(trajectoryLoss),
      valueAndGrad: valueAndGrad(trajectoryLoss, { wrt: [0, 1, 2] }),
    };
    for (const point of [
      [2.1, 0.3, 1, 30],
      [0.7, 0.05, -0.4, 12],
      [1.5, 0.2, 0.9, 0],
    ])
      verifyDerivatives(trajectoryLoss, d, point, { params: [0, 1, 2] });
  });

  it("second order through the integrator: hvp against finite differences of the gradient", () => {
    const g = grad(trajectoryLoss, { wrt: [0, 1, 2] });
    const x = [2.1, 0.3, 1] as const;
    const v = [1, -0.5, 0.25] as const;
    const h = 1e-5;
    const at = (t: number) => g(x[0] + t * v[0], x[1] + t * v[1], x[2] + t * v[2], 20);
    const plus = at(h);
    const minus = at(-h);
    const fd = plus.map((p, i) => (p - minus[i]!) / (2 * h));
    const hv = hvp((p: number[]) => trajectoryLoss(p[0]!, p[1]!, p[2]!, 20))([...x], [...v]);
    expectClose(hv, fd, 1e-5);
  });

  it("a swap each step: the closed form, for every step count", () => {
    const g = grad(swapped, { wrt: [0, 1] });
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 9 }),
        (a, b, n) => {
          expect(g(a, b, n)).toEqual(n % 2 === 0 ? [3, 1] : [1, 3]);
          expect(swapped(a, b, n)).toBe(n % 2 === 0 ? 3 * a + b : 3 * b + a);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("an object with a boolean field, reassigned in branches and read by a local helper", () => {
    const d = { grad: grad(bouncing), jvp: jvp(bouncing), valueAndGrad: valueAndGrad(bouncing) };
    for (const point of [
      [0.3, 1.2],
      [0.05, -0.7],
      [1.1, 0.4],
    ])
      verifyDerivatives(bouncing, d, point);
  });

  it("a tuple holding an array cannot be reassigned: refused at its declaration, with a hint", () => {
    const c = compileSource(
      `import { grad } from "tsgrad";\nfunction f(x: number[]): number {\n  let p: [number[], number] = [x.slice(), 1];\n  p = [x.slice(), 2];\n  return p[0][0]! * p[1];\n}\nexport const g = grad(f);\n`,
    );
    expect(c.messages.join("\n")).toMatch(/^TSG1010 3:\d+ .*reassigned may hold numbers and booleans, not number\[\] \(`p\.0`\)/m);
  });
});

describe("an array that owns its values, given the array .map or Array.from makes", () => {
  it("gradient descent written with map: the outer gradient against finite differences", () => {
    const g = grad(descended, { wrt: [0, 1] });
    for (const [w, lr] of [
      [[0.5, -1.2, 2], 0.05],
      [[1, 1, 1, 1], 0.1],
    ] as const) {
      const [gw, glr] = g([...w], lr);
      expectClose(gw, numericGradient(descended, [[...w], lr], 0), 1e-5);
      expectClose(glr, numericGradient(descended, [[...w], lr], 1), 1e-5);
    }
  });

  it("relaxation written with Float64Array.from over the array it replaces: finite differences and forward mode", () => {
    const d = { grad: grad(relaxed), jvp: jvp(relaxed), valueAndGrad: valueAndGrad(relaxed) };
    verifyDerivatives(relaxed, d, [new Float64Array([0.3, -1.1, 0.8, 2])]);
  });
});
