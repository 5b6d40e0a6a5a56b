/**
 * A campaign worker process: takes batches of program seeds from the parent (main.ts), and for
 * each batch generates the programs (stage 1), compiles them through one Program and checks
 * them (stages 2-3, evaluate.ts), shrinks every failure (stage 4, shrink.ts) and writes its
 * reproducer (stage 5, reproducer.ts). It answers one message per program. Workers are
 * short-lived: every imported program stays in memory, so the parent starts a fresh one after a
 * few hundred programs.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { samplePoints } from "../test/support/fuzz/points.js";
import type { GeneratedProgram } from "../test/support/fuzz/spec.js";
import { evaluate } from "./evaluate.js";
import { programOf } from "./programs.js";
import { writeReproducer } from "./reproducer.js";
import { shrink } from "./shrink.js";

export interface WorkerOptions {
  readonly workDir: string;
  readonly outDir: string;
  readonly points: number;
  readonly expensiveEvery: number;
  readonly shrinkBudget: number;
  readonly campaignSeed?: number;
}

export interface BatchRequest {
  readonly type: "batch";
  readonly items: readonly { readonly index: number; readonly seed: number }[];
  readonly options: WorkerOptions;
}

export interface ProgramResult {
  readonly type: "result";
  readonly index: number;
  readonly seed: number;
  readonly check: string;
  readonly signature: string;
  readonly message?: string;
  readonly valid: number;
  readonly smooth: number;
  readonly secondOrder: number;
  readonly points: number;
  readonly stats?: GeneratedProgram["stats"];
  readonly reproducer?: string;
  readonly shrunk?: { before: number; after: number; tried: number };
}

export type WorkerMessage = ProgramResult | { readonly type: "shrinking"; readonly seed: number; readonly tried: number; readonly kept: number } | { readonly type: "idle" };

const send = (m: WorkerMessage) => process.send!(m);

async function runBatch(req: BatchRequest): Promise<void> {
  const o = req.options;
  const made = req.items.map((it) => ({ ...it, ...programOf(it.seed), points: samplePoints(it.seed, o.points) }));
  const outcomes = await evaluate(
    o.workDir,
    made.map((m) => ({ id: m.program.name, program: m.program, points: m.points })),
    { expensiveEvery: o.expensiveEvery },
  );
  for (const [i, outcome] of outcomes.entries()) {
    const m = made[i]!;
    const r = outcome.report;
    let reproducer: string | undefined;
    let shrunk: ProgramResult["shrunk"];
    if (outcome.check !== "ok") {
      // shrink at the failing point alone (or all points for a compile failure)
      const point = outcome.failure?.point;
      const result = await shrink(m.draws, outcome, {
        workDir: path.join(o.workDir, "shrink"),
        name: m.program.name,
        points: point ? [point] : m.points,
        budget: o.shrinkBudget,
        onProgress: (tried, kept) => send({ type: "shrinking", seed: m.seed, tried, kept }),
      });
      shrunk = { before: m.draws.length, after: result.draws.length, tried: result.tried };
      reproducer = writeReproducer(o.outDir, {
        campaignSeed: o.campaignSeed,
        programIndex: m.index,
        programSeed: m.seed,
        program: result.program,
        outcome: result.outcome,
        point: result.outcome.failure?.point ?? point,
        sizes: { before: m.draws.length, after: result.draws.length },
      });
      rmSync(path.join(o.workDir, "shrink"), { recursive: true, force: true });
    }
    send({
      type: "result",
      index: m.index,
      seed: m.seed,
      check: outcome.check,
      signature: outcome.signature,
      message: outcome.message?.slice(0, 2000),
      valid: r?.valid ?? 0,
      smooth: r?.smooth ?? 0,
      secondOrder: r?.secondOrder ?? 0,
      points: r?.points ?? 0,
      stats: m.program.stats,
      reproducer,
      shrunk,
    });
  }
  for (const m of made) rmSync(path.join(o.workDir, m.program.name), { recursive: true, force: true });
  send({ type: "idle" });
}

process.on("message", (req: BatchRequest) => {
  runBatch(req).catch((e) => {
    process.stderr.write(`worker: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  });
});
send({ type: "idle" });
