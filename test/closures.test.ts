/**
 * Closures and local helpers: functions that read variables of the functions around them. What
 * a closure captures is data (no derivative), read when the derivative is called; a local helper
 * called by a differentiated function is differentiated with it, and the variables it captures
 * from its caller carry derivatives through it.
 *
 * References are closed forms and central finite differences of the plain closures, and the
 * other mode (verifyDerivatives: forward against reverse).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, hvp, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

function mse(w: number, b: number, xs: number[], ys: number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    const r = w * xs[i]! + b - ys[i]!;
    s += r * r;
  }
  return s / xs.length;
}

/** The training loop of the issue: grad of a loss that closes over the batch, in a loop. */
function train(xs: number[], ys: number[], steps: number): [number, number] {
  let w = 0;
  let b = 0;
  const f = (w: number, b: number) => mse(w, b, xs, ys);
  for (let k = 0; k < steps; k++) {
    const [dw, db] = grad(f)(w, b);
    w -= 0.1 * dw;
    b -= 0.1 * db;
  }
  return [w, b];
}

/** Curvature of a closure whose local helpers read the closure's own parameter and outer data. */
function withLocalHelpers(x: number[], scale: number) {
  const offset = 0.5;
  function sq(t: number): number {
    return t * t * scale;
  }
  const cube = (t: number) => t * sq(t) + offset;
  const g = (p: number[]) => {
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      if (i % 2 === 0) s += cube(p[i]!);
      else s += sq(p[i]!) * x[i]! + Math.sin(cube(p[i]!));
    }
    return s;
  };
  return { g, grad: grad(g), jvp: jvp(g), valueAndGrad: valueAndGrad(g), hessian: hessian(g), hvp: hvp(g) };
}

describe("closures", () => {
  it("grad of a loss that closes over the batch, called in a training loop, fits the line", () => {
    const xs = [0, 1, 2, 3, 4];
    const ys = xs.map((x) => 2 * x + 1);
    const [w, b] = train(xs, ys, 2000);
    expect(w).toBeCloseTo(2, 6);
    expect(b).toBeCloseTo(1, 6);
  });

  it("captured data has no derivative: the gradient is the closure's, against finite differences and forward mode", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        (xs, w, b) => {
          const ys = xs.map((x) => Math.cos(x));
          const f = (w: number, b: number) => mse(w, b, xs, ys) + Math.tanh(w * b);
          verifyDerivatives(f, { grad: grad(f), jvp: jvp(f), valueAndGrad: valueAndGrad(f) }, [w, b]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("reads captured variables when the derivative is called, as the closure does", () => {
    let k = 1;
    const f = (x: number) => k * x * x;
    const df = grad(f);
    k = 3;
    expect(df(2)).toBe(12);
  });

  it("an arrow written in the marker call captures what is around it", () => {
    const scale = 2.5;
    const data = [1, -2, 3];
    const g = grad((p: number[]) => p[0]! * p[1]! * scale + data[2]! * p[1]!);
    expect(g([2, 3])).toEqual([3 * scale, 2 * scale + 3]);
  });

  it("nested markers over a closure: grad(grad(g)), jvp(grad(g)), and grad inside a closure", () => {
    const a = 1.7;
    const g = (x: number) => Math.sin(a * x) * x;
    const x = 0.4;
    // g'' = 2a cos(ax) - a^2 x sin(ax)
    expectClose(grad(grad(g))(x), 2 * a * Math.cos(a * x) - a * a * x * Math.sin(a * x), 1e-12);
    const jg = jvp(grad(g))(x, 1);
    expectClose(jg.value, Math.sin(a * x) + a * x * Math.cos(a * x), 1e-12);
    expectClose(jg.tangent, 2 * a * Math.cos(a * x) - a * a * x * Math.sin(a * x), 1e-12);
    const h = (t: number) => a * t * t;
    const f = (t: number) => grad(h)(t) * t; // 2a t^2
    expectClose(grad(f)(3), 12 * a, 1e-12);
  });
});

describe("local helpers", () => {
  it("declared and arrow helpers, called in loops and branches and from each other: gradient, forward mode and value", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.double({ min: 0.2, max: 2, noNaN: true }),
        (p, x, scale) => {
          const d = withLocalHelpers(x, scale);
          verifyDerivatives(d.g, d, [p]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("second order through local helpers: Hessian and Hessian-vector product against finite differences of the gradient", () => {
    const x = [0.3, -0.8, 1.1];
    const p = [0.7, -0.4, 0.9];
    const d = withLocalHelpers(x, 1.3);
    const H = d.hessian(p);
    p.forEach((_, j) => {
      const column = numericGradient(((q: number[]) => d.grad(q)[j]!) as never, [p], 0, 1e-5) as number[];
      expectClose(H.map((row) => row[j]!), column, 1e-6, `Hessian column ${j}`);
    });
    const v = [1, -2, 0.5];
    expectClose(d.hvp(p, v), H.map((row) => row.reduce((s, h, j) => s + h * v[j]!, 0)), 1e-9, "hvp against H v");
  });

  it("a helper's captured variables carry derivatives: w reaches the result through scale()", () => {
    const f = (q: number[], w: number) => {
      const scale = (t: number) => t * w;
      const term = (t: number) => scale(t) * scale(t);
      return term(q[0]!) + term(q[1]!);
    };
    fc.assert(
      fc.property(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (a, b, w) => {
        const [gq, gw] = grad(f)([a, b], w);
        expectClose(gq, [2 * w * w * a, 2 * w * w * b], 1e-9);
        expectClose(gw, 2 * w * (a * a + b * b), 1e-9);
      }),
      { numRuns: 30 },
    );
  });

  it("a local helper may capture a tuple or object: a structured parameter, or one made in the function", () => {
    // h(a, o) = o.p a o.q[0] + o.p + pair[0] pair[1] with pair = [a o.p, o.q[1]]
    const h = (a: number, o: { p: number; q: number[] }) => {
      const pair: [number, number] = [a * o.p, o.q[1]!];
      const scaled = (u: number) => o.p * u * o.q[0]!;
      const cross = () => pair[0] * pair[1];
      return scaled(a) + o.p + cross();
    };
    const d = { grad: grad(h), jvp: jvp(h), valueAndGrad: valueAndGrad(h), hvp: hvp(h) };
    fc.assert(
      fc.property(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (a, p, q0) => {
        const q1 = 0.5 - q0;
        const [ga, go] = d.grad(a, { p, q: [q0, q1] });
        // closed form: d/da = p q0 + p q1; d/dp = a q0 + 1 + a q1; d/dq = [p a, a p]
        expectClose(ga, p * q0 + p * q1, 1e-9, "d/da");
        expectClose(go.p, a * q0 + 1 + a * q1, 1e-9, "d/dp");
        expectClose(go.q, [p * a, a * p], 1e-9, "d/dq");
      }),
      { numRuns: 25 },
    );
    verifyDerivatives(h, d, [0.7, { p: -1.3, q: [0.4, 2.1] }]);
  });
});

describe("what closures may not do is refused at compile time", () => {
  const refusals = (body: string) => compileSource(`import { grad } from "tsgrad";\n${body}`).messages;

  it("writing a captured variable", () => {
    const m = refusals(`export function t(): number {\n  let total = 0;\n  const f = (w: number) => { total = total + w; return w * w; };\n  return grad(f)(1) + total;\n}`);
    expect(m).toEqual([expect.stringMatching(/^TSG1003 4:30 .*`total` belongs to an enclosing function/)]);
  });

  it("writing into a captured array", () => {
    const m = refusals(`export function t(buf: number[]): number {\n  const f = (w: number) => { buf[0] = w; return w * w; };\n  return grad(f)(1);\n}`);
    expect(m).toEqual([expect.stringMatching(/^TSG1003 3:30 /)]);
  });

  it("a marker where a captured name means something else", () => {
    const m = refusals(`export function t(): number {\n  const k = 2;\n  const f = (x: number) => k * x;\n  {\n    const k = "s";\n    return grad(f)(1) + k.length;\n  }\n}`);
    expect(m).toEqual([expect.stringMatching(/^TSG1012 7:12 .*`k` means something else here/)]);
  });

  it("a helper bound with let, which may be rebound", () => {
    const m = refusals(`export function t(a: number): number {\n  let h = (x: number) => a * x;\n  const f = (x: number) => h(x);\n  h = (x: number) => x;\n  return grad(f)(1);\n}`);
    expect(m).toEqual([expect.stringMatching(/^TSG1012 4:28 .*bound with let or var/)]);
  });
});
