/**
 * The benchmark suite's quick mode, as part of the test suite: every workload runs once at a small
 * size, and every method (tsgrad, hand-written, TF.js, jax-js, finite differences) must agree with
 * its reference before anything is timed. Correctness only: no timing is asserted.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { checkAgreement, DisagreementError, relativeDifference } from "../bench/harness/agreement.ts";
import type { Case, CaseResult } from "../bench/harness/types.ts";
import { GENERATED_DIR } from "./support/compile.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = path.join(GENERATED_DIR, "bench");

interface Report {
  readonly quick: boolean;
  readonly cases: CaseResult[];
  readonly targets: { target: string; met: boolean | undefined }[];
  readonly compile: { generated: number; emitTransformedMs: number };
}

describe("npm run bench -- --quick", () => {
  let stdout = "";
  let report: Report;
  beforeAll(() => {
    rmSync(out, { recursive: true, force: true });
    stdout = execFileSync(process.execPath, ["bin/tsgrad.js", "run", "bench/main.ts", "--quick", "--out", out], { cwd: root, encoding: "utf8" });
    report = JSON.parse(readFileSync(path.join(out, "bench.json"), "utf8")) as Report;
  });

  it("checks that every method agrees with its reference, workload by workload", () => {
    expect(stdout).toContain("gradients agree");
    expect(stdout).not.toContain("FAIL");
    const workloads = new Set(report.cases.map((c) => c.workload));
    expect([...workloads].sort()).toEqual(["gmm", "hvp", "mlp", "mse", "ode", "rosenbrock"]);
    for (const c of report.cases) expect(stdout).toContain(`${c.title}, ${c.size}: ${c.methods.filter((m) => !m.unavailable).length} methods agree`);
  });

  it("times every available method and gives every unavailable one a reason", () => {
    for (const c of report.cases)
      for (const m of c.methods) {
        if (m.unavailable) expect(m.unavailable.length).toBeGreaterThan(10);
        else {
          expect(m.timing!.medianMs).toBeGreaterThan(0);
          expect(m.agreement!.difference).toBeLessThanOrEqual(m.agreement!.tolerance);
        }
      }
  });

  it("compares tsgrad with the hand-written code, TF.js and jax-js on every workload", () => {
    for (const c of report.cases) {
      const libraries = new Set(c.methods.filter((m) => !m.unavailable).map((m) => m.library));
      for (const library of ["tsgrad", "hand-written", "TF.js", "jax-js"]) expect(libraries, `${c.title}: ${library}`).toContain(library);
    }
  });

  it("writes the Markdown table, the JSON and the SVG chart", () => {
    const md = readFileSync(path.join(out, "bench.md"), "utf8");
    expect(md).toContain("### Ratios that matter");
    expect(md).toContain("### Targets");
    expect(md).toMatch(/\| Rosenbrock, scalar loop \| n = 200 \|/);
    expect(report.targets).toHaveLength(6);
    expect(report.compile.generated).toBeGreaterThan(0);
    const svg = readFileSync(path.join(out, "bench.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Hessian-vector product, Rosenbrock (Hv), n = 20");
  });
});

describe("the agreement check", () => {
  const constant = (id: string, computes: string, values: number[], tolerance = 1e-9) => ({
    id,
    label: id,
    library: "hand-written" as const,
    computes,
    run: () => values,
    result: () => Float64Array.from(values),
    tolerance,
  });
  const caseOf = (methods: Case["methods"]): Case => ({
    workload: "w",
    title: "W",
    kind: "scalar",
    size: "n = 2",
    methods,
    references: { gradient: "ref" },
    headline: { tsgrad: "ref" },
  });

  it("measures differences against the reference's largest entry", () => {
    expect(relativeDifference(Float64Array.of(1, 100.5), Float64Array.of(1, 100))).toBeCloseTo(0.005, 12);
    expect(relativeDifference(Float64Array.of(NaN, 1), Float64Array.of(1, 1))).toBeNaN();
    expect(relativeDifference(Float64Array.of(1), Float64Array.of(1, 2))).toBe(Infinity);
  });

  it("fails a method that computes something else, and passes one within its tolerance", () => {
    expect(() => checkAgreement(caseOf([constant("ref", "gradient", [1, 2]), constant("wrong", "gradient", [1, 2.001])]))).toThrow(DisagreementError);
    expect(() => checkAgreement(caseOf([constant("ref", "gradient", [1, 2]), constant("nan", "gradient", [NaN, 2], 1)]))).toThrow(DisagreementError);
    const ok = checkAgreement(caseOf([constant("ref", "gradient", [1, 2]), constant("close", "gradient", [1, 2.001], 1e-3)]));
    expect(ok.get("close")!.difference).toBeCloseTo(0.0005, 12);
  });
});
