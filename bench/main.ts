/**
 * tsgrad's benchmark suite: compile-time AD (tsgrad) against hand-written derivatives, TF.js's
 * tape, jax-js's jit and finite differences, on the same inputs in one run. Every method's result
 * is checked against a reference before anything is timed.
 *
 *   npm run bench                         full run (a few minutes); writes bench/results/
 *   npm run bench -- --quick              every workload once at small sizes: checks only
 *   npm run bench -- --only rosenbrock,hvp
 *   npm run bench -- --param rosenbrock.n=1000,10000 --time 300
 *
 * Workloads are in bench/workloads/, the libraries' adapters in bench/methods/, checking and timing
 * in bench/harness/, the tables and the chart in bench/report/, the build-time cost in bench/compile/.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { compileCost, type CompileCost } from "./compile/cost.js";
import { compileScaling, type CompileScaling } from "./compile/scaling.js";
import { DisagreementError } from "./harness/agreement.js";
import { FULL, QUICK } from "./harness/measure.js";
import { Progress } from "./harness/progress.js";
import { countMethods, paramsOf, runCase, type TimedCase } from "./harness/run.js";
import type { Case, CaseResult, Peers } from "./harness/types.js";
import { loadJax } from "./methods/jax.js";
import { loadTf } from "./methods/tfjs.js";
import { markdownReport } from "./report/markdown.js";
import { scalingMarkdown, scalingSvg } from "./report/scaling.js";
import { caseRatios, targets } from "./report/ratios.js";
import { svgChart } from "./report/svg.js";
import { WORKLOADS } from "./workloads/index.js";

interface Options {
  quick: boolean;
  only?: string[];
  param: string[];
  time?: number;
  out?: string;
}

const COMPILE = "compile";

function parseOptions(): Options {
  const ids = [...WORKLOADS.map((w) => w.id), COMPILE];
  const program = new Command()
    .name("npm run bench --")
    .description("tsgrad against hand-written derivatives, TF.js, jax-js and finite differences")
    .option("--quick", "every workload once at small sizes; checks that the methods agree (the tests run this)", false)
    .option("--only <ids>", `comma-separated subset of: ${ids.join(", ")}`, (v: string) => v.split(",").map((s) => s.trim()))
    .option("--param <workload.name=values>", "override a size, e.g. rosenbrock.n=1000,10000 (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("--time <ms>", "time budget per method in milliseconds", (v: string) => Number(v))
    .option("--out <dir>", "where to write the results (default bench/results, or bench/results/tmp with --quick)")
    .showHelpAfterError();
  program.parse(process.argv);
  const o = program.opts<Options>();
  for (const id of o.only ?? []) if (!ids.includes(id)) program.error(`unknown workload "${id}" (choose from ${ids.join(", ")})`);
  return o;
}

/** The installed version of a dependency (read from its folder: some packages do not export package.json). */
function versionOf(name: string): string {
  try {
    const file = name === "tsgrad" ? new URL("../package.json", import.meta.url) : new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? "unknown CPU"} (${cpus.length} cores), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

async function main(): Promise<number> {
  const options = parseOptions();
  const selected = (id: string) => !options.only || options.only.includes(id);
  const workloads = WORKLOADS.filter((w) => selected(w.id));
  const measureOptions = options.quick ? QUICK : { ...FULL, ...(options.time ? { timeMs: options.time } : {}) };
  const outDir = path.resolve(options.out ?? fileURLToPath(new URL(options.quick ? "./results/tmp" : "./results", import.meta.url)));

  const t0 = performance.now();
  const [tf, jax] = await Promise.all([loadTf(), loadJax()]);
  const peers: Peers = { tf, jax };
  console.log(`TF.js ${tf.version.tfjs} (backend ${tf.getBackend()}), jax-js (device ${jax.defaultDevice()}) loaded in ${(performance.now() - t0).toFixed(0)} ms`);

  const cases: Case[] = workloads.flatMap((w) => w.cases(paramsOf(w, options.quick, options.param), peers));
  const progress = new Progress(countMethods(cases));
  const timed: TimedCase[] = [];
  try {
    for (const c of cases) timed.push(await runCase(c, measureOptions, progress));
  } catch (e) {
    if (e instanceof DisagreementError) {
      console.error(`FAIL: ${e.message}`);
      return 1;
    }
    throw e;
  }
  console.log("gradients agree: every method matched its reference before timing");
  const results: CaseResult[] = [];
  for (const t of timed) results.push(await t.measureMemory());

  let cost: CompileCost | undefined;
  let scaling: CompileScaling | undefined;
  if (selected(COMPILE)) {
    progress.note("compile-time cost over examples/ ...");
    cost = compileCost({ repeats: options.quick ? 1 : 5, commandLine: !options.quick, files: options.quick ? "one" : "all" });
    progress.note("compile-time scaling: generated programs of growing size ...");
    scaling = await compileScaling({ quick: options.quick, onNote: (s) => progress.note(s) });
  }

  const info = {
    machine: machine(),
    date: new Date().toISOString().slice(0, 10),
    quick: options.quick,
    versions: {
      tsgrad: versionOf("tsgrad"),
      typescript: versionOf("typescript"),
      "@tensorflow/tfjs": versionOf("@tensorflow/tfjs"),
      "@jax-js/jax": versionOf("@jax-js/jax"),
      tinybench: versionOf("tinybench"),
    },
  };
  const markdown = markdownReport(results, cost, info) + (scaling ? `\n\n## Compile time against code size\n\n${scalingMarkdown(scaling)}\n` : "");
  mkdirSync(outDir, { recursive: true });
  // a run of some workloads writes beside the full run's report, never over it
  const stem = options.only ? `bench-${options.only.join("-")}` : "bench";
  if (scaling) writeFileSync(path.join(outDir, "compile-scaling.svg"), scalingSvg(scaling, `${info.machine}. ${info.date}.`));
  writeFileSync(path.join(outDir, `${stem}.md`), markdown + "\n");
  const ratios = results.map(caseRatios);
  writeFileSync(path.join(outDir, `${stem}.json`), JSON.stringify({ ...info, cases: results, ratios, targets: targets(ratios), compile: cost, scaling }, null, 2) + "\n");
  if (results.length > 0) writeFileSync(path.join(outDir, `${stem}.svg`), svgChart(results, `${info.machine}. ${info.date}.`));
  console.log(`\n${markdown}\nwritten: ${path.join(outDir, `${stem}.{md,json${results.length > 0 ? ",svg" : ""}}`)}`);
  return 0;
}

process.exitCode = await main();
