/**
 * A helper returning a tuple or object whose caller reads only some fields: the derivatives go
 * through a copy of the helper without the unread fields (passes/unread-fields.ts). Before, the
 * pullback was seeded with 0 for an unread field, and 0 times the field's overflowing partials
 * made NaN (campaign --seed 20261208, program 39287: hvp NaN where the Hessian is 0). References
 * are closed forms and central differences of the plain functions.
 */
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jvp, valueAndGrad } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose } from "./support/numeric.js";

function fd(f: (x: number) => number, x: number, h = 1e-5): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** `q` is Infinity for a > 0.79, and so are its partials. */
function spread(a: number): { p: number; q: number } {
  return { p: a * a * a, q: Math.exp(900 * a) };
}
/** x³ + x: the derivative 3x² + 1, the second 6x. */
function readsP(x: number): number {
  const r = spread(x);
  return r.p + x;
}
function readsPOfArray(z: number[]): number {
  return readsP(z[0]!);
}

/** The first of a pair, destructured: sin(x)², whose derivative is sin(2x) and second 2 cos(2x). */
function pairOf(a: number): [number, number] {
  return [Math.sin(a), Math.exp(900 * a)];
}
function firstSquared(x: number): number {
  const [s] = pairOf(x);
  return s * s;
}

describe("a helper's unread field that overflows", () => {
  for (const x of [1.2, 2, -0.5]) {
    it(`an object's field, at x = ${x}: every mode is the closed form, not NaN`, () => {
      expectClose(grad(readsP)(x), 3 * x * x + 1, 1e-12);
      expectClose(valueAndGrad(readsP)(x).grad, 3 * x * x + 1, 1e-12);
      expectClose(jvp(readsP)(x, 1).tangent, 3 * x * x + 1, 1e-12);
      expectClose(hvp(readsP)(x, 1), 6 * x, 1e-12);
      expectClose(grad(grad(readsP))(x), 6 * x, 1e-12);
      expectClose(hessian(readsPOfArray)([x]), [[6 * x]], 1e-12);
      expectClose(fd(readsP, x), 3 * x * x + 1, 1e-6);
    });
    it(`a tuple's element, destructured, at x = ${x}: the closed form`, () => {
      expectClose(grad(firstSquared)(x), Math.sin(2 * x), 1e-12);
      expectClose(hvp(firstSquared)(x, 1), 2 * Math.cos(2 * x), 1e-12);
      expectClose(jvp(firstSquared)(x, 1).tangent, Math.sin(2 * x), 1e-12);
      expectClose(fd(firstSquared, x), Math.sin(2 * x), 1e-6);
    });
  }
});

/** Reads `p` of one call per step in a loop, and the whole record of another. */
function stats(xs: number[], k: number): { total: number; parts: number[]; scale: number } {
  let total = 0;
  const parts: number[] = [];
  for (const v of xs) {
    total += v * v * k;
    parts.push(Math.exp(v * k));
  }
  return { total, parts, scale: Math.cosh(k * xs[0]!) };
}
function combine(s: { total: number; parts: number[]; scale: number }): number {
  return s.total * s.scale + s.parts[0]!;
}
function loopOfReads(xs: number[]): number {
  let acc = 0;
  for (let k = 1; k <= 3; k++) acc += stats(xs, k).total * Math.sin(k + xs[1]!);
  return acc + combine(stats(xs, 0.5));
}
function loopOfReadsPlain(xs: number[]): number {
  let acc = 0;
  for (let k = 1; k <= 3; k++) acc += (xs[0]! * xs[0]! + xs[1]! * xs[1]!) * k * Math.sin(k + xs[1]!);
  const total = 0.5 * (xs[0]! * xs[0]! + xs[1]! * xs[1]!);
  return acc + total * Math.cosh(0.5 * xs[0]!) + Math.exp(0.5 * xs[0]!);
}

describe("fields read in a loop beside a record read whole", () => {
  const xs = [0.3, -0.7];
  it("the plain functions agree (the reference is the same function written without records)", () => {
    expectClose(loopOfReads(xs), loopOfReadsPlain(xs), 1e-12);
  });
  it("grad and hvp are finite differences of the function", () => {
    const g = grad(loopOfReads)(xs);
    const hv = hvp(loopOfReads)(xs, [1, 0]);
    for (let i = 0; i < 2; i++) {
      const e = (h: number) => xs.map((v, j) => (j === i ? v + h : v));
      expectClose(g[i]!, (loopOfReadsPlain(e(1e-5)) - loopOfReadsPlain(e(-1e-5))) / 2e-5, 1e-6);
      const along = (h: number) => grad(loopOfReads)([xs[0]! + h, xs[1]!])[i]!;
      expectClose(hv[i]!, (along(1e-5) - along(-1e-5)) / 2e-5, 1e-5);
    }
  });
});

/** Handed on to a helper that reads two of its fields: `big` overflows and nobody reads it. */
function moments(x: number, c: number): { m1: number; m2: number; big: number } {
  return { m1: x * c, m2: x * x * c, big: Math.exp(900 * x) };
}
function combined(r: { m1: number; m2: number; big: number }): number {
  return r.m1 + 0.5 * r.m2;
}
/** 3x + 1.5x² (c = 3, then twice that with c = 1.5 through a named result). */
function handedOn(x: number): number {
  const r = moments(x, 1.5);
  return combined(moments(x, 3)) + combined(r);
}

describe("a helper's result handed to another helper that reads some of its fields", () => {
  for (const x of [1.2, -0.3]) {
    it(`at x = ${x}: grad, hvp and jvp are the closed form, not NaN`, () => {
      expectClose(handedOn(x), 3 * x + 1.5 * x * x + 1.5 * x + 0.75 * x * x, 1e-12);
      expectClose(grad(handedOn)(x), 4.5 + 4.5 * x, 1e-12);
      expectClose(hvp(handedOn)(x, 1), 4.5, 1e-12);
      expectClose(jvp(handedOn)(x, 1).tangent, 4.5 + 4.5 * x, 1e-12);
      expectClose(fd(handedOn, x), 4.5 + 4.5 * x, 1e-6);
    });
  }
});

/**
 * A `let` record assigned again: lowering gives it a variable per field, each assigned at every
 * assignment of the record, so the unread field's variable is written (never read) each time.
 */
function reassigned(x: number): number {
  let r = spread(x);
  let s = r.p;
  r = spread(x / 2);
  s += r.p;
  return s;
}
/** Reassigned in a loop: x³ + 2 (x/2)³. */
function reassignedInLoop(x: number): number {
  let r = spread(x);
  let s = 0;
  for (let i = 0; i < 3; i++) {
    s += r.p;
    r = spread(x * 0.5);
  }
  return s;
}
/** A tuple: sin x + sin 2x. */
function tupleReassigned(x: number): number {
  let t = pairOf(x);
  const s = t[0];
  t = pairOf(2 * x);
  return s + t[0];
}

describe("a `let` record assigned again, whose unread field overflows", () => {
  for (const x of [1.5, -0.4]) {
    it(`at x = ${x}: grad, hvp and jvp are the closed forms, not NaN`, () => {
      // x³ + (x/2)³: 3x² + 3x²/8, then 6x + 6x/8
      expectClose(grad(reassigned)(x), 3 * x * x + (3 * x * x) / 8, 1e-12);
      expectClose(hvp(reassigned)(x, 1), 6 * x + (6 * x) / 8, 1e-12);
      expectClose(jvp(reassigned)(x, 1).tangent, 3 * x * x + (3 * x * x) / 8, 1e-12);
      expectClose(fd(reassigned, x), 3 * x * x + (3 * x * x) / 8, 1e-6);
      // x³ + 2 (x/2)³: 3x² + 3x²/4, then 6x + 6x/4
      expectClose(grad(reassignedInLoop)(x), 3 * x * x + (3 * x * x) / 4, 1e-12);
      expectClose(hvp(reassignedInLoop)(x, 1), 6 * x + (6 * x) / 4, 1e-12);
      expectClose(fd(reassignedInLoop, x), 3 * x * x + (3 * x * x) / 4, 1e-6);
      expectClose(grad(tupleReassigned)(x), Math.cos(x) + 2 * Math.cos(2 * x), 1e-12);
      expectClose(hvp(tupleReassigned)(x, 1), -Math.sin(x) - 4 * Math.sin(2 * x), 1e-12);
      expectClose(grad(grad(tupleReassigned))(x), -Math.sin(x) - 4 * Math.sin(2 * x), 1e-12);
    });
  }
});

describe("generated code", () => {
  it("the pullback of a helper whose caller reads one field does not compute the others", () => {
    const { js, messages } = compileSource(`import { grad } from "tsgrad";
function spread(a: number): { p: number; q: number } {
  return { p: a * a * a, q: Math.exp(900 * a) };
}
function readsP(x: number): number {
  return spread(x).p + x;
}
export const g = grad(readsP);
`);
    expect(messages).toEqual([]);
    const adjoint = /function spread_p_adjoint\([^]*?\n}/.exec(js ?? "");
    expect(adjoint?.[0]).toBeDefined();
    expect(adjoint![0]).not.toContain("Math.exp");
  });
});
