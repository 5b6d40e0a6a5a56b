/**
 * The benchmark's quick mode, as part of the test suite: it must run and its gradient agreement
 * checks must pass (correctness only; no timing is asserted).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("bench --quick", () => {
  it("checks that every method computes the same gradient, then measures", () => {
    const out = execFileSync(process.execPath, ["bin/tsgrad.js", "run", "bench/rosenbrock.ts", "--quick"], { cwd: root, encoding: "utf8" });
    expect(out).toContain("gradients agree");
    expect(out).not.toContain("FAIL");
    const checks = out.split("\n").filter((l) => l.trim().startsWith("ok "));
    expect(checks.length).toBeGreaterThanOrEqual(14);
    expect(out).toMatch(/\| 50 \| tsgrad grad \|/);
  });
});
