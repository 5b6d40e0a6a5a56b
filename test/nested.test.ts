/**
 * Derivatives called inside differentiated functions: a function that calls grad, valueAndGrad,
 * jvp or hvp of another is differentiated again, in all four combinations of modes (forward over
 * forward, forward over reverse, reverse over forward, reverse over reverse), through loops and
 * arrays, and to third order (hessian of a function that calls grad). Each is checked against
 * central finite differences and forward against reverse (the dot-product test), at hand-picked
 * and at random points. Then: tuples and objects that such calls return, read by field or
 * destructured, and destructuring of arrays and parameters in ordinary code.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jvp, valueAndGrad } from "tsgrad";
import { verifyDerivatives } from "./support/verify.js";
import { expectClose, matVec, numericHessian } from "./support/numeric.js";

function h(x: number, y: number): number {
  return x * x * y + Math.sin(x * y);
}

/** A product of the partial derivatives of h, through grad (reverse mode inside). */
function gradProduct(x: number): number {
  const [dx, dy] = grad(h)(x, 2 * x);
  return dx * dy;
}

/** The same through jvp along the axes (forward mode inside). */
function jvpProduct(x: number): number {
  const dx = jvp(h, { wrt: [0] })(x, 2 * x, 1).tangent;
  const dy = jvp(h, { wrt: [1] })(x, 2 * x, 1).tangent;
  return dx * dy;
}

/** A two-player objective: p minimises, q maximises. */
function payoff(p: number[], q: number[]): number {
  return p[0]! * p[0]! + p[1]! * q[0]! - q[1]! * q[1]! + q[0]! * q[0]! * p[0]! + Math.sin(q[1]! * p[1]!);
}

/** Best response of q to p by gradient ascent, with the inner gradient from reverse mode. */
function bestResponseReverse(p: number[]): number {
  const q = [0.5, 0.5];
  for (let k = 0; k < 4; k++) {
    const g = grad(payoff, { wrt: [1] })(p, q);
    q[0] = q[0]! + 0.1 * g[0]!;
    q[1] = q[1]! + 0.1 * g[1]!;
  }
  return payoff(p, q);
}

/** The same with the inner gradient from forward mode, one direction per coordinate. */
function bestResponseForward(p: number[]): number {
  const q = [0.5, 0.5];
  for (let k = 0; k < 4; k++) {
    const g0 = jvp(payoff, { wrt: [1] })(p, q, [1, 0]).tangent;
    const g1 = jvp(payoff, { wrt: [1] })(p, q, [0, 1]).tangent;
    q[0] = q[0]! + 0.1 * g0;
    q[1] = q[1]! + 0.1 * g1;
  }
  return payoff(p, q);
}

/** Gradient ascent that also tracks the payoff: a `{ value, grad }` holding an array, made in every iteration. */
function ascentWithValues(p: number[]): number {
  const q = [0.5, 0.5];
  let total = 0;
  for (let k = 0; k < 3; k++) {
    const r = valueAndGrad(payoff, { wrt: [1] })(p, q);
    total += r.value * 0.1;
    q[0] = q[0]! + 0.1 * r.grad[0]!;
    q[1] = q[1]! + 0.1 * r.grad[1]!;
  }
  return total + q[0]! * q[1]!;
}

/** A charge pulled by a field: the acceleration is minus the gradient of the potential. */
function potential(pos: number[], w: number): number {
  let s = 0;
  for (let i = 0; i < pos.length; i++) s += 1 / Math.sqrt((pos[i]! - w) * (pos[i]! - w) + 0.5 + i);
  return s;
}
function landing(w: number, v0: number[]): number {
  const pos = [0.1, 0.8];
  const vel = v0.slice();
  let t = 0;
  while (t < 6) {
    const a = grad(potential, { wrt: [0] })(pos, w);
    for (let i = 0; i < pos.length; i++) {
      vel[i] = vel[i]! - 0.05 * a[i]!;
      pos[i] = pos[i]! + 0.05 * vel[i]!;
    }
    t++;
  }
  return pos[0]! * pos[0]! + pos[1]!;
}

/** valueAndGrad inside, through a module-level binding, read by destructuring and by field. */
const payoffAndGrad = valueAndGrad(payoff, { wrt: [0] });
function usesValueAndGrad(x: number): number {
  const { value, grad: g } = payoffAndGrad([x, x * x], [1, x]);
  const r = payoffAndGrad([x, 1], [x, 2]);
  return value * g[0]! + r.grad[1]! * r.value;
}

/** A derivative bound to a local const, called twice. */
function localBinding(x: number[]): number {
  const dh = grad(h, { wrt: [0] });
  return dh(x[0]!, x[1]!) * dh(x[1]!, x[0]!);
}

/** A Hessian-vector product inside (forward mode outside only). */
function curvature(x: number): number {
  const v = hvp(payoff, { wrt: [0] })([x, 2 * x], [1, 1], [1, -1]);
  return v[0]! * v[1]!;
}

/** Third order through tuples and objects that calls return: grad of two parameters, jvp, a helper's tuple. */
function gradTuple(x: number[]): number {
  const [dx, dy] = grad(h)(x[0]!, x[1]!);
  return dx * dy + x[0]! * dx;
}
function jvpRecord(x: number[]): number {
  const r = jvp(h)(x[0]!, x[1]!, x[1]!, 1);
  return r.tangent * r.tangent + r.value;
}
function polarPair(x: number, y: number): [number, number] {
  const r = Math.hypot(x, y);
  return [r * r, Math.atan2(y, x)];
}
function helperTuple(x: number[]): number {
  const [r2, t] = polarPair(x[0]!, x[1]!);
  return r2 * Math.sin(t) + t * t;
}
const thirdOrder = [
  { name: "grad of a two-parameter function, destructured", f: gradTuple, H: hessian(gradTuple), Hv: hvp(gradTuple) },
  { name: "jvp's { value, tangent }", f: jvpRecord, H: hessian(jvpRecord), Hv: hvp(jvpRecord) },
  { name: "a helper's tuple", f: helperTuple, H: hessian(helperTuple), Hv: hvp(helperTuple) },
];

describe("derivatives of functions that call derivatives", () => {
  it("reverse and forward over grad (rr, fr)", () => {
    for (const x of [0.7, -1.3, 2.1]) verifyDerivatives(gradProduct, { grad: grad(gradProduct), jvp: jvp(gradProduct), valueAndGrad: valueAndGrad(gradProduct) }, [x]);
  });
  it("reverse and forward over jvp (rf, ff)", () => {
    for (const x of [0.7, -1.3, 2.1]) verifyDerivatives(jvpProduct, { grad: grad(jvpProduct), jvp: jvp(jvpProduct), valueAndGrad: valueAndGrad(jvpProduct) }, [x]);
  });
  it("grad and jvp inside agree, so both callers have the same derivative", () => {
    fc.assert(
      fc.property(fc.double({ min: -2, max: 2, noNaN: true }), (x) => {
        expectClose(gradProduct(x), jvpProduct(x), 1e-12);
        expectClose(grad(gradProduct)(x), grad(jvpProduct)(x), 1e-9);
      }),
    );
  });
  it("best response by inner gradient ascent: all four combinations of modes", () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (a, b) => {
        const p = [a, b];
        verifyDerivatives(bestResponseReverse, { grad: grad(bestResponseReverse), jvp: jvp(bestResponseReverse) }, [p]);
        verifyDerivatives(bestResponseForward, { grad: grad(bestResponseForward), jvp: jvp(bestResponseForward) }, [p]);
        expectClose(grad(bestResponseReverse)(p), grad(bestResponseForward)(p), 1e-9);
      }),
      { numRuns: 20 },
    );
  });
  it("a { value, grad } holding an array, made in every iteration of a loop", () => {
    verifyDerivatives(ascentWithValues, { grad: grad(ascentWithValues), jvp: jvp(ascentWithValues), valueAndGrad: valueAndGrad(ascentWithValues) }, [[0.4, -0.3]]);
  });
  it("a trajectory driven by the gradient of a potential, differentiated with respect to the field and the start", () => {
    verifyDerivatives(landing, { grad: grad(landing), jvp: jvp(landing), valueAndGrad: valueAndGrad(landing) }, [0.3, [0.2, -0.1]]);
  });
  it("valueAndGrad inside, through a module-level binding, destructured and read by field", () => {
    for (const x of [0.4, -0.9]) verifyDerivatives(usesValueAndGrad, { grad: grad(usesValueAndGrad), jvp: jvp(usesValueAndGrad), valueAndGrad: valueAndGrad(usesValueAndGrad) }, [x]);
  });
  it("a derivative bound to a local const", () => {
    verifyDerivatives(localBinding, { grad: grad(localBinding), jvp: jvp(localBinding) }, [[0.6, -0.4]]);
  });
  it("hvp inside, forward mode outside", () => {
    const d = jvp(curvature);
    for (const x of [0.4, -1.1]) {
      const e = 1e-6;
      expectClose(d(x, 1).tangent, (curvature(x + e) - curvature(x - e)) / (2 * e), 1e-6);
      expect(d(x, 1).value).toBe(curvature(x));
    }
  });
  it("third order: the Hessian of a function that calls grad is symmetric and matches second differences of the function", () => {
    const H = hessian(bestResponseReverse)([0.3, -0.6]);
    expectClose(H, numericHessian(bestResponseReverse, [0.3, -0.6]), 1e-5);
    expectClose(H[0]![1]!, H[1]![0]!, 1e-9);
  });
  for (const c of thirdOrder)
    it(`second order through ${c.name}: Hessian and hvp = second differences of the function, symmetric, hvp = H v`, () => {
      fc.assert(
        fc.property(fc.double({ min: 0.2, max: 1.5, noNaN: true }), fc.double({ min: 0.2, max: 1.5, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (a, b, v) => {
          const x = [a, b];
          const H = c.H(x);
          const reference = numericHessian(c.f, x);
          expectClose(H, reference, 1e-5);
          expectClose(H[0]![1]!, H[1]![0]!, 1e-9);
          const dir = [v, 1 - v];
          expectClose(c.Hv(x, dir), matVec(reference, dir), 1e-5);
          expectClose(c.Hv(x, dir), H.map((row) => row[0]! * dir[0]! + row[1]! * dir[1]!), 1e-9);
        }),
        { numRuns: 15 },
      );
    });
});

// ---- tuples, objects and arrays taken apart in ordinary code ---------------------------------

interface Layer {
  readonly w: number[];
  readonly b: number;
}

function destructuring(p: Layer, xy: readonly [number, number]): number {
  const { w, b: bias } = p;
  const [x, y] = xy;
  const [w0, , w2] = w;
  const [s, t] = [x * w0! + bias, y * w2!];
  return Math.tanh(s) * t + w[1]!;
}

describe("destructuring", () => {
  it("objects, tuples, arrays (with holes) and array literals", () => {
    verifyDerivatives(destructuring, { grad: grad(destructuring), jvp: jvp(destructuring), valueAndGrad: valueAndGrad(destructuring) }, [{ w: [0.5, -1, 2], b: 0.3 }, [0.7, -0.2]]);
  });
});
