/**
 * `npm run fuzz -- --programs N [--seed S]`: a campaign of random programs through every marker.
 *
 * The pipeline, one module per stage:
 *   programs.ts   generate program i of seed S (test/support/fuzz/generate.ts)
 *   evaluate.ts   compile a batch through one Program, run every check (test/support/fuzz/checks.ts)
 *   shrink.ts     shrink each failure: fewer helpers and statements, simpler expressions
 *   reproducer.ts write it as a standalone .ts file (seed, check, expected vs got)
 *   worker.ts     runs those stages in a child process; this file hands out batches, shows
 *                 progress and sums up.
 * Exits 1 if any program failed (a wrong derivative, a crash, a refusal of a generated program).
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import cliProgress from "cli-progress";
import { programSeed } from "./programs.js";
import type { BatchRequest, ProgramResult, WorkerMessage, WorkerOptions } from "./worker.js";
import { CONSTRUCTS, IDIOMS } from "../test/support/fuzz/spec.js";

const root = path.resolve(import.meta.dirname, "..");

const integer = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("not a non-negative integer");
  return n;
};

const cli = new Command()
  .name("npm run fuzz --")
  .description("Random programs through every marker, checked against finite differences and each other; failures shrunk to reproducers.")
  .option("--programs <n>", "how many programs", integer, 1000)
  .option("--seed <s>", "campaign seed (default: from the clock, printed)", integer)
  .option("--from <i>", "first program index (to resume a campaign)", integer, 0)
  .option("--replay <seed>", "run the one program of this program seed (from a reproducer)", integer)
  .option("--batch <n>", "programs compiled through one ts.Program", integer, 40)
  .option("--points <n>", "inputs checked per program", integer, 6)
  .option("--expensive-every <n>", "full Hessian and Jacobians at every n-th point", integer, 2)
  .option("--jobs <n>", "worker processes", integer, 1)
  .option("--worker-programs <n>", "programs a worker checks before a fresh one replaces it", integer, 400)
  .option("--shrink-budget <n>", "most candidates compiled while shrinking one failure", integer, 400)
  .option("--out <dir>", "where reproducers and the summary go", "fuzz/failures")
  .option("--log", "one line per batch instead of a progress bar (for runs in the background)", false);

interface Options {
  programs: number;
  seed?: number;
  from: number;
  replay?: number;
  batch: number;
  points: number;
  expensiveEvery: number;
  jobs: number;
  workerPrograms: number;
  shrinkBudget: number;
  out: string;
  log: boolean;
}

async function main(): Promise<number> {
  const opts = cli.parse(process.argv).opts<Options>();
  const campaignSeed = opts.seed ?? Date.now() % 2 ** 31;
  const outDir = path.resolve(opts.out);
  const workRoot = path.join(root, "fuzz", ".work");
  mkdirSync(outDir, { recursive: true });
  const items =
    opts.replay !== undefined
      ? [{ index: 0, seed: opts.replay }]
      : Array.from({ length: opts.programs }, (_, i) => ({ index: opts.from + i, seed: programSeed(campaignSeed, opts.from + i) }));
  const total = items.length;
  process.stdout.write(
    opts.replay !== undefined ? `replaying program seed ${opts.replay}\n` : `campaign --seed ${campaignSeed}: programs ${opts.from} to ${opts.from + total - 1}, batches of ${opts.batch}, ${opts.points} points each, ${opts.jobs} worker(s)\n`,
  );

  const results: ProgramResult[] = [];
  const failures: ProgramResult[] = [];
  const started = Date.now();
  const bars = opts.log
    ? undefined
    : new cliProgress.MultiBar(
        { format: "{bar} {value}/{total} programs | {failures} failing | {rate}/min | eta {eta_formatted} | {status}", hideCursor: true, etaBuffer: 200 },
        cliProgress.Presets.shades_classic,
      );
  const bar = bars?.create(total, 0, { failures: 0, rate: "-", status: "compiling" });
  const update = (status: string) => {
    const minutes = (Date.now() - started) / 60000;
    bar?.update(results.length, { failures: failures.length, rate: minutes > 0 ? (results.length / minutes).toFixed(0) : "-", status });
  };

  let next = 0;
  const takeBatch = () => {
    const batch = items.slice(next, next + opts.batch);
    next += batch.length;
    return batch;
  };

  const runWorker = (id: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const workerOptions: WorkerOptions = {
        workDir: path.join(workRoot, `w${id}-${process.pid}`),
        outDir,
        points: opts.points,
        expensiveEvery: opts.expensiveEvery,
        shrinkBudget: opts.shrinkBudget,
        campaignSeed: opts.replay !== undefined ? undefined : campaignSeed,
      };
      let done = 0;
      let pending: BatchRequest["items"] = [];
      const child: ChildProcess = fork(path.join(root, "bin", "tsgrad.js"), ["run", path.join(root, "fuzz", "worker.ts")], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const give = () => {
        if (done >= opts.workerPrograms || next >= items.length) {
          child.kill();
          return;
        }
        pending = takeBatch();
        child.send({ type: "batch", items: pending, options: workerOptions } satisfies BatchRequest);
      };
      child.on("message", (m: WorkerMessage) => {
        if (m.type === "idle") return give();
        if (m.type === "shrinking") return update(`shrinking seed ${m.seed}: ${m.tried} tried, ${m.kept} kept`);
        results.push(m);
        pending = pending.filter((p) => p.index !== m.index);
        done++;
        if (m.check !== "ok") {
          failures.push(m);
          const line = `FAIL program ${m.index} (seed ${m.seed}): ${m.signature}\n  ${m.reproducer ?? ""}\n`;
          if (bars) bars.log(line);
          else process.stdout.write(line);
        }
        update("checking");
        if (opts.log && results.length % opts.batch === 0) {
          const minutes = (Date.now() - started) / 60000;
          process.stdout.write(`${new Date().toISOString()} ${results.length}/${total} programs, ${failures.length} failing, ${(results.length / minutes).toFixed(1)}/min\n`);
        }
      });
      child.on("exit", (code) => {
        if (pending.length) {
          // the worker died inside a batch: record what it did not finish
          for (const p of pending) {
            const r: ProgramResult = { type: "result", index: p.index, seed: p.seed, check: "worker:died", signature: `worker:died (exit ${code})`, valid: 0, smooth: 0, secondOrder: 0, points: 0 };
            results.push(r);
            failures.push(r);
          }
          pending = [];
        }
        if (next < items.length) runWorker(id).then(resolve, reject);
        else resolve();
      });
    });

  await Promise.all(Array.from({ length: Math.min(opts.jobs, Math.ceil(total / opts.batch)) || 1 }, (_, i) => runWorker(i)));
  update("done");
  bars?.stop();

  // the summary
  const bySignature = new Map<string, number>();
  for (const f of failures) bySignature.set(f.signature, (bySignature.get(f.signature) ?? 0) + 1);
  const valid = results.reduce((s, r) => s + r.valid, 0);
  const smooth = results.reduce((s, r) => s + r.smooth, 0);
  const second = results.reduce((s, r) => s + r.secondOrder, 0);
  const points = results.reduce((s, r) => s + r.points, 0);
  const deep = results.filter((r) => (r.stats?.depth ?? 0) >= 3).length;
  const closures = results.filter((r) => (r.stats?.closures ?? 0) > 0).length;
  const constructs = Object.fromEntries([...CONSTRUCTS, ...IDIOMS].map((k) => [k, results.filter((r) => (r.stats?.uses[k] ?? 0) > 0).length]));
  const minutes = (Date.now() - started) / 60000;
  const summary = {
    campaignSeed: opts.replay !== undefined ? undefined : campaignSeed,
    from: opts.from,
    programs: results.length,
    failing: failures.length,
    minutes: Number(minutes.toFixed(1)),
    points,
    validPoints: valid,
    checkedAgainstFiniteDifferences: smooth,
    secondOrderAgainstFiniteDifferences: second,
    programsWithChainsOf3OrMore: deep,
    programsWithClosures: closures,
    programsWithConstruct: constructs,
    failures: failures.map((f) => ({ index: f.index, seed: f.seed, signature: f.signature, reproducer: f.reproducer, shrunk: f.shrunk })),
  };
  writeFileSync(path.join(outDir, `summary-${summary.campaignSeed ?? `replay-${opts.replay}`}-${opts.from}.json`), JSON.stringify(summary, null, 2));
  process.stdout.write(
    [
      `${results.length} programs in ${minutes.toFixed(1)} min: ${failures.length} failing`,
      `points: ${points} tried, ${valid} valid, ${smooth} checked against finite differences (${((100 * smooth) / Math.max(1, valid)).toFixed(0)}%), ${second} second order against finite differences of the gradient`,
      `${deep} programs with helper chains 3 or more deep, ${closures} with local helpers or closures`,
      `programs writing ${[...CONSTRUCTS, ...IDIOMS].map((k) => `${k}: ${constructs[k]}`).join(", ")}`,
      ...[...bySignature].map(([s, n]) => `  ${n} x ${s}`),
      "",
    ].join("\n"),
  );
  return failures.length ? 1 : 0;
}

// exitCode, not exit(): exit() may cut off what is still being written to a pipe
main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  },
);
