/**
 * Every rule of the registry, checked on its own: the partial derivatives written in
 * transformer/rules/primitives.ts are executable TypeScript, so each is evaluated directly at random
 * points of the primitive's domain and compared with central finite differences of the primitive
 * (piecewise-constant primitives too: away from their jumps, the differences must vanish). The IR
 * the registry parses from each template is evaluated at the same points, ties and kinks included,
 * and must give the TypeScript function's numbers. test/rules-generated.test.ts checks the rules
 * again through generated code.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Expr } from "../transformer/ir/types.js";
import { primitives, type Primitive } from "../transformer/rules/primitives.js";
import { differentiableOps, parseTemplate } from "../transformer/rules/registry.js";
import { MATH_CONSTANTS, MATH_FUNCTIONS, mathNameOf } from "../transformer/rules/math.js";

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
  bitAnd: (a, b) => a! & b!,
  bitOr: (a, b) => a! | b!,
  bitXor: (a, b) => a! ^ b!,
  shiftLeft: (a, b) => a! << b!,
  shiftRight: (a, b) => a! >> b!,
  shiftRightUnsigned: (a, b) => a! >>> b!,
  bitNot: (a) => ~a!,
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
  // dividends and divisors of both signs: % truncates toward zero (a floor would differ for a / b < 0)
  mod: fc.tuple(wide, fc.oneof(fc.double({ min: -2, max: -0.3, noNaN: true }), fc.double({ min: 0.3, max: 2, noNaN: true }))).filter(([a, b]) => Math.abs(a / b - Math.round(a / b)) > 0.01),
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
  // piecewise constant: away from the jumps (integers; halves for round; 0 for sign)
  floor: fc.tuple(wide).filter(([x]) => Math.abs(x - Math.round(x)) > 0.01),
  ceil: fc.tuple(wide).filter(([x]) => Math.abs(x - Math.round(x)) > 0.01),
  trunc: fc.tuple(wide).filter(([x]) => Math.abs(x - Math.round(x)) > 0.01),
  round: fc.tuple(wide).filter(([x]) => Math.abs(x - Math.floor(x) - 0.5) > 0.01),
  sign: fc.tuple(awayFromZero),
  // bitwise: operands of both signs, away from integers (beyond 32 bits, where ToInt32 wraps, a
  // difference step of 1e-6 |x| would cross integers: test/bitwise.test.ts checks the values there)
  bitAnd: bitwiseOperands(2),
  bitOr: bitwiseOperands(2),
  bitXor: bitwiseOperands(2),
  shiftLeft: bitwiseOperands(2),
  shiftRight: bitwiseOperands(2),
  shiftRightUnsigned: bitwiseOperands(2),
  bitNot: bitwiseOperands(1),
};

function bitwiseOperands(n: number): fc.Arbitrary<number[]> {
  const operand = fc.double({ min: -40, max: 40, noNaN: true });
  return fc.array(operand, { minLength: n, maxLength: n }).filter((xs) => xs.every((x) => Math.abs(x - Math.round(x)) > 0.01));
}

/** Points where the rules make documented choices or are easy to get wrong: ties, zeros, kinks. */
const SPECIAL_POINTS: Record<string, number[][]> = {
  unary: [[0], [1], [-1], [0.5], [-2.5]],
  binary: [[1, 1], [-2, -2], [0, 0], [0, 2.5], [0, 1], [0, -1], [2.5, 0], [-1.5, 2], [3, -2], [-7.1, 3]],
  variadic: [[0, 0], [0, 0, 0], [3, 4], [-1, 0]],
};

function arityOf(rule: ScalarRule): number {
  return typeof rule.arity === "number" ? rule.arity : 1;
}

function partialsOf(rule: ScalarRule, xs: number[], y: number): number[] {
  if (rule.arity === 1 && rule.partials !== "zero") return [rule.partials[0](xs[0]!, y)];
  if (rule.arity === 2 && rule.partials !== "zero") return rule.partials.map((p) => p(xs[0]!, xs[1]!, y));
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

/** The numbers JavaScript gives each IR primitive: an evaluator independent of tsgrad's emit. */
const JS_OPS: Record<string, (...a: never[]) => unknown> = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  mod: (a: number, b: number) => a % b,
  pow: (a: number, b: number) => a ** b,
  neg: (a: number) => -a,
  lt: (a: number, b: number) => a < b,
  le: (a: number, b: number) => a <= b,
  gt: (a: number, b: number) => a > b,
  ge: (a: number, b: number) => a >= b,
  eq: (a: number, b: number) => a === b,
  ne: (a: number, b: number) => a !== b,
  and: (a: boolean, b: boolean) => a && b,
  or: (a: boolean, b: boolean) => a || b,
  not: (a: boolean) => !a,
  select: (c: boolean, a: number, b: number) => (c ? a : b),
};

/** Evaluates a template's IR with its holes bound to `args`. */
function evaluate(e: Expr, args: readonly number[]): unknown {
  switch (e.k) {
    case "num":
    case "bool":
      return e.value;
    case "var":
      expect(e.v.id, "a template reads only its parameters").toBeLessThan(0);
      return args[-1 - e.v.id];
    case "op": {
      const f = JS_OPS[e.op] ?? (Math as unknown as Record<string, (...a: number[]) => number>)[e.op];
      expect(f, `a JavaScript meaning for ${e.op}`).toBeTypeOf("function");
      return (f as (...a: unknown[]) => unknown)(...e.args.map((a) => evaluate(a, args)));
    }
    default:
      throw new Error(`unexpected ${e.k} in a scalar template`);
  }
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
            const fd = finiteDifference(prim, xs, i);
            const tol = 1e-5 * Math.max(1, Math.abs(fd), Math.abs(analytic[i]!));
            expect(Math.abs(analytic[i]! - fd), `d${name}/dx${i} at ${xs.join(", ")}`).toBeLessThanOrEqual(tol);
          });
        }),
        { numRuns: 200 },
      );
    });

    const partials = rule.partials;
    if (partials !== "zero")
      it(`${name}: the IR parsed from its template computes what the template does`, () => {
        const fns = ("each" in partials ? [partials.each] : partials) as readonly Prim[];
        const prim = PRIMITIVES[name]!;
        const domain = DOMAINS[name] ?? fc.array(wide, { minLength: arityOf(rule), maxLength: arityOf(rule) });
        const special = SPECIAL_POINTS[rule.arity === "variadic" ? "variadic" : rule.arity === 1 ? "unary" : "binary"]!;
        const points = [...special, ...fc.sample(domain, { numRuns: 100, seed: 11 })];
        for (const f of fns) {
          const template = parseTemplate(f);
          for (const xs of points) {
            const y = prim(...xs);
            // variadic partials take one input and the output: check each input in turn
            const calls = rule.arity === "variadic" ? xs.map((x) => [x, y]) : [[...xs, y]];
            for (const args of calls) expect(evaluate(template.body, args), `${name} at ${args.join(", ")}`).toBe(f(...args));
          }
        }
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

describe("the template parser", () => {
  // Templates no rule uses today, written to exercise every construct the parser documents: a
  // rule added later must not be misread (a comparison read as another, a constant dropped).
  const templates: Prim[] = [
    (a, b, y) => (a! < b! ? a! - b! : a! > b! ? a! * b! : y! / 2),
    (a, b, y) => (a! <= b! ? -a! : a! >= b! ? -(a! + b!) : y!),
    (a, b, y) => (a === b ? 1 : a !== y ? 2 : 3),
    (a, b, y) => a! ** 2 + Math.PI * Math.E - Math.LN2 * Math.LN10 + Math.SQRT2 / Math.SQRT1_2 + Math.LOG2E * Math.LOG10E + b! * y!,
    (a, b, y) => Math.max(a!, b!, y!) + Math.min(a!, b!) + Math.hypot(a!, b!, y!) + Math.atan2(a!, b!) + Math.pow(a!, 2),
    (a, b, y) => (true ? a! : b!) + (false ? a! : y!),
    (a, b) => -1 - -a! * -(b! - 2),
  ];
  it("reads every documented construct as JavaScript does, ties included", () => {
    const points = [[1, 1, 1], [1, 2, 3], [2, 1, 0.5], [-1.5, -1.5, 2], [0, 0, 0], [3, -2, -2]];
    for (const f of templates) {
      const t = parseTemplate(f);
      for (const xs of points) expect(evaluate(t.body, xs), `${f.toString()} at ${xs.join(", ")}`).toBe(f(...xs));
    }
  });
  it("refuses what it does not know, naming it", () => {
    expect(() => parseTemplate(((a: number) => a + unknownName) as Prim)).toThrow(/unknown name unknownName/);
    expect(() => parseTemplate(((a: number) => Math.random() * a) as Prim)).toThrow(/unsupported syntax/);
    expect(() => parseTemplate((function (a: number) { return a; }) as Prim)).toThrow(/not an arrow function/);
    expect(() => parseTemplate(((a: number) => { return a; }) as Prim)).toThrow(/expression body/);
  });
});
const unknownName = 1;

// Stryker's helpers, as they appear in the text of an instrumented template (never called here)
declare function stryMutAct_9fa48(id: string): boolean;
declare function stryCov_9fa48(...ids: string[]): void;

describe("templates under mutation testing (npm run mutate)", () => {
  it("the parser follows a mutant switch by the active mutant, and records coverage marks", () => {
    // the text a mutation tester gives `(x, y) => y` with one mutant: `(x, y) => x`
    const instrumented = (x: number, y: number) => (stryMutAct_9fa48("switch-test") ? x : (stryCov_9fa48("switch-test"), y));
    const g = globalThis as { __stryker__?: { activeMutant?: string; mutantCoverage?: unknown } };
    const ns = (g.__stryker__ ??= {});
    const saved = { activeMutant: ns.activeMutant, mutantCoverage: ns.mutantCoverage };
    try {
      ns.mutantCoverage = { static: {}, perTest: {} };
      ns.activeMutant = undefined;
      expect(evaluate(parseTemplate(instrumented as Prim).body, [2, 3])).toBe(3);
      expect(JSON.stringify(ns.mutantCoverage)).toContain('"switch-test":1');
      ns.activeMutant = "switch-test";
      expect(evaluate(parseTemplate(instrumented as Prim).body, [2, 3])).toBe(2);
    } finally {
      ns.activeMutant = saved.activeMutant;
      ns.mutantCoverage = saved.mutantCoverage;
    }
  });
});

describe("the Math members tsgrad knows are JavaScript's own", () => {
  const math = Math as unknown as Record<string, unknown>;
  it("each Math function is a function of Math, of the arity JavaScript gives it; only hypot, max and min take any number", () => {
    expect(Object.keys(MATH_FUNCTIONS).length).toBeGreaterThanOrEqual(30);
    for (const [name, fn] of Object.entries(MATH_FUNCTIONS)) {
      expect(typeof math[name], name).toBe("function");
      expect(mathNameOf(fn.op), name).toBe(name);
      if (fn.arity === "any") expect(["hypot", "max", "min"], name).toContain(name);
      else expect(fn.arity, name).toBe((math[name] as (...a: number[]) => number).length);
    }
    // the value of a call without arguments, as JavaScript gives it
    for (const name of ["hypot", "max", "min"]) expect(MATH_FUNCTIONS[name]!.none, name).toBe((math[name] as () => number)());
  });
  it("each Math constant is Math's value", () => {
    for (const [name, value] of Object.entries(MATH_CONSTANTS)) expect(value, name).toBe(math[name]);
  });
});
