/**
 * The random-program checks can fail: each marker's result, made slightly wrong (one number off
 * by 1e-3 relative), or leaving the shared stack unbalanced, or writing into its argument, is
 * caught by runChecks (test/support/fuzz/checks.ts) on a generated program with helpers in two
 * modules and a tensor parameter. Without this, a check that compared a value with itself would
 * pass every program and prove nothing.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stack } from "tsgrad/internal";
import { Tensor } from "tsgrad/tensor";
import { Choices, uint32Stream } from "./support/fuzz/choices.js";
import { runChecks } from "./support/fuzz/checks.js";
import { compileBatch, importCases } from "./support/fuzz/compile.js";
import { generateProgram } from "./support/fuzz/generate.js";
import { moduleSources, type CaseExports } from "./support/fuzz/harness.js";
import { samplePoints } from "./support/fuzz/points.js";
import { GENERATED_DIR } from "./support/compile.js";

/** A program with a chain of 3 helpers (a pass-through among them), one in a sibling module, a tensor parameter, bitwise operators and a tuple state. */
const SEED = 22;
const program = generateProgram(new Choices([], uint32Stream(SEED)), "checked");
const points = samplePoints(SEED, 4);

/** A copy of a value with its first number moved by 1e-3 relative (numbers, arrays, records, tensors). */
function offByALittle(v: unknown): unknown {
  let done = false;
  const walk = (x: unknown): unknown => {
    if (done) return x;
    if (typeof x === "number") {
      done = true;
      return x + 1e-3 * Math.max(1, Math.abs(x));
    }
    if (x instanceof Tensor) return new Tensor(walk(x.data) as Float64Array, x.shape);
    if (x instanceof Float64Array) {
      const c = x.slice();
      c[0] = walk(c[0]) as number;
      return c;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, typeof y === "function" ? y : walk(y)]));
    return x;
  };
  return walk(v);
}

type Key = keyof CaseExports;
const RESULTS: Key[] = ["grad", "hvp", "flat", "flatGrad", "flatHvp", "hessian", "jacForward", "jacReverse", "lineGrad", "lineGG", "innerGrad", "tenHessian"];
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
