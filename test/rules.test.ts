/**
 * Every rule of the registry, checked on its own: the partial derivatives written in
 * transformer/rules/primitives.ts are executable TypeScript, so each is evaluated directly at random
 * points of the primitive's domain and compared with central finite differences of the primitive.
 * The registry must also turn each of them into IR.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { primitives, type Primitive } from "../transformer/rules/primitives.js";
import { differentiableOps, parseTemplate } from "../transformer/rules/registry.js";

/** A primitive of the table with a derivative rule (not a boolean, not `select`). */
type ScalarRule = Exclude<Primitive, { readonly kind: "comparison" | "boolean" } | { readonly arity: 3 }>;

type Prim = (...xs: number[]) => number;

/**
 * The functions the rules are derivatives of, independent of tsgrad: JavaScript's own operators,
 * and for a Math function the `Math` function itself (so a new one is checked without a line here).
 */
const OPERATORS: Record<string, Prim> = {
  add: (a, b) => a! + b!,
  sub: (a, b) => a! - b!,
  mul: (a, b) => a! * b!,
  div: (a, b) => a! / b!,
  mod: (a, b) => a! % b!,
  pow: (a, b) => a! ** b!,
  neg: (a) => -a!,
  // stopGradient: the identity whose derivative is cut on purpose (checked apart below)
  stop: (a) => a!,
};
const PRIMITIVES: Record<string, Prim> = Object.fromEntries(
  differentiableOps().flatMap((name) => {
    const math = (primitives[name] as Primitive).math;
    const f = OPERATORS[name] ?? (math ? (Math as unknown as Record<string, Prim | undefined>)[math] : undefined);
    return f ? [[name, f]] : [];
  }),
);

const wide = fc.double({ min: -3, max: 3, noNaN: true });
const positive = fc.double({ min: 0.1, max: 5, noNaN: true });
const unit = fc.double({ min: -0.9, max: 0.9, noNaN: true });
const awayFromZero = fc.oneof(fc.double({ min: -4, max: -0.1, noNaN: true }), fc.double({ min: 0.1, max: 4, noNaN: true }));

/** Inputs where each primitive is smooth (away from its kinks and jumps). */
const DOMAINS: Record<string, fc.Arbitrary<number[]>> = {
  div: fc.tuple(wide, awayFromZero),
  mod: fc.tuple(positive, fc.double({ min: 0.3, max: 2, noNaN: true })).filter(([a, b]) => Math.abs(a / b - Math.round(a / b)) > 0.01),
  pow: fc.tuple(positive, fc.double({ min: -2, max: 3, noNaN: true })),
  tan: fc.tuple(fc.double({ min: -1.2, max: 1.2, noNaN: true })),
  asin: fc.tuple(unit),
  acos: fc.tuple(unit),
  atanh: fc.tuple(unit),
  acosh: fc.tuple(fc.double({ min: 1.1, max: 5, noNaN: true })),
  // away from the origin and from the branch cut (a = 0, b < 0) where atan2 jumps by 2 pi
  atan2: fc.tuple(wide, wide).filter(([a, b]) => a * a + b * b > 0.01 && !(b < 0 && Math.abs(a) < 0.05)),
  log: fc.tuple(positive),
  log1p: fc.tuple(fc.double({ min: -0.9, max: 5, noNaN: true })),
  log2: fc.tuple(positive),
  log10: fc.tuple(positive),
  sqrt: fc.tuple(positive),
  cbrt: fc.tuple(awayFromZero),
  abs: fc.tuple(awayFromZero),
  hypot: fc.tuple(wide, wide, wide).filter((xs) => Math.hypot(...xs) > 0.1),
  min: fc.tuple(wide, wide).filter(([a, b]) => Math.abs(a - b) > 0.01),
  max: fc.tuple(wide, wide).filter(([a, b]) => Math.abs(a - b) > 0.01),
  exp: fc.tuple(wide),
  expm1: fc.tuple(wide),
  sinh: fc.tuple(wide),
  cosh: fc.tuple(wide),
};

function arityOf(rule: ScalarRule): number {
  return typeof rule.arity === "number" ? rule.arity : 1;
}

function partialsOf(rule: ScalarRule, xs: number[], y: number): number[] {
  if (rule.arity === 1 && rule.partials !== "zero") return [rule.partials[0](xs[0]!, y)];
  if (rule.arity === 2) return rule.partials.map((p) => p(xs[0]!, xs[1]!, y));
  if (rule.arity === "variadic") return xs.map((x) => rule.partials.each(x, y));
  return xs.map(() => 0);
}

function finiteDifference(f: Prim, xs: number[], i: number): number {
  const h = 1e-6 * Math.max(1, Math.abs(xs[i]!));
  const up = [...xs];
  const down = [...xs];
  up[i]! += h;
  down[i]! -= h;
  return (f(...up) - f(...down)) / (2 * h);
}

describe("rule registry", () => {
  const rules = Object.fromEntries(differentiableOps().map((name) => [name, primitives[name] as ScalarRule]));

  it("has a rule for every primitive tsgrad lowers Math.* and operators to, and a reference function for each", () => {
    expect(new Set(differentiableOps())).toEqual(new Set(Object.keys(PRIMITIVES)));
    // every numeric primitive of the table has its rule (booleans and select have none by nature)
    for (const [name, p] of Object.entries(primitives) as [string, Primitive][])
      expect(p.partials !== undefined || p.kind === "comparison" || p.kind === "boolean", name).toBe(true);
    expect(differentiableOps()).toEqual(expect.arrayContaining(["sin", "hypot", "min", "floor", "stop", "add"]));
  });

  it("stop (stopGradient) declares a zero derivative, whatever its value's", () => {
    expect(rules.stop!.partials).toBe("zero");
  });

  for (const [name, rule] of Object.entries(rules)) {
    if (name === "stop") continue;
    it(`${name}: partials match central finite differences`, () => {
      const prim = PRIMITIVES[name]!;
      const domain = DOMAINS[name] ?? fc.array(wide, { minLength: arityOf(rule), maxLength: arityOf(rule) });
      fc.assert(
        fc.property(domain, (xs) => {
          const y = prim(...xs);
          const analytic = partialsOf(rule, xs, y);
          xs.forEach((_, i) => {
            const fd = rule.partials === "zero" ? 0 : finiteDifference(prim, xs, i);
            const tol = 1e-5 * Math.max(1, Math.abs(fd), Math.abs(analytic[i]!));
            expect(Math.abs(analytic[i]! - fd), `d${name}/dx${i} at ${xs.join(", ")}`).toBeLessThanOrEqual(tol);
          });
        }),
        { numRuns: 200 },
      );
    });

    const partials = rule.partials;
    if (partials !== "zero")
      it(`${name}: its template becomes IR`, () => {
        const fns = "each" in partials ? [partials.each] : partials;
        for (const f of fns) expect(() => parseTemplate(f as Prim)).not.toThrow();
      });
  }

  it("documents the choices made where derivatives do not exist", () => {
    expect(primitives.abs.partials[0](0, 0)).toBe(0);
    // ties go to the first argument
    const max = primitives.max.partials;
    expect([max[0](1, 1, 1), max[1](1, 1, 1)]).toEqual([1, 0]);
    const min = primitives.min.partials;
    expect([min[0](2, 2, 2), min[1](2, 2, 2)]).toEqual([1, 0]);
    expect(primitives.hypot.partials.each(0, 0)).toBe(0);
  });
});
