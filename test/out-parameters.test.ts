/**
 * Helpers that write into a caller's buffer (`axpyInto(out, a, x, y)`, C's style) and helpers that
 * update an array in place (`scaleInPlace(v, 2)`): the primals a performance-minded TypeScript
 * user writes, with work buffers made once and no allocation in inner loops. tsgrad inlines such
 * helpers into their callers (lower/calls/inline.ts), so every mode differentiates them.
 *
 * References are independent of tsgrad: the plain functions themselves (values, bit for bit),
 * central finite differences (first and second order), and forward against reverse mode (the
 * dot-product test). What cannot be inlined is refused with a TSG code at the right place.
 */
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jacobian, jvp, valueAndGrad, vjp } from "tsgrad";
import { compileSource, importSource } from "./support/compile.js";
import { dot, expectClose, numericDirectional, numericHessian, rng } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

// ---- the helpers, as written for speed ----

function axpyInto(out: Float64Array, a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i]! + y[i]!;
}

function scaleInPlace(v: Float64Array, k: number): void {
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * k;
}

function addScaledInPlace(v: Float64Array, u: Float64Array, k: number): void {
  for (let i = 0; i < v.length; i++) v[i] = v[i]! + k * u[i]!;
}

/** The right-hand side of an ODE, written into `dy`. */
function derivInto(dy: Float64Array, y: Float64Array, theta: number): void {
  const n = y.length;
  for (let i = 0; i < n; i++) dy[i] = -theta * y[i]! + Math.sin(y[(i + 1) % n]!);
}

/** A writing helper calling two others: the state is updated in place. */
function eulerStep(y: Float64Array, dy: Float64Array, theta: number, h: number): void {
  derivInto(dy, y, theta);
  addScaledInPlace(y, dy, h);
}

/** Two out-parameters (number[]), and a number result. */
function polarInto(c: number[], s: number[], r: number[], angle: number[]): number {
  let norm = 0;
  for (let i = 0; i < angle.length; i++) {
    c[i] = r[i]! * Math.cos(angle[i]!);
    s[i] = r[i]! * Math.sin(angle[i]!);
    norm += c[i]! * c[i]! + s[i]! * s[i]!;
  }
  return Math.sqrt(norm);
}

/** Early returns: an `if` that returns, the rest after it. */
function softClampInto(out: number[], x: number[], lim: number): number {
  if (lim <= 0) {
    for (let i = 0; i < x.length; i++) out[i] = 0;
    return 0;
  }
  let above = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! > lim) {
      out[i] = lim * x[i]!;
      above += x[i]! - lim;
    } else out[i] = x[i]! * x[i]!;
  }
  return above;
}

/** A running sum written over its input when `out` and `x` are one array. */
function prefixInto(out: Float64Array, x: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i]! + (i > 0 ? x[i - 1]! : 0);
}

/** A local helper writing into an array of its caller's that it captures (no arguments). */
function squaredTwice(x: number[]): number {
  const buf = x.slice();
  const squareAll = (): void => {
    for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! * buf[i]!;
  };
  squareAll();
  squareAll();
  return buf[0]! + 2 * buf[1]!;
}

/** A number parameter reassigned in the helper stays the helper's (the caller's `k` is unchanged). */
function decayInPlace(out: number[], k: number): number {
  k = k * 2;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * k;
  return k;
}
function decayed(x: number[], k: number): number {
  const v = x.slice();
  const kk = decayInPlace(v, k);
  return v[0]! * kk + k + v[1]!;
}

/** A boolean result tested by the caller's `if`. */
function normalizeInto(out: Float64Array, x: Float64Array): boolean {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  if (s === 0) return false;
  const r = 1 / Math.sqrt(s);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * r;
  return true;
}
function firstDirection(x: Float64Array): number {
  const u = new Float64Array(x.length);
  if (!normalizeInto(u, x)) return 0;
  return u[0]! + 0.5 * u[1]!;
}

/** A labelled loop in the helper, inlined inside a caller's loop of the same label. */
function firstAboveInto(out: number[], x: number[], lim: number): void {
  outer: for (let i = 0; i < x.length; i++) {
    for (let j = 1; j <= 2; j++)
      if (x[i]! * j > lim) {
        out[i] = x[i]! * j;
        continue outer;
      }
    out[i] = x[i]! * x[i]!;
  }
}
function labelled(x: number[]): number {
  const out = new Array<number>(x.length).fill(0);
  let s = 0;
  outer: for (let k = 0; k < 2; k++) {
    firstAboveInto(out, x, 1 + k);
    for (let i = 0; i < out.length; i++) {
      s += out[i]! * (k + 1);
      if (s > 100) break outer;
    }
  }
  return s;
}

// ---- the functions differentiated ----

/** The brief's example. */
function lossAxpy(x: Float64Array, a: number): number {
  const buf = new Float64Array(x.length);
  axpyInto(buf, a, x, x);
  let s = 0;
  for (let i = 0; i < buf.length; i++) s += buf[i]! * buf[i]!;
  return s;
}

/** Five Euler steps through nested writing helpers, in a loop, then an update in place. */
function integrate(y0: Float64Array, theta: number): number {
  const y = y0.slice();
  const dy = new Float64Array(y.length);
  for (let step = 0; step < 5; step++) eulerStep(y, dy, theta, 0.1);
  scaleInPlace(y, theta);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]! * y[i]! + 0.1 * y[i]!;
  return s;
}

function polarLoss(angle: number[], w: number): number {
  const n = angle.length;
  const r = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) r[i] = w + 0.1 * i;
  const c = new Array<number>(n).fill(0);
  const s = new Array<number>(n).fill(0);
  const norm = polarInto(c, s, r, angle);
  let t = norm;
  for (let i = 0; i < n; i++) t += c[i]! * s[i]! * (i + 1);
  return t;
}

function clampLoss(x: number[], lim: number): number {
  const out = new Array<number>(x.length).fill(0);
  const above = softClampInto(out, x, lim);
  let t = above * above;
  for (let i = 0; i < out.length; i++) t += out[i]! * (i + 2);
  return t;
}

/** The same array as out-parameter and input: JavaScript's semantics, element by element. */
function aliased(x: Float64Array, a: number): number {
  const v = x.slice();
  axpyInto(v, a, v, x); // v = a v + x
  axpyInto(v, a, v, v); // v = (a + 1) v
  prefixInto(v, v); // reads v[i - 1] after writing it: a running sum
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]! * (i + 1);
  return s;
}

/** A vector function: the out-parameter style inside, a fresh array returned. */
function field(y: Float64Array): Float64Array {
  const out = new Float64Array(y.length);
  derivInto(out, y, 0.7);
  scaleInPlace(out, 2);
  return out;
}

/** Grad of a function whose gradient goes through writing helpers. */
function sensitivity(y0: Float64Array, theta: number): number {
  const g = grad(integrate, { wrt: [0] })(y0, theta);
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return s;
}

// ---- references ----

const f64 = (xs: readonly number[]) => Float64Array.from(xs);

function fdGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): number[] {
  return Array.from(x, (_, i) => {
    const up = x.slice();
    const down = x.slice();
    up[i]! += h;
    down[i]! -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

function fdJacobian(f: (x: Float64Array) => Float64Array, x: Float64Array, h = 1e-6): number[][] {
  const columns = Array.from(x, (_, j) => {
    const up = x.slice();
    const down = x.slice();
    up[j]! += h;
    down[j]! -= h;
    const a = f(up);
    const b = f(down);
    return Array.from(a, (v, i) => (v - b[i]!) / (2 * h));
  });
  return Array.from(x, (_, i) => columns.map((col) => col[i]!));
}

const y0 = f64([0.4, -0.3, 0.9, 0.15]);

describe("helpers that write into a caller's buffer, in every mode", () => {
  it("the brief's axpyInto: grad, valueAndGrad and jvp against finite differences and each other", () => {
    verifyDerivatives(lossAxpy, { grad: grad(lossAxpy), jvp: jvp(lossAxpy), valueAndGrad: valueAndGrad(lossAxpy) }, [
      f64([0.5, -1.25, 2]),
      0.75,
    ]);
    // closed form: s = (a + 1)² sum x², ds/dx = 2 (a + 1)² x, ds/da = 2 (a + 1) sum x²
    const [gx, ga] = grad(lossAxpy)(f64([1, 2]), 0.5);
    expect(Array.from(gx)).toEqual([2 * 1.5 ** 2 * 1, 2 * 1.5 ** 2 * 2]);
    expect(ga).toBe(2 * 1.5 * 5);
  });

  it("nested writing helpers called in a loop, and an update in place", () => {
    verifyDerivatives(integrate, { grad: grad(integrate), jvp: jvp(integrate), valueAndGrad: valueAndGrad(integrate) }, [y0, 0.8]);
  });

  it("two number[] out-parameters and a number result", () => {
    verifyDerivatives(polarLoss, { grad: grad(polarLoss), jvp: jvp(polarLoss), valueAndGrad: valueAndGrad(polarLoss) }, [
      [0.3, 1.1, -0.7],
      1.3,
    ]);
  });

  it("early returns in the helper, either way", () => {
    const d = { grad: grad(clampLoss), jvp: jvp(clampLoss), valueAndGrad: valueAndGrad(clampLoss) };
    verifyDerivatives(clampLoss, d, [[0.3, 1.7, -0.4, 2.5], 1.2]);
    // lim <= 0: the first branch returns; lim gets no derivative there (the value is constant in it)
    const wrtX = { grad: grad(clampLoss, { wrt: [0] }), jvp: jvp(clampLoss, { wrt: [0] }) };
    verifyDerivatives(clampLoss, wrtX, [[0.3, 1.7, -0.4, 2.5], -1], { params: [0] });
    expect(clampLoss([0.3, 1.7], -1)).toBe(0);
  });

  it("hvp and hessian against second differences of the plain function", () => {
    const f = (x: number[]) => integrate(f64(x), 0.8);
    const H = numericHessian(f, Array.from(y0));
    expectClose(hessian(integrate, { wrt: [0] })(y0, 0.8), H, 1e-5);
    const u = f64([1, -0.5, 0.25, 2]);
    const Hu = H.map((row) => row.reduce((s, h, j) => s + h * u[j]!, 0));
    expectClose(hvp(integrate, { wrt: [0] })(y0, 0.8, u), Hu, 1e-5);
  });

  it("jacobian in both modes, vjp's pullback and jvp: finite differences and the dot-product test", () => {
    const J = fdJacobian(field, y0);
    expectClose(jacobian(field, { mode: "forward" })(y0), J, 1e-6);
    expectClose(jacobian(field, { mode: "reverse" })(y0), J, 1e-6);
    const { value, pullback } = vjp(field)(y0);
    expect(Array.from(value)).toEqual(Array.from(field(y0)));
    const next = rng(3);
    for (let trial = 0; trial < 3; trial++) {
      const u = f64(Array.from(y0, () => 2 * next() - 1));
      const v = f64(Array.from(y0, () => 2 * next() - 1));
      const tangent = jvp(field)(y0, v).tangent;
      expectClose(tangent, numericDirectional(field, [y0], [v]), 1e-6);
      expectClose(dot(u, tangent), dot(pullback(u), v), 1e-12);
    }
  });

  it("grad of a function calling grad of one with writing helpers", () => {
    const gy = grad(sensitivity, { wrt: [0] })(y0, 0.8);
    expectClose(
      gy,
      fdGradient((y) => sensitivity(y, 0.8), y0, 1e-5),
      1e-5,
    );
  });

  it("fast-check: random sizes and inputs, forward against reverse and finite differences", () => {
    const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 1000 + 0.0003);
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 7 }), entry, (x, a) => {
        verifyDerivatives(lossAxpy, { grad: grad(lossAxpy), jvp: jvp(lossAxpy) }, [f64(x), a]);
        verifyDerivatives(aliased, { grad: grad(aliased), jvp: jvp(aliased), valueAndGrad: valueAndGrad(aliased) }, [f64(x), a]);
        verifyDerivatives(integrate, { grad: grad(integrate), jvp: jvp(integrate) }, [f64(x), a], { fdTol: 1e-4 });
      }),
      { numRuns: 30 },
    );
  });
});

describe("more shapes of writing helpers", () => {
  it("a local helper writing into its caller's array, called twice: x0⁴ + 2 x1⁴", () => {
    const x = [0.5, -1.5];
    expectClose(grad(squaredTwice)(x), [4 * 0.5 ** 3, 8 * (-1.5) ** 3], 1e-12);
    verifyDerivatives(squaredTwice, { grad: grad(squaredTwice), jvp: jvp(squaredTwice), valueAndGrad: valueAndGrad(squaredTwice) }, [x]);
  });

  it("a number parameter reassigned inside the helper", () => {
    // decayed = 4 k² x0 + k + 2 k x1
    const [gx, gk] = grad(decayed)([0.5, 2], 1.5);
    expectClose(gx, [4 * 2.25, 3], 1e-12);
    expectClose(gk, 8 * 1.5 * 0.5 + 1 + 4, 1e-12);
    verifyDerivatives(decayed, { grad: grad(decayed), jvp: jvp(decayed), valueAndGrad: valueAndGrad(decayed) }, [[0.5, 2], 1.5]);
  });

  it("a labelled loop in the helper, inside the caller's loop of the same label", () => {
    const x = [0.3, 0.8, 1.7];
    // k = 0 (lim 1): 0.09, 1.6, 1.7; k = 1 (lim 2): 0.09, 0.64, 3.4 (twice)
    expectClose(labelled(x), 0.09 + 1.6 + 1.7 + 2 * (0.09 + 0.64 + 3.4), 1e-12);
    verifyDerivatives(labelled, { grad: grad(labelled), jvp: jvp(labelled), valueAndGrad: valueAndGrad(labelled) }, [x]);
  });

  it("a boolean result in an if's condition, both ways, and the Hessian", () => {
    const x = f64([3, 4]);
    // (x0 + x1 / 2) / |x|
    const r = 5;
    expectClose(grad(firstDirection)(x), [1 / r - ((3 + 2) * 3) / r ** 3, 0.5 / r - ((3 + 2) * 4) / r ** 3], 1e-12);
    expect(Array.from(grad(firstDirection)(f64([0, 0])))).toEqual([0, 0]);
    verifyDerivatives(
      firstDirection,
      { grad: grad(firstDirection), jvp: jvp(firstDirection), valueAndGrad: valueAndGrad(firstDirection) },
      [x],
    );
    expectClose(
      hessian(firstDirection)(x),
      numericHessian((v) => firstDirection(f64(v)), [3, 4]),
      1e-6,
    );
  });
});

describe("a writing helper of another module", () => {
  const helper = `export const SCALE = 3;
const HIDDEN = 2;
export function scaleInto(out: number[], x: number[]): void {
  for (let i = 0; i < x.length; i++) out[i] = SCALE * x[i]!;
}
export function hiddenInto(out: number[], x: number[]): void {
  for (let i = 0; i < x.length; i++) out[i] = HIDDEN * x[i]!;
}
`;
  const caller = (name: string) => `import { grad } from "tsgrad";
import { ${name} } from "./helper.js";
function f(x: number[]): number {
  const out = [0, 0];
  ${name}(out, x);
  return out[0]! * out[1]!;
}
export const g = grad(f);
`;

  it("is inlined, reading that module's exported constants: 9 x0 x1", async () => {
    const m = await importSource<{ g: (x: number[]) => number[] }>(caller("scaleInto"), { "helper.ts": helper });
    expect(m.g([1, 2])).toEqual([18, 9]);
  });

  it("reading a constant its module does not export is refused (TSG1012)", () => {
    const c = compileSource(caller("hiddenInto"), { "helper.ts": helper });
    expect(c.messages).toEqual([expect.stringMatching(/^TSG1012 .*must read `HIDDEN`, which helper.ts does not export/s)]);
  });
});

describe("aliasing: one array as out-parameter and input", () => {
  it("gives JavaScript's values (a running sum over the array it writes) and their derivatives", () => {
    const x = f64([0.5, -1, 2]);
    const a = 0.25;
    // v = (a + 1)(a x + x), then the running sum: v0, v0 + v1, v0 + v1 + v2
    const k = (a + 1) * (a + 1);
    const v = [k * 0.5, k * (0.5 - 1), k * (0.5 - 1 + 2)];
    const want = v.reduce((s, vi, i) => s + vi * vi * (i + 1), 0);
    expectClose(aliased(x, a), want, 1e-12);
    expect(valueAndGrad(aliased)(x, a).value).toBe(aliased(x, a));
    verifyDerivatives(aliased, { grad: grad(aliased), jvp: jvp(aliased), valueAndGrad: valueAndGrad(aliased) }, [x, a]);
  });
});

describe("generated code", () => {
  it("the helper's loop is in the derivative, with no call of it and no allocation inside the loops", () => {
    const c = compileSource(`import { grad } from "tsgrad";
function axpyInto(out: Float64Array, a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i]! + y[i]!;
}
function loss(x: Float64Array, a: number): number {
  const buf = new Float64Array(x.length);
  axpyInto(buf, a, x, x);
  let s = 0;
  for (let i = 0; i < buf.length; i++) s += buf[i]! * buf[i]!;
  return s;
}
export const g = grad(loss);
`);
    expect(c.messages).toEqual([]);
    const generated = c.js!.slice(c.js!.indexOf("function loss_grad"));
    expect(generated).not.toContain("axpyInto(");
    expect(generated).toMatch(/buf\[i\] = a \* x\[i\] \+ x\[i\]/);
    expect(generated).toContain("// out[i] = a * x[i]! + y[i]!;");
    for (const loop of generated.split(/for \(/).slice(1)) expect(loop.split("}")[0]).not.toMatch(/new (Float64Array|Array)/);
  });
});

// ---- refusals ----

const AXPY = `function axpyInto(out: Float64Array, a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i]! + y[i]!;
}
`;

function refusal(source: string): { code: number; at: string; message: string; text: string } {
  const c = compileSource(source);
  expect(c.diagnostics, c.messages.join("\n")).toHaveLength(1);
  const d = c.diagnostics[0]!;
  const pos = d.file!.getLineAndCharacterOfPosition(d.start!);
  return {
    code: d.code,
    at: `${pos.line + 1}:${pos.character + 1}`,
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    text: source.slice(d.start!, d.start! + d.length!),
  };
}

describe("what stays refused, with a code, a place and a hint", () => {
  it("recursion through a writing helper", () => {
    const r = refusal(`import { grad } from "tsgrad";
function fillFrom(out: number[], i: number, v: number): void {
  if (i < out.length) {
    out[i] = v;
    fillFrom(out, i + 1, v * 2);
  }
}
function f(v: number): number {
  const out = [0, 0, 0];
  fillFrom(out, 0, v);
  return out[2]!;
}
export const g = grad(f);
`);
    expect(r.code).toBe(91009);
    expect(r.at).toBe("5:5");
    expect(r.message).toMatch(/`fillFrom` writes into arrays it is given and calls itself.*\n\s+hint: make the recursive helper return/s);
  });

  it("an out-parameter the caller does not own (its own parameter)", () => {
    const r = refusal(`import { grad } from "tsgrad";
${AXPY}function f(x: Float64Array, a: number): number {
  axpyInto(x, a, x, x);
  return x[0]!;
}
export const g = grad(f);
`);
    expect(r.code).toBe(91011);
    expect(r.text).toBe("x");
    expect(r.at).toBe("6:12");
    expect(r.message).toMatch(
      /`axpyInto` writes into its parameter `out`, and `x` may be an array the calling function does not own.*hint: pass a copy/s,
    );
  });

  it("an out-parameter that is not a variable of the caller", () => {
    const r = refusal(`import { grad } from "tsgrad";
${AXPY}function f(x: Float64Array, a: number): number {
  axpyInto(x.slice(), a, x, x);
  return x[0]!;
}
export const g = grad(f);
`);
    expect(r.code).toBe(91011);
    expect(r.text).toBe("x.slice()");
    expect(r.message).toMatch(/must be given an array variable of the caller.*hint: make a work buffer first/s);
  });

  it("writing into an array captured from an enclosing function", () => {
    const r = refusal(`import { grad } from "tsgrad";
${AXPY}export function run(x: Float64Array): Float64Array {
  const buf = new Float64Array(x.length);
  const f = (a: number): number => {
    axpyInto(buf, a, x, x);
    return buf[0]!;
  };
  return grad(f)(2) as unknown as Float64Array;
}
`);
    expect(r.code).toBe(91011);
    expect(r.text).toBe("buf");
  });

  it("a return inside a loop of the helper, at that return", () => {
    const r = refusal(`import { grad } from "tsgrad";
function copyUntilNegative(out: number[], x: number[]): number {
  for (let i = 0; i < x.length; i++) {
    out[i] = x[i]!;
    if (x[i]! < 0) return i;
  }
  return x.length;
}
function f(x: number[]): number {
  const out = new Array<number>(x.length).fill(0);
  const n = copyUntilNegative(out, x);
  return out[0]! * n;
}
export const g = grad(f);
`);
    expect(r.code).toBe(91009);
    expect(r.at).toBe("5:20");
    expect(r.message).toMatch(/a `return` inside a loop has no place to jump to.*hint: leave the loop with `break`/s);
  });

  it("a call in the middle of an expression, where inlining would reorder reads and writes", () => {
    const r = refusal(`import { grad } from "tsgrad";
function doubleInPlace(v: number[]): number {
  for (let i = 0; i < v.length; i++) v[i] = 2 * v[i]!;
  return v[0]!;
}
function f(x: number[]): number {
  const v = x.slice();
  const s = v[0]! + doubleInPlace(v);
  return s;
}
export const g = grad(f);
`);
    expect(r.code).toBe(91009);
    expect(r.text).toBe("doubleInPlace(v)");
    expect(r.message).toMatch(/hint: call it in a statement of its own: `const r = doubleInPlace\(\.\.\.\);`/);
  });

  it("a writing helper returning an array", () => {
    const r = refusal(`import { grad } from "tsgrad";
function both(out: number[], x: number[]): number[] {
  out[0] = x[0]!;
  return [x[1]!, x[0]!];
}
function f(x: number[]): number {
  const out = [0];
  const r = both(out, x);
  return out[0]! * r[0]!;
}
export const g = grad(f);
`);
    expect(r.code).toBe(91010);
    expect(r.message).toMatch(/may return a number or a boolean, not an array/);
  });

  it("an early return inside an if from which the helper may also go on", () => {
    const r = refusal(`import { grad } from "tsgrad";
function maybe(out: number[], x: number): number {
  if (x > 0) {
    if (x > 1) return 1;
    out[0] = x;
  }
  out[1] = x;
  return 0;
}
function f(x: number): number {
  const out = [0, 0];
  const k = maybe(out, x);
  return out[0]! + out[1]! + k;
}
export const g = grad(f);
`);
    expect(r.code).toBe(91009);
    expect(r.message).toMatch(/return from every branch of that `if` or from none of them/);
  });

  it("a call for its effect of a helper given arrays that returns an array compiles, and its writes count", async () => {
    const m = await importSource<{ g: (x: number[]) => number[] }>(`import { grad } from "tsgrad";
function squareAndCopy(v: number[]): number[] {
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * v[i]!;
  return v.slice();
}
function f(x: number[]): number {
  const v = x.slice();
  squareAndCopy(v);
  return v[0]! * 3 + v[1]!;
}
export const g = grad(f);
`);
    expect(m.g([2, -1])).toEqual([12, -2]);
  });

  it("a call for its effect given only numbers still compiles (it cannot change the caller)", () => {
    const source = `import { grad } from "tsgrad";
function check(x: number): number { return x; }
function f(x: number): number { check(x); return x * x; }
export const g = grad(f);
`;
    expect(compileSource(source).messages).toEqual([]);
  });
});
