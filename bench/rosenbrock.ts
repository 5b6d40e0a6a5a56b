/**
 * First benchmark: the n-dimensional Rosenbrock function as a plain scalar loop, at n = 1,000 and
 * 100,000. In one run, on the same inputs: the function alone, tsgrad's generated gradient (grad
 * and valueAndGrad), a careful hand-written gradient, forward mode along one direction, and
 * central finite differences (n = 1,000 only: 2n function calls); then the same function over a
 * Float64Array, whose gradient is a Float64Array (V8 allocates a number[] of n doubles far more
 * slowly than a Float64Array, and every method that returns a new gradient pays for it). Every
 * method's gradient is checked against the others before any time is reported.
 *
 *   npm run bench              full run (about a minute), writes bench/results/rosenbrock.{md,json}
 *   npm run bench -- --quick   tiny sizes, checks only (the test suite runs this)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { Bench } from "tinybench";
import { grad, jvp, valueAndGrad } from "tsgrad";

export function rosen(x: number[]): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    s += 100 * a * a + b * b;
  }
  return s;
}

/** The same function over a Float64Array: its gradient is a Float64Array too (cheap to allocate). */
export function rosen64(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    s += 100 * a * a + b * b;
  }
  return s;
}

export function rosen64GradByHand(x: Float64Array): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    g[i]! += -400 * x[i]! * a - 2 * b;
    g[i + 1]! += 200 * a;
  }
  return g;
}

/** The gradient as a careful person writes it by hand: one reverse pass, nothing stored. */
export function rosenGradByHand(x: number[]): number[] {
  const g = new Array<number>(x.length).fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    g[i]! += -400 * x[i]! * a - 2 * b;
    g[i + 1]! += 200 * a;
  }
  return g;
}

/** The same into a caller's buffer: no allocation at all (the limit for any method). */
export function rosenGradByHandInto(x: number[], g: Float64Array): Float64Array {
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    g[i]! += -400 * x[i]! * a - 2 * b;
    g[i + 1]! += 200 * a;
  }
  return g;
}

function finiteDifferences(x: number[]): number[] {
  const g = new Array<number>(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const h = 1e-6 * Math.max(1, Math.abs(xi));
    x[i] = xi + h;
    const up = rosen(x);
    x[i] = xi - h;
    const down = rosen(x);
    x[i] = xi;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

const rosenGrad = grad(rosen);
const rosenValueAndGrad = valueAndGrad(rosen);
const rosenJvp = jvp(rosen);
const rosen64Grad = grad(rosen64);

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

/** Checks that every method computes the same gradient; throws otherwise. */
function checkAgreement(x: number[], withFiniteDifferences: boolean): string[] {
  const reference = rosenGradByHand(x);
  const u = x.map((_, i) => Math.cos(i));
  const checks: [string, number, number][] = [
    ["grad vs hand-written", maxRelativeDifference(rosenGrad(x), reference), 1e-12],
    ["valueAndGrad vs hand-written", maxRelativeDifference(rosenValueAndGrad(x).grad, reference), 1e-12],
    ["valueAndGrad value vs f", Math.abs(rosenValueAndGrad(x).value - rosen(x)), 0],
    ["hand-written into buffer", maxRelativeDifference(rosenGradByHandInto(x, new Float64Array(x.length)), reference), 0],
    ["grad over Float64Array vs hand-written", maxRelativeDifference(rosen64Grad(Float64Array.from(x)), reference), 1e-12],
    ["hand-written over Float64Array", maxRelativeDifference(rosen64GradByHand(Float64Array.from(x)), reference), 1e-12],
    ["jvp vs <grad, u>", Math.abs(rosenJvp(x, u).tangent - reference.reduce((s, g, i) => s + g * u[i]!, 0)) / Math.max(1, Math.abs(rosenJvp(x, u).tangent)), 1e-10],
  ];
  if (withFiniteDifferences) checks.push(["grad vs finite differences", maxRelativeDifference(rosenGrad(x), finiteDifferences(x.slice())), 1e-5]);
  const lines: string[] = [];
  for (const [name, diff, tol] of checks) {
    const ok = diff <= tol;
    lines.push(`${ok ? "ok  " : "FAIL"} ${name}: max relative difference ${diff.toExponential(2)} (tolerance ${tol})`);
    if (!ok) throw new Error(`gradients disagree: ${name}: ${diff} > ${tol}`);
  }
  return lines;
}

interface Row {
  readonly n: number;
  readonly method: string;
  readonly medianMs: number;
  readonly p75Ms: number;
  readonly rme: number;
  readonly samples: number;
}

/** Median time per call of each method at size n. Fast calls are batched so the timer can see them. */
async function measure(n: number, quick: boolean): Promise<Row[]> {
  const x = Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(i));
  const u = x.map((_, i) => Math.cos(i));
  const buffer = new Float64Array(n);
  let sink = 0;
  const inner = Math.max(1, Math.round(20_000 / n));
  const methods: [string, () => unknown][] = [
    ["f", () => rosen(x)],
    ["tsgrad grad", () => rosenGrad(x)],
    ["tsgrad valueAndGrad", () => rosenValueAndGrad(x)],
    ["tsgrad jvp (one direction)", () => rosenJvp(x, u)],
    ["hand-written gradient", () => rosenGradByHand(x)],
    ["hand-written, into a buffer", () => rosenGradByHandInto(x, buffer)],
  ];
  const x64 = Float64Array.from(x);
  methods.push(
    ["Float64Array: f", () => rosen64(x64)],
    ["Float64Array: tsgrad grad", () => rosen64Grad(x64)],
    ["Float64Array: hand-written gradient", () => rosen64GradByHand(x64)],
  );
  if (n <= 1000) methods.push(["central finite differences", () => finiteDifferences(x)]);
  const bench = new Bench({ time: quick ? 5 : 600, warmupTime: quick ? 1 : 150, iterations: quick ? 2 : 20 });
  for (const [name, fn] of methods)
    bench.add(name, () => {
      for (let r = 0; r < inner; r++) {
        const out = fn();
        sink += typeof out === "number" ? out : 1;
      }
    });
  await bench.run();
  if (sink === 42) console.log(""); // keep the results observable
  return bench.tasks.map((t) => {
    const r = t.result as unknown as { latency: { p50: number; p75: number; rme: number; samples?: number[] }; totalTime: number };
    return {
      n,
      method: t.name,
      medianMs: r.latency.p50 / inner,
      p75Ms: r.latency.p75 / inner,
      rme: r.latency.rme,
      samples: r.latency.samples?.length ?? 0,
    };
  });
}

function formatTime(ms: number): string {
  if (ms < 1e-3) return `${(ms * 1e6).toFixed(0)} ns`;
  if (ms < 1) return `${(ms * 1e3).toFixed(2)} µs`;
  return `${ms.toFixed(3)} ms`;
}

function table(rows: readonly Row[]): string {
  const lines = ["| n | method | median | p75 | ± | time / time(f) | time / time(hand-written) |", "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"];
  for (const r of rows) {
    // Float64Array rows compare with the Float64Array function and hand-written gradient
    const prefix = r.method.startsWith("Float64Array: ") ? "Float64Array: " : "";
    const f = rows.find((x) => x.n === r.n && x.method === `${prefix}f`)!;
    const hand = rows.find((x) => x.n === r.n && x.method === `${prefix}hand-written gradient`)!;
    const toF = r.medianMs / f.medianMs;
    const toHand = r.method.endsWith("f") && r.method === `${prefix}f` ? "" : (r.medianMs / hand.medianMs).toFixed(2);
    lines.push(`| ${r.n.toLocaleString("en")} | ${r.method} | ${formatTime(r.medianMs)} | ${formatTime(r.p75Ms)} | ${r.rme.toFixed(1)}% | ${toF.toFixed(2)} | ${toHand} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } }, allowPositionals: true });
  const quick = values.quick!;
  const sizes = quick ? [10, 50] : [1000, 100_000];
  for (const n of sizes) {
    const x = Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(i));
    console.log(`n = ${n}: checking that every method computes the same gradient`);
    for (const line of checkAgreement(x, n <= 1000)) console.log(`  ${line}`);
  }
  console.log("gradients agree");
  const rows: Row[] = [];
  for (const n of sizes) {
    process.stdout.write(`measuring n = ${n.toLocaleString("en")} ...\n`);
    rows.push(...(await measure(n, quick)));
  }
  const machine = `${os.cpus()[0]?.model ?? "unknown CPU"} (${os.cpus().length} cores), Node ${process.version}, ${os.platform()} ${os.arch()}`;
  const report = [`Rosenbrock, scalar loop. ${machine}. ${new Date().toISOString().slice(0, 10)}.`, "", table(rows)].join("\n");
  console.log(`\n${report}\n`);
  if (quick) return;
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("./results/rosenbrock.md", import.meta.url), report + "\n");
  writeFileSync(new URL("./results/rosenbrock.json", import.meta.url), JSON.stringify({ machine, date: new Date().toISOString(), rows }, null, 2) + "\n");
}

await main();
