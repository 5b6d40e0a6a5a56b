/**
 * Primal and derivative times of one ODE integrator written three ways (programs.ts): loops
 * inline, helpers that write into the caller's work buffers (inlined by tsgrad), and helpers that
 * return a new array per stage. Every derivative is checked against the inline version's before
 * anything is timed.
 *
 *   node bin/tsgrad.js run bench/out-parameters/main.ts            writes bench/results/bench-out-parameters.md
 *   node bin/tsgrad.js run bench/out-parameters/main.ts --quick    one run each: checks only
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { STEPS, STYLES } from "./programs.js";

const quick = process.argv.includes("--quick");
const N = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Time of one call in ms, from one batch of about `batchMs`. */
function batchTime(run: () => unknown, batchMs: number): number {
  const t0 = performance.now();
  run();
  const once = Math.max(performance.now() - t0, 1e-3);
  const calls = Math.max(1, Math.round(batchMs / once));
  const t1 = performance.now();
  for (let i = 0; i < calls; i++) run();
  return (performance.now() - t1) / calls;
}

function maxDifference(
  a: ArrayLike<number> | readonly (readonly number[])[],
  b: ArrayLike<number> | readonly (readonly number[])[],
): number {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : Array.from(v as ArrayLike<number>));
  const x = flat(a);
  const y = flat(b);
  if (x.length !== y.length) throw new Error("results of different sizes");
  return x.reduce((m, xi, i) => Math.max(m, Math.abs(xi - y[i]!) / Math.max(1, Math.abs(y[i]!))), 0);
}

const x0 = Float64Array.from({ length: N }, (_, i) => 8 + Math.sin(i + 1));
const reference = STYLES.inline;
const what = ["primal", "grad", "jacobianForward", "jacobianReverse"] as const;
for (const [name, style] of Object.entries(STYLES))
  for (const w of what) {
    const d = maxDifference(style[w](x0) as Float64Array, reference[w](x0) as Float64Array);
    if (d > 1e-9) throw new Error(`${name} ${w} differs from the inline version's by ${d}`);
  }

// The machine is shared: the styles are timed in interleaved rounds, so that a busy moment
// slows all three alike, and each figure is the median over the rounds.
const rounds = quick ? 1 : 15;
const samples = new Map<string, number[]>();
for (let round = 0; round < rounds; round++)
  for (const w of what)
    for (const [name, style] of Object.entries(STYLES)) {
      const key = `${name} ${w}`;
      samples.set(key, [...(samples.get(key) ?? []), batchTime(() => style[w](x0), quick ? 0 : 60)]);
    }
const rows = Object.keys(STYLES).map(
  (name) =>
    ({ name, ...Object.fromEntries(what.map((w) => [w, median(samples.get(`${name} ${w}`)!)])) }) as { name: string } & Record<
      (typeof what)[number],
      number
    >,
);

const cpus = os.cpus();
const machine = `${cpus[0]?.model.trim() ?? "unknown CPU"} (${cpus.length} cores), Node ${process.version}`;
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const lines = [
  `Lorenz-96, n = ${N}, ${STEPS} Runge-Kutta steps. ${machine}, ${new Date().toISOString().slice(0, 10)}.`,
  `Median time per call over ${rounds} interleaved rounds; in parentheses, the ratio to the inline version's.`,
  "",
  "| style | primal | grad of the final state's energy | jacobian, forward | jacobian, reverse |",
  "|---|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.name} | ${what.map((w) => `${fmt(r[w])} (${(r[w] / rows[0]![w]).toFixed(2)})`).join(" | ")} |`),
];
const markdown = lines.join("\n") + "\n";
process.stdout.write(markdown);
if (!quick) {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "bench-out-parameters.md"), markdown);
}
