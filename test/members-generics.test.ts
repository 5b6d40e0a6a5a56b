/**
 * Static methods, namespace functions and constants, enum members and generic helpers: called
 * from differentiated code, differentiated themselves, and read as constants. References:
 * closed forms, central finite differences, and forward against reverse mode. Instance methods,
 * `this` and unconstrained type parameters are refused with messages that describe the code.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, jvp, valueAndGrad } from "tsgrad";
import { compileSource, importSource } from "./support/compile.js";
import { expectClose, numericHessian } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

class Activation {
  static readonly slope = 0.1;
  static leaky(t: number): number {
    return t > 0 ? t : Activation.slope * t;
  }
  static softplus = (t: number): number => Math.log1p(Math.exp(t));
  static layer(w: number[], x: number[]): number {
    let s = 0;
    for (let i = 0; i < w.length; i++) s += Activation.softplus(w[i]! * x[i]!) + Activation.leaky(w[i]! - x[i]!);
    return s;
  }
}

namespace Geometry {
  export const weight = 2.5;
  export const origin = [0.5, -0.25];
  export function norm2(v: number[]): number {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += (v[i]! - origin[i]!) ** 2;
    return s;
  }
  export namespace Inner {
    export function scaled(v: number[]): number {
      return weight * norm2(v) + Math.sin(v[0]!);
    }
  }
}

enum Order {
  Linear = 1,
  Quadratic = 2,
  Cubic,
}

function dot<T extends number[]>(a: T, b: T): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function power<N extends number>(x: N, k: number): number {
  return x ** k;
}

interface Pair {
  a: number;
  b: number;
}

function pairProduct<P extends Pair>(p: P): number {
  return p.a * p.b;
}

/** All of them together, in a loss of a two-entry array. */
function model(w: number[], x: number[]): number {
  const v = [w[0]! * x[0]!, w[1]! + x[1]!];
  return (
    Activation.layer(w, x) +
    Geometry.Inner.scaled(v) * Order.Quadratic +
    power(dot(w, x), Order.Cubic) +
    pairProduct({ a: w[0]!, b: w[1]! * Geometry.weight }) +
    Activation.slope * Geometry.origin[1]! * w[1]!
  );
}

const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 1500 + 0.0003);
const pairOf = fc.tuple(entry, entry).map(([a, b]) => [a, b]);
// off the grid of `entry`: w[i] - x[i] is never 0, where `leaky` has its kink
const shiftedPair = pairOf.map((p) => p.map((v) => v + 0.00017));

describe("static methods, namespaces, enums and generic helpers", () => {
  it("called from a differentiated function: finite differences, value, forward against reverse", () => {
    fc.assert(
      fc.property(pairOf, shiftedPair, (w, x) => {
        verifyDerivatives(model, { grad: grad(model), jvp: jvp(model), valueAndGrad: valueAndGrad(model) }, [w, x]);
      }),
      { numRuns: 40 },
    );
  });

  it("differentiated themselves: a static method, a namespace function, a generic helper", () => {
    fc.assert(
      fc.property(pairOf, shiftedPair, (w, x) => {
        verifyDerivatives(Activation.layer, { grad: grad(Activation.layer), jvp: jvp(Activation.layer) }, [w, x]);
        verifyDerivatives(Geometry.Inner.scaled, { grad: grad(Geometry.Inner.scaled), jvp: jvp(Geometry.Inner.scaled) }, [w]);
        verifyDerivatives(dot, { grad: grad(dot), jvp: jvp(dot) }, [w, x]);
      }),
      { numRuns: 20 },
    );
  });

  it("closed forms: the gradient of a generic dot product, and the Hessian of a namespace's quadratic", () => {
    expect(grad(dot)([1, 2], [3, 4])).toEqual([
      [3, 4],
      [1, 2],
    ]);
    // norm2 has Hessian 2I; scaled adds -sin(v0) at (0, 0)
    const h = hessian(Geometry.Inner.scaled)([0.3, -0.7]);
    expectClose(
      h,
      [
        [2 * 2.5 - Math.sin(0.3), 0],
        [0, 2 * 2.5],
      ],
      1e-12,
    );
    expectClose(hessian(Geometry.Inner.scaled)([0.3, -0.7]), numericHessian(Geometry.Inner.scaled, [0.3, -0.7]), 1e-5);
  });

  it("a static method and a namespace constant of another module", async () => {
    const mod = await importSource<{ dg: (x: number[]) => number[]; f: (x: number[]) => number }>(
      `import { grad } from "tsgrad";\nimport { Scale, Consts } from "./lib";\nexport function f(x: number[]): number { return Scale.twice(x[0]!) * Consts.k + x[1]! * Consts.Deep.m; }\nexport const dg = grad(f);`,
      {
        "lib.ts": `export class Scale { static twice(t: number): number { return 2 * t * t; } }\nexport namespace Consts { export const k = 3; export namespace Deep { export const m = 7; } }`,
      },
    );
    expect(mod.dg([0.5, 1])).toEqual([2 * 2 * 0.5 * 3, 7]);
  });
});

describe("refused, with messages that describe the code", () => {
  const refusal = (body: string) => compileSource(`import { grad } from "tsgrad";\n${body}`).messages;

  it("an instance method", () => {
    expect(
      refusal(
        `class Model { w = 2; predict(x: number): number { return this.w * x; } }\nconst m = new Model();\nfunction f(x: number): number { return m.predict(x); }\nexport const df = grad(f);`,
      ),
    ).toEqual([expect.stringMatching(/^TSG1002 4:40 .*`m.predict` is an instance method.*hint: make it a static method or a function/s)]);
  });

  it("`this` in a static method", () => {
    expect(refusal(`class K { static c = 2; static f(x: number): number { return this.c * x; } }\nexport const df = grad(K.f);`)).toEqual([
      expect.stringMatching(
        /^TSG1009 2:62 .*`this` cannot be read in a differentiated function.*hint: name what it reads: a static member by its class/s,
      ),
    ]);
  });

  it("`this.f(x)` in a static method, though `f` is static too", () => {
    expect(
      refusal(
        `class K { static sq(x: number): number { return x * x; } static f(x: number): number { return this.sq(x) + x; } }\nexport const df = grad(K.f);`,
      ),
    ).toEqual([expect.stringMatching(/^TSG1009 2:95 .*`this` cannot be read in a differentiated function/s)]);
  });

  it("a type parameter without a constraint tsgrad can differentiate", () => {
    expect(refusal(`function f<T>(x: T, y: number): number { return y * y; }\nexport const df = grad(f);`)).toEqual([
      expect.stringMatching(
        /^TSG1010 2:15 .*the type parameter `T` has no constraint tsgrad can differentiate.*hint: constrain it to what it holds: `<T extends number\[\]>`/s,
      ),
    ]);
  });

  it("a namespace constant the namespace does not export", () => {
    expect(
      refusal(
        `namespace NS { const hidden = 2; export function f(x: number): number { return hidden * x * x; } }\nexport const df = grad(NS.f);`,
      ),
    ).toEqual([
      expect.stringMatching(
        /^TSG1012 2:80 .*`hidden` is a constant of the namespace `NS` that the namespace does not export.*hint: export it from the namespace as a const/s,
      ),
    ]);
  });
});
