/**
 * Memory against time for the reverse sweep of long loops: the plain sweep (what each iteration
 * overwrites goes on the stack) beside binomial checkpointing with several budgets of snapshots
 * (passes/reverse/checkpoint.ts), for an ODE integrator and an RNN-like loop.
 *
 *   npm run bench:checkpoint                 writes bench/results/bench-checkpoint.{md,json}
 *   npm run bench:checkpoint -- --quick      small sizes, one run each: checks only
 *
 * Memory is counted, not sampled: the peak number of entries on the runtime's stack during one
 * call (8 bytes each) plus the peak bytes of snapshots held (runtime/internal/checkpoints.ts).
 * Every gradient is checked against the plain sweep's before anything is timed. Each budget runs
 * with the schedule over stretches of the default length; 100 snapshots also with stretches of
 * one iteration (the classic schedule, one iteration taped at a time), for comparison.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  CHECKPOINT_DEFAULT_STRETCH,
  checkpointMemoryPeak,
  refStack,
  resetCheckpointMemory,
  setCheckpointStretch,
  stack,
} from "tsgrad/internal";
import { lorenzGrads, lorenzPrimal, rnnGrads, rnnPrimal } from "./programs.js";

const quick = process.argv.includes("--quick");
const budgets = ["off", "10", "100", "1000"] as const;
type Budget = (typeof budgets)[number];
/** The sweeps measured: a budget of snapshots, and the stretch the schedule counts in. */
const sweeps: readonly { budget: Budget; stretch: number }[] = [
  ...budgets.map((budget) => ({ budget, stretch: CHECKPOINT_DEFAULT_STRETCH })),
  { budget: "100", stretch: 1 },
];

interface Row {
  readonly workload: string;
  readonly n: number;
  readonly budget: Budget;
  readonly stretch: number;
  readonly ms: number;
  readonly primalMs: number;
  readonly stackBytes: number;
  readonly snapshotBytes: number;
  readonly maxDifference: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function timeOf(run: () => unknown, repeats: number): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function memoryOf(run: () => unknown): { stackBytes: number; snapshotBytes: number } {
  if (refStack.size !== 0) throw new Error("the reference stack is not empty");
  stack.resetPeak();
  resetCheckpointMemory();
  const base = stack.size;
  const snapshotsBefore = checkpointMemoryPeak();
  run();
  if (stack.size !== base) throw new Error("a gradient left values on the stack");
  return { stackBytes: 8 * (stack.peak - base), snapshotBytes: checkpointMemoryPeak() - snapshotsBefore };
}

function largestDifference(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let worst = 0;
  let scale = 0;
  a.forEach((x, k) => {
    for (let i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(x[i]! - b[k]![i]!));
      scale = Math.max(scale, Math.abs(b[k]![i]!));
    }
  });
  return worst / (scale || 1);
}

function measure(
  workload: string,
  n: number,
  primal: () => unknown,
  grads: Record<Budget, () => ArrayLike<number>[]>,
  repeats: number,
): Row[] {
  const primalMs = timeOf(primal, repeats);
  const reference = grads.off();
  return sweeps.map(({ budget, stretch }) => {
    const previous = setCheckpointStretch(stretch);
    try {
      const run = grads[budget];
      const maxDifference = largestDifference(run(), reference);
      if (!(maxDifference <= 1e-9))
        throw new Error(`${workload} n=${n} budget ${budget} stretch ${stretch}: differs from the plain sweep by ${maxDifference}`);
      const memory = memoryOf(run);
      const ms = timeOf(run, repeats);
      return { workload, n, budget, stretch, ms, primalMs, ...memory, maxDifference };
    } finally {
      setCheckpointStretch(previous);
    }
  });
}

const p = Float64Array.from([10, 28, 8 / 3]);
function lorenzRows(n: number, repeats: number): Row[] {
  const grads = Object.fromEntries(budgets.map((b) => [b, () => [lorenzGrads[b](p, n)] as ArrayLike<number>[]])) as Record<
    Budget,
    () => ArrayLike<number>[]
  >;
  return measure("ODE (Lorenz, explicit Euler)", n, () => lorenzPrimal(p, n), grads, repeats);
}

function rnnRows(T: number, repeats: number): Row[] {
  const H = 8;
  const W = Float64Array.from({ length: H * H }, (_, i) => 0.3 * Math.sin(1 + 1.7 * i));
  const U = Float64Array.from({ length: H }, (_, i) => 0.5 * Math.cos(i));
  const xs = Float64Array.from({ length: T }, (_, t) => Math.sin(0.01 * t));
  const grads = Object.fromEntries(budgets.map((b) => [b, () => rnnGrads[b](W, U, xs, T) as unknown as ArrayLike<number>[]])) as Record<
    Budget,
    () => ArrayLike<number>[]
  >;
  return measure("RNN (tanh(W h + U x_t), H = 8)", T, () => rnnPrimal(W, U, xs, T), grads, repeats);
}

const mib = (bytes: number) =>
  bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;

function markdown(rows: readonly Row[]): string {
  const machine = `${os.cpus()[0]?.model.trim() ?? "unknown CPU"} (${os.cpus().length} cores), Node ${process.version}, ${os.platform()} ${os.arch()}. ${new Date().toISOString().slice(0, 10)}.`;
  const lines = [
    "### Checkpointing long loops: memory against time",
    "",
    `Machine: ${machine}`,
    "",
    "Median time per gradient call; memory is the peak of the runtime's stack during one call plus the snapshots held (counted, not sampled). Every gradient agrees with the plain sweep's to the digits shown in `max diff` (relative).",
    `\`checkpoint c\`: c snapshots, the schedule over stretches of ${CHECKPOINT_DEFAULT_STRETCH} iterations (the default), each taped and reversed whole; \`stretch 1\`: the classic schedule, one iteration taped at a time.`,
    "",
    "| workload | steps | sweep | time (ms) | time / primal | peak stack | snapshots | total memory | max diff |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const sweepName = (r: Row) =>
    r.budget === "off" ? "plain" : `checkpoint ${r.budget}${r.stretch === CHECKPOINT_DEFAULT_STRETCH ? "" : `, stretch ${r.stretch}`}`;
  for (const r of rows)
    lines.push(
      `| ${r.workload} | ${r.n.toLocaleString("en-US")} | ${sweepName(r)} | ${r.ms.toFixed(1)} | ${(r.ms / r.primalMs).toFixed(1)} | ${mib(r.stackBytes)} | ${mib(r.snapshotBytes)} | ${mib(r.stackBytes + r.snapshotBytes)} | ${r.maxDifference.toExponential(0)} |`,
    );
  return lines.join("\n") + "\n";
}

const repeats = quick ? 1 : 5;
const rows: Row[] = [];
for (const n of quick ? [1000] : [100_000, 1_000_000]) rows.push(...lorenzRows(n, repeats));
for (const T of quick ? [500] : [100_000]) rows.push(...rnnRows(T, repeats));
const report = markdown(rows);
process.stdout.write(report);
const root = fileURLToPath(new URL("../", import.meta.url));
const out = path.join(root, "results", quick ? "tmp" : "");
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, "bench-checkpoint.md"), report);
writeFileSync(path.join(out, "bench-checkpoint.json"), JSON.stringify(rows, null, 2) + "\n");
