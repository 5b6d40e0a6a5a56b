/**
 * Every rule of the registry, checked on its own: the partial derivatives written in
 * transformer/rules/scalar.ts are executable TypeScript, so each is evaluated directly at random
 * points of the primitive's domain and compared with central finite differences of the primitive.
 * The registry must also turn each of them into IR.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scalarRules, type ScalarRule } from "../transformer/rules/scalar.js";
import { differentiableOps, parseTemplate } from "../transformer/rules/registry.js";

type Prim = (...xs: number[]) => number;

const PRIMITIVES: Record<string, Prim> = {
  add: (a, b) => a! + b!,
  sub: (a, b) => a! - b!,
  mul: (a, b) => a! * b!,
  div: (a, b) => a! / b!,
  mod: (a, b) => a! % b!,
  pow: (a, b) => a! ** b!,
  neg: (a) => -a!,
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  atan2: Math.atan2, sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, asinh: Math.asinh,
  acosh: Math.acosh, atanh: Math.atanh, exp: Math.exp, expm1: Math.expm1, log: Math.log,
  log1p: Math.log1p, log2: Math.log2, log10: Math.log10, sqrt: Math.sqrt, cbrt: Math.cbrt,
  hypot: Math.hypot, abs: Math.abs, min: Math.min, max: Math.max,
  sign: Math.sign, floor: Math.floor, ceil: Math.ceil, round: Math.round, trunc: Math.trunc,
  // stopGradient: the identity whose derivative is cut on purpose (checked apart below)
  stop: (a) => a!,
};

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
  if (rule.arity === 1 || rule.arity === 2) return rule.arity;
  return 1;
}

function partialsOf(rule: ScalarRule, xs: number[], y: number): number[] {
  if (rule.arity === 1) return [rule.partials[0](xs[0]!, y)];
  if (rule.arity === 2) return rule.partials.map((p) => p(xs[0]!, xs[1]!, y));
  if (rule.arity === "variadic") return xs.map((x) => rule.partial(x, y));
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
  const rules = scalarRules as Record<string, ScalarRule>;

  it("has a rule for every primitive tsgrad lowers Math.* and operators to", () => {
    expect(new Set(differentiableOps())).toEqual(new Set(Object.keys(PRIMITIVES)));
  });

  it("stop (stopGradient) declares a zero derivative, whatever its value's", () => {
    expect(rules.stop!.arity).toBe("zero");
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
            const fd = rule.arity === "zero" ? 0 : finiteDifference(prim, xs, i);
            const tol = 1e-5 * Math.max(1, Math.abs(fd), Math.abs(analytic[i]!));
            expect(Math.abs(analytic[i]! - fd), `d${name}/dx${i} at ${xs.join(", ")}`).toBeLessThanOrEqual(tol);
          });
        }),
        { numRuns: 200 },
      );
    });

    if (rule.arity !== "zero")
      it(`${name}: its template becomes IR`, () => {
        const fns = rule.arity === "variadic" ? [rule.partial] : rule.partials;
        for (const f of fns) expect(() => parseTemplate(f as Prim)).not.toThrow();
      });
  }

  it("documents the choices made where derivatives do not exist", () => {
    const abs = rules.abs as Extract<ScalarRule, { arity: 1 }>;
    expect(abs.partials[0](0, 0)).toBe(0);
    // ties go to the first argument
    const max = rules.max as Extract<ScalarRule, { arity: 2 }>;
    expect([max.partials[0](1, 1, 1), max.partials[1](1, 1, 1)]).toEqual([1, 0]);
    const min = rules.min as Extract<ScalarRule, { arity: 2 }>;
    expect([min.partials[0](2, 2, 2), min.partials[1](2, 2, 2)]).toEqual([1, 0]);
    const hypot = rules.hypot as Extract<ScalarRule, { arity: "variadic" }>;
    expect(hypot.partial(0, 0)).toBe(0);
  });
});
