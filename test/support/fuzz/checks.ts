/**
 * The checks run on every generated program at every point: each marker against central finite
 * differences of the plain program (where the program is smooth there), and against the other
 * modes (the dot-product test between jvp and vjp, hvp against finite differences of grad, the
 * Hessian's symmetry and its product with a direction, the Jacobian forward against reverse,
 * `grad(grad(line))` against the Hessian along the line). After every call of generated code the
 * shared stacks must be as they were and the arguments unchanged.
 *
 * A check reports the first failure it finds, with a stable id (`hessian:symmetry`), what was
 * expected and what came back. No test framework is imported: the CI test and the campaign tool
 * both read the report.
 */
import { refStack, stack } from "tsgrad/internal";
import { Tensor, tensor } from "tsgrad/tensor";
import type { CaseExports } from "./harness.js";
import { offsets } from "./harness.js";
import { ARR_LEN, F64_LEN, TEN_LEN, flatSize, type GeneratedProgram, type Param } from "./spec.js";

/** One input: a flat point, two directions, the data `k`, a position on the line, a cotangent. */
export interface Point {
  readonly z: readonly number[];
  readonly u: readonly number[];
  readonly u2: readonly number[];
  readonly k: number;
  readonly s: number;
  readonly c: readonly number[];
}

export interface Failure {
  /** Stable id: `<what>:<against what>`, or `<what>:threw|stack|mutated`. */
  readonly check: string;
  readonly message: string;
  readonly expected?: unknown;
  readonly got?: unknown;
  readonly point?: Point;
}

export interface Report {
  failure?: Failure;
  /** Points tried, points where f was finite, points where first-order finite differences were stable (and checked). */
  points: number;
  valid: number;
  smooth: number;
  /** Points where a second-order reference (finite differences of the gradient) was stable. */
  secondOrder: number;
  /** How many times each check compared something. */
  ran: Record<string, number>;
  /** Lines the program printed with console.log while checked (stubbed: nothing is printed). */
  printed?: number;
}

/** The largest flat size a program may have; points carry this many numbers. */
export const MAX_FLAT = 1 + 5 * (1 + ARR_LEN);

export const VEC_OUTPUTS = 3;

class CheckFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

// ---- arguments ------------------------------------------------------------------------------

/** The program's arguments (without k) built from a flat vector. */
export function buildArgs(params: readonly Param[], z: readonly number[]): unknown[] {
  const offs = offsets(params);
  return params.map((p, i) => {
    const at = offs[i]!;
    const seq = (n: number, from = 0) => Array.from({ length: n }, (_, j) => z[at + from + j]!);
    switch (p.kind) {
      case "num":
        return z[at]!;
      case "arr":
        return seq(ARR_LEN);
      case "f64":
        return Float64Array.from(seq(F64_LEN));
      case "tup":
        return seq(2);
      case "obj":
        return { a: z[at]!, b: seq(ARR_LEN, 1) };
      case "ten":
        return tensor(seq(TEN_LEN), [TEN_LEN]);
    }
  });
}

/** A value shaped like the parameters (a gradient: bare for one parameter) as a flat vector. */
export function flattenLike(params: readonly Param[], value: unknown): number[] {
  const parts = params.length === 1 ? [value] : (value as unknown[]);
  if (!Array.isArray(parts) || parts.length !== params.length) throw new Error(`expected ${params.length} gradients, got ${describe(value)}`);
  const out: number[] = [];
  params.forEach((p, i) => {
    const v = parts[i] as never;
    const expectLength = (xs: ArrayLike<number>, n: number) => {
      if (!xs || xs.length !== n) throw new Error(`gradient of ${p.name} has the wrong shape: ${describe(v)}`);
      out.push(...Array.from(xs));
    };
    switch (p.kind) {
      case "num":
        if (typeof v !== "number") throw new Error(`gradient of ${p.name} is not a number: ${describe(v)}`);
        out.push(v);
        break;
      case "arr":
        expectLength(v, ARR_LEN);
        break;
      case "f64":
        if (!((v as unknown) instanceof Float64Array)) throw new Error(`gradient of ${p.name} is not a Float64Array: ${describe(v)}`);
        expectLength(v, F64_LEN);
        break;
      case "tup":
        expectLength(v, 2);
        break;
      case "obj": {
        const o = v as { a: number; b: number[] };
        if (typeof o?.a !== "number") throw new Error(`gradient of ${p.name} has no number a: ${describe(v)}`);
        out.push(o.a);
        expectLength(o.b, ARR_LEN);
        break;
      }
      case "ten":
        if (!((v as unknown) instanceof Tensor)) throw new Error(`gradient of ${p.name} is not a Tensor: ${describe(v)}`);
        expectLength((v as Tensor).data, TEN_LEN);
        break;
    }
  });
  return out;
}

function describe(v: unknown): string {
  try {
    return v instanceof Tensor ? `Tensor[${Array.from(v.data)}]` : v instanceof Float64Array ? `Float64Array[${Array.from(v)}]` : JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** A deep copy for the "arguments unchanged" check (compared against the live arguments). */
function snapshot(v: unknown): unknown {
  if (v instanceof Tensor) return { tensor: Array.from(v.data), shape: [...v.shape] };
  if (v instanceof Float64Array) return { f64: Array.from(v) };
  if (Array.isArray(v)) return v.map(snapshot);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, snapshot(x)]));
  return v;
}

// ---- finite differences ---------------------------------------------------------------------

/** z moved by a relative step in coordinate i, up and down. */
function perturbed(z: readonly number[], i: number, h: number): { up: number[]; down: number[]; step: number } {
  const step = h * Math.max(1, Math.abs(z[i]!));
  const up = z.slice();
  const down = z.slice();
  up[i]! += step;
  down[i]! -= step;
  return { up, down, step };
}

/** Central differences of a flat function (scalar or vector valued) at one step size. */
function centralJacobian(f: (z: number[]) => number | number[], z: readonly number[], h: number): number[][] {
  const cols: number[][] = [];
  for (let i = 0; i < z.length; i++) {
    const { up, down, step } = perturbed(z, i, h);
    const a = [f(up)].flat();
    const b = [f(down)].flat();
    cols.push(a.map((x, j) => (x - b[j]!) / (2 * step)));
  }
  return cols; // cols[i][j] = d out_j / d z_i
}

/** Whether two estimates agree: the sign that the function is smooth around the point. */
function agree(a: readonly number[], b: readonly number[], tol = 1e-4): boolean {
  return a.every((x, i) => Number.isFinite(x) && Math.abs(x - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)));
}

/** One-sided differences (forward minus backward) at one step: they differ where the slope jumps at z itself. */
function oneSidedAgree(f: (z: number[]) => number | number[], z: readonly number[], h: number): boolean {
  const mid = [f(z.slice())].flat();
  for (let i = 0; i < z.length; i++) {
    const { up, down, step } = perturbed(z, i, h);
    const a = [f(up)].flat().map((x, j) => (x - mid[j]!) / step);
    const b = [f(down)].flat().map((x, j) => (mid[j]! - x) / step);
    if (!agree(a, b, 1e-3)) return false;
  }
  return true;
}

/** The finer step of stableDifferences, whose differences are compared with the derivatives. */
const FINE_STEP = 2.5e-6;

/** Central differences (`fine[i][j]` = d out_j / d z_i) and how far rounding may have moved each. */
interface Differences {
  readonly fine: number[][];
  readonly rounding: number[][];
}

/**
 * Central differences at two step sizes; the finer one where they agree (and the one-sided
 * differences agree too), else null: a kink or a jump nearby, where finite differences mean
 * nothing.
 *
 * What rounding adds to the finer ones is allowed for, from the two steps' disagreement, not from
 * the size of the result: a result of 0.04 left by cancelling terms near 1e6 moves in steps of an
 * ulp of 1e6 (1.2e-10), wide ones, so that its differences at h = 2.5e-6 were 0 or 2.3e-5 where
 * the slope is -2.3e-6 (steps of 1e-2 and 3e-2 give -2.29e-6; program seed 418772652). A
 * difference off by e from rounding has a counterpart at 4 times the step off by at most e / 4,
 * so the two differ by 3e / 4 or more, and twice that covers e; where they agree, as they do
 * for a smooth function computed without such cancellation, the allowance is next to nothing
 * and a wrong derivative is caught as before. At least 1e-9 |f| (eps |f| / h with a margin).
 */
function stableDifferences(f: (z: number[]) => number | number[], z: readonly number[], steps: readonly [number, number] = [1e-5, FINE_STEP]): Differences | null {
  const coarse = centralJacobian(f, z, steps[0]);
  const fine = centralJacobian(f, z, steps[1]);
  if (!coarse.every((col, i) => agree(col, fine[i]!)) || !oneSidedAgree(f, z, 1e-6)) return null;
  const value = [f(z.slice())].flat();
  if (!noStaircase(fine, centralJacobian(f, z, TINY_STEP), value)) return null;
  const rounding = fine.map((col, i) => col.map((x, j) => Math.max(2 * Math.abs(coarse[i]![j]! - x), 1e-9 * Math.abs(value[j]!))));
  return { fine, rounding };
}

/** Row `j` of the differences (d out_j / dz) and its rounding allowance. */
function differencesOf(d: Differences, j = 0): { at: number[]; rounding: number[] } {
  return { at: d.fine.map((col) => col[j]!), rounding: d.rounding.map((col) => col[j]!) };
}

/** A step small enough that a staircase term (floor of a fast-moving value) rarely jumps within it. */
const TINY_STEP = 1e-9;

/**
 * Whether differences at the tiny step agree with the fine ones, to within what rounding adds at
 * that step (eps |f| / h). Where a piecewise-constant term (floor, round, sign of a value moving by
 * many units across the stencil) jumps many times between z - h and z + h, differences at every
 * step much larger than its stair width agree with one another, and all see the stairs' average
 * slope, not the derivative 0 that holds between the jumps: the tiny step does not.
 */
function noStaircase(fine: readonly (readonly number[])[], tiny: readonly (readonly number[])[], value: readonly number[]): boolean {
  const roundoff = (j: number) => (4 * Number.EPSILON * Math.abs(value[j] ?? 0)) / TINY_STEP;
  return fine.every((col, i) => col.every((x, j) => Math.abs(x - tiny[i]![j]!) <= 1e-2 * Math.max(1, Math.abs(x)) + roundoff(j)));
}

/** d/dt g(z + t u) at t = 0 for a vector-valued g, at two step sizes; null where they disagree. */
function stableDirectional(g: (z: number[]) => number[], z: readonly number[], u: readonly number[], steps: readonly [number, number] = [1e-4, 2.5e-5]): number[] | null {
  const at = (h: number) => {
    const up = g(z.map((x, i) => x + h * u[i]!));
    const down = g(z.map((x, i) => x - h * u[i]!));
    return up.map((x, i) => (x - down[i]!) / (2 * h));
  };
  const coarse = at(steps[0]);
  const fine = at(steps[1]);
  return agree(coarse, fine) ? fine : null;
}

// ---- comparisons ----------------------------------------------------------------------------

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Scale for a sum of products: what a rounding error in it is relative to. */
function dotScale(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! * b[i]!);
  return Math.max(1, s);
}

// ---- the checks -----------------------------------------------------------------------------

export interface CheckOptions {
  /** Skip the costliest checks (full Hessian, Jacobians) at all but every `every`-th point. */
  readonly expensiveEvery?: number;
}

/**
 * Generated programs may call `console.log` (in helpers, in loops): it runs at every point, in
 * every mode and at every finite-difference step, thousands of times per program. The checks
 * replace it with a counter while they run (the statement still runs, and what it prints is
 * evaluated), and put it back after.
 */
export function runChecks(program: GeneratedProgram, cases: CaseExports, points: readonly Point[], options: CheckOptions = {}): Report {
  const log = console.log;
  let printed = 0;
  console.log = () => void printed++;
  try {
    const report = checkPoints(program, cases, points, options);
    report.printed = printed;
    return report;
  } finally {
    console.log = log;
  }
}

function checkPoints(program: GeneratedProgram, cases: CaseExports, points: readonly Point[], options: CheckOptions): Report {
  const report: Report = { points: 0, valid: 0, smooth: 0, secondOrder: 0, ran: {} };
  const every = options.expensiveEvery ?? 1;
  for (const [index, point] of points.entries()) {
    report.points++;
    try {
      checkPoint(program, cases, point, report, index % every === 0);
    } catch (e) {
      if (e instanceof CheckFailed) {
        report.failure = { ...e.failure, point };
        return report;
      }
      throw e;
    }
  }
  return report;
}

function checkPoint(program: GeneratedProgram, cases: CaseExports, point: Point, report: Report, expensive: boolean): void {
  const params = program.params;
  const n = flatSize(params);
  const z = point.z.slice(0, n);
  const u = point.u.slice(0, n);
  const u2 = point.u2.slice(0, n);
  const k = point.k;

  const fail = (check: string, message: string, expected?: unknown, got?: unknown): never => {
    throw new CheckFailed({ check, message, expected, got });
  };
  const ran = (check: string) => (report.ran[check] = (report.ran[check] ?? 0) + 1);
  /**
   * |a - b| <= tol * scale + roundoff, element-wise; scale defaults to max(1, |a|, |b|). A roundoff
   * given as a function of the scale is measured only where the strict comparison fails.
   */
  type Roundoff = number | readonly number[] | ((scale: number) => number);
  const close = (check: string, got: number | readonly number[], expected: number | readonly number[], tol: number, scale?: number, roundoff: Roundoff = 0) => {
    ran(check);
    const a = [got].flat();
    const b = [expected].flat();
    if (a.length !== b.length) fail(check, `${check}: ${a.length} numbers where ${b.length} were expected`, b, a);
    for (let i = 0; i < a.length; i++) {
      const s = scale ?? Math.max(1, Math.abs(a[i]!), Math.abs(b[i]!));
      // the same infinity is equal too (its difference is NaN)
      const diff = Math.abs(a[i]! - b[i]!);
      const allowance = typeof roundoff === "number" ? roundoff : typeof roundoff === "function" ? (diff <= tol * s ? 0 : roundoff(s)) : roundoff[i]!;
      const ok = diff <= tol * s + allowance || a[i] === b[i] || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!));
      if (!ok) fail(check, `${check}: entry ${i} is ${a[i]}, expected ${b[i]} (tolerance ${tol} x ${s})`, b, a);
    }
  };
  /** Calls generated code: it must not throw, must leave the stacks as they were and its arguments unchanged. */
  const call = <T>(name: string, fn: () => T, args: readonly unknown[] = []): T => {
    const before = [stack.size, refStack.size];
    const copies = args.map(snapshot);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      return fail(`${name}:threw`, `${name} threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
    const after = [stack.size, refStack.size];
    if (after[0] !== before[0] || after[1] !== before[1]) fail(`${name}:stack`, `${name} left the stacks at [${after}], not [${before}]`, before, after);
    args.forEach((a, i) => {
      if (JSON.stringify(snapshot(a)) !== JSON.stringify(copies[i])) fail(`${name}:mutated`, `${name} changed its argument ${i}`, copies[i], snapshot(a));
    });
    return result;
  };
  const flatGrad = (g: unknown, name: string): number[] => {
    try {
      return flattenLike(params, g);
    } catch (e) {
      return fail(`${name}:shape`, `${name}: ${(e as Error).message}`);
    }
  };

  // the plain function, in the flat space of its parameters
  const F = (zz: readonly number[]): number => cases.f(...buildArgs(params, zz), k);
  let value: number;
  try {
    value = F(z);
  } catch (e) {
    return fail("f:threw", `the program itself threw: ${(e as Error).message}`);
  }
  if (!Number.isFinite(value) || Math.abs(value) > 1e8) return;
  report.valid++;
  close("flat:value", call("flat", () => cases.flat(z.slice(), k)), value, 0);

  // first order: grad, valueAndGrad, jvp, vjp
  const args = buildArgs(params, z);
  const g = flatGrad(call("grad", () => cases.grad(...args, k), args), "grad");
  const vg = call("valueAndGrad", () => cases.vg(...args, k), args);
  close("valueAndGrad:value", vg.value, value, 0);
  close("valueAndGrad:grad", flatGrad(vg.grad, "valueAndGrad"), g, 1e-12);
  const tangents = buildArgs(params, u);
  const jv = call("jvp", () => cases.jvp(...args, k, ...tangents), [...args, ...tangents]);
  close("jvp:value", jv.value, value, 0);
  close("jvp:dot-product", jv.tangent, dot(g, u), 1e-8, dotScale(g, u));
  const pb = call("vjp", () => cases.vjp(...args, k), args);
  close("vjp:value", pb.value, value, 0);
  // cotangents that are powers of two: scaling by one is exact in floating point, so the pullback
  // seeded with c is c times grad's sweep (seeded with 1) bit for bit, however the terms cancel
  // (with c = 1.75 the two sweeps round differently, and a gradient of 1e-7 made of terms near 1e8
  // differed by 1e-8)
  close("vjp:pullback", flatGrad(call("pullback", () => pb.pullback(2)), "pullback"), g.map((x) => 2 * x), 1e-12);
  close("vjp:pullback-again", flatGrad(call("pullback", () => pb.pullback(-0.5)), "pullback"), g.map((x) => -0.5 * x), 1e-12);

  // against finite differences of the plain function, where they are stable
  const fd = stableDifferences(F, z);
  if (fd) {
    report.smooth++;
    const d = differencesOf(fd);
    close("grad:finite-differences", g, d.at, 2e-5, undefined, d.rounding);
  }
  const flatG = call("flatGrad", () => cases.flatGrad(z.slice(), k));
  close("flatGrad:grad", flatG, g, 1e-10);

  // hasAux: aux(z) = [flat(z) + sin(vec(z)[0]) / 4, { vec squashed, first }], and vec[0] is
  // flat(z): its gradient is flat's times 1 + cos(flat(z)) / 4; value and aux a plain call's
  const [auxLoss, plainAux] = cases.aux(z.slice(), k);
  if (Number.isFinite(auxLoss) && Math.abs(auxLoss) < 1e8 && plainAux.vec.every((x) => Number.isFinite(x))) {
    const av = call("auxValueAndGrad", () => cases.auxVG(z.slice(), k));
    close("auxValueAndGrad:value", av.value, auxLoss, 0);
    close("auxValueAndGrad:aux", [...av.aux.vec, av.aux.first], [...plainAux.vec, plainAux.first], 0);
    const flatValue = call("flat", () => cases.flat(z.slice(), k));
    close("auxValueAndGrad:grad", av.grad, flatG.map((x) => x * (1 + 0.25 * Math.cos(flatValue))), 1e-9);
    // differences follow sin(flat) only where its phase moves little across the coarse step:
    // with flat' near 1e9 (program 59693), sin turns over many times between z - h and z + h
    // and every step sees its average, not cos(flat) flat'; the closed form above is the check
    const resolvable = flatG.every((x) => Math.abs(x) * 1e-5 < 1e-2);
    const fdAux = fd && resolvable ? stableDifferences((zz) => cases.aux(zz, k)[0], z) : null;
    if (fdAux) close("auxValueAndGrad:finite-differences", av.grad, differencesOf(fdAux).at, 2e-5, undefined, differencesOf(fdAux).rounding);
  }

  // second order: hvp against finite differences of grad along u, and symmetric in two directions
  const gradAt = (zz: number[]) => flattenLike(params, cases.grad(...buildArgs(params, zz), k));
  const hvpAlong = (dir: readonly number[]): number[] => {
    const t = buildArgs(params, dir);
    return flatGrad(call("hvp", () => cases.hvp(...args, k, ...t), [...args, ...t]), "hvp");
  };
  const hv = hvpAlong(u);
  // hvp is linear in its direction, and doubling a direction is exact in floating point: the
  // product along 2u is twice the one along u, bit for bit. An error that does not scale with its
  // direction (a primal term leaking into a tangent) shows here
  close(
    "hvp:linear",
    hvpAlong(u.map((x) => 2 * x)).map((x) => x / 2),
    hv,
    1e-13,
  );
  /**
   * What rounding alone moves this point's second-order results by, relative to their size: the
   * product along 0.7 u, divided back, against the one along u (equal in exact arithmetic; 0.7 is
   * no power of two, so the two round differently). Where a tangent sweep cancels terms orders of
   * magnitude larger than its result, second-order results computed two ways differ by that much:
   * program 42606 squares an accumulator three times, float64 gets its value to 2.4e-10 and its
   * second derivative to 1e-5 of the 60-digit ones, and u2·Hu and u·Hu2 came out 5e-7 apart. A
   * wrong rule or pass is linear in the direction as a right one is (else hvp:linear fails), so it
   * moves by rounding only and is still caught. Measured once, where a strict comparison fails;
   * never more than 1e-3.
   */
  let movedByRounding: number | undefined;
  const secondOrderRounding = (scale: number): number => {
    if (movedByRounding === undefined) {
      const again = hvpAlong(u.map((x) => 0.7 * x)).map((x) => x / 0.7);
      const size = Math.max(...hv.map(Math.abs));
      const moved = Math.max(0, ...again.map((x, i) => Math.abs(x - hv[i]!)));
      movedByRounding = size > 0 ? Math.min(1e-3, moved / size) : moved > 0 ? 1e-3 : 0;
    }
    return 8 * movedByRounding * scale;
  };
  const hv2 = hvpAlong(u2);
  close("hvp:symmetry", dot(u2, hv), dot(u, hv2), 1e-8, Math.max(dotScale(u2, hv), dotScale(u, hv2)), secondOrderRounding);
  const fdHv = fd ? stableDirectional(gradAt, z, u) : null;
  if (fdHv) {
    report.secondOrder++;
    close("hvp:finite-differences", hv, fdHv, 1e-4);
  }
  close("flatHvp:hvp", call("flatHvp", () => cases.flatHvp(z.slice(), k, u.slice())), hv, 1e-9);

  // closures over the data handed to grad and hvp, and a training loop's gradient steps
  close("closedGrad:flatGrad", call("closedGrad", () => cases.closedGrad(z.slice(), k)), flatG, 1e-12);
  close("closedHvp:hvp", call("closedHvp", () => cases.closedHvp(z.slice(), k, u.slice())), hv, 1e-9);
  const step = (p: number[]) => {
    const gp = cases.flatGrad(p.slice(), k);
    return p.map((x, i) => x - 0.01 * gp[i]!);
  };
  close("descend:steps", call("descend", () => cases.descend(z.slice(), k)), step(step(z)), 1e-10);

  // jvp(grad(at)) where at(z) = flat(z, K): its tangent is the Hessian along u at k = K
  const K = program.line.k;
  const jg = call("jvpGrad", () => cases.jvpGrad(z.slice(), u.slice()));
  close("jvpGrad:value", jg.value, call("flatGrad", () => cases.flatGrad(z.slice(), K)), 1e-12);
  close("jvpGrad:hvp", jg.tangent, call("flatHvp", () => cases.flatHvp(z.slice(), K, u.slice())), 1e-9);
  if (K === k && fdHv) close("jvpGrad:finite-differences", jg.tangent, fdHv, 1e-4);

  // a function calling grad inside: inner(z) = 0.5 flat(z) + <w, grad flat(z)>, w_i = sin(i + 1.5)
  const w = z.map((_, i) => Math.sin(i + 1.5));
  const innerValue = call("inner", () => cases.inner(z.slice(), k));
  const ig = call("innerGrad", () => cases.innerGrad(z.slice(), k));
  const hw = call("flatHvp", () => cases.flatHvp(z.slice(), k, w));
  close("innerGrad:hvp", ig, hw.map((x, i) => x + 0.5 * g[i]!), 1e-8, undefined, secondOrderRounding);
  const ij = call("innerJvp", () => cases.innerJvp(z.slice(), k, u.slice()));
  // inner's value holds a gradient, computed here by the tangent version of its pullback and there
  // by the pullback itself: the two may order an accumulation differently (1 ulp seen, program
  // seed 2056015710), where the program's own value is computed the same way in both
  close("innerJvp:value", ij.value, innerValue, 4 * Number.EPSILON);
  close("innerJvp:dot-product", ij.tangent, dot(ig, u), 1e-8, dotScale(ig, u), secondOrderRounding);
  if (fd) {
    const fdInner = stableDifferences((zz) => cases.inner(zz, k), z);
    if (fdInner) close("innerGrad:finite-differences", ig, differencesOf(fdInner).at, 2e-5, undefined, differencesOf(fdInner).rounding);
  }

  // one number in: grad and grad(grad) of line(s) = flat(base + s dir, K)
  const dir = program.line.dir as number[];
  const zs = program.line.base.map((b, i) => b + point.s * dir[i]!);
  const lineValue = cases.line(point.s);
  if (Number.isFinite(lineValue) && Math.abs(lineValue) < 1e8) {
    const lg = call("lineGrad", () => cases.lineGrad(point.s));
    const lgg = call("lineGG", () => cases.lineGG(point.s));
    const flatGs = call("flatGrad", () => cases.flatGrad(zs.slice(), K));
    close("lineGrad:grad", lg, dot(dir, flatGs), 1e-9, dotScale(dir, flatGs));
    const hd = call("flatHvp", () => cases.flatHvp(zs.slice(), K, dir.slice()));
    close("lineGG:hvp", lgg, dot(dir, hd), 1e-8, dotScale(dir, hd));
    const fdLine = stableDifferences((s) => cases.line(s[0]!), [point.s]);
    if (fdLine) {
      close("lineGrad:finite-differences", lg, fdLine.fine[0]![0]!, 2e-5, undefined, fdLine.rounding[0]![0]!);
      const fdLine2 = stableDirectional((s) => [cases.lineGrad(s[0]!)], [point.s], [1]);
      if (fdLine2) close("lineGG:finite-differences", lgg, fdLine2[0]!, 1e-4);
    }
  }

  if (!expensive) return;

  // the Hessian: symmetric, and times u it is hvp
  const H = call("hessian", () => cases.hessian(z.slice(), k));
  if (!Array.isArray(H) || H.length !== n) fail("hessian:shape", `hessian: ${n} rows expected`, n, describe(H));
  // Entries beyond 1e8, as values beyond 1e8 above, come from intermediates far larger than the
  // program's value: program 49222 returns acc - hypot(acc, w) with acc past 1e27, exactly 0, and
  // one column of its Hessian holds -2e13 where the row and differences of the gradient give 0 (the
  // tangent of 1 - acc / hypot(acc, w), rounding magnified). Its symmetry says nothing there
  const judged = H.every((row) => row.every((h) => Math.abs(h) <= 1e8));
  if (judged) {
    for (let i = 0; i < n; i++) close("hessian:symmetry", H.map((row) => row[i]!), H[i]!, 1e-8, undefined, secondOrderRounding);
    close("hessian:hvp", H.map((row) => dot(row, u)), hv, 1e-8, undefined, secondOrderRounding);
  }

  /**
   * What rounding alone may make the two modes' Jacobians differ by, entry by entry (row-major):
   * eps times the size of the derivatives each sweep cancels along the way, which may be far
   * larger than the entry (a slope of -2 left by terms near 4e6 came out 4e-10 apart forward and
   * reverse, program seed 237296508; both within 6e-10 of the slope in 60 digits). Measured: a
   * sweep seeded with 3 (not a power of two, so it rounds differently) and divided by 3 moves
   * by about that much from the same sweep seeded with 1 (6e-10 and 2e-10 there), or seeded with
   * 0.7 where that moves more (program 42606); four times the two modes' moves. A wrong derivative is linear in the seed as a right one is, so it too
   * moves by rounding only, and is still caught. (Measured only where the two modes differ.)
   */
  const sweepRounding = (outputs: number): number[] => {
    const basis = (size: number, at: number, c: number) => Array.from({ length: size }, (_, m) => (m === at ? c : 0));
    const tangent = (i: number, c: number) => cases.vecJvp(z.slice(), k, basis(n, i, c)).tangent; // d out / dz_i
    const { pullback } = cases.vecVjp(z.slice(), k);
    // two seeds of other mantissas, the larger move: one may round like the seed 1 by chance
    const moved = (one: readonly number[], seeded: (c: number) => readonly number[]) => {
      const [three, seventh] = [seeded(3), seeded(0.7)];
      return one.map((x, j) => Math.max(Math.abs(three[j]! / 3 - x), Math.abs(seventh[j]! / 0.7 - x)));
    };
    const forward = z.map((_, i) => moved(tangent(i, 1), (c) => tangent(i, c)));
    const reverse = Array.from({ length: outputs }, (_, j) => moved(pullback(basis(outputs, j, 1)), (c) => pullback(basis(outputs, j, c))));
    return reverse.flatMap((row, j) => row.map((r, i) => 4 * (forward[i]![j]! + r)));
  };

  // Jacobians of the vector-valued variant, both modes, against jvp, vjp and finite differences
  const V = (zz: number[]) => cases.vec(zz, k);
  const vecValue = V(z.slice());
  if (vecValue.every((x) => Number.isFinite(x) && Math.abs(x) < 1e8)) {
    const JF = call("jacobianForward", () => cases.jacForward(z.slice(), k));
    const JR = call("jacobianReverse", () => cases.jacReverse(z.slice(), k));
    const [forwardFlat, reverseFlat] = [JF.flat(), JR.flat()];
    // 1e-8, as jvp against grad (the dot-product test): the two modes associate each entry's
    // products differently, which scaling a seed does not measure (program 42606's slope of 5.09,
    // 1e-8 off the 60-digit one in both modes, came out 4e-10 apart forward and reverse)
    const withinTolerance = forwardFlat.every((x, i) => Math.abs(x - reverseFlat[i]!) <= 1e-8 * Math.max(1, Math.abs(x), Math.abs(reverseFlat[i]!)));
    close("jacobian:forward-reverse", forwardFlat, reverseFlat, 1e-8, undefined, withinTolerance ? 0 : sweepRounding(JR.length));
    const vj = call("vecJvp", () => cases.vecJvp(z.slice(), k, u.slice()));
    close("vecJvp:value", vj.value, vecValue, 0);
    close(
      "jacobian:jvp",
      JF.map((row) => dot(row, u)),
      vj.tangent,
      1e-8,
    );
    const vv = call("vecVjp", () => cases.vecVjp(z.slice(), k));
    close("vecVjp:value", vv.value, vecValue, 0);
    const c = point.c.slice(0, VEC_OUTPUTS);
    const ct = call("vecPullback", () => vv.pullback(c.slice()));
    close("jacobian:vjp", z.map((_, i) => JR.reduce((s, row, j) => s + c[j]! * row[i]!, 0)), ct, 1e-8);
    close("vjp:dot-product", dot(c, vj.tangent), dot(ct, u), 1e-8, Math.max(dotScale(c, vj.tangent), dotScale(ct, u)));
    if (fd) {
      const fdV = stableDifferences(V, z);
      if (fdV)
        close(
          "jacobian:finite-differences",
          JF.flat(),
          JF.flatMap((_, j) => differencesOf(fdV, j).at),
          2e-5,
          undefined,
          JF.flatMap((_, j) => differencesOf(fdV, j).rounding),
        );
    }
  }

  // the Hessian of the tensor parameter alone is that block of the whole Hessian
  if (cases.tenHessian) {
    const t = params.findIndex((p) => p.kind === "ten");
    const at = offsets(params)[t]!;
    const T = buildArgs(params, z)[t];
    const HT = call("tensorHessian", () => cases.tenHessian!(T, z.slice(), k), [T]);
    const block = Array.from({ length: TEN_LEN }, (_, i) => Array.from({ length: TEN_LEN }, (_, j) => H[at + i]![at + j]!)).flat();
    if (!(HT instanceof Tensor) || HT.shape.join() !== `${TEN_LEN},${TEN_LEN}`) fail("tensorHessian:shape", "tensor Hessian: a [3, 3] tensor expected", [TEN_LEN, TEN_LEN], describe(HT));
    close("tensorHessian:hessian", Array.from(HT.data), block, 1e-8);
  }
}
