/**
 * Arrays returned by the program's functions belong to the caller: a function's array result is
 * checked to be one it made (never a parameter or module array it would share), so the caller may
 * write into it, and a variable that owns its array may be given a new one from a call
 * (`u = step(u)`, the time step of a simulation). References: central finite differences of the
 * plain function, forward against reverse mode, and the Hessian against finite differences of
 * the gradient.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericHessian } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

/** One explicit step of a damped, coupled oscillator chain: a new array each call. */
function step(u: number[], dt: number): number[] {
  const v = u.slice();
  for (let i = 0; i < v.length; i++) {
    const right = u[(i + 1) % u.length]!;
    v[i] = u[i]! + dt * (Math.sin(right) - 0.5 * u[i]! * u[i]!);
  }
  return v;
}

/** A helper's result written by the caller, then stepped in place of the array it owns. */
function simulate(x: number[], dt: number): number {
  const w = step(x, dt);
  w[0] = w[0]! * w[1]!;
  w[w.length - 1]! += Math.cos(w[0]!);
  let u = x.slice();
  for (let k = 0; k < 4; k++) {
    u = step(u, dt);
    u[1] = u[1]! * 1.5 + u[0]!;
  }
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i]! * w[i]!;
  return s;
}

/** `let u = step(x)`: the variable owns its array from the start and is stepped in a loop. */
function rollout(x: number[]): number {
  let u = step(x, 0.1);
  for (let k = 0; k < 3; k++) {
    u[0] = u[0]! + 0.25 * u[u.length - 1]!;
    u = step(u, 0.1);
  }
  return u[0]! * u[1]! + u[2]! * u[2]!;
}

const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 1500 + 0.0003);
// A time step of an explicit scheme: with steps near 1 the quadratic damping makes the state grow
// to 1e6 in four steps, and central differences of the small entries lose every digit to rounding.
const timeStep = fc.integer({ min: 1, max: 300 }).map((i) => i / 1000 + 0.0003);

describe("arrays returned by helpers are the caller's", () => {
  it("writing into a helper's result and `u = step(u)`: gradient, value and forward mode", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 3, maxLength: 6 }), timeStep, (x, dt) => {
        verifyDerivatives(simulate, { grad: grad(simulate), jvp: jvp(simulate), valueAndGrad: valueAndGrad(simulate) }, [x, dt]);
      }),
      { numRuns: 30 },
    );
  });

  it("a variable declared from a call owns its array", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 3, maxLength: 5 }), (x) => {
        verifyDerivatives(rollout, { grad: grad(rollout), jvp: jvp(rollout), valueAndGrad: valueAndGrad(rollout) }, [x]);
      }),
      { numRuns: 30 },
    );
  });

  it("the Hessian (forward over reverse through the helper) matches finite differences of the function", () => {
    const x = [0.3, -0.2, 0.7, 0.1];
    const h = hessian(rollout)(x);
    expectClose(h, numericHessian(rollout, x), 1e-5, "Hessian");
  });

  it("the caller's writes do not reach the helper's input", () => {
    const x = [0.5, 0.25, -0.5];
    const before = x.slice();
    grad(simulate)(x, 0.1);
    jvp(simulate)(x, 0.1, [1, 0, 0], 0);
    expect(x).toEqual(before);
  });

  it("a helper returning an array it shares stays refused, at the call, with the copy to write", () => {
    const { messages } = compileSource(
      `import { grad } from "tsgrad";\nfunction id(u: number[]): number[] { return u; }\nfunction f(x: number[]): number { const w = id(x); w[0] = 2; return w[0]! * x[0]!; }\nexport const df = grad(f);`,
    );
    expect(messages).toEqual([
      expect.stringMatching(/^TSG1009 3:45 .*`id` returns an array it did not make \(`u`\).*hint: .*u\.slice\(\)/s),
    ]);
  });

  it("writing into a gradient returned by a derivative call stays refused", () => {
    const { messages } = compileSource(
      `import { grad } from "tsgrad";\nfunction h(x: number[]): number { return x[0]! * x[1]!; }\nfunction f(x: number[]): number { const g = grad(h)(x); g[0] = 2; return g[0]! * x[1]!; }\nexport const df = grad(f);`,
    );
    expect(messages).toEqual([expect.stringMatching(/^TSG1011 3:57 .*`g` may be an array the function does not own/)]);
  });
});

/** A helper returning an empty array in a tuple: TypeScript types `[]` there as never[]. */
function sumAndRest(x: number[]): [number, number[]] {
  let s = 0;
  for (const v of x) s += v * v;
  if (s > 100) return [s, [s]];
  return [s, []];
}
function withEmptyRest(x: number[]): number {
  const [s, rest] = sumAndRest(x);
  return s * rest.length + Math.sin(s) + (rest.length === 0 ? x[0]! : 0);
}

describe("an empty array literal in a returned tuple (`return [s, []]`)", () => {
  it("is an empty array: the gradient is the closed form on both branches", () => {
    // s <= 100: sin(s) + x0, gradient 2 x cos(s) + e0; s > 100: s + sin(s), gradient 2 x (1 + cos(s))
    for (const x of [
      [0.5, -1.5],
      [8, 7],
    ]) {
      const s = x.reduce((a, v) => a + v * v, 0);
      const want = x.map((v, i) => (s > 100 ? 2 * v * (1 + Math.cos(s)) : 2 * v * Math.cos(s) + (i === 0 ? 1 : 0)));
      expectClose(grad(withEmptyRest)(x), want, 1e-12);
    }
  });
});
