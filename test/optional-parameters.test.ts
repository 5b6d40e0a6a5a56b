/**
 * Optional parameters (`delta?: number`, `k: number | undefined`, `flip?: boolean`): given or left
 * out, at the marker and in helpers two levels deep, in loops and branches, read through `??`,
 * tests against undefined, `typeof`, TypeScript's narrowing, `??=` and assignments. References:
 * central finite differences of the plain functions, closed forms, and the other mode (jvp
 * against grad, hvp and hessian against differences of grad).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, hvp, jacobian, jvp, valueAndGrad, vjp } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { dot, expectClose, numericDirectional, numericGradient } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";
import { typeErrorsOf } from "./support/typecheck.js";

// ---- the functions under test --------------------------------------------------------------

function huber(r: number, delta?: number): number {
  const d = delta ?? 1;
  const a = Math.abs(r);
  return a <= d ? 0.5 * r * r : d * (a - 0.5 * d);
}

function loss(w: number[], clip?: number): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += huber(w[i]!, clip) + huber(w[i]! * 2);
  return s;
}

/** The threshold of the second term is a differentiated value: its derivative flows through `delta`. */
function selfClipped(w: number[]): number {
  return huber(w[0]!, w[1]! * w[1]!) + huber(w[1]!, undefined);
}

function scale(x: number, k?: number): number {
  if (k !== undefined) return x * k * k;
  return x;
}

function inner(x: number, k?: number, flip?: boolean): number {
  let y = scale(x, k) + Math.sin(x);
  if (flip) y = -y;
  if (typeof k === "number") y += k * x;
  if (k == null) y += Math.cos(x);
  return y;
}

function outer(x: number, y: number, k?: number, flip?: boolean): number {
  let t = inner(x * y, k, flip) + inner(y);
  k ??= 2;
  t += k * x * x;
  return t;
}

/** Every way of asking whether it was given, and the narrowed reads after each. */
function tests(x: number, p: number | undefined, q?: number): number {
  let s = p !== undefined ? p * x : 0;
  if (q === void 0) q = 3;
  s += q * x * x;
  if (p != null) s += Math.exp(p * x);
  if (p === undefined) s -= x;
  if (p === 0.5) s += 10 * x;
  if (p !== 0.5) s += 100;
  return s;
}

/** `??` with a default that is itself differentiated and computed. */
function computedDefault(x: number, y: number, k?: number): number {
  const m = k ?? Math.sqrt(x * x + y);
  return m * y + (k ?? x);
}

function vector(x: number[], k?: number): number[] {
  const m = k ?? 3;
  return [x[0]! * m * x[1]!, Math.exp(x[1]! / m)];
}

function quartic(x: number[], k?: number, flip?: boolean): number {
  const c = k ?? 1;
  const s = x[0]! * x[0]! * x[1]! * c + Math.sin(x[1]!) * x[0]!;
  return flip ? -s : s;
}

/** A derivative of a helper with an optional parameter, called inside: left out and passed on. */
function usesGrad(x: number, k?: number): number {
  return grad(huber)(x) * x + grad(huber, { wrt: [0] })(x, k) * x * x;
}

function withAux(x: number, k?: number): [number, number] {
  return [x * (k ?? 2), k ?? -1];
}

/** A local arrow helper with an optional parameter of its own. */
function localHelper(x: number, k?: number): number {
  const h = (y: number, m?: number) => y * y * (m ?? 3);
  return h(x) + h(x, k) + h(x, 2);
}

/** `||=` on a number (0 counts as left out), `??` on a boolean, truthiness of an optional boolean. */
function logical(x: number, k?: number, flag?: boolean): number {
  k ||= 4;
  const f = flag ?? true;
  let s = f ? x * k : -x;
  if (!flag) s += x * x;
  return s;
}

/** Given `undefined` in the body, then a value. */
function reset(x: number, k?: number): number {
  k = undefined;
  k ??= 5;
  return k * x;
}

/** A local helper that reads (captures) the optional parameter of the function around it. */
function captures(x: number, k?: number): number {
  const h = (y: number) => y * y * (k ?? 1);
  const g = (y: number) => (k !== undefined ? Math.sin(k * y) : y);
  return h(x) + g(x);
}

/** The training-loop pattern: a closure over an optional setting handed to grad. */
function trainStep(w: number, clip?: number): number {
  const f = (v: number) => huber(v - 3, clip);
  return w - 0.5 * grad(f)(w);
}

/** `k ??= 2` in the closure gives the enclosing function's `k` a value (as JavaScript does). */
function writesCaptured(x: number, k?: number): number {
  const h = (y: number) => {
    k ??= 2;
    return y * k;
  };
  const r = h(x);
  return r + (k ?? 0) * x;
}

// ---- points ----------------------------------------------------------------------------------

/** Points off a grid, so that random draws rarely sit on a kink. */
const coordinate = fc.integer({ min: -2999, max: 2999 }).map((i) => i / 1000 + 0.00037);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

describe("optional parameters: values and gradients", () => {
  it("the issue's example: given and left out, against closed forms", () => {
    // w = 0.5 is inside both thresholds; w = 3 outside: the slope is the threshold there
    expect(grad(loss)([0.5, 3], 2)).toEqual([0.5 + 4 * 0.5, 2 + 2]);
    expect(grad(loss)([0.5, 3])).toEqual([0.5 + 2, 1 + 2]);
    expect(valueAndGrad(loss)([0.5, 3]).value).toBe(loss([0.5, 3]));
    expect(valueAndGrad(loss)([0.5, 3], 0.25).value).toBe(loss([0.5, 3], 0.25));
  });

  it("the issue's example: every mode against finite differences, given and left out", () => {
    fc.assert(
      fc.property(
        fc.array(coordinate, { minLength: 1, maxLength: 4 }),
        maybe(fc.integer({ min: 1, max: 30 }).map((i) => i / 10 + 0.0013)),
        (w, clip) => {
          const thresholds = [clip ?? 1, 1];
          fc.pre(w.every((x) => thresholds.every((t, j) => Math.abs(Math.abs(x * (j + 1)) - t) > 1e-3 && Math.abs(x) > 1e-3)));
          verifyDerivatives(loss, { grad: grad(loss), jvp: jvp(loss), valueAndGrad: valueAndGrad(loss) }, [w, clip], { params: [0] });
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a differentiated value passed for a helper's optional parameter carries its derivative", () => {
    const w = [1.7, 1.1]; // |1.7| > 1.21: the threshold's derivative counts
    expectClose(grad(selfClipped)(w), numericGradient(selfClipped as never, [w], 0), 1e-7);
    verifyDerivatives(selfClipped, { grad: grad(selfClipped), jvp: jvp(selfClipped) }, [[0.3, -0.8]]);
  });

  it("helpers two levels deep, booleans, typeof, == null and ??=: random given/omitted patterns", () => {
    fc.assert(
      fc.property(coordinate, coordinate, maybe(coordinate), maybe(fc.boolean()), (x, y, k, flip) => {
        const d = { grad: grad(outer), jvp: jvp(outer), valueAndGrad: valueAndGrad(outer) };
        verifyDerivatives(outer, d, [x, y, k, flip], { params: [0, 1] });
      }),
      { numRuns: 60 },
    );
  });

  it("closed forms of the two-level helpers", () => {
    // k left out: inner(xy) = xy + sin(xy) + cos(xy), then + 2 x^2
    const [x, y] = [0.3, 0.7];
    const xy = x * y;
    const dInner = 1 + Math.cos(xy) - Math.sin(xy);
    const [gx, gy] = grad(outer)(x, y);
    expectClose(gx, y * dInner + 4 * x, 1e-12);
    expectClose(gy, x * dInner + (1 + Math.cos(y) - Math.sin(y)), 1e-12);
    // k = 1.5, flipped: inner(xy) = -(xy k^2 + sin(xy)) + k xy
    const [hx] = grad(outer)(x, y, 1.5, true);
    expectClose(hx, y * (-(1.5 * 1.5 + Math.cos(xy)) + 1.5) + 2 * 1.5 * x, 1e-12);
  });

  it("=== undefined, void 0, != null, === a value: each form, given and left out", () => {
    for (const p of [undefined, 0.5, -1.3])
      for (const q of [undefined, 0.7]) {
        verifyDerivatives(tests, { grad: grad(tests, { wrt: ["x"] }), jvp: jvp(tests, { wrt: [0] }) }, [0.9, p, q], { params: [0] });
      }
    // p = 0.5: p x + 3 x^2 + e^(p x) + 10 x, all at x = 0.9
    expectClose(grad(tests)(0.9, 0.5), 0.5 + 6 * 0.9 + 0.5 * Math.exp(0.45) + 10, 1e-12);
    expectClose(grad(tests)(0.9, undefined), 6 * 0.9 - 1, 1e-12);
  });

  it("a computed default is evaluated only when the parameter is left out", () => {
    for (const k of [undefined, 1.3]) {
      const args = [0.8, 0.6, k] as const;
      verifyDerivatives(computedDefault, { grad: grad(computedDefault), jvp: jvp(computedDefault) }, [...args], { params: [0, 1] });
    }
    // with k given, the square root is not taken: no NaN from a negative argument reaches the gradient
    expect(grad(computedDefault)(0.1, -1, 2)).toEqual([0, 2]);
    expect(grad(computedDefault)(0.1, -1).every(Number.isNaN)).toBe(true);
  });
});

describe("optional parameters with other constructs", () => {
  it("a derivative called inside, with the optional argument left out and passed on: closed forms", () => {
    // |x| > 1 and > k: huber'(x) = 1, huber'(x; k) = k sign(x) (k defaults to 1)
    expect(grad(usesGrad)(3)).toBe(1 + 2 * 3);
    expect(grad(usesGrad)(3, 2)).toBe(1 + 2 * 2 * 3);
    expect(grad(usesGrad)(-3, 0.5)).toBe(-1 - 2 * 0.5 * -3);
  });

  it("hasAux: the aux reads the optional parameter", () => {
    expect(grad(withAux, { hasAux: true })(3)).toEqual({ grad: 2, aux: -1 });
    expect(valueAndGrad(withAux, { hasAux: true })(3, 4)).toEqual({ value: 12, aux: 4, grad: 4 });
  });

  it("an arrow written in the marker call, and a local arrow helper", () => {
    const f = (x: number, k?: number) => x * x * (k ?? 1);
    expect([grad(f)(3), grad(f)(3, 2)]).toEqual([6, 12]);
    expect([grad(localHelper)(2), grad(localHelper)(2, 5)]).toEqual([4 * (3 + 3 + 2), 4 * (3 + 5 + 2)]);
  });

  it("a closure reading the optional parameter of the function around it: differentiated and handed to grad", () => {
    for (const k of [undefined, 0.7]) {
      const expected = 2 * 1.3 * (k ?? 1) + (k !== undefined ? k * Math.cos(k * 1.3) : 1);
      expectClose(grad(captures)(1.3, k), expected, 1e-12);
    }
    // w - 3 = -3.5: outside the threshold, the slope is -clip (clip defaults to 1)
    expect([trainStep(-0.5), trainStep(-0.5, 2)]).toEqual([-0.5 + 0.5, -0.5 + 0.5 * 2]);
  });

  it("a closure that writes the optional parameter it captures is inlined, and its write is the function's own", () => {
    expect([grad(writesCaptured)(1.5), grad(writesCaptured)(1.5, 3)]).toEqual([2 + 2, 3 + 3]);
  });

  it("||=, ?? on a boolean, truthiness, and `= undefined`: every pattern against finite differences", () => {
    for (const k of [undefined, 0, 3])
      for (const flag of [undefined, false, true]) {
        expectClose(grad(logical)(2, k, flag), numericGradient(logical as never, [2, k, flag], 0), 1e-7);
        expectClose(grad(reset)(2, k), 5, 0);
      }
    expect([grad(logical)(2), grad(logical)(2, 3, false), grad(logical)(2, 3, true)]).toEqual([4 + 4, -1 + 4, 3]);
  });
});

describe("optional parameters: other modes", () => {
  it("jvp against grad (the dot-product test), the optional argument given and left out", () => {
    for (const k of [undefined, 1.5]) {
      const r = jvp(outer)(0.3, 0.7, k, undefined, 0.6, -0.2);
      expect(r.value).toBe(outer(0.3, 0.7, k));
      expectClose(r.tangent, dot(grad(outer)(0.3, 0.7, k), [0.6, -0.2]), 1e-12);
    }
  });

  it("vjp's pullback is grad's, given and left out", () => {
    for (const k of [undefined, 1.5]) {
      const { value, pullback } = vjp(outer)(0.3, 0.7, k, true);
      expect(value).toBe(outer(0.3, 0.7, k, true));
      expectClose(
        pullback(2),
        grad(outer)(0.3, 0.7, k, true).map((g) => 2 * g),
        1e-12,
      );
    }
  });

  it("hvp and hessian against differences of grad", () => {
    const x = [0.4, -0.9];
    for (const [k, flip] of [
      [undefined, undefined],
      [1.7, undefined],
      [undefined, true],
      [0.6, false],
    ] as const) {
      const g = (z: number[]) => grad(quartic)(z, k, flip);
      const h = 1e-5;
      const rows = [0, 1].map((i) => {
        const plus = x.slice();
        const minus = x.slice();
        plus[i]! += h;
        minus[i]! -= h;
        return g(plus).map((gp, j) => (gp - g(minus)[j]!) / (2 * h));
      });
      expectClose(g(x), numericGradient(quartic as never, [x, k, flip], 0), 1e-7);
      expectClose(hessian(quartic)(x, k, flip), rows, 1e-6);
      const v = [0.3, 0.8];
      expectClose(
        hvp(quartic)(x, k, flip, v),
        [0, 1].map((i) => rows[i]![0]! * v[0]! + rows[i]![1]! * v[1]!),
        1e-6,
      );
    }
  });

  it("jacobian in both modes, vector forward mode included, against finite differences", () => {
    const x = [1.1, 0.7];
    for (const k of [undefined, 1.5]) {
      const fd = [0, 1].map(
        (j) => numericDirectional(vector as never, [x, k], [[j === 0 ? 1 : 0, j === 1 ? 1 : 0], undefined]) as number[],
      );
      const expected = [0, 1].map((i) => [fd[0]![i]!, fd[1]![i]!]);
      expectClose(jacobian(vector)(x, k), expected, 1e-7);
      expectClose(jacobian(vector, { mode: "forward" })(x, k), expected, 1e-7);
      expectClose(jacobian(vector, { mode: "reverse" })(x, k), expected, 1e-7);
    }
  });

  it("a `number | undefined` parameter (not marked `?`) is the same, passed explicitly", () => {
    expectClose(
      grad(tests, { wrt: [0] })(0.9, undefined, undefined),
      numericGradient(tests as never, [0.9, undefined, undefined], 0),
      1e-7,
    );
  });
});

describe("optional parameters: the markers' types", () => {
  it("derivatives may be called with the argument left out, and its gradient is not among the results", () => {
    expect(typeErrorsOf(new URL("./types/optional-parameters.types.ts", import.meta.url))).toEqual([]);
  });
});

describe("optional parameters: refusals", () => {
  const header = `import { grad } from "tsgrad";\n`;

  it("a read where the parameter may still be undefined: the code, the place and the hint", () => {
    // `as number` silences TypeScript, not tsgrad: the checker's type at `p` still includes undefined
    for (const read of ["p * x", "(p as number) * x", "p! * x"]) {
      const c = compileSource(`${header}function f(x: number, p?: number): number {\n  return ${read};\n}\nexport const df = grad(f);\n`);
      const col = read.indexOf("p") + 10;
      expect(c.messages).toEqual([
        expect.stringMatching(new RegExp(`^TSG1010 3:${col} .*\`p\` is an optional parameter and may be undefined here`)),
      ]);
      expect(c.diagnostics[0]!.file!.fileName).toBe(c.file);
      expect(c.messages[0]).toMatch(/hint: .*`p \?\? 1`.*narrow it first.*default value: `p = 1`/s);
    }
  });

  it("`wrt` naming an optional parameter, by name or by position", () => {
    for (const wrt of [`["p"]`, `[1]`]) {
      const c = compileSource(
        `${header}function f(x: number, p?: number): number { return x * (p ?? 2); }\nexport const df = grad(f, { wrt: ${wrt} });\n`,
      );
      expect(c.messages).toEqual([expect.stringMatching(/^TSG1013 3:35 .*parameter `p` is optional/)]);
      expect(c.messages[0]).toMatch(/hint: make it required \(`p: number`\) or give it a default value \(`p = 1`\)/);
    }
  });

  it("an argument that may be undefined but is not an optional parameter passed on", () => {
    const c = compileSource(
      `${header}function h(x: number, p?: number): number { return x * (p ?? 1); }\n` +
        `function f(x: number): number { return h(x, x > 0 ? x : undefined); }\nexport const df = grad(f);\n`,
    );
    expect(c.messages).toEqual([expect.stringMatching(/^TSG1010 3:45 .*an argument that may be undefined/)]);
  });

  it("an optional parameter of a type other than number or boolean", () => {
    const c = compileSource(
      `${header}function f(x: number, v?: number[]): number { return x * (v ?? [1])[0]!; }\nexport const df = grad(f);\n`,
    );
    expect(c.messages).toEqual([expect.stringMatching(/^TSG1010 2:23 .*optional parameter of type `number\[\] \| undefined`/)]);
  });
});
