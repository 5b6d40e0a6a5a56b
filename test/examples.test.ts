/**
 * Every script in examples/ run the way a user runs it, through the command line
 * (`tsgrad run <file>`), with assertions on the numbers it prints. Expected values come from
 * closed forms worked out here (or, for the solver, from the printed finite differences and the
 * implicit function theorem evaluated here), never from the programs themselves.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Runs an example with the CLI from the repository root; throws (failing the test) on a non-zero exit. */
function run(file: string, ...args: string[]): string {
  return execFileSync(process.execPath, ["bin/tsgrad.js", "run", file, ...args], {
    cwd: repo,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const NUMBER = String.raw`[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?`;

/** The numbers captured by `pattern` (its groups) in the first line that matches it. */
function numbers(output: string, pattern: RegExp): number[] {
  const m = pattern.exec(output);
  if (!m) throw new Error(`no line matches ${pattern} in:\n${output}`);
  return m.slice(1).map(Number);
}

function re(template: string, flags = ""): RegExp {
  return new RegExp(template.replaceAll("NUM", `(${NUMBER})`), flags);
}

function close(actual: number, expected: number, tol: number, label = ""): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

const EXAMPLES = ["calculus.ts", "critical-points.ts", "demo.ts", "implicit.ts", "linear-regression.ts", "logistic-regression.ts", "mlp.ts", "newton-cg.ts", "newton-root.ts", "rosenbrock.ts"];

describe("examples/", () => {
  it("holds exactly the examples tested below", () => {
    const files = readdirSync(path.join(repo, "examples")).filter((f) => f.endsWith(".ts")).sort();
    expect(files).toEqual(EXAMPLES);
  });
});

describe("examples/linear-regression.ts", () => {
  let out = "";
  beforeAll(() => {
    out = run("examples/linear-regression.ts");
  });
  // The data and the least-squares line in closed form (normal equations).
  const xs = [1, 2, 3];
  const ys = [4, 5, 7];
  const n = xs.length;
  const mx = (1 + 2 + 3) / n;
  const my = (4 + 5 + 7) / n;
  const sxy = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const wStar = sxy / sxx;
  const bStar = my - wStar * mx;
  const lossStar = xs.reduce((s, x, i) => s + (wStar * x + bStar - ys[i]!) ** 2, 0) / n;

  it("prints the worked example: L = 1/3, dL/dw = dL/db = -2/3 at w = 2, b = 1", () => {
    close(numbers(out, re(String.raw`loss\s+L\s*=\s*NUM`))[0]!, 1 / 3, 1e-9, "L");
    close(numbers(out, re(String.raw`dL/dw\s*=\s*NUM`))[0]!, -2 / 3, 1e-9, "dL/dw");
    close(numbers(out, re(String.raw`dL/db\s*=\s*NUM`))[0]!, -2 / 3, 1e-9, "dL/db");
  });

  it("prints a falling loss, starting from the loss at w = 2, b = 1", () => {
    const rows = [...out.matchAll(re(String.raw`^\s+(\d+)\s+NUM\s+NUM\s+NUM\s*$`, "gm"))].map((m) => m.slice(1).map(Number));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows[0]).toEqual([0, expect.closeTo(1 / 3, 6), 2, 1]);
    for (let k = 1; k < rows.length; k++) {
      expect(rows[k]![0]!).toBeGreaterThan(rows[k - 1]![0]!);
      expect(rows[k]![1]!).toBeLessThanOrEqual(rows[k - 1]![1]! * (1 + 1e-6));
    }
    expect(rows[rows.length - 1]![1]!).toBeLessThan(rows[0]![1]!);
  });

  it("converges to the least-squares line w = 3/2, b = 7/3", () => {
    expect(wStar).toBe(1.5);
    close(numbers(out, re(String.raw`fitted w = NUM`))[0]!, wStar, 1e-7, "w");
    close(numbers(out, re(String.raw`fitted b = NUM`))[0]!, bStar, 1e-7, "b");
    close(numbers(out, re(String.raw`^\s+loss\s+= NUM`, "m"))[0]!, lossStar, 1e-7, "final loss");
  });
});

describe("examples/rosenbrock.ts", () => {
  for (const n of [10, 50]) {
    it(`minimises the ${n}-dimensional Rosenbrock function to (1, ..., 1)`, () => {
      const out = run("examples/rosenbrock.ts", String(n));
      expect(out).toContain(`n = ${n} dimensions`);
      // f at the start (-1.2, 1, -1.2, 1, ...): each of the n - 1 terms alternates between
      // 100 (1 - 1.44)^2 + 2.2^2 = 24.2 (i even) and 100 (-1.2 - 1)^2 + 0 = 484 (i odd).
      let f0 = 0;
      for (let i = 0; i + 1 < n; i++) f0 += i % 2 === 0 ? 24.2 : 484;
      close(numbers(out, re(String.raw`start\s+f = NUM`))[0]!, f0, 1e-4, "f at the start");
      const iterations = numbers(out, re(String.raw`iterations\s+NUM`))[0]!;
      expect(Number.isInteger(iterations)).toBe(true);
      expect(iterations).toBeGreaterThan(0);
      expect(iterations).toBeLessThan(10_000);
      expect(numbers(out, re(String.raw`final f\s+NUM`))[0]!).toBeLessThan(1e-12);
      expect(numbers(out, re(String.raw`\|grad f\|\s+NUM`))[0]!).toBeLessThan(1e-8);
      expect(numbers(out, re(String.raw`\|x - \(1,\.\.\.,1\)\| = NUM`))[0]!).toBeLessThan(1e-6);
      const [lo, hi] = numbers(out, re(String.raw`x_i in \[NUM, NUM\]`));
      close(lo!, 1, 1e-8, "smallest x_i");
      close(hi!, 1, 1e-8, "largest x_i");
    });
  }
});

describe("examples/newton-root.ts", () => {
  let out = "";
  beforeAll(() => {
    out = run("examples/newton-root.ts");
  });
  const blocks = () => [...out.matchAll(re(String.raw`p = NUM, q = NUM: x = NUM after (\d+) Newton steps`, "g"))].map((m) => m.slice(1).map(Number));
  const derivative = (name: "p" | "q") =>
    [...out.matchAll(re(String.raw`dx/d${name}:\s+grad\s+NUM\s+implicit\s+NUM\s+finite differences\s+NUM`, "g"))].map((m) => m.slice(1).map(Number));

  it("solves each cubic x^3 + p x - q = 0 with a data-dependent number of steps", () => {
    expect(blocks().length).toBeGreaterThanOrEqual(2);
    for (const [p, q, x, steps] of blocks()) {
      expect(Math.abs(x! ** 3 + p! * x! - q!)).toBeLessThan(1e-9);
      expect(steps).toBeGreaterThan(1);
    }
    expect(new Set(blocks().map((b) => b[3])).size).toBeGreaterThan(1);
  });

  it("dx/dp and dx/dq through the loop match the implicit function theorem and finite differences", () => {
    const dp = derivative("p");
    const dq = derivative("q");
    expect(dp.length).toBe(blocks().length);
    expect(dq.length).toBe(blocks().length);
    blocks().forEach(([p, , x], k) => {
      // implicit function theorem, evaluated here from the printed root (printed to 12 digits)
      const slope = 3 * x! * x! + p!;
      const [gp, , fdp] = dp[k]!;
      const [gq, , fdq] = dq[k]!;
      close(gp!, -x! / slope, 1e-9, "dx/dp vs implicit function theorem");
      close(gq!, 1 / slope, 1e-9, "dx/dq vs implicit function theorem");
      close(gp!, fdp!, 1e-7, "dx/dp vs finite differences");
      close(gq!, fdq!, 1e-7, "dx/dq vs finite differences");
    });
  });
});

describe("examples/calculus.ts", () => {
  let out = "";
  beforeAll(() => {
    out = run("examples/calculus.ts");
  });

  it("the gradient of x^2 + y^2 is twice the point, and zero at the origin", () => {
    const rows = [...out.matchAll(re(String.raw`at \(NUM, NUM\)\s+grad = \(NUM, NUM\)`, "g"))].map((m) => m.slice(1).map(Number));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const [x, y, gx, gy] of rows) {
      close(gx!, 2 * x!, 1e-9, "d/dx");
      close(gy!, 2 * y!, 1e-9, "d/dy");
    }
    expect(rows.some(([x, y, gx, gy]) => x === 0 && y === 0 && gx === 0 && gy === 0)).toBe(true);
  });

  it("the directional derivative at (1, 2) is grad . u = 2 cos a + 4 sin a, largest along the gradient", () => {
    const rows = [...out.matchAll(re(String.raw`a =\s+NUM deg\s+jvp =\s+NUM`, "g"))].map((m) => m.slice(1).map(Number));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const [deg, along] of rows) {
      const a = (deg! * Math.PI) / 180;
      close(along!, 2 * Math.cos(a) + 4 * Math.sin(a), 1e-6, `jvp at ${deg} deg`);
    }
    const [bestDeg, bestRate] = numbers(out, re(String.raw`steepest sampled direction: a = NUM deg, rate NUM`));
    const gradDeg = (Math.atan2(4, 2) * 180) / Math.PI;
    expect(Math.abs(bestDeg! - gradDeg)).toBeLessThanOrEqual(0.5);
    expect(bestRate!).toBeLessThanOrEqual(Math.sqrt(20) + 1e-6);
    close(bestRate!, Math.sqrt(20), 1e-4, "best rate vs |grad|");
    const [, norm] = numbers(out, re(String.raw`gradient direction:\s+a = NUM deg, \|grad\| = NUM`));
    close(norm!, Math.sqrt(20), 1e-6, "|grad|");
  });

  it("from (1, 1): a gradient step of 0.1 lands on (0.9, 0), a Newton step on (0, 0)", () => {
    const [f0, g1, g2] = numbers(out, re(String.raw`f = NUM, grad f = \(NUM, NUM\)`));
    close(f0!, 5.5, 1e-9, "f(1, 1)");
    close(g1!, 1, 1e-9, "df/dx1");
    close(g2!, 10, 1e-9, "df/dx2");
    const [x1, x2, fGd] = numbers(out, re(String.raw`gradient step \(size 0\.1\): \(NUM, NUM\)\s+f = NUM`));
    close(x1!, 0.9, 1e-9, "gradient step x1");
    close(x2!, 0, 1e-9, "gradient step x2");
    close(fGd!, 0.405, 1e-9, "f after the gradient step");
    const [n1, n2, fNewton] = numbers(out, re(String.raw`Newton step:\s+\(NUM, NUM\)\s+f = NUM`));
    close(n1!, 0, 1e-9, "Newton step x1");
    close(n2!, 0, 1e-9, "Newton step x2");
    close(fNewton!, 0, 1e-9, "f after the Newton step");
  });
});

describe("examples/demo.ts", () => {
  let out = "";
  beforeAll(() => {
    out = run("examples/demo.ts");
  });

  it("is short enough to read", () => {
    expect(out.trimEnd().split("\n").length).toBeLessThanOrEqual(60);
  });

  it("prints the function's source and the generated gradient function", () => {
    expect(out).toContain("export function logLoss(w: number[], x: number[], label: number): number {");
    expect(out).toMatch(/function logLoss_grad\(w: number\[\], x: number\[\], label: number\): number\[\] \{/);
    expect(out).toContain("// reverse sweep");
  });

  it("prints the gradient (p - label) x, agreeing with finite differences", () => {
    // By hand: d/dw_i of the log loss is (sigmoid(w . x) - label) x_i.
    const w = [0.5, -0.25, 0.1];
    const x = [1, 2, -1];
    const label = 1;
    const p = 1 / (1 + Math.exp(-(w[0]! * x[0]! + w[1]! * x[1]! + w[2]! * x[2]!)));
    const rows = [...out.matchAll(re(String.raw`^\s+(\d)\s+NUM\s+NUM\s+NUM\s*$`, "gm"))].map((m) => m.slice(1).map(Number));
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2]);
    for (const [i, g, fd] of rows) {
      close(g!, (p - label) * x[i!]!, 1e-12, `tsgrad, w_${i}`);
      close(fd!, (p - label) * x[i!]!, 1e-8, `finite differences, w_${i}`);
    }
  });
});

describe("examples/implicit.ts", () => {
  it("prints dy/dx through the loop, by the implicit function theorem and by finite differences, all agreeing", () => {
    const out = run("examples/implicit.ts");
    const rows = out
      .split("\n")
      .map((l) => l.trim().split(/\s+/).map(Number))
      .filter((r) => r.length === 5 && r.every((v) => Number.isFinite(v)));
    expect(rows).toHaveLength(5);
    for (const [x, y, loop, implicit, fd] of rows) {
      // y solves F(x, y) = 0
      expect(Math.abs(y! ** 3 + x! * y! + Math.sin(y!) - 2)).toBeLessThan(1e-10);
      expect(Math.abs(loop! - implicit!)).toBeLessThan(1e-10);
      expect(Math.abs(loop! - fd!)).toBeLessThan(1e-6);
    }
  });
});

describe("examples/critical-points.ts", () => {
  it("classifies the minimum, the saddle and the maximum, and finds condition number 10 and the Newton step to (0, 0)", () => {
    const out = run("examples/critical-points.ts");
    expect(out).toMatch(/x\^2 \+ y\^2 .*eigenvalues 2, 2: minimum/);
    expect(out).toMatch(/x\^2 - y\^2 .*eigenvalues -2, 2: saddle/);
    expect(out).toMatch(/-\(x\^2 \+ y\^2\) .*eigenvalues -2, -2: maximum/);
    expect(out).toContain("condition number 10");
    expect(out).toContain("lands on (0, 0)");
  });
});

describe("examples/newton-cg.ts", () => {
  it("Newton-CG (Hessian-vector products only) and full Newton reach Rosenbrock's minimum", () => {
    const out = run("examples/newton-cg.ts", "30");
    const cg = /Newton-CG, n = 30: (\d+) iterations, (\d+) Hessian-vector products, f = (\S+), distance to \(1, \.\.\., 1\) = (\S+)/.exec(out);
    expect(cg, out).not.toBeNull();
    expect(Number(cg![3])).toBeLessThan(1e-12);
    expect(Number(cg![4])).toBeLessThan(1e-6);
    expect(Number(cg![2])).toBeGreaterThan(0);
    const full = /n = 2 from \(-1\.2, 1\): (\d+) iterations, f = (\S+), distance to \(1, 1\) = (\S+)/.exec(out);
    expect(full, out).not.toBeNull();
    expect(Number(full![3])).toBeLessThan(1e-8);
  });
});

describe("examples/mlp.ts and examples/logistic-regression.ts", () => {
  it("the MLP's loss falls and its accuracy rises", () => {
    const out = run("examples/mlp.ts");
    const losses = [...out.matchAll(/epoch +\d+: loss (\S+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBeGreaterThan(3);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]!);
    const [before, after] = [...out.matchAll(/accuracy (?:before|after) training: (\S+)%/g)].map((m) => Number(m[1]));
    expect(after!).toBeGreaterThan(before!);
    expect(after!).toBeGreaterThan(85);
  });
  it("logistic regression's loss falls and it classifies the clouds", () => {
    const out = run("examples/logistic-regression.ts");
    const losses = [...out.matchAll(/step +\d+: loss (\S+)/g)].map((m) => Number(m[1]));
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]!);
    expect(Number(/accuracy: (\S+)%/.exec(out)![1])).toBeGreaterThan(90);
  });
});

describe("the command line", () => {
  it("refuses a file that does not exist, or a directory, with a non-zero exit", () => {
    for (const [command, file] of [["emit", "examples/no-such-file.ts"], ["run", "examples"]] as const) {
      const r = spawnSync(process.execPath, ["bin/tsgrad.js", command, file], { cwd: repo, encoding: "utf8" });
      expect(r.status, `${command} ${file}`).not.toBe(0);
      expect(r.stderr).toMatch(file === "examples" ? /is not a file/ : /does not exist/);
    }
  });
});
