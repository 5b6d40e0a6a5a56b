/**
 * tsgrad as a GradBench tool (bench/gradbench/): a small in-process driver sends the protocol's
 * messages for each eval at small sizes, as GradBench's evals would, and checks every answer
 * against central finite differences, closed forms worked out here, and (where the module
 * exports its objective) tsgrad's other mode. One test runs the real entry point over stdin and
 * stdout.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jvp } from "tsgrad";
import { refStack, stack } from "tsgrad/internal";
import { EVALS } from "../bench/gradbench/evals/index.ts";
import { createTool, type Response } from "../bench/gradbench/protocol.ts";
import { baJacobian, reprojectionError, type BaProblem } from "../bench/gradbench/evals/ba.ts";
import { htObjective, type HandModel, type Observations } from "../bench/gradbench/evals/ht.ts";
import { lstmObjective } from "../bench/gradbench/evals/lstm.ts";
import { dot, expectClose, numericDirectional, numericGradient, rng } from "./support/numeric.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** One protocol session against a fresh tool, the way an eval drives it. */
function session() {
  const tool = createTool(EVALS);
  let id = 0;
  const send = (message: Record<string, unknown>): Response => {
    const response = tool.handle({ id, ...message });
    expect(response.id, "a response carries its message's id").toBe(id);
    id++;
    return response;
  };
  const defined = new Set<string>();
  /** Defines the module if needed, evaluates, checks the response's shape, returns the output. */
  const evaluate = (module: string, fn: string, input: unknown): unknown => {
    if (!defined.has(module)) {
      expect(send({ kind: "define", module }).success, `define ${module}`).toBe(true);
      defined.add(module);
    }
    const r = send({ kind: "evaluate", module, function: fn, input });
    if (!r.success) expect.fail(`${module}.${fn} failed: ${String(r.error)}`);
    const timings = r.timings as { name: string; nanoseconds: number }[];
    expect(timings.length).toBeGreaterThanOrEqual(1);
    for (const t of timings) {
      expect(t.name).toBe("evaluate");
      expect(Number.isInteger(t.nanoseconds) && t.nanoseconds >= 0).toBe(true);
    }
    // Generated reverse sweeps pop everything they push: a leftover means a miscompiled sweep.
    expect(stack.size, `${module}.${fn} left values on tsgrad's stack`).toBe(0);
    expect(refStack.size, `${module}.${fn} left arrays on tsgrad's stack`).toBe(0);
    // The answer goes out as JSON: plain arrays and objects of finite numbers only.
    expect(isPlainJson(r.output), `${module}.${fn} answers plain JSON`).toBe(true);
    return r.output;
  };
  return { send, evaluate };
}

const once = { min_runs: 1, min_seconds: 0 };

/** True for values JSON carries exactly: finite numbers, plain arrays and plain objects of them. */
function isPlainJson(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v === "string" || typeof v === "boolean") return true;
  if (Array.isArray(v)) return v.every(isPlainJson);
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every(isPlainJson);
  return false;
}

function randomVector(n: number, random: () => number, scale = 1): number[] {
  return Array.from({ length: n }, () => (2 * random() - 1) * scale);
}

describe("protocol", () => {
  it("answers start with the tool's name and acknowledges analysis", () => {
    const { send } = session();
    expect(send({ kind: "start", eval: "hello" })).toEqual({ id: 0, tool: "tsgrad" });
    expect(send({ kind: "analysis", of: 0, valid: true })).toEqual({ id: 1 });
    expect(send({ kind: "analysis", of: 0, valid: false, error: "no" })).toEqual({ id: 2 });
  });

  it("defines every eval of GradBench's list, and refuses unknown modules by name", () => {
    const { send } = session();
    const names = EVALS.map((e) => e.name).sort();
    expect(names).toEqual(["ba", "det", "gmm", "hello", "ht", "kmeans", "llsq", "lse", "lstm", "ode", "particle", "saddle"]);
    const r = send({ kind: "define", module: "nope" });
    expect(r.success).toBe(false);
    expect(String(r.error)).toMatch(/no module "nope"/);
  });

  it("refuses evaluate before define, unknown functions, and inputs of the wrong shape, with the reason", () => {
    const { send } = session();
    const early = send({ kind: "evaluate", module: "llsq", function: "primal", input: { x: [1], n: 3, ...once } });
    expect(early).toMatchObject({ success: false, error: expect.stringMatching(/not defined/) });
    send({ kind: "define", module: "llsq" });
    expect(send({ kind: "evaluate", module: "llsq", function: "hessian", input: {} })).toMatchObject({ success: false, error: expect.stringMatching(/no function "hessian"/) });
    expect(send({ kind: "evaluate", module: "llsq", function: "gradient", input: { x: [1, "2"], n: 3, ...once } })).toMatchObject({ success: false, error: expect.stringMatching(/x\[1\] must be a finite number/) });
    send({ kind: "define", module: "det" });
    expect(send({ kind: "evaluate", module: "det", function: "gradient", input: { A: [1, 2, 3], ell: 2, ...once } })).toMatchObject({ success: false, error: expect.stringMatching(/A must have 4 elements, got 3/) });
    send({ kind: "define", module: "ht" });
    expect(send({ kind: "evaluate", module: "ht", function: "objective", input: { theta: new Array(26).fill(0), us: [], data: { model: { parents: [-1, 0] }, correspondences: [], points: [] }, ...once } })).toMatchObject({
      success: false,
      error: expect.stringMatching(/at least 21 bones, got 2/),
    });
    send({ kind: "define", module: "gmm" });
    expect(send({ kind: "evaluate", module: "gmm", function: "jacobian", input: { d: 2, k: 1, n: 1, alpha: [0], mu: [[0, 0]], q: [[0, 0]], l: [[0, 0]], x: [[1, 2]], m: 0, gamma: 1, ...once } })).toMatchObject({
      success: false,
      error: expect.stringMatching(/l\[0\] must have 1 elements, got 2/),
    });
  });

  it("repeats the work min_runs times and for min_seconds, timing each run", () => {
    const { send } = session();
    send({ kind: "define", module: "lse" });
    const many = send({ kind: "evaluate", module: "lse", function: "gradient", input: { x: [1, 2, 3], min_runs: 25, min_seconds: 0 } });
    expect((many.timings as unknown[]).length).toBe(25);
    const long = send({ kind: "evaluate", module: "lse", function: "primal", input: { x: [1, 2, 3], min_runs: 1, min_seconds: 0.02 } });
    const total = (long.timings as { nanoseconds: number }[]).reduce((s, t) => s + t.nanoseconds, 0);
    expect(total).toBeGreaterThanOrEqual(0.02e9);
  });

  it("defines every eval of the default suite, nested ones included", () => {
    const { send } = session();
    for (const module of ["hello", "llsq", "lse", "det", "ode", "gmm", "lstm", "ba", "ht", "kmeans", "particle", "saddle"])
      expect(send({ kind: "define", module }), module).toMatchObject({ success: true });
  });

  it("runs as a command that speaks the protocol on stdin and stdout", () => {
    const messages = [
      { id: 0, kind: "start", eval: "hello" },
      { id: 1, kind: "define", module: "hello" },
      { id: 2, kind: "evaluate", module: "hello", function: "double", input: 1.25 },
      { id: 3, kind: "analysis", of: 2, valid: true },
    ];
    const out = execFileSync(process.execPath, ["bin/tsgrad-gradbench.js"], {
      cwd: repo,
      input: messages.map((m) => JSON.stringify(m)).join("\n") + "\n",
      encoding: "utf8",
    });
    const responses = out.trim().split("\n").map((l) => JSON.parse(l) as Response);
    expect(responses.map((r) => r.id)).toEqual([0, 1, 2, 3]);
    expect(responses[2]).toMatchObject({ success: true, output: 2.5 });
  });
});

describe("hello", () => {
  it("square is x² and double is its derivative 2x", () => {
    const { evaluate } = session();
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 1e3, noNaN: true }).filter((x) => !Object.is(x, -0)), (x) => {
        expect(evaluate("hello", "square", x)).toBe(x * x);
        expect(evaluate("hello", "double", x)).toBe(2 * x);
      }),
      { numRuns: 50 },
    );
  });
});

describe("llsq", () => {
  /** The objective and its gradient in closed form: g_j = -Σ_i r_i t_i^j, r_i the residual. */
  function reference(x: number[], n: number): { value: number; gradient: number[] } {
    let value = 0;
    const gradient = x.map(() => 0);
    for (let i = 0; i < n; i++) {
      const t = -1 + (2 * i) / (n - 1);
      const r = Math.sign(t) - x.reduce((s, xj, j) => s + xj * t ** j, 0);
      value += (r * r) / 2;
      x.forEach((_, j) => (gradient[j]! -= r * t ** j));
    }
    return { value, gradient };
  }

  it("matches the closed form and finite differences on random coefficients", () => {
    const { evaluate } = session();
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 2, max: 40 }), (x, n) => {
        const ref = reference(x, n);
        expectClose(evaluate("llsq", "primal", { x, n, ...once }), ref.value, 1e-12, "primal");
        const g = evaluate("llsq", "gradient", { x, n, ...once }) as number[];
        expectClose(g, ref.gradient, 1e-10, "gradient vs closed form");
        const fd = numericGradient((v: number[]) => reference(v, n).value, [x], 0) as number[];
        expectClose(g, fd, 1e-6, "gradient vs finite differences");
      }),
      { numRuns: 40 },
    );
  });
});

describe("lse", () => {
  it("primal is log Σ exp and the gradient is softmax", () => {
    const { evaluate } = session();
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 30 }), (x) => {
        const max = Math.max(...x);
        const sum = x.reduce((s, xi) => s + Math.exp(xi - max), 0);
        expectClose(evaluate("lse", "primal", { x, ...once }), max + Math.log(sum), 1e-13, "primal");
        const softmax = x.map((xi) => Math.exp(xi - max) / sum);
        expectClose(evaluate("lse", "gradient", { x, ...once }), softmax, 1e-12, "gradient vs softmax");
      }),
      { numRuns: 60 },
    );
  });

  it("stays finite where the naive formula overflows", () => {
    const { evaluate } = session();
    const g = evaluate("lse", "gradient", { x: [1000, 1000, 999], ...once }) as number[];
    const e = Math.exp(-1);
    expectClose(g, [1 / (2 + e), 1 / (2 + e), e / (2 + e)], 1e-14);
  });
});

describe("det", () => {
  /** Determinant and inverse by Gaussian elimination with partial pivoting. */
  function luInverse(a: number[], n: number): { det: number; inverse: number[] } {
    const m = a.slice();
    const inv: number[] = Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? 1 : 0));
    let det = 1;
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
      if (p !== c) {
        for (let j = 0; j < n; j++) {
          [m[c * n + j], m[p * n + j]] = [m[p * n + j]!, m[c * n + j]!];
          [inv[c * n + j], inv[p * n + j]] = [inv[p * n + j]!, inv[c * n + j]!];
        }
        det = -det;
      }
      const pivot = m[c * n + c]!;
      det *= pivot;
      for (let j = 0; j < n; j++) {
        m[c * n + j]! /= pivot;
        inv[c * n + j]! /= pivot;
      }
      for (let r = 0; r < n; r++) {
        if (r === c) continue;
        const f = m[r * n + c]!;
        for (let j = 0; j < n; j++) {
          m[r * n + j]! -= f * m[c * n + j]!;
          inv[r * n + j]! -= f * inv[c * n + j]!;
        }
      }
    }
    return { det, inverse: inv };
  }

  it("primal is the determinant and the gradient is the cofactor matrix, det(A) A^-T", () => {
    const { evaluate } = session();
    const random = rng(7);
    for (let ell = 1; ell <= 6; ell++)
      for (let trial = 0; trial < 4; trial++) {
        const A = randomVector(ell * ell, random, 2);
        const { det, inverse } = luInverse(A, ell);
        expectClose(evaluate("det", "primal", { A, ell, ...once }), det, 1e-11, `det ${ell}`);
        const cofactors = A.map((_, k) => det * inverse[(k % ell) * ell + Math.floor(k / ell)]!);
        expectClose(evaluate("det", "gradient", { A, ell, ...once }), cofactors, 1e-9, `cofactors ${ell}`);
      }
  });

  it("small cases by hand", () => {
    const { evaluate } = session();
    expect(evaluate("det", "gradient", { A: [3], ell: 1, ...once })).toEqual([1]);
    expect(evaluate("det", "gradient", { A: [1, 2, 3, 4], ell: 2, ...once })).toEqual([4, -3, -2, 1]);
    expect(evaluate("det", "primal", { A: [2, 0, 0, 0, 3, 0, 0, 0, 4], ell: 3, ...once })).toBe(24);
  });
});

describe("ode", () => {
  // y_i(t) = x_0 x_1 ... x_i t^(i+1) / (i+1)!: a polynomial of degree i + 1 in t, which classical
  // Runge-Kutta integrates exactly up to degree 4, so for n <= 4 the answer is exact for any s.
  it("matches the exact solution and its gradient for n <= 4", () => {
    const { evaluate } = session();
    const random = rng(3);
    for (let n = 1; n <= 4; n++)
      for (const s of [1, 3, 10]) {
        const x = randomVector(n, random, 1.5);
        let product = 1;
        let factorial = 1;
        const exact = x.map((xi, i) => {
          product *= xi;
          factorial *= i + 1;
          return (product * 2 ** (i + 1)) / factorial;
        });
        expectClose(evaluate("ode", "primal", { x, s, ...once }), exact, 1e-12, `primal n=${n} s=${s}`);
        const last = exact[n - 1]!;
        expectClose(evaluate("ode", "gradient", { x, s, ...once }), x.map((xi) => last / xi), 1e-10, `gradient n=${n} s=${s}`);
      }
  });

  it("gradient agrees with finite differences where the integration is not exact", () => {
    const { evaluate } = session();
    const random = rng(4);
    const x = randomVector(9, random, 1.5);
    const s = 4;
    const lastOf = (v: number[]) => (evaluate("ode", "primal", { x: v, s, ...once }) as number[])[v.length - 1]!;
    const fd = numericGradient((v: number[]) => lastOf(v), [x], 0);
    expectClose(evaluate("ode", "gradient", { x, s, ...once }), fd, 1e-7);
  });
});

describe("gmm", () => {
  /** Γ(a) for a a positive multiple of 1/2, exactly by recurrence from Γ(1) = 1 and Γ(1/2) = √π. */
  function gammaOfHalfInteger(a: number): number {
    let g = Number.isInteger(a) ? 1 : Math.sqrt(Math.PI);
    for (let z = Number.isInteger(a) ? 1 : 0.5; z < a; z++) g *= z;
    return g;
  }

  /**
   * The log posterior straight from its definition: the mixture density of every point, with
   * Σ_k^-1 = Q^T Q, times a Wishart density on each precision matrix.
   */
  function naiveLogPosterior(input: { d: number; k: number; n: number; x: number[][]; m: number; gamma: number; alpha: number[]; mu: number[][]; q: number[][]; l: number[][] }): number {
    const { d, k, n, x, m, gamma, alpha, mu, q, l } = input;
    const Q = (c: number) => {
      const out = Array.from({ length: d }, () => new Array<number>(d).fill(0));
      let t = 0;
      for (let col = 0; col < d; col++) {
        out[col]![col] = Math.exp(q[c]![col]!);
        for (let row = col + 1; row < d; row++) out[row]![col] = l[c]![t++]!;
      }
      return out;
    };
    const weights = alpha.map(Math.exp);
    const total = weights.reduce((a, b) => a + b, 0);
    let logLikelihood = 0;
    for (let i = 0; i < n; i++) {
      let density = 0;
      for (let c = 0; c < k; c++) {
        const Qc = Q(c);
        const diff = x[i]!.map((xj, j) => xj - mu[c]![j]!);
        const Qd = Qc.map((row) => row.reduce((s, v, j) => s + v * diff[j]!, 0));
        const detPrecision = Qc.reduce((p, row, j) => p * row[j]! * row[j]!, 1);
        density += (weights[c]! / total) * Math.exp(-0.5 * Qd.reduce((s, v) => s + v * v, 0)) * Math.sqrt(detPrecision / (2 * Math.PI) ** d);
      }
      logLikelihood += Math.log(density);
    }
    const dof = d + m + 1;
    let logPrior = 0;
    for (let c = 0; c < k; c++) {
      const Qc = Q(c);
      const logDetX = Qc.reduce((s, row, j) => s + 2 * Math.log(row[j]!), 0);
      const frobenius = Qc.reduce((s, row) => s + row.reduce((t, v) => t + v * v, 0), 0);
      let logMultiGamma = (d * (d - 1) * Math.log(Math.PI)) / 4;
      for (let j = 1; j <= d; j++) logMultiGamma += Math.log(gammaOfHalfInteger(dof / 2 + (1 - j) / 2));
      // log det V = -2d log γ for V = I / γ²; tr(V^-1 X) = γ² |Q|_F².
      logPrior += ((dof - d - 1) / 2) * logDetX - (gamma * gamma * frobenius) / 2 - ((dof * d) / 2) * Math.log(2) + dof * d * Math.log(gamma) - logMultiGamma;
    }
    return logLikelihood + logPrior;
  }

  function instance(random: () => number, d: number, k: number, n: number, m: number) {
    const rowsOf = (r: number, c: number, scale: number) => Array.from({ length: r }, () => randomVector(c, random, scale));
    return { d, k, n, x: rowsOf(n, d, 1), m, gamma: 0.5 + random(), alpha: randomVector(k, random), mu: rowsOf(k, d, 1), q: rowsOf(k, d, 0.5), l: rowsOf(k, (d * (d - 1)) / 2, 0.5) };
  }

  it("objective equals the log posterior computed from the definition", () => {
    const { evaluate } = session();
    const random = rng(11);
    for (const [d, k, n, m] of [[1, 1, 1, 0], [2, 3, 4, 0], [3, 2, 5, 2], [4, 3, 3, 1]] as const) {
      const input = instance(random, d, k, n, m);
      expectClose(evaluate("gmm", "objective", { ...input, ...once }), naiveLogPosterior(input), 1e-10, `d=${d} k=${k}`);
    }
  });

  it("jacobian agrees with finite differences of the objective in every parameter", () => {
    const { evaluate } = session();
    const random = rng(12);
    for (const [d, k, n, m] of [[1, 2, 3, 0], [3, 2, 4, 1], [4, 3, 5, 0]] as const) {
      const input = instance(random, d, k, n, m);
      const g = evaluate("gmm", "jacobian", { ...input, ...once }) as Record<string, unknown>;
      expect(Object.keys(g).sort()).toEqual(["alpha", "l", "mu", "q"]);
      for (const key of ["alpha", "mu", "q", "l"] as const) {
        const objective = (v: number[] | number[][]) => naiveLogPosterior({ ...input, [key]: v });
        expectClose(g[key], numericGradient(objective, [input[key]], 0), 1e-6, `d=${d} k=${k} ${key}`);
      }
    }
  });
});

describe("lstm", () => {
  function instance(random: () => number, layers: number, b: number, c: number) {
    const rowsOf = (r: number, cols: number) => Array.from({ length: r }, () => Array.from({ length: cols }, random));
    return {
      main_params: rowsOf(2 * layers, 4 * b),
      extra_params: rowsOf(3, b),
      state: rowsOf(2 * layers, b),
      sequence: Array.from({ length: c }, (): number[] => Array.from({ length: b }, () => (random() < 0.5 ? 0 : 1))),
    };
  }

  it("jacobian is the gradient of the objective: finite differences, and forward mode along random directions", () => {
    const { evaluate } = session();
    const random = rng(21);
    for (const [layers, b, c] of [[1, 2, 3], [2, 3, 5]] as const) {
      const input = instance(random, layers, b, c);
      const g = evaluate("lstm", "jacobian", { ...input, ...once }) as number[];
      expect(g.length).toBe(8 * layers * b + 3 * b);
      const objectiveOf = (main: number[], extra: number[]) =>
        evaluate("lstm", "objective", { ...input, main_params: chunk(main, 4 * b), extra_params: chunk(extra, b), ...once }) as number;
      const main = input.main_params.flat();
      const extra = input.extra_params.flat();
      const fd = [...(numericGradient((v: number[]) => objectiveOf(v, extra), [main], 0) as number[]), ...(numericGradient((v: number[]) => objectiveOf(main, v), [extra], 0) as number[])];
      expectClose(g, fd, 1e-7, `layers=${layers} b=${b}`);

      const tangent = jvp(lstmObjective, { wrt: [0, 1] });
      const args = [Float64Array.from(main), Float64Array.from(extra), Float64Array.from(input.state.flat()), Float64Array.from(input.sequence.flat()), layers, b] as const;
      for (let trial = 0; trial < 3; trial++) {
        const u = Float64Array.from(randomVector(main.length, random));
        const v = Float64Array.from(randomVector(extra.length, random));
        expectClose(tangent(...args, u, v).tangent, dot(g, [...u, ...v]), 1e-12, "jvp vs gradient");
      }
    }
  });

  it("objective is minus the mean log-likelihood: a constant prediction gives log(b e^0 + 2) per bit set", () => {
    const { evaluate } = session();
    // Zero output weights and biases: every prediction is 0, so each bit's log-probability is
    // -log(b + 2), and the loss is (bits set after the first character) * log(b + 2) / ((c - 1) b).
    const b = 3;
    const input = instance(rng(5), 1, b, 4);
    input.extra_params[1] = [0, 0, 0];
    input.extra_params[2] = [0, 0, 0];
    const bitsSet = input.sequence.slice(1).flat().reduce((s, v) => s + v, 0);
    expectClose(evaluate("lstm", "objective", { ...input, ...once }), (bitsSet * Math.log(b + 2)) / (3 * b), 1e-14);
  });
});

function chunk(v: number[], size: number): number[][] {
  return Array.from({ length: v.length / size }, (_, i) => v.slice(i * size, (i + 1) * size));
}

describe("ba", () => {
  const input = {
    n: 2,
    m: 3,
    p: 7,
    cam: [0.1, -0.2, 0.05, 0.3, -0.1, -4, 1.5, 0.2, -0.1, 0.01, -0.002],
    x: [0.2, 0.4, 1.1],
    w: 0.8,
    feat: [0.3, -0.2],
  };

  it("objective: residuals of a pinhole projection in closed form, repeated p times", () => {
    const { evaluate } = session();
    // No rotation and no distortion: the projection is f (X - C)_xy / (X - C)_z + principal point.
    const plain = { ...input, cam: [0, 0, 0, 0.3, -0.1, -4, 1.5, 0.2, -0.1, 0, 0] };
    const z = plain.x[2]! - plain.cam[5]!;
    const u = (1.5 * (plain.x[0]! - 0.3)) / z + 0.2;
    const v = (1.5 * (plain.x[1]! + 0.1)) / z - 0.1;
    const out = evaluate("ba", "objective", { ...plain, ...once });
    expect(out).toMatchObject({ reproj_error: { repeated: 7 }, w_err: { repeated: 7 } });
    const o = out as { reproj_error: { elements: number[] }; w_err: { element: number } };
    expectClose(o.reproj_error.elements, [0.8 * (u - 0.3), 0.8 * (v + 0.2)], 1e-14);
    expectClose(o.w_err.element, 1 - 0.64, 1e-15);
  });

  it("jacobian: each observation's 2x15 block matches finite differences, in the documented sparse layout", () => {
    const problem: BaProblem = {
      n: 2,
      m: 3,
      p: 4,
      cams: Float64Array.from([...input.cam, ...input.cam.map((c, i) => c + 0.01 * i)]),
      X: Float64Array.from([0.2, 0.4, 1.1, -0.3, 0.1, 0.9, 0.5, -0.5, 1.4]),
      w: Float64Array.from([0.8, 1.1, 0.9, 1.3]),
      feats: Float64Array.from([0.3, -0.2, 0.1, 0.1, -0.2, 0.4, 0, 0]),
      obs: Int32Array.from([0, 0, 1, 1, 0, 2, 1, 0]),
    };
    const j = baJacobian(problem);
    expect(stack.size).toBe(0);
    expect(Array.from(j.rows)).toEqual([...Array.from({ length: 9 }, (_, r) => 15 * r), 121, 122, 123, 124]);
    const weightCol = 11 * problem.n + 3 * problem.m;
    for (let i = 0; i < problem.p; i++) {
      const cam = problem.obs[2 * i]!;
      const pt = problem.obs[2 * i + 1]!;
      const camera = problem.cams.slice(11 * cam, 11 * cam + 11);
      const point = problem.X.slice(3 * pt, 3 * pt + 3);
      const feat = problem.feats.slice(2 * i, 2 * i + 2);
      for (let r = 0; r < 2; r++) {
        const at = 15 * (2 * i + r);
        expect(Array.from(j.cols.subarray(at, at + 15))).toEqual([...Array.from({ length: 11 }, (_, c) => 11 * cam + c), 22 + 3 * pt, 23 + 3 * pt, 24 + 3 * pt, weightCol + i]);
        const residual = (c: Float64Array, x: Float64Array, w: number) => reprojectionError(c, 0, x, 0, w, feat, 0)[r]!;
        const expected = [
          ...(numericGradient((v: Float64Array) => residual(v, point, problem.w[i]!), [camera], 0) as Float64Array),
          ...(numericGradient((v: Float64Array) => residual(camera, v, problem.w[i]!), [point], 0) as Float64Array),
          numericGradient((v: number) => residual(camera, point, v), [problem.w[i]!], 0) as number,
        ];
        expectClose(j.vals.subarray(at, at + 15), expected, 1e-7, `observation ${i} row ${r}`);
      }
      expect(j.cols[30 * problem.p + i]).toBe(weightCol + i);
      expectClose(j.vals[30 * problem.p + i], -2 * problem.w[i]!, 1e-15, "weight residual");
    }
  });

  it("the answer keeps the first 30 entries and the last of each list", () => {
    const { evaluate } = session();
    const out = evaluate("ba", "jacobian", { ...input, p: 20, ...once }) as { rows: number[]; cols: number[]; vals: number[] };
    expect(out.rows).toEqual([...Array.from({ length: 30 }, (_, r) => 15 * r), 31 * 20]);
    expect(out.cols.length).toBe(31);
    expect(out.cols.slice(0, 15)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 22, 23, 24, 31]);
    expect(out.cols[30]).toBe(22 + 9 + 19);
    expectClose(out.vals[30], -2 * input.w, 1e-15);
  });
});

describe("ht", () => {
  /** 22 bones with made-up translations as base transforms, eight vertices, four triangles. */
  function handModel(random: () => number): { model: HandModel; json: Record<string, unknown> } {
    const bones = 22; // as in GradBench's hand model: the pose layout reaches bone 20
    const translate = (x: number, y: number, z: number) => [1, 0, 0, x, 0, 1, 0, y, 0, 0, 1, z, 0, 0, 0, 1];
    const parents = Array.from({ length: bones }, (_, i) => (i === 0 ? -1 : i % 4 === 1 ? 0 : i - 1));
    const baseRelatives = parents.map(() => translate(random() - 0.5, random() - 0.5, random() - 0.5));
    const inverseBaseAbsolutes = parents.map(() => translate(random() - 0.5, random() - 0.5, random() - 0.5));
    const vertices = 8;
    const basePositions = Array.from({ length: vertices }, () => [random(), random(), random(), 1]);
    const weights = Array.from({ length: vertices }, () => {
      const w = Array.from({ length: bones }, () => (random() < 0.3 ? random() : 0));
      const sum = w.reduce((s, v) => s + v, 0) || 1;
      return w.map((v) => v / sum);
    });
    const triangles = [[0, 1, 2], [2, 3, 4], [4, 5, 6], [5, 6, 7]];
    const model: HandModel = {
      parents,
      baseRelatives,
      inverseBaseAbsolutes,
      basePositions: basePositions.flat(),
      weights,
      triangles: triangles.flat(),
      isMirrored: false,
    };
    const asMatrix = (m: number[]) => chunk(m, 4);
    const json = {
      bone_count: bones,
      bone_names: parents.map((_, i) => `bone${i}`),
      parents,
      base_relatives: baseRelatives.map(asMatrix),
      inverse_base_absolutes: inverseBaseAbsolutes.map(asMatrix),
      base_positions: basePositions,
      weights,
      triangles,
      is_mirrored: false,
    };
    return { model, json };
  }

  for (const variant of ["simple", "complicated"] as const)
    it(`jacobian (${variant}) agrees with finite differences of the objective, column by column`, () => {
      const { evaluate } = session();
      const random = rng(variant === "simple" ? 31 : 32);
      const { model, json } = handModel(random);
      const npts = 5;
      const correspondences = Array.from({ length: npts }, (_, i) => (variant === "simple" ? i + 2 : i % 4));
      const points = Array.from({ length: npts }, () => [random(), random(), random()]);
      const us = variant === "simple" ? [] : Array.from({ length: npts }, () => [0.3 * random(), 0.3 * random()]);
      const theta = randomVector(26, random, 0.4);
      const input = { theta, data: { model: json, correspondences, points }, us, ...once };
      const observed: Observations = { correspondences, points: points.flat() };
      const residuals = (t: Float64Array, u: Float64Array) => htObjective(t, u, model, observed);

      // The protocol's parsing of the JSON model gives the model built here.
      const err = evaluate("ht", "objective", input) as number[];
      expectClose(err, residuals(Float64Array.from(theta), Float64Array.from(us.flat())), 0, "objective");

      const J = evaluate("ht", "jacobian", input) as number[][];
      const usCols = variant === "simple" ? 0 : 2;
      expect(J.length).toBe(3 * npts);
      expect(J.every((row) => row.length === usCols + 26)).toBe(true);
      const t0 = Float64Array.from(theta);
      const u0 = Float64Array.from(us.flat());
      for (let k = 0; k < 26; k++) {
        const e = new Float64Array(26);
        e[k] = 1;
        const column = numericDirectional((v: Float64Array) => residuals(v, u0), [t0], [e]) as number[];
        expectClose(J.map((row) => row[usCols + k]!), column, 1e-7, `theta column ${k}`);
      }
      // Each residual's derivative in its own u (the others' us do not touch it).
      for (let k = 0; k < usCols; k++)
        for (let i = 0; i < npts; i++) {
          const e = new Float64Array(u0.length);
          e[2 * i + k] = 1;
          const column = numericDirectional((v: Float64Array) => residuals(t0, v), [u0], [e]) as number[];
          expectClose(J.slice(3 * i, 3 * i + 3).map((row) => row[k]!), column.slice(3 * i, 3 * i + 3), 1e-7, `u${k} of point ${i}`);
        }
    });

  it("objective at rest: with zero angles and inverse base transforms the model is its base mesh, translated", () => {
    const { evaluate } = session();
    const random = rng(33);
    const { json } = handModel(random);
    // Chain the base relatives from the root and invert: then every bone transform is I.
    const relatives = (json.base_relatives as number[][][]).map((m) => m.flat());
    const parents = json.parents as number[];
    const absolutes: number[][] = [];
    relatives.forEach((r, i) => {
      const p = parents[i]!;
      // The made-up transforms are translations, so products add and inverses negate.
      absolutes.push(p === -1 ? r : r.map((v, e) => (e === 3 || e === 7 || e === 11 ? v + absolutes[p]![e]! : v)));
    });
    const inverses = absolutes.map((a) => a.map((v, e) => (e === 3 || e === 7 || e === 11 ? -v : v)));
    const model = { ...json, inverse_base_absolutes: inverses.map((m) => chunk(m, 4)) };
    const theta = new Array<number>(26).fill(0);
    theta[3] = 0.5;
    theta[4] = -0.25;
    theta[5] = 2;
    const correspondences = [0, 3, 7];
    const points = [[1, 2, 3], [0, 0, 0], [-1, 0.5, 0.25]];
    const err = evaluate("ht", "objective", { theta, data: { model, correspondences, points }, us: [], ...once }) as number[];
    const base = json.base_positions as number[][];
    const weights = json.weights as number[][];
    const expected = correspondences.flatMap((v, i) => [0, 1, 2].map((j) => points[i]![j]! - (base[v]![j]! * weights[v]!.reduce((s, w) => s + w, 0) + theta[3 + j]!)));
    expectClose(err, expected, 1e-12);
  });
});

describe("kmeans", () => {
  it("cost is the sum of squared distances to the nearest centroid, and dir is centroid minus cluster mean", () => {
    const { evaluate } = session();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1e6 }), (d, k, seed) => {
        const random = rng(seed);
        const points = Array.from({ length: 3 * k + 2 }, () => randomVector(d, random, 3));
        const centroids = points.slice(-k).map((c) => c.slice()); // every cluster has a point
        const dist = (a: number[], b: number[]) => a.reduce((s, v, l) => s + (v - b[l]!) ** 2, 0);
        const nearest = points.map((p) => {
          let best = 0;
          for (let j = 1; j < k; j++) if (dist(p, centroids[j]!) < dist(p, centroids[best]!)) best = j;
          return best;
        });
        const cost = points.reduce((s, p, i) => s + dist(p, centroids[nearest[i]!]!), 0);
        expectClose(evaluate("kmeans", "cost", { points, centroids, ...once }), cost, 1e-12, "cost");
        const dir = centroids.map((c, j) => {
          const members = points.filter((_, i) => nearest[i] === j);
          return c.map((cl, l) => cl - members.reduce((s, p) => s + p[l]!, 0) / members.length);
        });
        expectClose(evaluate("kmeans", "dir", { points, centroids, ...once }), dir, 1e-12, "dir");
      }),
      { numRuns: 40 },
    );
  });
});
