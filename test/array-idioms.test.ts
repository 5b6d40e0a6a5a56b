/**
 * Everyday array idioms: `Float64Array.from(xs)`, `Array.from(xs)`, `[...xs]` (copies the caller
 * may then write), and spreads mixed with elements (`[...v, x, ...u]`); `for (const [i, v] of
 * xs.entries())` (and `.keys()`, `.values()`), `reduce` / `reduceRight` without an initial value,
 * destructuring assignment (`[a, b] = [b, a]`), rest elements (`const [first, ...rest] = xs`) and
 * `xs.at(i)`. References: the plain function for values (JavaScript's own semantics), central
 * finite differences for derivatives, forward mode against reverse mode, finite differences of
 * the gradient for Hessians, and closed forms where there is one.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, hvp, jacobian, jvp, valueAndGrad, vjp } from "tsgrad";
import { compileSource } from "./support/compile.js";
import { verifyDerivatives } from "./support/verify.js";
import { expectClose, numericDirectional } from "./support/numeric.js";

function copies(x: number[], k: number): number {
  const u = Float64Array.from(x);
  const v = Array.from(x);
  u[0] = u[0]! * k;
  const w = [...v, x[1]! * 3, ...u];
  const c = [...x];
  c[1] = c[1]! + Math.sin(k);
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * w[i]! * (i + 1);
  return s + c[1]! * c[0]! * k;
}

const entry = fc.integer({ min: -2000, max: 2000 }).map((i) => i / 700 + 0.0003);

describe("array copies and spreads in literals", () => {
  it("value, gradient and forward mode on random inputs", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 2, maxLength: 5 }), entry, (x, k) => {
        verifyDerivatives(copies, { grad: grad(copies), jvp: jvp(copies), valueAndGrad: valueAndGrad(copies) }, [x, k]);
      }),
      { numRuns: 40 },
    );
  });

  it("the Hessian of the quadratic it builds, in closed form", () => {
    // for x of length 2 and k = 2: w = [x0, x1, 3 x1, 2 x0, x1], s = 17 x0^2 + 34 x1^2, plus 2 x0 (x1 + sin 2)
    expect(hessian(copies, { wrt: ["x"] })([0.3, -0.7], 2)).toEqual([
      [34, 2],
      [2, 68],
    ]);
  });

  it("Array.from with a mapping function passed by name calls it as an arrow would", () => {
    const { messages } = compileSource(
      `import { grad } from "tsgrad";\nconst twice = (t: number) => t * 2;\nfunction f(x: number[]): number { const y = Array.from(x, twice); return y[0]!; }\nexport const df = grad(f);`,
    );
    expect(messages).toEqual([]);
    // y[0] * y[1] = 4 x0 x1
    const g = grad(fromNamed)([0.5, -1.5]);
    expect(g).toEqual([4 * -1.5, 4 * 0.5]);
  });
});

// ---- the idioms, each in a function of its own ----

const twice = (t: number) => t * 2;
function fromNamed(x: number[]): number {
  const y = Array.from(x, twice);
  return y[0]! * y[1]!;
}

/** for...of over entries: sum i x_i^2, gradient 2 i x_i, Hessian diag(2 i). */
function weighted(xs: number[]): number {
  let s = 0;
  for (const [i, v] of xs.entries()) s += i * v * v;
  return s;
}

/** entries with `let` bindings the body writes, only the item, only the index; keys(), values(), on a Float64Array. */
function iterators(xs: Float64Array): number {
  let s = 0;
  for (let [i, v] of xs.entries()) {
    i = i * 2;
    v = v * 0.5;
    s += Math.sin(v) * (i + 1);
  }
  for (const k of xs.keys()) s += k * xs[k]! * xs[0]!;
  for (const v of xs.values()) s += v * v;
  for (const [, v] of xs.entries()) s += v;
  for (const [j] of xs.entries()) s *= 1 + 0.01 * j;
  return s + xs.at(-1)! * xs.at(1)!;
}

/** reduce without an initial value: the accumulator starts at the first item, the loop at the second. */
function sumOfFourthPowers(xs: number[]): number {
  return xs.map((v) => v * v).reduce((a, b) => a + b * b);
}

/** reduceRight without an initial value (from the last item down), reduce with the index, reduceRight with one. */
function folds(xs: number[]): number {
  const horner = xs.reduceRight((acc, c) => acc * 0.7 + c);
  const chain = xs.reduce((acc, x, i) => acc * Math.cos(x) + i);
  const right = xs.reduceRight((acc, x, i) => acc + x * (i + 1), 1);
  return horner * chain + right;
}

/** The swap: a = x1, b = 2 x0, so 2 x0 x1. */
function swapped(xs: number[]): number {
  let a = xs[0]!,
    b = xs[1]!;
  [a, b] = [b, a * 2];
  return a * b;
}

/** A recurrence written as a destructuring assignment in a loop. */
function recurrence(xs: number[]): number {
  let a = xs[0]!,
    b = xs[1]!;
  for (const x of xs) [a, b] = [b, a * x + b];
  return a + b * b;
}

/** Elements as targets: the array reversed in place by swaps, then weighted. */
function reversedInPlace(xs: number[]): number {
  const x = xs.slice();
  for (let i = 0, j = x.length - 1; i < j; i++, j--) [x[i], x[j]] = [x[j]!, x[i]!];
  let s = 0;
  for (let k = 0; k < x.length; k++) s += (k + 1) * x[k]! ** 3;
  return s;
}

/** Targets are evaluated in order, after the ones before them are assigned: x[i] is x[2]. */
function targetsInOrder(xs: number[]): number {
  const x = xs.slice();
  let i = 0;
  [i, x[i]] = [2, x[0]! * 3];
  return x[0]! + x[1]! * x[2]! + i;
}

function rotate(a: number, b: number): [number, number] {
  return [b, Math.sin(a) * b + 0.5];
}

function moments(t: number, c: number): { value: number; slope: number } {
  return { value: t * t * c, slope: 2 * t * c };
}

/** A tuple from a helper, holes and defaults, and object destructuring assignment. */
function fromHelpers(xs: number[]): number {
  let a = xs[0]!,
    b = xs[1]!;
  for (let t = 0; t < 3; t++) [a, b] = rotate(a, b);
  let u = 0,
    w = 0,
    z = 0;
  [u = 1, , w = 3, z = a * 2] = xs;
  let value = 0,
    slope = 0;
  ({ value, slope } = moments(u, w));
  ({ slope: u } = moments(value, b));
  return a * b + u + value * slope + w * z;
}

/** The rest element: x0 * (x1 + ... + x_{n-1}). */
function firstTimesRest(xs: number[]): number {
  const [first, ...rest] = xs;
  return first! * rest.reduce((s, v) => s + v, 0);
}

/** Rest from a Float64Array (a plain array the function owns), in an assignment, nested. */
function rests(xs: Float64Array): number {
  const [a, b, ...tail] = xs;
  tail.push(a! * 0.5);
  tail[0] = tail[0]! * b!;
  let head = 0;
  let others: number[] = [];
  [head, ...others] = [b! * 2, a! * b!, Math.exp(a!)];
  let r: number[] = [];
  [, ...r] = xs;
  const [p, ...[q, w]] = tail;
  return tail.reduce((s, v) => s + v * v, 0) * head + others[0]! * others[1]! + r.length * p! + q! * w! + r[0]!;
}

/** at: the last times the first. */
function ends(xs: number[]): number {
  return xs.at(-1)! * xs.at(0)!;
}

/** at with computed and fractional indices, from the end, and `?? d` out of range. */
function atVariants(xs: number[], k: number): number {
  const i = Math.floor(k);
  return xs.at(i)! * xs.at(-2)! + (xs.at(i - xs.length * 3) ?? k * k) + xs.at(k)! * (xs.at(xs.length) ?? 1.5) + (xs.at(1) ?? k);
}

/** The idioms in a helper, called from the differentiated function. */
function helper(v: number[]): number {
  const [a, ...r] = v;
  let s = a!;
  for (const [i, x] of r.entries()) s += x * (i + 1);
  let p = v.at(-1)!,
    q = s;
  [p, q] = [q, p * 0.5];
  return p * q + v.reduce((m, n) => m * n);
}
function throughHelper(xs: number[]): number {
  return helper(xs) + helper(xs.map((x) => Math.sin(x)));
}

/** A function from an array to an array made with every idiom, for the Jacobian. */
function idiomsVector(xs: number[]): number[] {
  const [a, ...r] = xs;
  const out = r.map((v, i) => v * a! + xs.at(-1 - i)!);
  let p = 0,
    q = 1;
  for (const [i, v] of xs.entries()) [p, q] = [q * v, p + i];
  out.push(
    p,
    q,
    xs.reduceRight((s, v) => s * v),
  );
  return out;
}

// ---- checks ----

const small = fc.integer({ min: -1500, max: 1500 }).map((i) => i / 1000 + 0.00037);
const vector = (minLength: number) => fc.array(small, { minLength, maxLength: 6 });

type Scalar = (xs: number[]) => number;

/** Every mode of one function of a number[]: grad, valueAndGrad, jvp (verifyDerivatives), vjp, hvp and hessian. */
interface AllModes {
  readonly f: Scalar;
  readonly grad: (xs: number[]) => number[];
  readonly valueAndGrad: (xs: number[]) => { value: number; grad: number[] };
  readonly jvp: (xs: number[], v: number[]) => { value: number; tangent: number };
  readonly vjp: (xs: number[]) => { value: number; pullback: (c: number) => number[] };
  readonly hvp: (xs: number[], v: number[]) => number[];
  readonly hessian: (xs: number[]) => number[][];
}

/** The Hessian column along v by central differences of the gradient (verified against finite differences of f itself). */
function gradientDifference(g: (xs: number[]) => number[], x: number[], v: number[], h = 1e-6): number[] {
  const up = g(x.map((xi, i) => xi + h * v[i]!));
  const down = g(x.map((xi, i) => xi - h * v[i]!));
  return up.map((u, i) => (u - down[i]!) / (2 * h));
}

function checkAllModes(m: AllModes, x: number[], v: number[]): void {
  verifyDerivatives(m.f, { grad: m.grad, jvp: m.jvp, valueAndGrad: m.valueAndGrad }, [x]);
  const g = m.grad(x.slice());
  const { value, pullback } = m.vjp(x.slice());
  expect(value).toBe(m.f(x.slice()));
  expectClose(pullback(1), g, 1e-12, "vjp pullback(1) vs grad");
  expectClose(
    pullback(-2.5),
    g.map((gi) => -2.5 * gi),
    1e-12,
    "vjp is linear in the cotangent",
  );
  const reference = gradientDifference(m.grad, x, v);
  expectClose(m.hvp(x.slice(), v.slice()), reference, 2e-5, "hvp vs finite differences of the gradient");
  const hm = m.hessian(x.slice());
  const hv = hm.map((row) => row.reduce((s, hij, j) => s + hij * v[j]!, 0));
  expectClose(hv, reference, 2e-5, "hessian times v vs finite differences of the gradient");
  hm.forEach((row, i) => row.forEach((hij, j) => expectClose(hij, hm[j]![i]!, 1e-9, "the Hessian is symmetric")));
}

const modesOf = <F extends Scalar>(f: F, d: Omit<AllModes, "f">): AllModes => ({ f, ...d });

const scalarCases: readonly { readonly name: string; readonly minLength: number; readonly modes: AllModes }[] = [
  {
    name: "for (const [i, v] of xs.entries())",
    minLength: 0,
    modes: modesOf(weighted, {
      grad: grad(weighted),
      valueAndGrad: valueAndGrad(weighted),
      jvp: jvp(weighted),
      vjp: vjp(weighted),
      hvp: hvp(weighted),
      hessian: hessian(weighted),
    }),
  },
  {
    name: "reduce without an initial value",
    minLength: 1,
    modes: modesOf(sumOfFourthPowers, {
      grad: grad(sumOfFourthPowers),
      valueAndGrad: valueAndGrad(sumOfFourthPowers),
      jvp: jvp(sumOfFourthPowers),
      vjp: vjp(sumOfFourthPowers),
      hvp: hvp(sumOfFourthPowers),
      hessian: hessian(sumOfFourthPowers),
    }),
  },
  {
    name: "reduceRight and reduce with and without initial values",
    minLength: 1,
    modes: modesOf(folds, {
      grad: grad(folds),
      valueAndGrad: valueAndGrad(folds),
      jvp: jvp(folds),
      vjp: vjp(folds),
      hvp: hvp(folds),
      hessian: hessian(folds),
    }),
  },
  {
    name: "swap by destructuring assignment",
    minLength: 2,
    modes: modesOf(swapped, {
      grad: grad(swapped),
      valueAndGrad: valueAndGrad(swapped),
      jvp: jvp(swapped),
      vjp: vjp(swapped),
      hvp: hvp(swapped),
      hessian: hessian(swapped),
    }),
  },
  {
    name: "a recurrence by destructuring assignment in a loop",
    minLength: 2,
    modes: modesOf(recurrence, {
      grad: grad(recurrence),
      valueAndGrad: valueAndGrad(recurrence),
      jvp: jvp(recurrence),
      vjp: vjp(recurrence),
      hvp: hvp(recurrence),
      hessian: hessian(recurrence),
    }),
  },
  {
    name: "element swaps [x[i], x[j]] = [x[j], x[i]]",
    minLength: 0,
    modes: modesOf(reversedInPlace, {
      grad: grad(reversedInPlace),
      valueAndGrad: valueAndGrad(reversedInPlace),
      jvp: jvp(reversedInPlace),
      vjp: vjp(reversedInPlace),
      hvp: hvp(reversedInPlace),
      hessian: hessian(reversedInPlace),
    }),
  },
  {
    name: "targets evaluated in order",
    minLength: 3,
    modes: modesOf(targetsInOrder, {
      grad: grad(targetsInOrder),
      valueAndGrad: valueAndGrad(targetsInOrder),
      jvp: jvp(targetsInOrder),
      vjp: vjp(targetsInOrder),
      hvp: hvp(targetsInOrder),
      hessian: hessian(targetsInOrder),
    }),
  },
  {
    name: "tuples and objects from helpers, holes and defaults",
    minLength: 2,
    modes: modesOf(fromHelpers, {
      grad: grad(fromHelpers),
      valueAndGrad: valueAndGrad(fromHelpers),
      jvp: jvp(fromHelpers),
      vjp: vjp(fromHelpers),
      hvp: hvp(fromHelpers),
      hessian: hessian(fromHelpers),
    }),
  },
  {
    name: "const [first, ...rest] = xs",
    minLength: 0,
    modes: modesOf(firstTimesRest, {
      grad: grad(firstTimesRest),
      valueAndGrad: valueAndGrad(firstTimesRest),
      jvp: jvp(firstTimesRest),
      vjp: vjp(firstTimesRest),
      hvp: hvp(firstTimesRest),
      hessian: hessian(firstTimesRest),
    }),
  },
  {
    name: "xs.at(-1) and xs.at(0)",
    minLength: 1,
    modes: modesOf(ends, {
      grad: grad(ends),
      valueAndGrad: valueAndGrad(ends),
      jvp: jvp(ends),
      vjp: vjp(ends),
      hvp: hvp(ends),
      hessian: hessian(ends),
    }),
  },
  {
    name: "the idioms inside a helper",
    minLength: 1,
    modes: modesOf(throughHelper, {
      grad: grad(throughHelper),
      valueAndGrad: valueAndGrad(throughHelper),
      jvp: jvp(throughHelper),
      vjp: vjp(throughHelper),
      hvp: hvp(throughHelper),
      hessian: hessian(throughHelper),
    }),
  },
];

describe("entries, reduce without an initial value, destructuring assignment, rest elements, at", () => {
  for (const c of scalarCases)
    it(`${c.name}: every mode against finite differences and each other`, () => {
      fc.assert(
        // (an empty array has no direction to check: the closed forms below take it)
        fc.property(vector(Math.max(1, c.minLength)), vector(6), (x, direction) => {
          checkAllModes(
            c.modes,
            x,
            direction
              .slice(0, x.length)
              .concat(x.map(() => 0.3))
              .slice(0, x.length),
          );
        }),
        { numRuns: 25 },
      );
    });

  it("closed forms: entries weighs by the index, the swap, the rest element, at", () => {
    const x = [0.5, -1.25, 2, 0.75];
    expect(grad(weighted)(x)).toEqual([0, 2 * -1.25, 8, 4.5]);
    expect(hessian(weighted)(x)).toEqual([
      [0, 0, 0, 0],
      [0, 2, 0, 0],
      [0, 0, 4, 0],
      [0, 0, 0, 6],
    ]);
    expect(swapped([3, 5])).toBe(30);
    expect(valueAndGrad(swapped)([3, 5])).toEqual({ value: 30, grad: [10, 6] });
    expect(grad(firstTimesRest)(x)).toEqual([-1.25 + 2 + 0.75, 0.5, 0.5, 0.5]);
    expect(grad(ends)(x)).toEqual([0.75, 0, 0, 0.5]);
    expect(grad(ends)([3])).toEqual([6]);
    // empty arrays: no iteration, no element, an empty rest
    expect(valueAndGrad(weighted)([])).toEqual({ value: 0, grad: [] });
    expect(valueAndGrad(reversedInPlace)([])).toEqual({ value: 0, grad: [] });
    expect(valueAndGrad(firstTimesRest)([]).value).toBe(Number.NaN);
    // the fourth powers: one element is the accumulator itself, never squared again
    expect(valueAndGrad(sumOfFourthPowers)([3])).toEqual({ value: 9, grad: [6] });
    expect(grad(sumOfFourthPowers)([1, 2])).toEqual([2, 32]);
  });

  it("Float64Array: entries, keys, values, at, and rests that are plain arrays", () => {
    fc.assert(
      fc.property(vector(4), (x) => {
        const xs = Float64Array.from(x);
        verifyDerivatives(iterators, { grad: grad(iterators), jvp: jvp(iterators), valueAndGrad: valueAndGrad(iterators) }, [xs]);
        verifyDerivatives(rests, { grad: grad(rests), jvp: jvp(rests), valueAndGrad: valueAndGrad(rests) }, [xs]);
        expect(grad(rests)(xs)).toBeInstanceOf(Float64Array);
      }),
      { numRuns: 30 },
    );
  });

  it("at with computed, fractional and out-of-range indices, and `?? d`", () => {
    // k between integers, away from them: at(k) reads the element at k truncated toward zero
    const index = fc.integer({ min: -4, max: 4 }).map((i) => i + (i < 0 ? -0.5 : 0.5));
    fc.assert(
      fc.property(vector(5), index, (x, k) => {
        verifyDerivatives(atVariants, { grad: grad(atVariants), jvp: jvp(atVariants), valueAndGrad: valueAndGrad(atVariants) }, [x, k]);
      }),
      { numRuns: 40 },
    );
    // NaN reads the first element, as JavaScript's at does
    expect(valueAndGrad(atVariants)([1, 2, 3, 4, 5], Number.NaN).value).toBe(atVariants([1, 2, 3, 4, 5], Number.NaN));
  });

  it("the Jacobian of a vector function made with every idiom, in both modes and by default", () => {
    fc.assert(
      fc.property(vector(2), (x) => {
        const columns = x.map((_, j) => numericDirectional(idiomsVector, [x], [x.map((_, k) => (k === j ? 1 : 0))]) as number[]);
        const reference = idiomsVector(x).map((_, i) => columns.map((col) => col[i]!));
        expectClose(jacobian(idiomsVector, { mode: "forward" })(x), reference, 1e-5, "forward-mode Jacobian");
        expectClose(jacobian(idiomsVector, { mode: "reverse" })(x), reference, 1e-5, "reverse-mode Jacobian");
        expectClose(jacobian(idiomsVector)(x), reference, 1e-5, "Jacobian");
      }),
      { numRuns: 30 },
    );
  });

  it("reduce and reduceRight of an empty array with no initial value throw JavaScript's TypeError, in every mode", () => {
    let thrown: unknown;
    try {
      ([] as number[]).reduce((a, b) => a + b);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const message = (thrown as TypeError).message;
    const calls: (() => unknown)[] = [
      () => grad(sumOfFourthPowers)([]),
      () => valueAndGrad(sumOfFourthPowers)([]),
      () => jvp(sumOfFourthPowers)([], []),
      () => vjp(sumOfFourthPowers)([]),
      () => hvp(sumOfFourthPowers)([], []),
      () => grad(folds)([]),
      () => jvp(folds)([], []),
      () => grad(throughHelper)([]),
      () => jacobian(idiomsVector, { mode: "forward" })([]),
      () => jacobian(idiomsVector, { mode: "reverse" })([]),
    ];
    for (const call of calls) {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(message);
    }
  });
});

describe("what stays refused, with its place and a hint", () => {
  const refused = (body: string, extra = "") =>
    compileSource(`import { grad } from "tsgrad";\n${extra}function f(xs: number[]): number {\n${body}\n}\nexport const df = grad(f);`)
      .messages;

  it("an array's iterator anywhere but in for...of", () => {
    expect(refused("  return Array.from(xs.keys()).length;")).toEqual([
      expect.stringMatching(/^TSG1009 3:21 TSG1009: `\.keys\(\)` of an array is supported only as what a for\.\.\.of loop iterates/),
    ]);
    expect(refused("  return Math.max(...xs.values());")).toEqual([
      expect.stringMatching(/^TSG1009 3:22 TSG1009: `\.values\(\)` of an array/),
    ]);
    // an iterator held in a variable is refused by its type
    expect(refused("  const it = xs.entries();\n  return xs[0]!;")).toEqual([
      expect.stringMatching(/^TSG1010 3:9 TSG1010: values of type `ArrayIterator<\[number, number\]>` cannot be differentiated/),
    ]);
  });

  it("an entry not destructured into the index and the item", () => {
    expect(refused("  let s = 0;\n  for (const e of xs.entries()) s += e[1];\n  return s;")).toEqual([
      expect.stringMatching(/^TSG1009 4:14 TSG1009: an entry of `\.entries\(\)` is supported destructured into the index and the item/),
    ]);
  });

  it("rest elements of objects and tuples", () => {
    expect(refused("  const { a, ...others } = o;\n  return a * xs[0]!;", "const o = { a: 1, b: 2 };\n")).toEqual([
      expect.stringMatching(/^TSG1009 4:14 TSG1009: a rest in object destructuring is not supported/),
    ]);
    const tuple = compileSource(
      `import { grad } from "tsgrad";\nfunction f(p: [number, number, number]): number {\n  const [a, ...r] = p;\n  return a * r.length;\n}\nexport const df = grad(f);`,
    ).messages;
    expect(tuple).toEqual([
      expect.stringMatching(/^TSG1010 3:13 TSG1010: a rest element is supported on arrays of numbers, not on tuples/),
    ]);
  });

  it("swapping arrays the function owns", () => {
    expect(refused("  let u = xs.slice(), v = [1, 2];\n  [u, v] = [v, u];\n  return u[0]! * v[0]!;")).toEqual([
      expect.stringMatching(/^TSG1015 4:4 TSG1015: `u` owns its array/),
    ]);
  });

  it("reduce without an initial value on an array of objects", () => {
    expect(
      compileSource(
        `import { grad } from "tsgrad";\nfunction f(w: number, ps: { x: number }[]): number {\n  const p = ps.reduce((a, b) => (a.x > b.x ? a : b));\n  return p.x * w;\n}\nexport const df = grad(f);`,
      ).messages,
    ).toEqual([expect.stringMatching(/^TSG1010 3:13 TSG1010: `\.reduce` without an initial value is supported on arrays of numbers/)]);
  });
});
