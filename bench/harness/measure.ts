/**
 * Timing with tinybench: a warm-up, then samples until both a time budget and a minimum number of
 * samples are reached; the median and the 75th percentile per call, and the relative margin of
 * error. Calls far shorter than the timer's comfort zone are batched (the same call repeated in
 * one sample), and the per-call time divides by the batch.
 */
import { Bench } from "tinybench";
import type { Timing } from "./types.js";

export interface MeasureOptions {
  /** Time budget per method, in milliseconds. */
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly minSamples: number;
}

export const FULL: MeasureOptions = { timeMs: 600, warmupMs: 150, minSamples: 12 };
/** One call, for the quick mode: the machinery runs, the numbers mean nothing. */
export const QUICK: MeasureOptions = { timeMs: 0, warmupMs: 0, minSamples: 1 };

/** A sample should last at least this long for the timer's resolution not to matter. */
const SAMPLE_MS = 0.05;

let sink = 0;
function consume(v: unknown): void {
  sink += typeof v === "number" ? v : v === undefined ? 0 : 1;
}

/** How many calls fit in one sample: by timing a few calls (after a first, cold one). */
function batchSize(fn: () => unknown, options: MeasureOptions): number {
  if (options.timeMs === 0) return 1;
  consume(fn());
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < 20 && calls < 10_000) {
    consume(fn());
    calls++;
    elapsed = performance.now() - start;
  }
  const perCall = elapsed / calls;
  return Math.max(1, Math.ceil(SAMPLE_MS / perCall));
}

export async function measure(fn: () => unknown, options: MeasureOptions): Promise<Timing> {
  const inner = batchSize(fn, options);
  const bench = new Bench({
    time: options.timeMs,
    warmup: options.warmupMs > 0,
    warmupTime: options.warmupMs,
    warmupIterations: options.warmupMs > 0 ? 2 : 0,
    iterations: options.minSamples,
    throws: true,
  });
  bench.add("method", () => {
    for (let r = 0; r < inner; r++) consume(fn());
  });
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (!("latency" in result)) throw new Error(`timing failed: ${result.state}`);
  if (sink === 0.123456789) console.log(""); // keeps results observable to the optimiser
  return {
    medianMs: result.latency.p50 / inner,
    p75Ms: result.latency.p75 / inner,
    rme: result.latency.rme,
    samples: result.latency.samplesCount,
  };
}
