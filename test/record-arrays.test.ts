/**
 * Arrays of tuples and objects as data (`obs: { t: number; y: number }[]`, `pairs: [number,
 * number][]`, `layers: { W: Float64Array; b: number }[]`): the observations of a fit, the layers
 * of a network, read by index, by `for...of` (with destructuring too), by `filter` and `map`, and
 * handed to helpers. They carry no derivative; writing or making one in differentiated code is
 * refused. References: central finite differences of the plain functions and closed forms.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, hessian, hvp, jacobian, jvp } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { expectClose, numericGradient, numericHessian } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";

interface Observation {
  readonly t: number;
  readonly y: number;
  readonly weight: number;
  readonly use: boolean;
  readonly kind: string;
  readonly at: readonly [number, number];
}
const OBSERVATIONS: Observation[] = [
  { t: 0, y: 1.1, weight: 1, use: true, kind: "a", at: [1, 2] },
  { t: 1, y: 0.6, weight: 0.5, use: true, kind: "b", at: [0.5, -1] },
  { t: 2, y: 0.4, weight: 2, use: false, kind: "a", at: [2, 0.3] },
  { t: 3, y: 0.2, weight: 1.5, use: true, kind: "a", at: [-0.4, 1] },
];

function model(p: number[], t: number): number {
  return p[0]! * Math.exp(-p[1]! * t) + p[2]!;
}
/** A helper given one element. */
function residual(p: number[], o: Observation): number {
  return (model(p, o.t) - o.y) * Math.sqrt(o.weight) + 0.1 * o.at[0] * p[2]!;
}
/** By index, with a boolean and a string field deciding what is summed. */
function weightedLoss(p: number[], obs: Observation[]): number {
  let s = 0;
  for (let i = 0; i < obs.length; i++) {
    if (!obs[i]!.use) continue;
    const r = residual(p, obs[i]!);
    s += obs[i]!.kind === "a" ? r * r : 0.5 * r * r;
  }
  return s;
}
/** The module constant itself, by for...of. */
function moduleLoss(p: number[]): number {
  let s = 0;
  for (const o of OBSERVATIONS) s += residual(p, o) ** 2;
  return s;
}
/** The same loss written plainly, with the fields in arrays of their own: the reference. */
function plainLoss(p: number[], onlyUsed: boolean): number {
  let s = 0;
  for (const o of OBSERVATIONS) {
    if (onlyUsed && !o.use) continue;
    const r = (p[0]! * Math.exp(-p[1]! * o.t) + p[2]! - o.y) * Math.sqrt(o.weight) + 0.1 * o.at[0] * p[2]!;
    s += !onlyUsed || o.kind === "a" ? r * r : 0.5 * r * r;
  }
  return s;
}

type Pair = [number, number];
/** Destructuring in for...of, of tuples and of number rows; filter and map over records. */
function fitLine(p: number[], pairs: Pair[], points: { x: number; y: number }[]): number {
  let s = 0;
  for (const [a, b] of pairs) s += (p[0]! * a + p[1]! - b) ** 2;
  for (const { x, y } of points.filter((q) => q.x > 0)) s += 0.5 * (p[0]! * x - y) ** 2;
  const { x: first } = points[0]!;
  return s + first * p[1]! + points.map((q) => q.y * p[0]!).reduce((acc, v) => acc + v, 0);
}

interface Layer {
  readonly W: Float64Array;
  readonly b: number;
}
/** Layers of a network as an array of objects holding typed arrays. */
function network(x: number[], layers: Layer[]): number {
  let h = x.slice();
  for (const layer of layers) {
    const next: number[] = [];
    for (let j = 0; j < h.length; j++) next.push(Math.tanh(layer.W[j]! * h[j]! + layer.b));
    h = next.slice();
  }
  let s = 0;
  for (const v of h) s += v * v;
  return s;
}
const LAYERS: Layer[] = [
  { W: new Float64Array([0.5, -1, 0.3]), b: 0.1 },
  { W: new Float64Array([2, 0.3, -0.7]), b: -0.2 },
];

/** A record element reassigned in a loop, so that the reverse sweep needs each one it read. */
function hopping(p: number[], points: { x: number; y: number }[]): number {
  let s = 0;
  let q = points[0]!;
  for (let i = 0; i < 5; i++) {
    s = Math.sin(s + p[0]! * q.x) * q.y;
    q = points[(i * 7) % points.length]!;
  }
  return s;
}

describe("arrays of tuples and objects are data read by differentiated code", () => {
  const p = [1, 0.7, 0.2];

  it("by index and through a helper: grad, jvp, valueAndGrad against finite differences", () => {
    verifyDerivatives(weightedLoss, { grad: grad(weightedLoss, { wrt: [0] }), jvp: jvp(weightedLoss, { wrt: [0] }) }, [p, OBSERVATIONS], {
      params: [0],
    });
    // the same sum written with each field by hand
    expectClose(
      grad(weightedLoss, { wrt: [0] })(p, OBSERVATIONS),
      numericGradient((q: number[]) => plainLoss(q, true), [p], 0),
      1e-6,
    );
  });

  it("a module constant read by for...of: the Hessian is the plain loss's", () => {
    expectClose(
      grad(moduleLoss)(p),
      numericGradient((q: number[]) => plainLoss(q, false), [p], 0),
      1e-6,
    );
    const H = hessian(moduleLoss)(p);
    expectClose(
      H,
      numericHessian((q) => plainLoss(q, false), p),
      1e-5,
    );
    expectClose(
      hvp(moduleLoss)(p, [1, -1, 0.5]),
      H.map((row) => row[0]! - row[1]! + 0.5 * row[2]!),
      1e-10,
    );
  });

  it("destructuring, filter and map: the closed form", () => {
    const pairs: Pair[] = [
      [1, 2],
      [2, 3.5],
      [3, 7],
    ];
    const points = [
      { x: 1, y: 2 },
      { x: -3, y: 1 },
      { x: 0.5, y: -1 },
    ];
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (a, b) => {
        // d/da: sum 2 (a u + b - v) u + sum over x > 0 of (a x - y) x + sum of y; d/db: sum 2 (a u + b - v) + first x
        let da = 0;
        let db = 0;
        for (const [u, v] of pairs) {
          da += 2 * (a * u + b - v) * u;
          db += 2 * (a * u + b - v);
        }
        for (const { x, y } of points) if (x > 0) da += (a * x - y) * x;
        for (const { y } of points) da += y;
        db += points[0]!.x;
        expectClose(grad(fitLine, { wrt: [0] })([a, b], pairs, points), [da, db], 1e-9);
        // second order: constant in (a, b)
        const sumU2 = pairs.reduce((s, [u]) => s + u * u, 0) + points.filter((q) => q.x > 0).reduce((s, q) => s + 0.5 * q.x * q.x, 0);
        const sumU = pairs.reduce((s, [u]) => s + u, 0);
        expectClose(
          hessian(fitLine, { wrt: [0] })([a, b], pairs, points),
          [
            [2 * sumU2, 2 * sumU],
            [2 * sumU, 2 * pairs.length],
          ],
          1e-9,
        );
      }),
      { numRuns: 30 },
    );
  });

  it("layers holding typed arrays: grad and the forward and reverse Jacobians", () => {
    const x = [0.3, -0.4, 0.9];
    verifyDerivatives(network, { grad: grad(network, { wrt: [0] }), jvp: jvp(network, { wrt: [0] }) }, [x, LAYERS], { params: [0] });
    const two = (z: number[]): number[] => [network(z, LAYERS), moduleLoss(z)];
    const want = [numericGradient((z: number[]) => network(z, LAYERS), [x], 0), numericGradient(moduleLoss, [x], 0)];
    expectClose(jacobian(two, { mode: "forward" })(x), want, 1e-6);
    expectClose(jacobian(two, { mode: "reverse" })(x), want, 1e-6);
  });

  it("an element reassigned in a loop: finite differences at random points", () => {
    const points = [
      { x: 1, y: 2 },
      { x: 0.3, y: -1 },
      { x: 2, y: 0.5 },
    ];
    fc.assert(
      fc.property(fc.double({ min: -2, max: 2, noNaN: true }), (a) => {
        expectClose(
          grad(hopping, { wrt: [0] })([a], points),
          numericGradient((q: number[]) => hopping(q, points), [[a]], 0),
          1e-5,
        );
      }),
      { numRuns: 30 },
    );
  });
});

describe("arrays of tuples and objects are never written or made in differentiated code", () => {
  const header = `import { grad } from "tsgrad";\ninterface Pt { x: number; y: number }\n`;
  const refusal = (body: string): readonly string[] => compileSource(`${header}${body}`).messages;

  it("a push of a record, even one holding a derivative: refused where it is written", () => {
    const messages = refusal(
      `export function f(p: number[]): number {\n  const pts: Pt[] = [];\n  pts.push({ x: p[0]!, y: 1 });\n  return pts[0]!.x;\n}\nexport const g = grad(f);\n`,
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^TSG1010 5:3 .*`pts` is an array of tuples or objects: such arrays are data/);
    expect(messages[0]).toContain("hint: build it outside the function and pass it in");
  });

  it("a literal, a copy and a spread", () => {
    for (const [make, col] of [
      ["[{ x: p[0]!, y: 1 }]", 15],
      ["points.slice()", 15],
      ["[...points]", 15],
    ] as const) {
      const messages = refusal(
        `export function f(p: number[], points: Pt[]): number {\n  const pts = ${make};\n  return pts[0]!.x * p[0]!;\n}\nexport const g = grad(f, { wrt: [0] });\n`,
      );
      expect(messages, make).toHaveLength(1);
      expect(messages[0]).toMatch(new RegExp(`^TSG1010 4:${col} .*does not make new ones`));
    }
  });

  it("a helper returning one", () => {
    const messages = refusal(
      `function make(a: number): Pt[] { return [{ x: a, y: 1 }]; }\nexport function f(p: number[]): number {\n  let s = 0;\n  for (const q of make(p[0]!)) s += q.x;\n  return s;\n}\nexport const g = grad(f);\n`,
    );
    expect(
      messages.some((m) => /^TSG1010 6:19 .*`make` returns an array of tuples or objects/.test(m)),
      messages.join("\n"),
    ).toBe(true);
  });
});
