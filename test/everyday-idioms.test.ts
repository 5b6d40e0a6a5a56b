/**
 * Small idioms of everyday numeric TypeScript: `Number(x)` of a number (itself, its derivative
 * passes) or a boolean (1 or 0), and the array methods of an array TypeScript types `any[]`
 * (`Array(n).fill(0)`), which is the array its initialiser made; callbacks passed by name
 * (`xs.map(Math.exp)`, `xs.map(sigmoid)`, `xs.reduce(add, 0)`), called as JavaScript calls them,
 * with the item, the index and the array; `xs.concat(ys, [1, 2], x)`; `findIndex` and
 * `findLastIndex` as data; `sort` with `(a, b) => a - b` or `b - a`, and `reverse`, of a copy or
 * in place of an array the function made (the derivative follows each item to where it lands). References: closed forms,
 * central finite differences and forward against reverse mode (verifyDerivatives).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { grad, hessian, jvp, valueAndGrad } from "tsgrad";
import { expectClose, numericHessian } from "./support/numeric.js";
import { verifyDerivatives } from "./support/verify.js";
import { compileSource } from "./support/compile.js";

/** `Number` of a comparison gates a term; `Number(x)` and unary `+` pass the derivative. */
function gated(xs: number[]): number {
  const a = Array(xs.length).fill(0);
  for (let i = 0; i < xs.length; i++) a[i] = xs[i]! ** 2;
  const total = a.reduce((s, v) => s + v, 0);
  return total * Number(xs[0]! > 0) + Number(xs[1]!) * +xs[0]! + Math.sin(Number(xs[xs.length - 1]!));
}

/** d gated / d xs, in closed form. */
function gatedSlope(xs: number[]): number[] {
  const on = xs[0]! > 0 ? 1 : 0;
  const g = xs.map((v) => 2 * v * on);
  g[0]! += xs[1]!;
  g[1]! += xs[0]!;
  g[xs.length - 1]! += Math.cos(xs[xs.length - 1]!);
  return g;
}

const entries = fc.array(
  fc.double({ min: -3, max: 3, noNaN: true }).filter((v) => Math.abs(v) > 1e-3),
  { minLength: 2, maxLength: 5 },
);

describe("Number(x) and arrays typed any[]", () => {
  it("grad is the closed form; valueAndGrad, jvp and finite differences agree", () => {
    fc.assert(
      fc.property(entries, (xs) => {
        expectClose(grad(gated)(xs), gatedSlope(xs), 1e-12, "grad vs closed form");
        verifyDerivatives(gated, { grad: grad(gated), jvp: jvp(gated), valueAndGrad: valueAndGrad(gated) }, [xs]);
      }),
      { numRuns: 40 },
    );
  });

  it("the Hessian matches finite differences of the function", () => {
    const xs = [0.7, -1.2, 0.4];
    expectClose(hessian(gated)(xs), numericHessian(gated, xs), 1e-5, "Hessian");
    expect(hessian(gated)(xs)[0]![1]).toBeCloseTo(1, 10);
  });
});

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
/** Takes the index too, as JavaScript passes it. */
function weighted(v: number, i: number): number {
  const w = i + 1;
  return w * v * v;
}
function add(a: number, b: number): number {
  return a + b;
}
function byName(xs: number[]): number {
  const e = xs.map(Math.exp);
  const s = xs.map(sigmoid);
  const w = xs.map(weighted);
  return e.reduce(add, 0) + s.reduce((a, b) => a + b, 0) * w.reduce(add);
}
/** d byName / d xs, in closed form. */
function byNameSlope(xs: number[]): number[] {
  const sig = xs.map((v) => 1 / (1 + Math.exp(-v)));
  const S = sig.reduce((a, b) => a + b, 0);
  const W = xs.reduce((a, v, i) => a + (i + 1) * v * v, 0);
  return xs.map((v, i) => Math.exp(v) + sig[i]! * (1 - sig[i]!) * W + S * 2 * (i + 1) * v);
}

describe("callbacks passed by name", () => {
  it("Math functions and functions of the file, with the index where they take it: closed form, both modes", () => {
    fc.assert(
      fc.property(entries, (xs) => {
        expectClose(grad(byName)(xs), byNameSlope(xs), 1e-10, "grad vs closed form");
        verifyDerivatives(byName, { grad: grad(byName), jvp: jvp(byName), valueAndGrad: valueAndGrad(byName) }, [xs]);
      }),
      { numRuns: 40 },
    );
  });

  it("the Hessian matches finite differences of the function", () => {
    const xs = [0.3, -0.7, 1.1];
    expectClose(hessian(byName)(xs), numericHessian(byName, xs), 1e-5, "Hessian");
  });

  it("what cannot be passed by name is refused with the arrow to write", () => {
    const refusal = (prelude: string, body: string, siblings: Record<string, string> = {}) =>
      compileSource(
        `import { grad } from "tsgrad";\n${prelude}\nexport function f(xs: number[]): number { ${body} }\nexport const g = grad(f);\n`,
        siblings,
      ).messages;
    const max = refusal("", "return xs.map(Math.max).reduce((a, b) => a + b, 0);");
    expect(max[0]).toMatch(/^TSG1009 3:.*would call Math\.max with the item, its index and the array/);
    const early = refusal(
      "function clip(v: number): number { if (v > 1) return 1; return v; }",
      "return xs.map(clip).reduce((a, b) => a + b, 0);",
    );
    expect(early[0]).toMatch(/^TSG1009 3:.*`clip` passed by name returns before its last statement/);
    expect(early[0]).toContain("xs.map((x) => clip(x))".slice(2));
    const other = refusal('import { sq } from "./lib.js";', "return xs.map(sq).reduce((a, b) => a + b, 0);", {
      "lib.ts": "export function sq(v: number): number { return v * v; }\n",
    });
    expect(other[0]).toMatch(/^TSG1009 3:.*`sq` passed by name is declared in another file/);
  });
});

/** Arrays spread one level, anything else appended, as JavaScript's concat does. */
function concatenated(xs: number[], ys: number[]): number {
  const zs = xs.concat(ys, [1, 2], xs[0]! * 3);
  let s = 0;
  for (let i = 0; i < zs.length; i++) s += (i + 1) * zs[i]! * zs[i]!;
  return s * zs.length;
}

describe("concat", () => {
  it("of arrays and numbers: both parameters against finite differences and forward mode", () => {
    fc.assert(
      fc.property(entries, entries, (xs, ys) => {
        expect(grad(concatenated)(xs, ys)).toHaveLength(2);
        verifyDerivatives(concatenated, { grad: grad(concatenated), jvp: jvp(concatenated), valueAndGrad: valueAndGrad(concatenated) }, [
          xs,
          ys,
        ]);
      }),
      { numRuns: 30 },
    );
  });
});

/** The first and last positions past a threshold pick the terms (data: the derivative is the picked terms'). */
function picked(xs: number[]): number {
  const first = xs.findIndex((v) => v > 0.5);
  const last = xs.findLastIndex((v, i) => v < 0 && i > 0);
  return (first >= 0 ? xs[first]! ** 3 : 0) + (last >= 0 ? Math.sin(xs[last]!) * xs[0]! : xs[0]!);
}
function pickedSlope(xs: number[]): number[] {
  let first = -1;
  for (let i = 0; i < xs.length; i++)
    if (xs[i]! > 0.5) {
      first = i;
      break;
    }
  let last = -1;
  for (let i = xs.length - 1; i >= 0; i--)
    if (xs[i]! < 0 && i > 0) {
      last = i;
      break;
    }
  const g = xs.map(() => 0);
  if (first >= 0) g[first]! += 3 * xs[first]! ** 2;
  if (last >= 0) {
    g[last]! += Math.cos(xs[last]!) * xs[0]!;
    g[0]! += Math.sin(xs[last]!);
  } else g[0]! += 1;
  return g;
}

describe("find, flatMap and values that may be undefined", () => {
  it("are refused with what to write instead", () => {
    const refusal = (body: string) =>
      compileSource(`import { grad } from "tsgrad";\nexport function f(xs: number[]): number { ${body} }\nexport const g = grad(f);\n`)
        .messages;
    const found = refusal("const v = xs.find((x) => x > 1); return v ?? 0;");
    expect(found[0]).toMatch(/^TSG1009 2:53 .*`\.find` gives undefined when no item passes/);
    expect(found[0]).toContain("xs.findIndex(p)");
    expect(refusal("return xs.flatMap((x) => [x, x * x]).length;")[0]).toMatch(/^TSG1009 2:50 .*`\.flatMap` is not supported/);
    // a value that may be undefined: the hint says how to choose
    expect(refusal("const v = xs.at(-1); return v! * 2;")[0]).toMatch(
      /^TSG1010 2:49 .*`number \| undefined`[^]*hint: the value may be undefined/,
    );
  });
});

describe("findIndex and findLastIndex", () => {
  it("pick positions as data: closed form, finite differences, forward mode", () => {
    fc.assert(
      // away from the threshold, where finite differences would step across it
      fc.property(
        entries.filter((xs) => xs.every((v) => Math.abs(v - 0.5) > 1e-3)),
        (xs) => {
          expectClose(grad(picked)(xs), pickedSlope(xs), 1e-12, "grad vs closed form");
          verifyDerivatives(picked, { grad: grad(picked), jvp: jvp(picked), valueAndGrad: valueAndGrad(picked) }, [xs]);
        },
      ),
      { numRuns: 40 },
    );
  });
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}
/** Sorted in place, descending, the largest and smallest squares dropped; and a sorted copy's first. */
function trimmed(xs: number[]): number {
  const c = xs.map((v) => v * v);
  c.sort((a, b) => b - a);
  let s = 0;
  for (let i = 1; i < c.length - 1; i++) s += c[i]! * (i + 1);
  return (
    s +
    Math.sin(
      xs.slice().sort((p, q) => {
        return q - p;
      })[0]!,
    )
  );
}

/** reverse() of a copy and, in place, of an array the function made: weights by position from the end. */
function reversed(xs: number[]): number {
  const r = [...xs].reverse();
  const c = xs.map((v) => v * v);
  c.reverse();
  let s = 0;
  for (let i = 0; i < r.length; i++) s += (i + 1) * r[i]! * c[i]!;
  return s;
}

/** Distinct items (and squares), so that the order is the same a step away. */
const distinct = fc
  .array(fc.integer({ min: -2000, max: 2000 }), { minLength: 3, maxLength: 6 })
  .filter((ks) => new Set(ks.map((k) => Math.abs(k))).size === ks.length)
  .map((ks) => ks.map((k) => k / 700 + 0.0001));

describe("sort with a numeric comparator, and reverse", () => {
  it("the median and a trimmed sum: values as JavaScript sorts, gradients against finite differences and forward mode", () => {
    fc.assert(
      fc.property(distinct, (xs) => {
        verifyDerivatives(median, { grad: grad(median), jvp: jvp(median), valueAndGrad: valueAndGrad(median) }, [xs]);
        verifyDerivatives(trimmed, { grad: grad(trimmed), jvp: jvp(trimmed), valueAndGrad: valueAndGrad(trimmed) }, [xs]);
        verifyDerivatives(reversed, { grad: grad(reversed), jvp: jvp(reversed), valueAndGrad: valueAndGrad(reversed) }, [xs]);
        // item i lands at n - 1 - i in both: its term is (n - i) x_i^3, slope 3 (n - i) x_i^2
        expectClose(
          grad(reversed)(xs),
          xs.map((v, i) => 3 * (xs.length - i) * v * v),
          1e-12,
          "reverse vs closed form",
        );
      }),
      { numRuns: 40 },
    );
  });

  it("the median's gradient is the middle items' weights (closed form), and the Hessian matches finite differences", () => {
    const xs = [0.3, -1.2, 2.5, 0.9];
    // sorted: -1.2, 0.3, 0.9, 2.5: the median is (0.3 + 0.9) / 2
    expect(grad(median)(xs)).toEqual([0.5, 0, 0, 0.5]);
    expect(grad(median)([4, 1, 3])).toEqual([0, 0, 1]);
    expectClose(hessian(trimmed)(xs), numericHessian(trimmed, xs), 1e-5, "Hessian");
  });

  it("what cannot be sorted is refused with what to write", () => {
    const refusal = (body: string) =>
      compileSource(`import { grad } from "tsgrad";\nexport function f(xs: number[]): number { ${body} }\nexport const g = grad(f);\n`)
        .messages;
    expect(refusal("const s = [...xs].sort(); return s[0]!;")[0]).toMatch(/^TSG1009 2:53 .*compares numbers as strings/);
    expect(refusal("xs.sort((a, b) => a - b); return xs[0]!;")[0]).toMatch(
      /^TSG1009 2:43 .*would change an array the function does not own/,
    );
    expect(refusal("const s = xs.slice().sort((a, b) => a * b); return s[0]!;")[0]).toMatch(
      /^TSG1009 2:53 .*comparator `\(a, b\) => a - b`/,
    );
  });
});
