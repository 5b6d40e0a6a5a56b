/**
 * The random-program checks can fail: each marker's result, made slightly wrong (one number off
 * by 1e-3 relative), or leaving the shared stack unbalanced, or writing into its argument, is
 * caught by runChecks (test/support/fuzz/checks.ts) on a generated program with helpers in two
 * modules and a tensor parameter. Without this, a check that compared a value with itself would
 * pass every program and prove nothing.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stack } from "tsgrad/internal";
import { Tensor } from "tsgrad/tensor";
import { Choices, uint32Stream } from "./support/fuzz/choices.js";
import { runChecks, type Point } from "./support/fuzz/checks.js";
import type { GeneratedProgram } from "./support/fuzz/spec.js";
import { expectClose } from "./support/numeric.js";
import { compileBatch, importCases } from "./support/fuzz/compile.js";
import { generateProgram } from "./support/fuzz/generate.js";
import { moduleSources, type CaseExports } from "./support/fuzz/harness.js";
import { samplePoints } from "./support/fuzz/points.js";
import { GENERATED_DIR } from "./support/compile.js";

/** A program with a chain of 3 helpers (two pass-throughs among them), one in a sibling module, a closure, a tensor parameter and two arrays, bitwise operators and a helper writing into its caller's array. */
const SEED = 5;
const program = generateProgram(new Choices([], uint32Stream(SEED)), "checked");
const points = samplePoints(SEED, 4);

/** A copy of a value with its first number moved by 1e-3 relative (numbers, arrays, records, tensors). */
function offByALittle(v: unknown): unknown {
  return withFirstMoved(v, (x) => 1e-3 * Math.max(1, Math.abs(x)));
}

/** Every number of a value, in order (numbers, arrays, records, tensors). */
function numbersOf(v: unknown): number[] {
  if (typeof v === "number") return [v];
  if (v instanceof Tensor) return [...v.data];
  if (v instanceof Float64Array) return [...v];
  if (Array.isArray(v)) return v.flatMap(numbersOf);
  if (v && typeof v === "object") return Object.values(v).flatMap(numbersOf);
  return [];
}

/** A copy of a value with its first number moved by `by(x)`. */
function withFirstMoved(v: unknown, by: (x: number) => number): unknown {
  let done = false;
  const walk = (x: unknown): unknown => {
    if (done) return x;
    if (typeof x === "number") {
      done = true;
      return x + by(x);
    }
    if (x instanceof Tensor) return new Tensor(walk(x.data) as Float64Array, x.shape);
    if (x instanceof Float64Array) {
      const c = x.slice();
      c[0] = walk(c[0]) as number;
      return c;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object")
      return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, typeof y === "function" ? y : walk(y)]));
    return x;
  };
  return walk(v);
}

type Key = keyof CaseExports;
const RESULTS: Key[] = [
  "grad",
  "hvp",
  "flat",
  "flatGrad",
  "flatHvp",
  "hessian",
  "jacForward",
  "jacReverse",
  "lineGrad",
  "lineGG",
  "innerGrad",
  "tenHessian",
];
const RECORDS: [Key, string][] = [
  ["vg", "value"],
  ["vg", "grad"],
  ["jvp", "value"],
  ["jvp", "tangent"],
  ["vjp", "value"],
  ["jvpGrad", "value"],
  ["jvpGrad", "tangent"],
  ["vecJvp", "value"],
  ["vecJvp", "tangent"],
  ["vecVjp", "value"],
  ["innerJvp", "value"],
  ["innerJvp", "tangent"],
];

describe("every random-program check can fail", () => {
  let cases: CaseExports;
  beforeAll(async () => {
    const [outcome] = compileBatch(path.join(GENERATED_DIR, "fuzz-checks"), [{ id: "checked", ...moduleSources(program) }]);
    if (outcome!.status !== "ok") throw new Error(`${outcome!.status}: ${outcome!.message}`);
    cases = await importCases<CaseExports>(outcome!.entry);
  }, 120_000);

  const check = (change: (c: CaseExports) => CaseExports) => runChecks(program, change(cases), points);

  it("the program itself passes every check, with most points against finite differences", () => {
    expect(program.params.map((p) => p.kind)).toContain("ten");
    expect(program.stats.depth).toBeGreaterThanOrEqual(3);
    const r = check((c) => c);
    expect(r.failure).toBeUndefined();
    expect(r.smooth).toBeGreaterThanOrEqual(3);
    expect(Object.keys(r.ran).length).toBeGreaterThan(25);
  });

  for (const key of RESULTS)
    it(`${key} off by 1e-3 is caught`, () => {
      const r = check((c) => ({ ...c, [key]: (...args: unknown[]) => offByALittle((c[key] as (...a: unknown[]) => unknown)(...args)) }));
      expect(r.failure?.check, JSON.stringify(r.failure)).toMatch(/./);
    });

  for (const [key, field] of RECORDS)
    it(`${key}(...).${field} off by 1e-3 is caught`, () => {
      const r = check((c) => ({
        ...c,
        [key]: (...args: unknown[]) => {
          const out = (c[key] as (...a: unknown[]) => Record<string, unknown>)(...args);
          return { ...out, [field]: offByALittle(out[field]) };
        },
      }));
      expect(r.failure?.check, JSON.stringify(r.failure)).toMatch(/./);
    });

  it("a pullback off by 1e-3 is caught (vjp and the vector-valued variant's)", () => {
    for (const key of ["vjp", "vecVjp"] as const) {
      const r = check((c) => ({
        ...c,
        [key]: (...args: unknown[]) => {
          const out = (c[key] as (...a: unknown[]) => { pullback: (x: unknown) => unknown })(...args);
          return { ...out, pullback: (x: unknown) => offByALittle(out.pullback(x)) };
        },
      }));
      expect(r.failure?.check, key).toMatch(new RegExp(key === "vjp" ? "^vjp:" : "jacobian:vjp|vjp:dot-product"));
    }
  });

  it("a reverse-mode Jacobian off by 1e-3 is caught by the comparison with forward mode (its rounding allowance is measured on other sweeps)", () => {
    const r = check((c) => ({ ...c, jacReverse: (z: number[], k: number) => offByALittle(c.jacReverse(z, k)) as number[][] }));
    expect(r.failure?.check).toBe("jacobian:forward-reverse");
  });

  it("an hvp whose error is linear in the direction but not symmetric (1e-4 of the second direction entry in the first) is caught by the symmetry check, its rounding allowance measured and small", () => {
    const tangentsFrom = program.params.length + 1; // hvp(...primals, k, ...tangents)
    const r = check((c) => ({
      ...c,
      hvp: (...args: unknown[]) => {
        const second = numbersOf(args.slice(tangentsFrom))[1]!;
        return withFirstMoved(c.hvp(...args), () => 1e-4 * second);
      },
    }));
    expect(r.failure?.check).toBe("hvp:symmetry");
  });

  it("an hvp off by a constant (not linear in its direction) is caught by the linearity check", () => {
    const r = check((c) => ({ ...c, hvp: (...args: unknown[]) => withFirstMoved(c.hvp(...args), () => 1e-9) }));
    expect(r.failure?.check).toBe("hvp:linear");
  });

  it("a derivative that leaves the shared stack one deeper is caught", () => {
    const r = check((c) => ({
      ...c,
      hvp: (...args: unknown[]) => {
        stack.push(0);
        return c.hvp(...args);
      },
    }));
    expect(r.failure?.check).toBe("hvp:stack");
    stack.pop(); // as it was
  });

  it("a derivative that writes into its argument is caught", () => {
    const r = check((c) => ({
      ...c,
      grad: (...args: unknown[]) => {
        const g = c.grad(...args);
        const v = args.find((a) => Array.isArray(a)) as number[];
        v[0] = v[0]! + 1;
        return g;
      },
    }));
    expect(r.failure?.check).toBe("grad:mutated");
  });
});

/** A program of the campaign kept as a fixture (test/fixtures/fuzz-program-N.json), and how to compile it. */
function campaignProgram(n: number): { fixture: { program: GeneratedProgram; point: Point }; compiled: () => Promise<CaseExports> } {
  const fixture = JSON.parse(readFileSync(new URL(`./fixtures/fuzz-program-${n}.json`, import.meta.url), "utf8")) as {
    program: GeneratedProgram;
    point: Point;
  };
  const compiled = async () => {
    const [outcome] = compileBatch(path.join(GENERATED_DIR, `fuzz-checks-${n}`), [{ id: `p${n}`, ...moduleSources(fixture.program) }]);
    if (outcome!.status !== "ok") throw new Error(`${outcome!.status}: ${outcome!.message}`);
    return importCases<CaseExports>(outcome!.entry);
  };
  return { fixture, compiled };
}

/**
 * Program 42606 of the campaign: a helper squares its accumulator three times, and at this point
 * the Hessian's two products u2·Hu and u·Hu2 differ by 5e-7 relative. That is rounding: in 60-digit
 * arithmetic the program's value is 15.09905339636 (float64 gives ...3927, 2.4e-10 off) and its
 * second derivative -3.7385681617, which hvp along different directions misses by up to 1e-5.
 */
describe("the symmetry check allows for rounding it measures, and only for that", () => {
  const { fixture, compiled } = campaignProgram(42606);
  let cases: CaseExports;
  beforeAll(async () => void (cases = await compiled()), 120_000);

  it("the two products differ by more than 1e-8 relative there, and every check passes", () => {
    const { z, u, u2, k } = fixture.point;
    const hu = cases.hvp(z[0]!, k, u[0]!) as number;
    const hu2 = cases.hvp(z[0]!, k, u2[0]!) as number;
    expect(Math.abs(u2[0]! * hu - u[0]! * hu2)).toBeGreaterThan(1e-8 * Math.abs(u2[0]! * hu));
    // the reference: the second derivative in 60-digit arithmetic (mpmath), which both products approach
    expectClose(hu / u[0]!, -3.738568161665006, 2e-5);
    expect(runChecks(fixture.program, cases, [fixture.point]).failure).toBeUndefined();
  });
});

/**
 * Program 59693 of the campaign: its value is 4.5e7 and its slope -9.4e8, so the hasAux variant's
 * loss flat + sin(flat) / 4 oscillates with a period of 7e-9 in z. Differences at every step
 * average the sine's slope away (-9.3646e8) where the derivative is flat' (1 + cos(flat) / 4)
 * (-9.4329e8): the aux gradient is checked against that closed form, not against differences.
 */
describe("the aux loss is compared with differences only where they can follow its sine", () => {
  const { fixture, compiled } = campaignProgram(59693);
  let cases: CaseExports;
  beforeAll(async () => void (cases = await compiled()), 120_000);

  it("the aux gradient is the closed form, differences of the loss miss it, and every check passes", () => {
    const { z, k } = fixture.point;
    const at = [z[0]!];
    const flat = cases.flat(at, k) as number;
    const slope = (cases.flatGrad(at, k) as number[])[0]!;
    // the program's own slope, by differences (no sine in it)
    const h = 1e-6;
    expectClose(slope, ((cases.flat([at[0]! + h], k) as number) - (cases.flat([at[0]! - h], k) as number)) / (2 * h), 1e-6);
    const auxGrad = (cases.auxVG(at, k) as { grad: number[] }).grad[0]!;
    expectClose(auxGrad, slope * (1 + 0.25 * Math.cos(flat)), 1e-12);
    const loss = (x: number) => (cases.aux([x], k) as [number, unknown])[0];
    const differences = (loss(at[0]! + h) - loss(at[0]! - h)) / (2 * h);
    expect(Math.abs(differences - auxGrad)).toBeGreaterThan(1e-3 * Math.abs(auxGrad));
    expect(runChecks(fixture.program, cases, [fixture.point]).failure).toBeUndefined();
  });
});

